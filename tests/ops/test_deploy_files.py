"""deploy/: the Grafana dashboard and the alert rules read only metrics the app exposes (a renamed
metric would leave a panel empty and an alert silent), and both files parse."""

import json
import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY

import core.metrics  # noqa: F401  (registers the metrics)

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PROMQL_WORDS = {
    "sum", "max", "min", "avg", "rate", "increase", "deriv", "histogram_quantile", "topk", "absent",
    "and", "or", "unless", "hour", "up", "vector", "time",
}  # fmt: skip


def exposed_names() -> set[str]:
    names = {"celery_queue_length"}  # core.metrics.QueueLengthCollector: only when the broker answers
    for family in REGISTRY.collect():
        names |= {family.name + suffix for suffix in ("", "_total", "_bucket", "_count", "_sum")}
    return names


def metric_names(expr: str) -> set[str]:
    expr = re.sub(r'"[^"]*"', "", expr)  # label values
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    expr = re.sub(r"\b(by|on|without|ignoring)\s*\([^)]*\)", "", expr)  # grouping labels
    return {word for word in re.findall(r"\b[a-z_][a-z0-9_]*\b", expr) if word not in PROMQL_WORDS}


def test_every_alert_reads_exposed_metrics():
    rules = yaml.safe_load((DEPLOY / "prometheus-alerts.yml").read_text())
    alerts = [rule for group in rules["groups"] for rule in group["rules"]]
    names = {alert["alert"] for alert in alerts}

    assert {
        "HighErrorRate",
        "HighLatencyP95",
        "CeleryBacklog",
        "PaymentFailuresHigh",
        "StockPushLagHigh",
    } <= names
    for alert in alerts:
        assert metric_names(alert["expr"]) <= exposed_names(), alert["alert"]
        assert alert["annotations"]["summary"]


def test_every_dashboard_panel_reads_exposed_metrics():
    dashboard = json.loads((DEPLOY / "grafana-dashboard.json").read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]

    used = set().union(*(metric_names(expr) for expr in exprs))
    assert used <= exposed_names()
    assert {
        "http_request_duration_seconds_bucket", "http_request_db_queries_bucket", "page_cache_requests_total",
        "celery_queue_length", "celery_task_duration_seconds_bucket", "celery_task_failures_total",
        "websocket_connections", "stock_push_lag_seconds_bucket", "orders_paid_total", "till_sales_total",
        "refunds_total", "payments_failed_total",
    } <= used  # fmt: skip


def test_the_checker_sees_a_wrong_name():
    assert metric_names('sum(rate(http_requests_totl{status="5xx"}[5m])) by (view)') == {"http_requests_totl"}
    assert "http_requests_totl" not in exposed_names()
