"""Colissimo (La Poste's parcel service): labels through the SLS web service, tracking through
La Poste's Suivi v2 API (``suivi.py``).

Label: ``POST {label_url}/generateLabel`` (``label_url`` =
``https://ws.colissimo.fr/sls-ws/SlsServiceWSRest/2.0``) with a JSON body::

    {"contractNumber": "...", "password": "...",
     "outputFormat": {"x": 0, "y": 0, "outputPrintingType": "PDF_10x15_300dpi"},
     "letter": {"service": {"productCode": "DOM", "depositDate": "2026-11-29", "orderNumber": "EXP-..."},
                "parcel": {"weight": 1.25},                        # kilograms
                "sender": {"senderParcelRef": "...", "address": {...}},
                "addressee": {"addresseeParcelRef": "...", "address": {...}}}}

An address is ``companyName, lastName, firstName, line0 (floor), line1 (building), line2 (street,
required), line3 (locality), countryCode, city, zipCode, phoneNumber, mobileNumber, email``.
Products: DOM (home, no signature), DOS (home, signed), CORE (Colissimo Retour France: the prepaid
return label, shopper -> warehouse).

The answer is ``multipart/mixed``: a JSON part (``messages[]``, ``labelV2Response.parcelNumber``,
``parcelNumberPartner``) then Colissimo's own label, which we do not keep (we print ours,
``logistics.labels``, with their parcel number). A refusal is HTTP 400 with
``messages[{"type": "ERROR", "id": "30213", "messageContent": "Le code pays ou le code postal ..."}]``:
not retryable, the message is shown to staff as Colissimo wrote it.

Not sent: insurance (an option of the contract) and customs declarations (CN23): a parcel
leaving the EU is refused by Colissimo, and staff read its reason.

Pushed events (``parse_webhook``): a Suivi v2 document, signed ``X-Carrier-Signature: sha256=<hex>``
(see ``transport``) with ``CARRIERS["colissimo"]["webhook_secret"]``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from django.utils import timezone

from .base import CarrierError, LabelRequest, LabelResult, PostalAddress, TrackingUpdate
from .suivi import fetch_suivi, parse_suivi_webhook, tracking_page
from .transport import config_str, config_timeout, outage, send, unexpected

SERVICES = {
    "DOM": "Colissimo Domicile sans signature",
    "DOS": "Colissimo Domicile avec signature",
    "CORE": "Colissimo Retour France",
}
MAX_WEIGHT_GRAMS = 30_000


def split_name(name: str) -> tuple[str, str]:
    """("Camille", "Durand") from "Camille Durand"; a single word is a last name."""
    first, _, last = name.strip().partition(" ")
    return (first, last.strip()) if last.strip() else ("", first)


def is_mobile(phone: str) -> bool:
    digits = phone.replace(" ", "").replace(".", "")
    return digits.startswith(("06", "07", "+336", "+337", "00336", "00337"))


def sls_address(address: PostalAddress) -> dict[str, Any]:
    first, last = split_name(address.name)
    mobile = address.phone if is_mobile(address.phone) else ""
    return {
        "companyName": address.company or None,
        "lastName": last,
        "firstName": first or None,
        "line0": None,
        "line1": address.line2 or None,
        "line2": address.line1,
        "line3": None,
        "countryCode": address.country.upper(),
        "city": address.city,
        "zipCode": address.postal_code,
        "phoneNumber": None if mobile else (address.phone or None),
        "mobileNumber": mobile or None,
        "email": address.email or None,
        "language": "FR",
    }


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], bytes]:
    """(the JSON part, the label bytes) of a generateLabel answer."""
    message: Message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    info: dict[str, Any] | None = None
    label = b""
    for part in message.walk():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_content_type() == "application/json":
            info = json.loads(data)
        elif data:
            label = data
    if info is None:
        raise ValueError("no JSON part in the answer")
    return info, label


def _errors(info: Any) -> list[dict[str, Any]]:
    messages = info.get("messages") if isinstance(info, dict) else None
    return [m for m in messages or [] if isinstance(m, dict) and m.get("type") == "ERROR"]


class ColissimoClient:
    code = "colissimo"
    name = "Colissimo"
    has_api = True

    def __init__(self, config: Mapping[str, object]) -> None:
        self.label_url = config_str(config, "label_url").rstrip("/")
        self.contract_number = config_str(config, "contract_number")
        self.password = config_str(config, "password")
        self.service = config_str(config, "service", "DOM")
        self.return_service = config_str(config, "return_service", "CORE")
        self.suivi_url = config_str(config, "suivi_url")
        self.okapi_key = config_str(config, "okapi_key")
        self.webhook_secret = config_str(config, "webhook_secret")
        self.timeout = config_timeout(config)

    # --- labels -------------------------------------------------------------------------------
    def product_code(self, request: LabelRequest) -> str:
        if request.is_return:
            return self.return_service
        return request.service or self.service

    def label_body(self, request: LabelRequest) -> dict[str, Any]:
        return {
            "contractNumber": self.contract_number,
            "password": self.password,
            "outputFormat": {"x": 0, "y": 0, "outputPrintingType": "PDF_10x15_300dpi"},
            "letter": {
                "service": {
                    "productCode": self.product_code(request),
                    "depositDate": timezone.localdate().isoformat(),
                    "orderNumber": request.reference,
                    "commercialName": request.sender.company or request.sender.name,
                },
                "parcel": {"weight": round(max(request.weight_grams, 10) / 1000, 2)},
                "sender": {"senderParcelRef": request.reference, "address": sls_address(request.sender)},
                "addressee": {
                    "addresseeParcelRef": request.reference,
                    "address": sls_address(request.recipient),
                },
            },
        }

    def create_label(self, request: LabelRequest) -> LabelResult:
        if not self.contract_number or not self.password:
            raise CarrierError(
                "Colissimo is not configured: set COLISSIMO_CONTRACT_NUMBER and COLISSIMO_PASSWORD.",
                retryable=False,
            )
        if request.weight_grams > MAX_WEIGHT_GRAMS:
            raise CarrierError(
                f"Too heavy for Colissimo: {request.weight_grams / 1000:g} kg, the maximum is 30 kg. "
                "Split the parcel.",
                retryable=False,
            )
        response = send(
            self.name,
            "POST",
            f"{self.label_url}/generateLabel",
            timeout=self.timeout,
            json=self.label_body(request),
        )
        if response.status_code >= 500:
            raise outage(self.name, response)
        content_type = response.headers.get("Content-Type", "")
        try:
            if content_type.startswith("multipart/"):
                info, _label = parse_multipart(content_type, response.content)
            else:
                info = response.json()
        except ValueError as exc:
            if 400 <= response.status_code < 500:
                raise unexpected(self.name, response, "COLISSIMO_LABEL_URL") from exc
            raise outage(self.name, response) from exc
        errors = _errors(info)
        if errors or response.status_code != 200:
            text = "; ".join(f"{e.get('messageContent')} (code {e.get('id')})" for e in errors)
            raise CarrierError(
                f"Colissimo refused the label: {text or f'HTTP {response.status_code}'}",
                retryable=False,
                detail={"status": response.status_code, "messages": errors},
            )
        result = info.get("labelV2Response") if isinstance(info, dict) else None
        if not isinstance(result, dict):
            result = {}
        number = result.get("parcelNumber")
        if not number:
            raise CarrierError(
                "Colissimo answered without a parcel number: try again.", detail={"body": str(info)[:500]}
            )
        code = self.product_code(request)
        return LabelResult(
            tracking_number=str(number),
            service=SERVICES.get(code, f"Colissimo {code}"),
            carrier_reference=str(result.get("parcelNumberPartner") or ""),
        )

    # --- tracking -----------------------------------------------------------------------------
    def track(self, tracking_number: str) -> list[TrackingUpdate]:
        return fetch_suivi(
            carrier=self.name,
            base_url=self.suivi_url,
            okapi_key=self.okapi_key,
            number=tracking_number,
            timeout=self.timeout,
        )

    def tracking_url(self, tracking_number: str) -> str:
        return tracking_page(tracking_number)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[TrackingUpdate]:
        return parse_suivi_webhook(carrier=self.name, body=body, headers=headers, secret=self.webhook_secret)
