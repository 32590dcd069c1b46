"""The registry and the sandbox: which client ``get_carrier`` returns, and labels without network."""

from __future__ import annotations

import pytest

from logistics.carriers import CarrierError, get_carrier, return_carrier_code
from logistics.carriers.base import CourierClient
from logistics.carriers.colissimo import ColissimoClient
from logistics.carriers.dpd import DpdClient
from logistics.carriers.laposte import LaPosteClient
from logistics.carriers.registry import carrier_codes
from logistics.carriers.sandbox import SandboxClient

from . import carrier_fakes as cf
from .carrier_fakes import label_request, shopper_address, warehouse_address


@pytest.fixture
def sandbox(settings):
    settings.CARRIER_MODE = "fake"


def test_codes_and_live_clients(settings):
    settings.CARRIER_MODE = "live"

    assert carrier_codes() == ["colissimo", "courier", "dpd", "laposte"]
    assert isinstance(get_carrier("colissimo"), ColissimoClient)
    assert isinstance(get_carrier("dpd"), DpdClient)
    assert isinstance(get_carrier("laposte"), LaPosteClient)
    assert isinstance(get_carrier("courier"), CourierClient)
    with pytest.raises(CarrierError) as unknown:
        get_carrier("ups")
    assert unknown.value.retryable is False


def test_return_labels_come_from_a_carrier_that_makes_them():
    assert [return_carrier_code(code) for code in ("colissimo", "dpd", "laposte", "courier", "")] == [
        "colissimo",
        "dpd",
        "colissimo",
        "colissimo",
        "colissimo",
    ]


def test_live_client_reads_settings_at_each_call(colissimo_fake, settings):
    settings.CARRIERS["colissimo"]["timeout"] = 2.5

    assert get_carrier("colissimo").timeout == 2.5


def test_sandbox_labels_have_real_formats_and_are_stable_per_parcel(sandbox):
    colissimo, dpd = get_carrier("colissimo"), get_carrier("dpd")
    assert isinstance(colissimo, SandboxClient) and isinstance(dpd, SandboxClient)

    home = colissimo.create_label(label_request())
    again = colissimo.create_label(label_request())
    back = colissimo.create_label(
        label_request(is_return=True, sender=shopper_address(), recipient=warehouse_address())
    )
    other = colissimo.create_label(label_request(reference="EXP-2026-000012-2"))
    by_dpd = dpd.create_label(label_request())

    assert home == again  # a retried task gets the same number
    assert home.tracking_number[:2] == "6A" and len(home.tracking_number) == 13
    assert home.tracking_number[2:].isdigit()
    assert home.service == "Colissimo Domicile sans signature"
    assert back.tracking_number[:2] == "8R" and back.service == "Colissimo Retour France"
    assert other.tracking_number != home.tracking_number
    assert by_dpd.tracking_number.startswith("250000") and len(by_dpd.tracking_number) == 18
    assert by_dpd.service == "DPD Classic"


def test_sandbox_refuses_what_the_carrier_would(sandbox):
    with pytest.raises(CarrierError) as heavy:
        get_carrier("colissimo").create_label(label_request(weight_grams=30_001))
    with pytest.raises(CarrierError) as postcode:
        get_carrier("dpd").create_label(label_request(recipient=shopper_address(postal_code="750")))

    assert heavy.value.retryable is False and "maximum is 30 kg" in heavy.value.reason
    assert postcode.value.retryable is False and "'750'" in postcode.value.reason


@pytest.mark.django_db
def test_sandbox_la_poste_uses_the_real_range(sandbox):
    result = get_carrier("laposte").create_label(label_request(weight_grams=200))

    assert result.tracking_number == "1K00000000001"


def test_sandbox_tracks_nothing_but_reads_signed_pushes(sandbox, settings):
    settings.CARRIERS = {
        **settings.CARRIERS,
        "colissimo": {**settings.CARRIERS["colissimo"], "webhook_secret": "demo-secret"},
    }
    client = get_carrier("colissimo")
    body = cf.json.dumps(
        cf.suivi_document(
            "6A00000000001", [{"code": "DI1", "label": "Livré", "date": "2026-11-25T10:00:00+01:00"}]
        )
    ).encode()

    assert client.track("6A00000000001") == []
    (update,) = client.parse_webhook(body, {"X-Carrier-Signature": cf.carrier_signature(body, "demo-secret")})
    assert update.code == "DI1"
    assert client.tracking_url("6A1") == "https://www.laposte.fr/outils/suivre-vos-envois?code=6A1"
