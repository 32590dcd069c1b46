"""The weekly summary: last week's key figures against the week before and last year, by store and
channel, and the ten best-selling products, as a one-page PDF e-mailed on Monday morning.

Managers get the chain's; a store manager their store's; staff limited to shops their shops' only.
One e-mail per recipient and week (``WeeklySummarySent``: beat running twice, or a retry after a
crash, sends nothing more). The PDF is rendered by WeasyPrint in the Celery worker
(``tasks.send_weekly_summaries``), never in a request.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .access import ReportForbidden, Scope, scope_for
from .db import read_alias
from .models import SalesDay, SalesFact, WeeklySummarySent
from .periods import Period
from .selectors.overview import Overview, overview
from .views_overview import kpi_cards

logger = logging.getLogger(__name__)


def last_week(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday() + 7)
    return Period(monday, monday + dt.timedelta(days=6), "custom")


@dataclass(frozen=True)
class Summary:
    period: Period
    scope: Scope
    data: Overview
    by_location: list[dict[str, Any]]
    top_products: list[dict[str, Any]]


def summary(period: Period, scope: Scope) -> Summary:
    days = scope.filter(
        SalesDay.objects.using(read_alias()).filter(day__gte=period.start, day__lte=period.end)
    )
    by_location = list(
        days.values("location__name", "channel")
        .annotate(orders=Sum("orders"), revenue_ttc=Sum("revenue_ttc"))
        .order_by("-revenue_ttc")
    )
    facts = scope.filter(
        SalesFact.objects.using(read_alias()).filter(day__gte=period.start, day__lte=period.end)
    )
    top = list(
        facts.exclude(product__isnull=True)
        .values("product__name")
        .annotate(units=Sum("units"), revenue_ttc=Sum("revenue_ttc"))
        .order_by("-revenue_ttc")[:10]
    )
    return Summary(period, scope, overview(period, scope), by_location, top)


def render_pdf(item: Summary, *, title: str) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    html = render_to_string(
        "reporting/weekly_summary.html", {"s": item, "cards": kpi_cards(item.data), "title": title}
    )
    return bytes(HTML(string=html).write_pdf())


def recipients() -> list[Any]:
    """Active managers and store managers with an e-mail (superusers only if they hold a role)."""
    User = get_user_model()
    wanted = Q(groups__permissions__codename__in=["view_chain_dashboard", "view_store_dashboard"])
    return list(User.objects.filter(wanted, is_active=True).exclude(email="").distinct().order_by("pk"))


def send_weekly_summaries(*, today: dt.date | None = None) -> int:
    """E-mail last week's summary to every recipient who has not had it; returns how many were sent.
    One PDF per scope (the chain, each store, each set of shops), whatever the number of recipients."""
    period = last_week(today)
    sent = 0
    rendered: dict[tuple[int | None, tuple[int, ...] | None, str], bytes] = {}
    for user in recipients():
        try:
            scope = scope_for(user)
        except ReportForbidden:
            continue  # a store manager without a store
        if WeeklySummarySent.objects.filter(week_start=period.start, user=user).exists():
            continue
        language = user.preferred_language if user.preferred_language in dict(settings.LANGUAGES) else "fr"
        with translation.override(language):
            key = (scope.location_id, scope.shops, language)  # staff limited to shops: their shops' PDF
            title = _title(period, scope)
            if key not in rendered:
                rendered[key] = render_pdf(summary(period, scope), title=title)
            message = _email(user.email, title, rendered[key], period)
        try:
            with transaction.atomic():
                WeeklySummarySent.objects.create(week_start=period.start, user=user)
                transaction.on_commit(message.send)
        except IntegrityError:  # another run sent it meanwhile
            continue
        sent += 1
    logger.info("weekly summary of %s: %s e-mails", period.start, sent)
    return sent


def _title(period: Period, scope: Scope) -> str:
    from django.utils.translation import gettext

    from inventory.models import Location

    where = gettext("every store and the web")
    if scope.location_id is not None:
        store = Location.objects.filter(pk=scope.location_id).values_list("name", flat=True).first()
        where = store or where
    return gettext("Week of %(start)s – %(end)s, %(where)s") % {
        "start": period.start.strftime("%d/%m/%Y"),
        "end": period.end.strftime("%d/%m/%Y"),
        "where": where,
    }


def _email(to: str, title: str, pdf: bytes, period: Period) -> EmailMultiAlternatives:
    from django.utils.translation import gettext

    body = gettext("The summary of last week is attached (PDF). The dashboard has every detail.")
    message = EmailMultiAlternatives(
        subject=title, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    message.attach(f"summary-{period.start.isoformat()}.pdf", pdf, "application/pdf")
    return message
