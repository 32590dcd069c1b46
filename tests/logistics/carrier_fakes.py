"""Local fakes of the carriers' HTTP APIs: the real clients in ``logistics.carriers`` talk HTTP to them.

One threaded ``http.server`` on 127.0.0.1 serves the endpoints our clients use, with the shapes the
carriers document:

Colissimo SLS web service (REST): ``POST /sls-ws/SlsServiceWSRest/2.0/generateLabel`` (JSON body:
contractNumber, password, outputFormat, letter{service, parcel, sender, addressee}); answers
``multipart/mixed``: a JSON part (messages[], labelV2Response.parcelNumber) then the carrier's PDF.
A refusal is HTTP 400 with ``messages[{type: ERROR, id, messageContent}]``.

La Poste Suivi v2: ``GET /suivi/v2/idships/{id}?lang=fr_FR`` with ``X-Okapi-Key`` (Colissimo and
Lettre suivie tracking): ``{"returnCode": 200, "shipment": {"idShip", "event": [{code, label, date}]}}``,
most recent event first.

DPD France cargoNET (SOAP 1.1, ASMX): ``POST /eprintwebservice/eprintwebservice.asmx`` with
``SOAPAction: "http://www.cargonet.software/CreateShipmentWithLabelsBc"`` and the ``UserCredentials``
SOAP header; ``POST /trace-service/Webtrace_Service.asmx`` with ``GetShipmentTrace``. A refusal is
an HTTP 500 ``soap:Fault`` whose detail holds ``ErrorId`` / ``ErrorMessage`` (as ASMX does).

Modes per API (``fake.mode = ...`` on a fixture's view): ``ok``; ``500`` (an outage: HTML 500, no
SOAP fault); ``timeout`` (answers after ``delay`` seconds, longer than the test client's timeout);
``refusal`` (the carrier refuses the request as for a wrong postcode). In ``ok`` mode the fakes also
refuse what the carrier would: a French postcode that is not five digits, a parcel over the weight
limit (Colissimo 30 kg, DPD 31.5 kg), wrong credentials.

Every request is recorded (``view.requests``) so tests assert exactly what was sent.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import itertools
import json
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

COLISSIMO_CONTRACT = "800900"
COLISSIMO_PASSWORD = "colissimo-pass"
OKAPI_KEY = "okapi-test-key"
DPD_USERID = "dpd-user"
DPD_PASSWORD = "dpd-pass"
DPD_CENTER = "77"
DPD_CUSTOMER = "12345"
WEBHOOK_SECRETS = {
    "colissimo": "colissimo-webhook-secret",
    "dpd": "dpd-webhook-secret",
    "laposte": "laposte-webhook-secret",
}

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
DPD_NS = "http://www.cargonet.software"
DPD_TRACE_NS = "http://www.cargonet.software/"
# A tiny valid one-page PDF, standing in for the carrier's own label (we render ours).
CARRIER_PDF = (
    b"%PDF-1.3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>"
    b"endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 283 425]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF"
)
POSTCODE_REFUSAL = "Le code pays ou le code postal du destinataire est incorrect pour le code produit fourni"
MODES = ("ok", "500", "timeout", "refusal")


def carrier_signature(body: bytes, secret: str) -> str:
    """The ``X-Carrier-Signature`` header a carrier's push would carry for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def suivi_document(number: str, events: list[dict[str, str]], *, product: str = "Colissimo") -> dict:
    """La Poste Suivi v2's answer for one shipment (events most recent first)."""
    final = bool(events) and events[0]["code"] in {"DI1", "DI2"}
    return {
        "lang": "fr_FR",
        "scope": "open",
        "returnCode": 200,
        "idShip": number,
        "shipment": {
            "idShip": number,
            "holder": 4,
            "product": product,
            "isFinal": final,
            "event": events,
            "timeline": [],
            "contextData": {"originCountry": "FR", "arrivalCountry": {"code": "FR", "name": "France"}},
            "url": f"https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
        },
    }


def dpd_trace_document(number: str, traces: list[dict[str, str]]) -> bytes:
    """DPD France Webtrace_Service's GetShipmentTrace answer (oldest scan first)."""
    items = "".join(
        "<clsTrace>"
        f"<ScanDate>{t['date']}</ScanDate><ScanTime>{t['time']}</ScanTime>"
        f"<StatusNumber>{t['code']}</StatusNumber><StatusDescription>{t['label']}</StatusDescription>"
        f"<CenterName>{t.get('place', '')}</CenterName>"
        "</clsTrace>"
        for t in traces
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body>'
        f'<GetShipmentTraceResponse xmlns="{DPD_TRACE_NS}"><GetShipmentTraceResult>'
        f"<ShipmentNumber>{number}</ShipmentNumber><DestinationCountry>FR</DestinationCountry>"
        f"<Traces>{items}</Traces>"
        "</GetShipmentTraceResult></GetShipmentTraceResponse></soap:Body></soap:Envelope>"
    ).encode()


@dataclass
class Recorded:
    api: str  # "colissimo", "suivi", "dpd", "dpd_trace"
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    raw: bytes
    json: Any = None  # the parsed body for JSON requests
    xml: ET.Element | None = None  # the parsed SOAP envelope for DPD requests

    def find(self, name: str) -> str | None:
        """The text of the first XML element named ``name`` (any namespace), for SOAP requests."""
        if self.xml is None:
            return None
        for element in self.xml.iter():
            if element.tag.rsplit("}", 1)[-1] == name:
                return element.text
        return None


@dataclass
class FakeState:
    requests: list[Recorded] = field(default_factory=list)
    modes: dict[str, str] = field(
        default_factory=lambda: dict.fromkeys(("colissimo", "suivi", "dpd", "dpd_trace"), "ok")
    )
    suivi_events: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # newest first
    dpd_traces: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # oldest first


class CarrierFakes:
    """The server; tests use one ``FakeApi`` view per carrier (the fixtures in conftest.py)."""

    def __init__(self, *, delay: float = 1.0) -> None:
        self.state = FakeState()
        self.lock = threading.Lock()
        self.delay = delay
        self.numbers = itertools.count(1)
        handler = type("Handler", (_Handler,), {"fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="carrier-fakes", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> CarrierFakes:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reset(self) -> None:
        with self.lock:
            self.state = FakeState()
            self.numbers = itertools.count(1)  # each test's first parcel is number 1

    def next_serial(self) -> int:
        return next(self.numbers)


class FakeApi:
    """One carrier's view of the fakes: its mode, its recorded requests, its tracking events."""

    def __init__(self, fakes: CarrierFakes, carrier: str, apis: tuple[str, ...]) -> None:
        self.fakes = fakes
        self.carrier = carrier
        self.apis = apis

    @property
    def url(self) -> str:
        return self.fakes.url

    @property
    def mode(self) -> str:
        return self.fakes.state.modes[self.apis[0]]

    @mode.setter
    def mode(self, value: str) -> None:
        assert value in MODES, value
        for api in self.apis:
            self.fakes.state.modes[api] = value

    def set_mode(self, api: str, value: str) -> None:
        """Only one of this carrier's APIs (e.g. tracking down while labels work)."""
        assert api in self.apis and value in MODES
        self.fakes.state.modes[api] = value

    @property
    def requests(self) -> list[Recorded]:
        return [r for r in self.fakes.state.requests if r.api in self.apis]

    @property
    def last(self) -> Recorded:
        return self.requests[-1]

    def add_event(
        self, number: str, code: str, label: str = "", *, at: dt.datetime | None = None, place: str = ""
    ) -> None:
        """A tracking event the carrier will report for ``number`` (Suivi v2 code, or DPD status)."""
        at = at or dt.datetime.now(dt.UTC)
        with self.fakes.lock:
            if self.carrier == "dpd":
                local = at.astimezone(dt.timezone(dt.timedelta(hours=1)))
                self.fakes.state.dpd_traces.setdefault(number, []).append(
                    {
                        "date": local.strftime("%Y-%m-%d"),
                        "time": local.strftime("%H:%M:%S"),
                        "code": code,
                        "label": label or code,
                        "place": place,
                    }
                )
            else:
                event = {"code": code, "label": label or code, "date": at.isoformat(timespec="seconds")}
                self.fakes.state.suivi_events.setdefault(number, []).insert(0, event)

    def tracking_body(self, number: str) -> bytes:
        """The document the carrier answers for ``number`` (what a push would carry too)."""
        if self.carrier == "dpd":
            return dpd_trace_document(number, self.fakes.state.dpd_traces.get(number, []))
        return json.dumps(suivi_document(number, self.fakes.state.suivi_events.get(number, []))).encode()


class _Handler(BaseHTTPRequestHandler):
    fake: CarrierFakes
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    # --- plumbing -----------------------------------------------------------------------------
    def _api(self, path: str) -> str:
        if path.startswith("/sls-ws/"):
            return "colissimo"
        if path.startswith("/suivi/"):
            return "suivi"
        if path.startswith("/trace-service/"):
            return "dpd_trace"
        return "dpd"

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        api = self._api(parts.path)
        record = Recorded(api, method, parts.path, parse_qs(parts.query), dict(self.headers.items()), raw)
        if "json" in self.headers.get("Content-Type", ""):
            record.json = json.loads(raw or b"{}")
        elif raw.lstrip().startswith(b"<"):
            record.xml = ET.fromstring(raw)
        fake = self.fake
        with fake.lock:
            fake.state.requests.append(record)
            mode = fake.state.modes[api]
        if mode == "timeout":
            time.sleep(fake.delay)
        if mode == "500":
            return self._send(500, b"<html><h1>500 Internal Server Error</h1></html>", "text/html")
        handler = getattr(self, f"_{api}")
        status, body, content_type = handler(record, refuse=mode == "refusal")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            self._send(status, body, content_type)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # --- Colissimo SLS ------------------------------------------------------------------------
    def _colissimo(self, record: Recorded, *, refuse: bool) -> tuple[int, bytes, str]:
        if record.path != "/sls-ws/SlsServiceWSRest/2.0/generateLabel":
            return 404, b"<html><h1>Not Found</h1></html>", "text/html"
        body = record.json or {}
        if body.get("contractNumber") != COLISSIMO_CONTRACT or body.get("password") != COLISSIMO_PASSWORD:
            return self._sls_error("30000", "Identifiant ou mot de passe incorrect")
        letter = body.get("letter", {})
        addressee = letter.get("addressee", {}).get("address", {})
        weight = letter.get("parcel", {}).get("weight")
        zip_code = str(addressee.get("zipCode", ""))
        french = addressee.get("countryCode") == "FR"
        if refuse or (french and not (zip_code.isdigit() and len(zip_code) == 5)):
            return self._sls_error("30213", POSTCODE_REFUSAL)
        if not isinstance(weight, int | float) or weight <= 0 or weight > 30:
            return self._sls_error("30220", "Le poids du colis est incorrect (maximum 30 kg)")
        product = letter.get("service", {}).get("productCode", "DOM")
        prefix = {"DOM": "6A", "DOS": "6C", "CORE": "8R"}.get(product, "6A")
        number = f"{prefix}{self.fake.next_serial():011d}"
        with self.fake.lock:
            self.fake.state.suivi_events.setdefault(number, [])  # Suivi knows it, no event yet
        info = {
            "messages": [
                {
                    "id": "0",
                    "type": "INFOS",
                    "messageContent": "La requête a été traitée avec succès",
                    "replacementValues": [],
                }
            ],
            "labelXmlV2Reponse": None,
            "labelV2Response": {
                "parcelNumber": number,
                "parcelNumberPartner": f"0075{zip_code}{number}",
                "pdfUrl": None,
                "fields": {"field": [{"key": "ROUTING", "value": f"FR-COL-{zip_code[:2]}"}]},
            },
        }
        boundary = "uuid:7a1c2e1e-0000-4000-8000-000000000001"
        payload = (
            f"--{boundary}\r\nContent-Type: application/json;charset=UTF-8\r\n"
            "Content-Transfer-Encoding: binary\r\nContent-ID: <jsonInfos>\r\n\r\n"
        ).encode()
        payload += json.dumps(info, ensure_ascii=False).encode()
        payload += (
            f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n"
            "Content-Transfer-Encoding: binary\r\nContent-ID: <label>\r\n\r\n"
        ).encode()
        payload += CARRIER_PDF + f"\r\n--{boundary}--\r\n".encode()
        content_type = f'multipart/mixed; boundary="{boundary}"; start="<jsonInfos>"; type="application/json"'
        return 200, payload, content_type

    def _sls_error(self, code: str, message: str) -> tuple[int, bytes, str]:
        message_body = {"id": code, "type": "ERROR", "messageContent": message, "replacementValues": []}
        body = {"messages": [message_body]}
        return 400, json.dumps(body, ensure_ascii=False).encode(), "application/json;charset=UTF-8"

    # --- La Poste Suivi v2 --------------------------------------------------------------------
    def _suivi(self, record: Recorded, *, refuse: bool) -> tuple[int, bytes, str]:
        if record.headers.get("X-Okapi-Key") != OKAPI_KEY:
            return (
                401,
                json.dumps({"code": "UNAUTHORIZED", "message": "Invalid credentials."}).encode(),
                ("application/json"),
            )
        number = record.path.rstrip("/").rsplit("/", 1)[-1]
        events = self.fake.state.suivi_events.get(number)
        if refuse or events is None:
            body = {
                "lang": "fr_FR",
                "returnCode": 404,
                "idShip": number,
                "returnMessage": "Votre numéro de suivi n'est pas reconnu.",
            }
            return 404, json.dumps(body, ensure_ascii=False).encode(), "application/json"
        document = suivi_document(number, events)
        return 200, json.dumps(document, ensure_ascii=False).encode(), "application/json"

    # --- DPD France cargoNET ------------------------------------------------------------------
    def _dpd(self, record: Recorded, *, refuse: bool) -> tuple[int, bytes, str]:
        action = record.headers.get("SOAPAction", "").strip('"')
        if action != f"{DPD_NS}/CreateShipmentWithLabelsBc" or record.xml is None:
            return self._fault("Client", "UnknownOperation", f"Unknown SOAPAction {action!r}")
        if record.find("userid") != DPD_USERID or record.find("password") != DPD_PASSWORD:
            return self._fault("Client", "AuthenticationFailed", "Invalid user credentials")
        zip_code = record.find("zipCode") or ""  # the receiver's comes first
        country = record.find("countryPrefix")
        if refuse or (country == "FR" and not (zip_code.isdigit() and len(zip_code) == 5)):
            return self._fault("Client", "InvalidZipCode", f"Invalid receiver zip code {zip_code!r} for FR")
        try:
            weight = float(record.find("weight") or "0")
        except ValueError:
            weight = 0.0
        if weight <= 0 or weight > 31.5:
            return self._fault("Client", "InvalidWeight", "Weight must be between 0.01 and 31.5 kg")
        center = record.find("customer_centernumber") or "0"
        barcode_id = f"250{int(center):03d}{self.fake.next_serial():012d}"
        with self.fake.lock:
            self.fake.state.dpd_traces.setdefault(barcode_id, [])
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body>'
            f'<CreateShipmentWithLabelsBcResponse xmlns="{DPD_NS}"><CreateShipmentWithLabelsBcResult>'
            "<shipments><ShipmentBc><Shipment>"
            f"<BarcodeId>{barcode_id}</BarcodeId><BarcodeSource>1</BarcodeSource>"
            f"<BarCode>%00{zip_code}{barcode_id}001</BarCode>"
            "</Shipment><Type>Standard</Type></ShipmentBc></shipments>"
            f"<labels><Label><type>PDF</type><label>{base64.b64encode(CARRIER_PDF).decode()}</label></Label></labels>"
            "</CreateShipmentWithLabelsBcResult></CreateShipmentWithLabelsBcResponse></soap:Body></soap:Envelope>"
        )
        return 200, body.encode(), "text/xml; charset=utf-8"

    def _dpd_trace(self, record: Recorded, *, refuse: bool) -> tuple[int, bytes, str]:
        action = record.headers.get("SOAPAction", "").strip('"')
        if action != f"{DPD_TRACE_NS}GetShipmentTrace" or record.xml is None:
            return self._fault("Client", "UnknownOperation", f"Unknown SOAPAction {action!r}")
        if record.find("userid") != DPD_USERID or record.find("password") != DPD_PASSWORD:
            return self._fault("Client", "AuthenticationFailed", "Invalid user credentials")
        number = record.find("ShipmentNumber") or ""
        traces = self.fake.state.dpd_traces.get(number)
        if refuse or traces is None:
            return self._fault("Client", "ShipmentNotFound", f"No shipment {number}")
        return 200, dpd_trace_document(number, traces), "text/xml; charset=utf-8"

    def _fault(self, code: str, error_id: str, message: str) -> tuple[int, bytes, str]:
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body><soap:Fault>'
            f"<faultcode>soap:{code}</faultcode>"
            f"<faultstring>Server was unable to process request. ---&gt; {message}</faultstring>"
            f"<detail><Error><ErrorId>{error_id}</ErrorId><ErrorMessage>{message}</ErrorMessage></Error></detail>"
            "</soap:Fault></soap:Body></soap:Envelope>"
        )
        return 500, body.encode(), "text/xml; charset=utf-8"


# --- requests for the clients (tests of any part may use them) ----------------------------------------
def warehouse_address(**overrides: Any) -> Any:
    from logistics.carriers import PostalAddress

    values = {
        "name": "Entrepôt Omni",
        "company": "Omni Retail",
        "line1": "12 rue des Docks",
        "postal_code": "13002",
        "city": "Marseille",
        "phone": "0491000000",
        "email": "logistique@omni.test",
    }
    return PostalAddress(**{**values, **overrides})


def shopper_address(**overrides: Any) -> Any:
    from logistics.carriers import PostalAddress

    values = {
        "name": "Camille Durand",
        "line1": "5 avenue Foch",
        "line2": "Bât. B",
        "postal_code": "75016",
        "city": "Paris",
        "phone": "+33612345678",
        "email": "camille@example.com",
    }
    return PostalAddress(**{**values, **overrides})


def label_request(**overrides: Any) -> Any:
    """A ``LabelRequest`` for a 1.25 kg parcel from the warehouse to a shopper in Paris."""
    from logistics.carriers import LabelRequest

    values: dict[str, Any] = {
        "reference": "EXP-2026-000012-1",
        "sender": warehouse_address(),
        "recipient": shopper_address(),
        "weight_grams": 1250,
    }
    return LabelRequest(**{**values, **overrides})
