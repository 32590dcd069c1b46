"""Colissimo: the SLS label call and La Poste Suivi v2 tracking, against the local fakes."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from logistics.carriers import CarrierError, InvalidCarrierWebhook, TrackingStatus, get_carrier

from . import carrier_fakes as cf
from .carrier_fakes import label_request, shopper_address, warehouse_address


def test_label_request_has_colissimo_shape_with_weight_in_kg(colissimo_fake):
    result = get_carrier("colissimo").create_label(label_request())

    assert result.tracking_number == "6A00000000001"
    assert result.service == "Colissimo Domicile sans signature"
    assert result.carrier_reference == "0075750166A00000000001"
    (call,) = colissimo_fake.requests
    assert (call.method, call.path) == ("POST", "/sls-ws/SlsServiceWSRest/2.0/generateLabel")
    assert call.headers["Content-Type"] == "application/json"
    body = call.json
    assert (body["contractNumber"], body["password"]) == (cf.COLISSIMO_CONTRACT, cf.COLISSIMO_PASSWORD)
    assert body["outputFormat"]["outputPrintingType"] == "PDF_10x15_300dpi"
    letter = body["letter"]
    assert letter["service"] == {
        "productCode": "DOM",
        "depositDate": timezone.localdate().isoformat(),
        "orderNumber": "EXP-2026-000012-1",
        "commercialName": "Omni Retail",
    }
    assert letter["parcel"]["weight"] == 1.25
    assert letter["addressee"]["addresseeParcelRef"] == "EXP-2026-000012-1"
    assert letter["addressee"]["address"] == {
        "companyName": None,
        "lastName": "Durand",
        "firstName": "Camille",
        "line0": None,
        "line1": "Bât. B",
        "line2": "5 avenue Foch",
        "line3": None,
        "countryCode": "FR",
        "city": "Paris",
        "zipCode": "75016",
        "phoneNumber": None,
        "mobileNumber": "+33612345678",
        "email": "camille@example.com",
        "language": "FR",
    }
    sender = letter["sender"]["address"]
    assert (sender["companyName"], sender["line2"], sender["zipCode"], sender["phoneNumber"]) == (
        "Omni Retail",
        "12 rue des Docks",
        "13002",
        "0491000000",
    )


def test_signed_service_and_return_product(colissimo_fake):
    client = get_carrier("colissimo")

    signed = client.create_label(label_request(service="DOS", weight_grams=30))
    back = client.create_label(
        label_request(is_return=True, sender=shopper_address(), recipient=warehouse_address())
    )

    assert signed.tracking_number.startswith("6C") and signed.service == "Colissimo Domicile avec signature"
    assert back.tracking_number.startswith("8R") and back.service == "Colissimo Retour France"
    first, second = (r.json["letter"] for r in colissimo_fake.requests)
    assert first["parcel"]["weight"] == 0.03
    assert second["service"]["productCode"] == "CORE"
    assert second["addressee"]["address"]["zipCode"] == "13002"  # back to the warehouse


def test_bad_postcode_is_a_refusal_with_colissimo_words(colissimo_fake):
    with pytest.raises(CarrierError) as refused:
        get_carrier("colissimo").create_label(label_request(recipient=shopper_address(postal_code="7501")))

    assert refused.value.retryable is False
    assert refused.value.reason == (
        "Colissimo refused the label: Le code pays ou le code postal du destinataire est incorrect "
        "pour le code produit fourni (code 30213)"
    )


def test_refusal_mode_and_wrong_credentials_are_not_retryable(colissimo_fake, settings):
    colissimo_fake.mode = "refusal"
    with pytest.raises(CarrierError) as refused:
        get_carrier("colissimo").create_label(label_request())
    assert refused.value.retryable is False and "30213" in refused.value.reason

    colissimo_fake.mode = "ok"
    settings.CARRIERS["colissimo"]["password"] = "wrong"
    with pytest.raises(CarrierError) as denied:
        get_carrier("colissimo").create_label(label_request())
    assert denied.value.retryable is False
    assert "Identifiant ou mot de passe incorrect (code 30000)" in denied.value.reason


def test_too_heavy_is_refused_before_calling(colissimo_fake):
    with pytest.raises(CarrierError) as refused:
        get_carrier("colissimo").create_label(label_request(weight_grams=31_000))

    assert refused.value.retryable is False
    assert refused.value.reason == "Too heavy for Colissimo: 31 kg, the maximum is 30 kg. Split the parcel."
    assert colissimo_fake.requests == []


def test_outage_and_timeout_are_retryable(colissimo_fake):
    colissimo_fake.mode = "500"
    with pytest.raises(CarrierError) as down:
        get_carrier("colissimo").create_label(label_request())
    assert down.value.retryable is True
    assert down.value.reason == "Colissimo is unavailable (HTTP 500): try again in a few minutes."

    colissimo_fake.mode = "timeout"
    with pytest.raises(CarrierError) as slow:
        get_carrier("colissimo").create_label(label_request())
    assert slow.value.retryable is True
    assert slow.value.reason == "Colissimo did not answer within 0.3 s: try again in a few minutes."


def test_connection_refused_is_retryable(colissimo_fake, settings):
    settings.CARRIERS["colissimo"]["label_url"] = "http://127.0.0.1:9/sls-ws/SlsServiceWSRest/2.0"

    with pytest.raises(CarrierError) as refused:
        get_carrier("colissimo").create_label(label_request())

    assert refused.value.retryable is True
    assert refused.value.reason.startswith("Colissimo cannot be reached (connection refused")


def test_unconfigured_contract_is_said_plainly(colissimo_fake, settings):
    settings.CARRIERS["colissimo"]["contract_number"] = ""

    with pytest.raises(CarrierError) as missing:
        get_carrier("colissimo").create_label(label_request())

    assert missing.value.retryable is False and "COLISSIMO_CONTRACT_NUMBER" in missing.value.reason


# --- tracking ---------------------------------------------------------------------------------------------
def test_tracking_reads_suivi_v2_events_oldest_first_with_statuses(colissimo_fake):
    number = get_carrier("colissimo").create_label(label_request()).tracking_number
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    for hours, code, text in [
        (0, "PC1", "Pris en charge"),
        (5, "ET1", "En cours de traitement"),
        (24, "MD2", "Mis en distribution"),
        (27, "DI1", "Votre colis est livré"),
    ]:
        colissimo_fake.add_event(number, code, text, at=start + dt.timedelta(hours=hours))

    updates = get_carrier("colissimo").track(number)

    assert [(u.code, u.status) for u in updates] == [
        ("PC1", TrackingStatus.SHIPPED),
        ("ET1", TrackingStatus.IN_TRANSIT),
        ("MD2", TrackingStatus.OUT_FOR_DELIVERY),
        ("DI1", TrackingStatus.DELIVERED),
    ]
    assert updates[-1].occurred_at == start + dt.timedelta(hours=27)
    assert updates[-1].description == "Votre colis est livré"
    assert updates[-1].event_key == "DI1@2026-11-24T12:00:00+00:00"
    call = colissimo_fake.last
    assert (call.method, call.path, call.query) == ("GET", f"/suivi/v2/idships/{number}", {"lang": ["fr_FR"]})
    assert call.headers["X-Okapi-Key"] == cf.OKAPI_KEY


def test_tracking_an_unknown_number_is_no_event_yet(colissimo_fake):
    assert get_carrier("colissimo").track("6A99999999999") == []


@pytest.mark.parametrize("code", ["ND1", "AG1", "RE1", "PB1", "DO3", "DI2"])
def test_failed_delivery_codes_are_exceptions(colissimo_fake, code):
    colissimo_fake.add_event("6A00000000777", code)

    (update,) = get_carrier("colissimo").track("6A00000000777")

    assert update.status == TrackingStatus.EXCEPTION


def test_tracking_outage_is_retryable_and_a_bad_key_is_not(colissimo_fake, settings):
    colissimo_fake.set_mode("suivi", "500")
    with pytest.raises(CarrierError) as down:
        get_carrier("colissimo").track("6A00000000001")
    assert down.value.retryable is True

    colissimo_fake.set_mode("suivi", "ok")
    settings.CARRIERS["colissimo"]["okapi_key"] = "wrong"
    with pytest.raises(CarrierError) as denied:
        get_carrier("colissimo").track("6A00000000001")
    assert denied.value.retryable is False and "LAPOSTE_OKAPI_KEY" in denied.value.reason


def test_tracking_url():
    assert (
        get_carrier("colissimo").tracking_url("6A00000000001")
        == "https://www.laposte.fr/outils/suivre-vos-envois?code=6A00000000001"
    )


# --- pushed events ----------------------------------------------------------------------------------------
def test_signed_push_is_read_like_a_poll(colissimo_fake):
    colissimo_fake.add_event("6A00000000001", "MD2", "Mis en distribution")
    body = colissimo_fake.tracking_body("6A00000000001")

    updates = get_carrier("colissimo").parse_webhook(
        body, {"X-Carrier-Signature": cf.carrier_signature(body, cf.WEBHOOK_SECRETS["colissimo"])}
    )

    assert [(u.tracking_number, u.code, u.status) for u in updates] == [
        ("6A00000000001", "MD2", TrackingStatus.OUT_FOR_DELIVERY)
    ]


def test_push_signature_header_is_found_in_django_meta_style_too(colissimo_fake):
    body = colissimo_fake.tracking_body("6A00000000001")
    meta = {"HTTP_X_CARRIER_SIGNATURE": cf.carrier_signature(body, cf.WEBHOOK_SECRETS["colissimo"])}

    assert get_carrier("colissimo").parse_webhook(body, meta) == []


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "sha256=" + "0" * 64,
        "md5=abc",
        cf.carrier_signature(b"other body", cf.WEBHOOK_SECRETS["colissimo"]),
    ],
)
def test_unsigned_or_badly_signed_push_is_refused(colissimo_fake, signature):
    body = colissimo_fake.tracking_body("6A00000000001")

    with pytest.raises(InvalidCarrierWebhook):
        get_carrier("colissimo").parse_webhook(body, {"X-Carrier-Signature": signature} if signature else {})


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"shipment": {"idShip": "X", "event": [{"code": 1}]}}']
)
def test_signed_garbage_is_refused(colissimo_fake, body):
    headers = {"X-Carrier-Signature": cf.carrier_signature(body, cf.WEBHOOK_SECRETS["colissimo"])}

    with pytest.raises(InvalidCarrierWebhook):
        get_carrier("colissimo").parse_webhook(body, headers)


def test_no_secret_refuses_every_push(colissimo_fake, settings):
    settings.CARRIERS["colissimo"]["webhook_secret"] = ""
    body = json.dumps(cf.suivi_document("6A00000000001", [])).encode()

    with pytest.raises(InvalidCarrierWebhook, match="not configured"):
        get_carrier("colissimo").parse_webhook(body, {"X-Carrier-Signature": cf.carrier_signature(body, "")})


def test_a_hostile_signature_header_is_refused_not_a_crash(colissimo_fake):
    body = colissimo_fake.tracking_body("6A00000000001")

    with pytest.raises(InvalidCarrierWebhook):
        get_carrier("colissimo").parse_webhook(body, {"X-Carrier-Signature": "sha256=é" + "0" * 63})


def test_a_4xx_we_cannot_read_points_at_the_url(colissimo_fake, settings):
    settings.CARRIERS["colissimo"]["label_url"] = f"{colissimo_fake.url}/sls-ws/SlsServiceWSRest/9.9/nowhere"

    with pytest.raises(CarrierError) as wrong:
        get_carrier("colissimo").create_label(label_request())

    assert wrong.value.retryable is False
    assert wrong.value.reason == (
        "Colissimo answered HTTP 404 with something unexpected: check COLISSIMO_LABEL_URL."
    )
