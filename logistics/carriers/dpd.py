"""DPD France: labels and tracking through cargoNET's SOAP 1.1 web services (ASMX), written and read
with the standard library's XML (no SOAP toolkit).

Label: ``POST {label_url}`` (production
``https://e-station.cargonet.software/dpd-eprintwebservice/eprintwebservice.asmx``) with
``SOAPAction: "http://www.cargonet.software/CreateShipmentWithLabelsBc"``::

    <soap:Envelope><soap:Header>
      <UserCredentials xmlns="http://www.cargonet.software"><userid/><password/></UserCredentials>
    </soap:Header><soap:Body>
      <CreateShipmentWithLabelsBc xmlns="http://www.cargonet.software"><request>
        <receiveraddress>countryPrefix, zipCode, city, street, name, phoneNumber</receiveraddress>
        <receiverinfo>contact, name2, vinfo1</receiverinfo>
        <shipperaddress>...</shipperaddress> <shipperinfo>...</shipperinfo>
        <customer_countrycode>250</customer_countrycode> <customer_centernumber/> <customer_number/>
        <shippingdate>29/11/2026</shippingdate>
        <services><contact><sms/><email/><type>No|Predict|AutomaticSMS|AutomaticMail</type></contact></services>
        <weight>1.25</weight>                                           kilograms
        <referencenumber>EXP-...</referencenumber>
        <labelType><type>PDF</type></labelType>
      </request></CreateShipmentWithLabelsBc></soap:Body></soap:Envelope>

(element order follows the WSDL's sequences: ASMX reads them in order). The answer:
``CreateShipmentWithLabelsBcResult/shipments/ShipmentBc/Shipment/{BarcodeId, BarCode}`` and
``labels/Label/{type, label (base64)}``; ``BarcodeId`` is the parcel number DPD tracks (our
tracking number), ``BarCode`` the full sort barcode (kept as ``carrier_reference``). A refusal is an
HTTP 500 ``soap:Fault`` whose ``detail`` holds ``ErrorId`` / ``ErrorMessage`` (bad postcode,
weight, credentials, caller IP not whitelisted): not retryable. A 5xx without a fault is an outage.

Returns (``is_return``) are sent as a normal shipment from the shopper to the warehouse on our
account; DPD's dedicated reverse operations (``CreateReverseInverseShipmentWithLabelsBc``) are
not used.

Tracking: ``POST {trace_url}`` (production ``https://webtrace.dpd.fr/trace-service/Webtrace_Service.asmx``,
namespace ``http://www.cargonet.software/`` *with* the slash) with ``SOAPAction:
"http://www.cargonet.software/GetShipmentTrace"`` and ``request/{Customer, Language, ShipmentNumber}``;
the answer lists ``Traces/clsTrace/{ScanDate, ScanTime, StatusNumber, StatusDescription,
CenterName}`` (Paris local time). DPD's tracking guide does not publish what each ``StatusNumber``
means, so the step comes from the description (French or English words, ``status_for``) and the
number is kept as the event's code.

Pushed events (``parse_webhook``): a ``GetShipmentTrace`` answer document, signed
``X-Carrier-Signature: sha256=<hex>`` with ``CARRIERS["dpd"]["webhook_secret"]`` (``transport``).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from django.utils import timezone

from .base import (
    CarrierError,
    InvalidCarrierWebhook,
    LabelRequest,
    LabelResult,
    PostalAddress,
    TrackingStatus,
    TrackingUpdate,
)
from .transport import config_str, config_timeout, outage, send, verify_signature

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
LABEL_NS = "http://www.cargonet.software"
TRACE_NS = "http://www.cargonet.software/"
PARIS = ZoneInfo("Europe/Paris")
SERVICES = {"classic": "DPD Classic", "predict": "DPD Predict"}
MAX_WEIGHT_GRAMS = 31_500
CONFIGURATION_ERRORS = {"AuthenticationFailed", "IpPermissionDenied", "InvalidCredentials"}

# Words of DPD's status descriptions (accents removed, lower case), checked in this order.
_EXCEPTION_WORDS = (
    "non livr",
    "not delivered",
    "absent",
    "refus",
    "retour",
    "return",
    "endommag",
    "damaged",
    "probleme",
    "problem",
    "incident",
    "adresse incorrecte",
    "wrong address",
    "avis de passage",
    "instance",
    "disponible en relais",
    "available at",
    "bloque",
    "held",
)
_OUT_FOR_DELIVERY_WORDS = ("en cours de livraison", "en livraison", "out for delivery", "in delivery")
_DELIVERED_WORDS = ("livre", "delivered", "remis au destinataire")
_SHIPPED_WORDS = ("pris en charge", "picked up", "enleve", "collected", "donnees", "data received")


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def status_for(description: str) -> TrackingStatus:
    words = _plain(description)
    for candidates, status in (
        (_EXCEPTION_WORDS, TrackingStatus.EXCEPTION),
        (_OUT_FOR_DELIVERY_WORDS, TrackingStatus.OUT_FOR_DELIVERY),
        (_DELIVERED_WORDS, TrackingStatus.DELIVERED),
        (_SHIPPED_WORDS, TrackingStatus.SHIPPED),
    ):
        if any(word in words for word in candidates):
            return status
    return TrackingStatus.IN_TRANSIT


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(root: ET.Element, name: str) -> ET.Element | None:
    """The first element named ``name`` in any namespace (ASMX answers use default namespaces)."""
    for element in root.iter():
        if _local(element.tag) == name:
            return element
    return None


def _text(root: ET.Element, name: str) -> str:
    element = _find(root, name)
    return (element.text or "").strip() if element is not None else ""


def _sub(parent: ET.Element, ns: str, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        element.text = text
    return element


def envelope(*, ns: str, operation: str, userid: str, password: str) -> tuple[ET.Element, ET.Element]:
    """(the envelope, the operation element) with the ``UserCredentials`` header."""
    root = ET.Element(f"{{{SOAP_NS}}}Envelope")
    credentials = _sub(_sub(root, SOAP_NS, "Header"), ns, "UserCredentials")
    _sub(credentials, ns, "userid", userid)
    _sub(credentials, ns, "password", password)
    return root, _sub(_sub(root, SOAP_NS, "Body"), ns, operation)


def serialize(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def fault_of(body: bytes) -> tuple[str, str] | None:
    """(ErrorId, message) of a SOAP fault; ("", faultstring) when it names no ErrorId; None if no fault."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    fault = _find(root, "Fault")
    if fault is None and _local(root.tag) != "Error":
        return None
    scope = fault if fault is not None else root
    message = _text(scope, "ErrorMessage") or _text(scope, "faultstring")
    return _text(scope, "ErrorId"), message.replace("Server was unable to process request. --->", "").strip()


def parse_traces(body: bytes, *, number: str = "") -> list[TrackingUpdate]:
    """The updates in a ``GetShipmentTrace`` answer, oldest first. ``ValueError`` if it is not one."""
    root = ET.fromstring(body)
    result = _find(root, "GetShipmentTraceResult")
    if result is None:
        raise ValueError("not a GetShipmentTrace answer")
    number = _text(result, "ShipmentNumber") or number
    updates = []
    for trace in result.iter():
        if _local(trace.tag) != "clsTrace":
            continue
        code = _text(trace, "StatusNumber")
        day, time = _text(trace, "ScanDate"), _text(trace, "ScanTime") or "00:00:00"
        occurred_at = dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=PARIS)
        description = _text(trace, "StatusDescription")
        updates.append(
            TrackingUpdate(
                tracking_number=number,
                event_key=f"{code}@{occurred_at.isoformat()}",
                status=status_for(description),
                occurred_at=occurred_at,
                code=code,
                description=description,
                place=_text(trace, "CenterName"),
            )
        )
    return sorted(updates, key=lambda update: update.occurred_at)


class DpdClient:
    code = "dpd"
    name = "DPD"
    has_api = True

    def __init__(self, config: Mapping[str, object]) -> None:
        self.label_url = config_str(config, "label_url")
        self.trace_url = config_str(config, "trace_url")
        self.userid = config_str(config, "userid")
        self.password = config_str(config, "password")
        self.countrycode = config_str(config, "customer_countrycode", "250")
        self.centernumber = config_str(config, "customer_centernumber")
        self.customer_number = config_str(config, "customer_number")
        self.service = config_str(config, "service", "classic")
        self.webhook_secret = config_str(config, "webhook_secret")
        self.timeout = config_timeout(config)

    # --- labels -------------------------------------------------------------------------------
    def _address(self, request: ET.Element, role: str, address: PostalAddress) -> None:
        element = _sub(request, LABEL_NS, f"{role}address")
        _sub(element, LABEL_NS, "countryPrefix", address.country.upper())
        _sub(element, LABEL_NS, "zipCode", address.postal_code)
        _sub(element, LABEL_NS, "city", address.city[:35])
        _sub(element, LABEL_NS, "street", address.line1[:70])
        _sub(element, LABEL_NS, "name", address.name[:35])
        if address.phone:
            _sub(element, LABEL_NS, "phoneNumber", address.phone)
        info = _sub(request, LABEL_NS, f"{role}info")
        if address.company:
            _sub(info, LABEL_NS, "contact", address.company[:35])
        if address.line2:
            _sub(info, LABEL_NS, "vinfo1", address.line2[:35])

    def label_envelope(self, request: LabelRequest) -> bytes:
        root, operation = envelope(
            ns=LABEL_NS, operation="CreateShipmentWithLabelsBc", userid=self.userid, password=self.password
        )
        body = _sub(operation, LABEL_NS, "request")
        self._address(body, "receiver", request.recipient)
        self._address(body, "shipper", request.sender)
        _sub(body, LABEL_NS, "customer_countrycode", self.countrycode)
        _sub(body, LABEL_NS, "customer_centernumber", self.centernumber)
        _sub(body, LABEL_NS, "customer_number", self.customer_number)
        _sub(body, LABEL_NS, "shippingdate", timezone.localdate().strftime("%d/%m/%Y"))
        contact = _sub(_sub(body, LABEL_NS, "services"), LABEL_NS, "contact")
        _sub(contact, LABEL_NS, "sms", request.recipient.phone)
        _sub(contact, LABEL_NS, "email", request.recipient.email)
        predict = self._service(request) == "predict"
        _sub(contact, LABEL_NS, "type", "Predict" if predict else "No")
        _sub(body, LABEL_NS, "weight", f"{max(request.weight_grams, 10) / 1000:.2f}")
        _sub(body, LABEL_NS, "referencenumber", request.reference[:35])
        _sub(_sub(body, LABEL_NS, "labelType"), LABEL_NS, "type", "PDF")
        return serialize(root)

    def _service(self, request: LabelRequest) -> str:
        return request.service if request.service in SERVICES else self.service

    def _refusal_or_outage(self, response_body: bytes, status: int, text: str) -> CarrierError:
        fault = fault_of(response_body)
        if fault is None and 400 <= status < 500:
            return CarrierError(
                f"DPD answered HTTP {status} with something unexpected: "
                "check DPD_LABEL_URL and DPD_TRACE_URL.",
                retryable=False,
                detail={"status": status, "body": text[:500]},
            )
        if fault is None or not fault[0]:
            reason = fault[1] if fault else f"HTTP {status}"
            return CarrierError(
                f"DPD is unavailable ({reason}): try again in a few minutes.",
                detail={"status": status, "body": text[:500]},
            )
        error_id, message = fault
        if error_id in CONFIGURATION_ERRORS:
            return CarrierError(
                f"DPD refused our account ({error_id}: {message}): check the DPD_* settings.",
                retryable=False,
                detail={"error_id": error_id},
            )
        return CarrierError(
            f"DPD refused the shipment: {message} ({error_id})",
            retryable=False,
            detail={"error_id": error_id},
        )

    def create_label(self, request: LabelRequest) -> LabelResult:
        if not (self.userid and self.password and self.centernumber and self.customer_number):
            raise CarrierError(
                "DPD is not configured: set DPD_USERID, DPD_PASSWORD, DPD_CUSTOMER_CENTERNUMBER and "
                "DPD_CUSTOMER_NUMBER.",
                retryable=False,
            )
        if request.weight_grams > MAX_WEIGHT_GRAMS:
            raise CarrierError(
                f"Too heavy for DPD: {request.weight_grams / 1000:g} kg, the maximum is 31.5 kg. "
                "Split the parcel.",
                retryable=False,
            )
        response = send(
            self.name,
            "POST",
            self.label_url,
            timeout=self.timeout,
            data=self.label_envelope(request),
            headers={
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": f'"{LABEL_NS}/CreateShipmentWithLabelsBc"',
            },
        )
        if response.status_code != 200:
            raise self._refusal_or_outage(response.content, response.status_code, response.text)
        try:
            root = ET.fromstring(response.content)
        except ET.ParseError as exc:
            raise outage(self.name, response) from exc
        shipment = _find(root, "Shipment")
        number = _text(shipment, "BarcodeId") if shipment is not None else ""
        if not number:
            raise self._refusal_or_outage(response.content, response.status_code, response.text)
        return LabelResult(
            tracking_number=number,
            service=SERVICES[self._service(request)],
            carrier_reference=_text(shipment, "BarCode") if shipment is not None else "",
        )

    # --- tracking -----------------------------------------------------------------------------
    def trace_envelope(self, tracking_number: str) -> bytes:
        root, operation = envelope(
            ns=TRACE_NS, operation="GetShipmentTrace", userid=self.userid, password=self.password
        )
        body = _sub(operation, TRACE_NS, "request")
        customer = _sub(body, TRACE_NS, "Customer")
        _sub(customer, TRACE_NS, "centernumber", self.centernumber)
        _sub(customer, TRACE_NS, "number", self.customer_number)
        _sub(customer, TRACE_NS, "countrycode", self.countrycode)
        _sub(body, TRACE_NS, "Language", "FR")
        _sub(body, TRACE_NS, "ShipmentNumber", tracking_number)
        return serialize(root)

    def track(self, tracking_number: str) -> list[TrackingUpdate]:
        if not (self.userid and self.password):
            raise CarrierError(
                "DPD tracking is not configured: set DPD_USERID and DPD_PASSWORD.", retryable=False
            )
        response = send(
            self.name,
            "POST",
            self.trace_url,
            timeout=self.timeout,
            data=self.trace_envelope(tracking_number),
            headers={
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": f'"{TRACE_NS}GetShipmentTrace"',
            },
        )
        if response.status_code != 200:
            fault = fault_of(response.content)
            if fault and fault[0] == "ShipmentNotFound":
                return []  # not scanned yet
            raise self._refusal_or_outage(response.content, response.status_code, response.text)
        try:
            return parse_traces(response.content, number=tracking_number)
        except (ET.ParseError, ValueError) as exc:
            raise outage(self.name, response) from exc

    def tracking_url(self, tracking_number: str) -> str:
        return f"https://trace.dpd.fr/fr/trace/{tracking_number}"

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[TrackingUpdate]:
        verify_signature(self.name, body, headers, self.webhook_secret)
        try:
            return parse_traces(body)
        except (ET.ParseError, ValueError) as exc:
            raise InvalidCarrierWebhook(f"DPD push is not a GetShipmentTrace document: {exc}") from exc
