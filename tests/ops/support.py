"""Helpers of the operations tests: scrape /metrics as Prometheus does, and read one sample."""

from prometheus_client.parser import text_string_to_metric_families

from config.celery_app import app

TOKEN = "scrape-me-0123456789"


def scrape(client, token: str = TOKEN) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def sample(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@app.task(name="tests.ops.log_something")
def log_something(message: str = "task ran") -> str:
    import logging

    logging.getLogger("tests.ops").warning(message)
    return message


@app.task(name="tests.ops.fail")
def fail() -> None:
    raise LookupError("nothing here")
