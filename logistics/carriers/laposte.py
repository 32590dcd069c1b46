"""La Poste, Lettre suivie (tracked letter, up to 3 kg, within France).

What La Poste offers, as far as we could find: there is **no public API that creates a Lettre
suivie label**. La Poste's developer portal (developer.laposte.fr) publishes tracking ("Suivi v2"),
address checking and the Colissimo web services, not Lettre suivie postage; companies buy Lettre
suivie as pre-numbered labels/envelopes or through a contract with a number range allocated to the
account (shipping platforms reach it through such private contracts). So this client does what a
shop with a contract does:

* ``create_label``: takes the next number of the range La Poste allocated to us
  (settings ``CARRIERS["laposte"]``: ``number_prefix`` + ``range_start``..``range_end``, printed as
  the prefix and 11 digits, e.g. ``1K00000000001``), gapless through ``core.numbering`` (sequence
  ``laposte-lettre-suivie``); our own 10x15 label (``logistics.labels``) carries that number as its
  Code 128. No network. Refused, not retryable: over 3 kg, outside France, a return (Lettre suivie
  has no prepaid return product: use Colissimo), the range used up (ask La Poste for a new one).
* ``track``: La Poste's Suivi v2 API (``suivi.py``), the same as Colissimo.
* ``parse_webhook``: a pushed Suivi v2 document signed ``X-Carrier-Signature: sha256=<hex>`` with
  ``CARRIERS["laposte"]["webhook_secret"]`` (``transport``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from .base import CarrierError, LabelRequest, LabelResult, TrackingUpdate
from .suivi import fetch_suivi, parse_suivi_webhook, tracking_page
from .transport import config_str, config_timeout

SERVICE = "Lettre suivie"
MAX_WEIGHT_GRAMS = 3_000
SEQUENCE = "laposte-lettre-suivie"


class LaPosteClient:
    code = "laposte"
    name = "La Poste"
    has_api = True  # tracking through Suivi v2; numbers from our allocated range

    def __init__(self, config: Mapping[str, object]) -> None:
        self.prefix = config_str(config, "number_prefix", "1K")
        self.range_start = int(config_str(config, "range_start", "1"))
        self.range_end = int(config_str(config, "range_end", "99999999"))
        self.suivi_url = config_str(config, "suivi_url")
        self.okapi_key = config_str(config, "okapi_key")
        self.webhook_secret = config_str(config, "webhook_secret")
        self.timeout = config_timeout(config)

    def check(self, request: LabelRequest) -> None:
        """Refuse what Lettre suivie cannot carry, before a number is used."""
        if request.is_return:
            raise CarrierError(
                "La Poste Lettre suivie has no prepaid return label: choose Colissimo for returns.",
                retryable=False,
            )
        if request.weight_grams > MAX_WEIGHT_GRAMS:
            raise CarrierError(
                f"Too heavy for Lettre suivie: {request.weight_grams / 1000:g} kg, the maximum is 3 kg. "
                "Choose Colissimo.",
                retryable=False,
            )
        if request.recipient.country.upper() != "FR":
            raise CarrierError(
                f"Lettre suivie only goes within France, not to {request.recipient.country}: "
                "choose Colissimo.",
                retryable=False,
            )

    def create_label(self, request: LabelRequest) -> LabelResult:
        self.check(request)
        from core.numbering import next_number  # models: not at import (carriers load before apps)

        with transaction.atomic():  # its own short transaction: a used number is never given twice
            value = self.range_start + next_number(SEQUENCE) - 1
        if value > self.range_end:
            raise CarrierError(
                "Our Lettre suivie number range is used up: ask La Poste for a new range and set "
                "LAPOSTE_RANGE_START / LAPOSTE_RANGE_END.",
                retryable=False,
            )
        return LabelResult(tracking_number=f"{self.prefix}{value:011d}", service=SERVICE)

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
