"""``CARRIER_MODE=fake``: carriers without network, for ``make demo``, development and tests that do
not aim a fixture at the local fakes.

``SandboxClient`` wraps the real client: ``tracking_url`` and ``parse_webhook`` are the real ones
(so signed pushes work in the demo with the configured secrets), ``track`` answers no event (steps
come from pushes or from staff), and ``create_label`` answers at once with a number in the carrier's
real format, the same number for the same parcel reference (a retried task gets the same one):

* Colissimo: ``6A`` (DOM), ``6C`` (DOS) or ``8R`` (CORE, returns) and 11 digits;
* DPD: ``250`` (France), the centre number on 3 digits and 12 digits;
* La Poste: the real client (a number of our allocated range, no network involved).

It refuses what the carrier would (over its weight limit, a French postcode that is not five
digits) so the "label failed" path can be shown without network.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from .base import CarrierClient, CarrierError, LabelRequest, LabelResult, TrackingUpdate
from .colissimo import SERVICES as COLISSIMO_SERVICES
from .dpd import SERVICES as DPD_SERVICES

MAX_WEIGHT_GRAMS = {"colissimo": 30_000, "dpd": 31_500}


def _digits(seed: str, count: int) -> str:
    value = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big")
    return f"{value % 10**count:0{count}d}"


class SandboxClient:
    has_api = True

    def __init__(self, real: CarrierClient, config: Mapping[str, object]) -> None:
        self.real = real
        self.config = config
        self.code = real.code
        self.name = real.name

    def create_label(self, request: LabelRequest) -> LabelResult:
        if self.code not in MAX_WEIGHT_GRAMS:
            return self.real.create_label(request)
        limit = MAX_WEIGHT_GRAMS[self.code]
        if request.weight_grams > limit:
            raise CarrierError(
                f"Too heavy for {self.name}: {request.weight_grams / 1000:g} kg, the maximum is "
                f"{limit / 1000:g} kg. Split the parcel.",
                retryable=False,
            )
        postcode = request.recipient.postal_code
        if request.recipient.country.upper() == "FR" and not (postcode.isdigit() and len(postcode) == 5):
            raise CarrierError(
                f"{self.name} refused the label: the recipient's postcode {postcode!r} "
                "is not a French postcode.",
                retryable=False,
            )
        seed = f"{self.code}|{request.reference}|{request.is_return}"
        if self.code == "colissimo":
            product = (
                "CORE" if request.is_return else (request.service or str(self.config.get("service") or "DOM"))
            )
            prefix = {"DOS": "6C", "CORE": "8R"}.get(product, "6A")
            return LabelResult(
                tracking_number=f"{prefix}{_digits(seed, 11)}",
                service=COLISSIMO_SERVICES.get(product, f"Colissimo {product}"),
            )
        center = str(self.config.get("customer_centernumber") or "0")
        number = f"250{int(center) if center.isdigit() else 0:03d}{_digits(seed, 12)}"
        return LabelResult(tracking_number=number, service=DPD_SERVICES["classic"], carrier_reference=number)

    def track(self, tracking_number: str) -> list[TrackingUpdate]:
        return []

    def tracking_url(self, tracking_number: str) -> str:
        return self.real.tracking_url(tracking_number)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[TrackingUpdate]:
        return self.real.parse_webhook(body, headers)
