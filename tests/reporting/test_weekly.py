"""The Monday summary: last week's PDF to managers (the chain) and store managers (their store), once."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from reporting import facts, weekly
from reporting.models import WeeklySummarySent
from tests.factories import UserFactory

from .conftest import till_sale

pytestmark = pytest.mark.django_db


def test_last_week_is_monday_to_sunday():
    period = weekly.last_week(dt.date(2026, 11, 25))  # a Wednesday
    assert (period.start, period.end) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))


def test_each_recipient_gets_their_scope_once(shop, tmp_path, django_capture_on_commit_callbacks):
    sale = till_sale(shop, [("TEE", 2)], [("cash", "25.00")])
    facts.refresh_orders([sale.pk])
    this_monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    next_monday = this_monday + dt.timedelta(days=7)  # seen from then, this week is "last week"
    monday = weekly.last_week(next_monday).start
    assert monday == this_monday
    manager = UserFactory(role=Role.MANAGER, email="boss@example.com")
    UserFactory(role=Role.STORE_MANAGER, store=shop.aja, email="aja@example.com")
    UserFactory(role=Role.STAFF, email="staff@example.com")
    UserFactory(role=Role.CASHIER, store=shop.aja, email="till@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        sent = weekly.send_weekly_summaries(today=next_monday)
    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["aja@example.com", "boss@example.com"]
    boss = next(m for m in mail.outbox if m.to == ["boss@example.com"])
    name, pdf, kind = boss.attachments[0]
    assert (name, kind) == (f"summary-{monday.isoformat()}.pdf", "application/pdf") and pdf.startswith(
        b"%PDF"
    )
    path = tmp_path / "s.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout
    assert monday.strftime("%d/%m/%Y") in text
    assert "25,00 €" in text and "Tee-shirt" in text  # the week's revenue and its best seller

    with django_capture_on_commit_callbacks(execute=True):
        assert weekly.send_weekly_summaries(today=next_monday + dt.timedelta(days=2)) == 0  # once a week
    assert WeeklySummarySent.objects.filter(user=manager).count() == 1
