"""La Poste's "Suivi v2" tracking API, shared by Colissimo and La Poste (Lettre suivie).

``GET {suivi_url}/idships/{number}?lang=fr_FR`` with the header ``X-Okapi-Key`` (a key from
developer.laposte.fr). The answer::

    {"returnCode": 200, "idShip": "6A...", "shipment": {"idShip": "6A...", "isFinal": false,
     "event": [{"code": "DI1", "label": "Votre colis est livré", "date": "2026-11-25T10:12:00+01:00"},
               ...]}}                       # most recent event first

An unknown number (no event yet, typically right after the label) answers 404: ``track`` returns no
update. 401/403 is our key (not retryable), 5xx an outage (retryable).

Event codes (La Poste's list) and the step each moves a parcel to:
DR1 (declared: La Poste has the label data), PC1/PC2 (taken in charge) -> shipped;
ET1-ET4 (being processed), EP1 (awaiting presentation), DO1/DO2 (customs in/out), PB2 (problem
solved) -> in transit; MD2 (out for delivery) -> out for delivery; DI1 (delivered) -> delivered;
DO3 (held at customs), PB1 (problem), ND1 (undeliverable), AG1 (awaiting collection at the post
office: the delivery attempt failed), RE1 (returned to sender), DI2 (delivered back to the sender)
-> exception. An unknown code counts as in transit.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from .base import CarrierError, InvalidCarrierWebhook, TrackingStatus, TrackingUpdate
from .transport import outage, send, unexpected, verify_signature

EVENT_STATUS: dict[str, TrackingStatus] = {
    "DR1": TrackingStatus.SHIPPED,
    "PC1": TrackingStatus.SHIPPED,
    "PC2": TrackingStatus.SHIPPED,
    "ET1": TrackingStatus.IN_TRANSIT,
    "ET2": TrackingStatus.IN_TRANSIT,
    "ET3": TrackingStatus.IN_TRANSIT,
    "ET4": TrackingStatus.IN_TRANSIT,
    "EP1": TrackingStatus.IN_TRANSIT,
    "DO1": TrackingStatus.IN_TRANSIT,
    "DO2": TrackingStatus.IN_TRANSIT,
    "PB2": TrackingStatus.IN_TRANSIT,
    "MD2": TrackingStatus.OUT_FOR_DELIVERY,
    "DI1": TrackingStatus.DELIVERED,
    "DO3": TrackingStatus.EXCEPTION,
    "PB1": TrackingStatus.EXCEPTION,
    "ND1": TrackingStatus.EXCEPTION,
    "AG1": TrackingStatus.EXCEPTION,
    "RE1": TrackingStatus.EXCEPTION,
    "DI2": TrackingStatus.EXCEPTION,
}


def tracking_page(number: str) -> str:
    return f"https://www.laposte.fr/outils/suivre-vos-envois?code={number}"


def parse_suivi(document: Any, *, carrier: str) -> list[TrackingUpdate]:
    """The updates in a Suivi v2 document, oldest first. ``ValueError`` if it is not one."""
    if not isinstance(document, dict) or not isinstance(document.get("shipment"), dict):
        raise ValueError("not a Suivi v2 document (no shipment)")
    shipment = document["shipment"]
    number = str(shipment.get("idShip") or document.get("idShip") or "")
    events = shipment.get("event") or []
    if not number or not isinstance(events, list):
        raise ValueError("Suivi v2 document without idShip or event list")
    updates = []
    for event in events:
        if not isinstance(event, dict):
            raise ValueError("Suivi v2 event is not an object")
        code = str(event.get("code") or "")
        occurred_at = dt.datetime.fromisoformat(str(event.get("date")))
        if occurred_at.tzinfo is None:
            raise ValueError("Suivi v2 event date without a time zone")
        updates.append(
            TrackingUpdate(
                tracking_number=number,
                event_key=f"{code}@{occurred_at.isoformat()}",
                status=EVENT_STATUS.get(code, TrackingStatus.IN_TRANSIT),
                occurred_at=occurred_at,
                code=code,
                description=str(event.get("label") or ""),
            )
        )
    return sorted(updates, key=lambda update: update.occurred_at)


def fetch_suivi(
    *, carrier: str, base_url: str, okapi_key: str, number: str, timeout: float
) -> list[TrackingUpdate]:
    """Ask Suivi v2 about ``number``; see the module docstring for the answers."""
    if not okapi_key:
        raise CarrierError(
            f"{carrier} tracking is not configured: set LAPOSTE_OKAPI_KEY (developer.laposte.fr).",
            retryable=False,
        )
    response = send(
        carrier,
        "GET",
        f"{base_url.rstrip('/')}/idships/{number}",
        timeout=timeout,
        params={"lang": "fr_FR"},
        headers={"X-Okapi-Key": okapi_key, "Accept": "application/json"},
    )
    if response.status_code == 404:
        return []
    if response.status_code in (401, 403):
        raise CarrierError(
            f"La Poste refused our tracking key (HTTP {response.status_code}): check LAPOSTE_OKAPI_KEY.",
            retryable=False,
        )
    if response.status_code >= 500:
        raise outage(carrier, response)
    try:
        document = response.json()
    except json.JSONDecodeError as exc:
        if 400 <= response.status_code < 500:
            raise unexpected(carrier, response, "LAPOSTE_SUIVI_URL") from exc
        raise outage(carrier, response) from exc
    if response.status_code != 200:
        message = document.get("returnMessage") if isinstance(document, dict) else None
        raise CarrierError(
            f"La Poste refused to track {number}: {message or f'HTTP {response.status_code}'}",
            retryable=False,
            detail={"status": response.status_code},
        )
    try:
        return parse_suivi(document, carrier=carrier)
    except (ValueError, TypeError) as exc:
        raise CarrierError(
            f"{carrier} tracking answered something we cannot read: {exc}",
            detail={"body": response.text[:500]},
        ) from exc


def parse_suivi_webhook(
    *, carrier: str, body: bytes, headers: Mapping[str, str], secret: str
) -> list[TrackingUpdate]:
    """A pushed Suivi v2 document (the same JSON ``track`` reads), signed as ``transport`` says."""
    verify_signature(carrier, body, headers, secret)
    try:
        return parse_suivi(json.loads(body), carrier=carrier)
    except (ValueError, TypeError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InvalidCarrierWebhook(f"{carrier} push is not a Suivi v2 document: {exc}") from exc
