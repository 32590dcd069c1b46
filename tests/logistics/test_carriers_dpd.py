"""DPD France: cargoNET SOAP label and trace calls, against the local fakes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from logistics.carriers import CarrierError, InvalidCarrierWebhook, TrackingStatus, get_carrier
from logistics.carriers.dpd import status_for

from . import carrier_fakes as cf
from .carrier_fakes import label_request, shopper_address

SOAP = "{http://schemas.xmlsoap.org/soap/envelope/}"
NS = "{http://www.cargonet.software}"


def test_label_request_is_the_cargonet_soap_envelope(dpd_fake):
    result = get_carrier("dpd").create_label(label_request())

    assert result.tracking_number == "250077000000000001"
    assert result.carrier_reference == "%0075016250077000000000001001"
    assert result.service == "DPD Classic"
    (call,) = dpd_fake.requests
    assert (call.method, call.path) == ("POST", "/eprintwebservice/eprintwebservice.asmx")
    assert call.headers["SOAPAction"] == '"http://www.cargonet.software/CreateShipmentWithLabelsBc"'
    assert call.headers["Content-Type"] == "text/xml; charset=utf-8"
    envelope = call.xml
    credentials = envelope.find(f"{SOAP}Header/{NS}UserCredentials")
    assert [(c.tag, c.text) for c in credentials] == [
        (f"{NS}userid", cf.DPD_USERID),
        (f"{NS}password", cf.DPD_PASSWORD),
    ]
    request = envelope.find(f"{SOAP}Body/{NS}CreateShipmentWithLabelsBc/{NS}request")
    assert [child.tag.removeprefix(NS) for child in request] == [  # the WSDL's order
        "receiveraddress", "receiverinfo", "shipperaddress", "shipperinfo", "customer_countrycode",
        "customer_centernumber", "customer_number", "shippingdate", "services", "weight",
        "referencenumber", "labelType",
    ]  # fmt: skip
    receiver = {c.tag.removeprefix(NS): c.text for c in request.find(f"{NS}receiveraddress")}
    assert receiver == {
        "countryPrefix": "FR",
        "zipCode": "75016",
        "city": "Paris",
        "street": "5 avenue Foch",
        "name": "Camille Durand",
        "phoneNumber": "+33612345678",
    }
    assert request.find(f"{NS}receiverinfo/{NS}vinfo1").text == "Bât. B"
    assert request.find(f"{NS}shipperaddress/{NS}zipCode").text == "13002"
    assert request.find(f"{NS}shipperinfo/{NS}contact").text == "Omni Retail"
    assert request.find(f"{NS}customer_countrycode").text == "250"
    assert request.find(f"{NS}customer_centernumber").text == cf.DPD_CENTER
    assert request.find(f"{NS}customer_number").text == cf.DPD_CUSTOMER
    assert request.find(f"{NS}shippingdate").text == timezone.localdate().strftime("%d/%m/%Y")
    assert request.find(f"{NS}weight").text == "1.25"  # kilograms
    assert request.find(f"{NS}referencenumber").text == "EXP-2026-000012-1"
    assert request.find(f"{NS}labelType/{NS}type").text == "PDF"
    assert request.find(f"{NS}services/{NS}contact/{NS}type").text == "No"


def test_predict_service_asks_for_predict_notification(dpd_fake):
    result = get_carrier("dpd").create_label(label_request(service="predict"))

    assert result.service == "DPD Predict"
    assert dpd_fake.last.find("type") == "Predict"


def test_bad_postcode_is_a_refusal_from_the_soap_fault(dpd_fake):
    with pytest.raises(CarrierError) as refused:
        get_carrier("dpd").create_label(label_request(recipient=shopper_address(postal_code="ABC")))

    assert refused.value.retryable is False
    assert (
        refused.value.reason
        == "DPD refused the shipment: Invalid receiver zip code 'ABC' for FR (InvalidZipCode)"
    )
    assert refused.value.detail == {"error_id": "InvalidZipCode"}


def test_wrong_credentials_point_at_the_settings(dpd_fake, settings):
    settings.CARRIERS["dpd"]["password"] = "nope"

    with pytest.raises(CarrierError) as denied:
        get_carrier("dpd").create_label(label_request())

    assert denied.value.retryable is False
    assert denied.value.reason.startswith("DPD refused our account (AuthenticationFailed")
    assert "DPD_* settings" in denied.value.reason


def test_too_heavy_is_refused_before_calling(dpd_fake):
    with pytest.raises(CarrierError) as refused:
        get_carrier("dpd").create_label(label_request(weight_grams=32_000))

    assert refused.value.retryable is False and "31.5 kg" in refused.value.reason
    assert dpd_fake.requests == []


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("500", "DPD is unavailable (HTTP 500): try again in a few minutes."),
        ("timeout", "DPD did not answer within 0.3 s: try again in a few minutes."),
    ],
)
def test_outage_and_timeout_are_retryable(dpd_fake, mode, reason):
    dpd_fake.mode = mode

    with pytest.raises(CarrierError) as failed:
        get_carrier("dpd").create_label(label_request())

    assert failed.value.retryable is True
    assert failed.value.reason == reason


def test_refusal_mode(dpd_fake):
    dpd_fake.mode = "refusal"

    with pytest.raises(CarrierError) as refused:
        get_carrier("dpd").create_label(label_request())

    assert refused.value.retryable is False and "(InvalidZipCode)" in refused.value.reason


def test_connection_refused_is_retryable(dpd_fake, settings):
    settings.CARRIERS["dpd"]["label_url"] = "http://127.0.0.1:9/eprintwebservice/eprintwebservice.asmx"

    with pytest.raises(CarrierError) as refused:
        get_carrier("dpd").create_label(label_request())

    assert refused.value.retryable is True and "cannot be reached" in refused.value.reason


# --- tracking ---------------------------------------------------------------------------------------------
def test_trace_request_and_events(dpd_fake):
    number = get_carrier("dpd").create_label(label_request()).tracking_number
    start = dt.datetime(2026, 11, 23, 8, 15, tzinfo=dt.UTC)
    for hours, code, text, place in [
        (0, "10", "Colis pris en charge par DPD", "MARSEILLE"),
        (6, "20", "Colis en transit", "LYON"),
        (22, "30", "En cours de livraison", "PARIS 16"),
        (26, "40", "Colis livré", "PARIS 16"),
    ]:
        dpd_fake.add_event(number, code, text, at=start + dt.timedelta(hours=hours), place=place)

    updates = get_carrier("dpd").track(number)

    assert [(u.code, u.status, u.place) for u in updates] == [
        ("10", TrackingStatus.SHIPPED, "MARSEILLE"),
        ("20", TrackingStatus.IN_TRANSIT, "LYON"),
        ("30", TrackingStatus.OUT_FOR_DELIVERY, "PARIS 16"),
        ("40", TrackingStatus.DELIVERED, "PARIS 16"),
    ]
    assert updates[0].occurred_at == start
    assert updates[0].occurred_at.tzinfo == ZoneInfo("Europe/Paris")
    assert updates[-1].tracking_number == number
    call = dpd_fake.last
    assert (call.path, call.headers["SOAPAction"]) == (
        "/trace-service/Webtrace_Service.asmx",
        '"http://www.cargonet.software/GetShipmentTrace"',
    )
    assert call.xml.find(f"{SOAP}Body/{{http://www.cargonet.software/}}GetShipmentTrace") is not None
    assert (call.find("ShipmentNumber"), call.find("centernumber"), call.find("countrycode")) == (
        number,
        cf.DPD_CENTER,
        "250",
    )


def test_tracking_a_number_dpd_does_not_know_yet_is_no_event(dpd_fake):
    assert get_carrier("dpd").track("250077999999999999") == []


def test_tracking_outage_is_retryable(dpd_fake):
    dpd_fake.set_mode("dpd_trace", "500")

    with pytest.raises(CarrierError) as down:
        get_carrier("dpd").track("250077000000000001")

    assert down.value.retryable is True


@pytest.mark.parametrize(
    ("description", "status"),
    [
        ("Colis pris en charge par DPD", TrackingStatus.SHIPPED),
        ("Picked up by driver", TrackingStatus.SHIPPED),
        ("Colis en transit vers l'agence", TrackingStatus.IN_TRANSIT),
        ("En cours de livraison", TrackingStatus.OUT_FOR_DELIVERY),
        ("Out for delivery", TrackingStatus.OUT_FOR_DELIVERY),
        ("Colis livré", TrackingStatus.DELIVERED),
        ("Delivered to recipient", TrackingStatus.DELIVERED),
        ("Colis non livré : destinataire absent", TrackingStatus.EXCEPTION),
        ("Refusé par le destinataire", TrackingStatus.EXCEPTION),
        ("Retour à l'expéditeur", TrackingStatus.EXCEPTION),
        ("Colis disponible en Relais Pickup", TrackingStatus.EXCEPTION),
    ],
)
def test_status_from_the_description(description, status):
    assert status_for(description) == status


def test_tracking_url():
    assert (
        get_carrier("dpd").tracking_url("250077000000000001")
        == "https://trace.dpd.fr/fr/trace/250077000000000001"
    )


# --- pushed events ----------------------------------------------------------------------------------------
def test_signed_push_of_a_trace_document(dpd_fake):
    dpd_fake.add_event("250077000000000001", "40", "Colis livré", place="PARIS 16")
    body = dpd_fake.tracking_body("250077000000000001")

    (update,) = get_carrier("dpd").parse_webhook(
        body, {"X-Carrier-Signature": cf.carrier_signature(body, cf.WEBHOOK_SECRETS["dpd"])}
    )

    assert (update.tracking_number, update.status, update.place) == (
        "250077000000000001",
        TrackingStatus.DELIVERED,
        "PARIS 16",
    )


@pytest.mark.parametrize("body", [b"<not-closed", b"<Envelope/>", b"plain text"])
def test_signed_garbage_and_bad_signatures_are_refused(dpd_fake, body):
    good = {"X-Carrier-Signature": cf.carrier_signature(body, cf.WEBHOOK_SECRETS["dpd"])}
    bad = {"X-Carrier-Signature": cf.carrier_signature(body, "another secret")}

    for headers in (good, bad):
        with pytest.raises(InvalidCarrierWebhook):
            get_carrier("dpd").parse_webhook(body, headers)


def test_a_4xx_without_a_soap_fault_points_at_the_urls(dpd_fake, settings):
    settings.CARRIERS["dpd"]["label_url"] = f"{dpd_fake.url}/suivi/v2/idships/nothing-here"  # a 401 page

    with pytest.raises(CarrierError) as wrong:
        get_carrier("dpd").create_label(label_request())

    assert wrong.value.retryable is False and "check DPD_LABEL_URL" in wrong.value.reason
