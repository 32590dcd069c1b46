"""La Poste Lettre suivie: numbers from our allocated range, tracking through Suivi v2."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import NumberSequence
from logistics.carriers import CarrierError, InvalidCarrierWebhook, TrackingStatus, get_carrier

from . import carrier_fakes as cf
from .carrier_fakes import label_request, shopper_address, warehouse_address

pytestmark = pytest.mark.django_db


def test_numbers_come_from_the_allocated_range_in_order(laposte_fake, settings):
    settings.CARRIERS["laposte"].update(number_prefix="1K", range_start=4_200, range_end=4_201)
    client = get_carrier("laposte")

    first = client.create_label(label_request(weight_grams=250))
    second = client.create_label(label_request(weight_grams=250, reference="EXP-2026-000013-1"))

    assert (first.tracking_number, second.tracking_number) == ("1K00000004200", "1K00000004201")
    assert first.service == "Lettre suivie"
    assert laposte_fake.requests == []  # no label API: nothing sent

    with pytest.raises(CarrierError) as used_up:
        client.create_label(label_request(weight_grams=250, reference="EXP-2026-000014-1"))
    assert used_up.value.retryable is False and "LAPOSTE_RANGE_START" in used_up.value.reason


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"weight_grams": 3_100}, "Too heavy for Lettre suivie: 3.1 kg, the maximum is 3 kg"),
        ({"recipient": shopper_address(country="BE")}, "Lettre suivie only goes within France"),
        (
            {"is_return": True, "sender": shopper_address(), "recipient": warehouse_address()},
            "no prepaid return label",
        ),
    ],
)
def test_what_lettre_suivie_cannot_carry_is_refused_without_using_a_number(laposte_fake, overrides, words):
    with pytest.raises(CarrierError) as refused:
        get_carrier("laposte").create_label(label_request(**overrides))

    assert refused.value.retryable is False and words in refused.value.reason
    assert not NumberSequence.objects.filter(name="laposte-lettre-suivie").exists()


def test_tracking_through_suivi_v2(laposte_fake):
    at = dt.datetime(2026, 11, 24, 7, 30, tzinfo=dt.UTC)
    laposte_fake.add_event("1K00000000001", "PC1", "Pris en charge", at=at)
    laposte_fake.add_event("1K00000000001", "DI1", "Distribué", at=at + dt.timedelta(days=1))

    updates = get_carrier("laposte").track("1K00000000001")

    assert [(u.code, u.status) for u in updates] == [
        ("PC1", TrackingStatus.SHIPPED),
        ("DI1", TrackingStatus.DELIVERED),
    ]
    assert laposte_fake.last.path == "/suivi/v2/idships/1K00000000001"
    assert laposte_fake.last.headers["X-Okapi-Key"] == cf.OKAPI_KEY


def test_tracking_timeout_is_retryable(laposte_fake):
    laposte_fake.mode = "timeout"

    with pytest.raises(CarrierError) as slow:
        get_carrier("laposte").track("1K00000000001")

    assert slow.value.retryable is True and "did not answer within 0.3 s" in slow.value.reason


def test_tracking_without_a_key_is_a_configuration_error(laposte_fake, settings):
    settings.CARRIERS["laposte"]["okapi_key"] = ""

    with pytest.raises(CarrierError) as missing:
        get_carrier("laposte").track("1K00000000001")

    assert missing.value.retryable is False and "LAPOSTE_OKAPI_KEY" in missing.value.reason


def test_signed_push(laposte_fake):
    laposte_fake.add_event("1K00000000001", "MD2", "En distribution")
    body = laposte_fake.tracking_body("1K00000000001")
    signature = cf.carrier_signature(body, cf.WEBHOOK_SECRETS["laposte"])

    (update,) = get_carrier("laposte").parse_webhook(body, {"x-carrier-signature": signature})

    assert update.status == TrackingStatus.OUT_FOR_DELIVERY
    with pytest.raises(InvalidCarrierWebhook):
        get_carrier("laposte").parse_webhook(body + b" ", {"x-carrier-signature": signature})
