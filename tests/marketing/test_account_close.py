"""Closing an account withdraws every marketing consent (accounts publishes account.closed,
marketing subscribes in the transaction)."""

from __future__ import annotations

import pytest

from accounts import services as account_services
from accounts.errors import IncorrectPassword
from core import events
from marketing import services
from marketing.models import Channel, Consent, ConsentEvent, ConsentSource, ConsentStatus, Suppression
from tests.accounts.portal_support import PASSWORD, shopper

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(db):
    user = shopper(email="ana@example.com", phone="06 12 34 56 78")
    services.record_account_consent(
        user=user, granted=True, source=ConsentSource.SIGNUP_FORM, text_shown="Send me offers."
    )
    # an SMS consent kept by number only (given at a till), and a bounced address of another person
    sms = Consent.objects.create(channel=Channel.SMS, address="+33612345678", status=ConsentStatus.GRANTED)
    ConsentEvent.objects.create(consent=sms, status=ConsentStatus.GRANTED, source=ConsentSource.TILL)
    return user


def test_closing_the_account_withdraws_its_consents_with_the_reason(ana):
    with events.recorded() as seen:
        account_services.close_account(user=ana, password=PASSWORD)

    assert [(e.name, e.user_id, e.email, e.phone) for e in seen] == [
        ("account.closed", ana.pk, "ana@example.com", "06 12 34 56 78")
    ]
    statuses = dict(Consent.objects.values_list("channel", "status"))
    assert statuses == {Channel.EMAIL: ConsentStatus.WITHDRAWN, Channel.SMS: ConsentStatus.WITHDRAWN}
    withdrawals = list(
        ConsentEvent.objects.filter(status=ConsentStatus.WITHDRAWN)
        .order_by("consent__channel")
        .values_list("consent__channel", "consent__address", "source", "note")
    )
    assert withdrawals == [
        (Channel.EMAIL, "ana@example.com", ConsentSource.PROFILE_FORM, "account closed"),
        (Channel.SMS, "+33612345678", ConsentSource.PROFILE_FORM, "account closed"),
    ]
    assert services.may_send(person="ana@example.com") is False
    assert services.may_send(person="+33612345678", channel=Channel.SMS) is False
    assert Suppression.objects.count() == 0  # a withdrawal, not a bounce: signing up again is possible


def test_a_suppressed_consent_stays_suppressed_and_closing_twice_writes_nothing_more(ana):
    services.suppress(address="ana@example.com", reason="hard_bounce", detail="550")
    before = ConsentEvent.objects.count()

    account_services.close_account(user=ana, password=PASSWORD)

    assert Consent.objects.get(channel=Channel.EMAIL).status == ConsentStatus.SUPPRESSED
    assert ConsentEvent.objects.count() == before + 1  # only the SMS consent was withdrawn
    assert services.withdraw_closed_account(user_id=ana.pk, email="ana@example.com", phone="0612345678") == []


def test_a_wrong_password_closes_nothing_and_withdraws_nothing(ana):
    before = list(ConsentEvent.objects.values_list("pk", flat=True))
    with pytest.raises(IncorrectPassword):
        account_services.close_account(user=ana, password="wrong")
    assert set(Consent.objects.values_list("status", flat=True)) == {ConsentStatus.GRANTED}
    assert list(ConsentEvent.objects.values_list("pk", flat=True)) == before


def test_a_failing_withdrawal_rolls_the_closing_back(ana, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "withdraw_closed_account", broken)
    with pytest.raises(RuntimeError):
        account_services.close_account(user=ana, password=PASSWORD)
    ana.refresh_from_db()
    assert (ana.email, ana.is_active) == ("ana@example.com", True)
