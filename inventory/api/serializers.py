"""Shapes of the stock API: request serializers parse and validate, response serializers render.

They never write: the views pass the validated data to ``inventory.services``.

Conventions every request follows:

- SKUs and locations are referred to by code (``"TSHIRT-M-RED"``, ``"AJA"``), never by database id.
  A well-formed code that matches nothing is a **404** ``unknown_sku`` / ``unknown_location``, in
  the query string and in the body alike.
- Quantities are whole numbers from 1 to ``MAX_QUANTITY``; anything else is a 400 ``invalid`` whose
  ``detail`` names the field.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from core.schema import QueryParams

from ..models import MovementReason, Reservation, StockLevel

MAX_QUANTITY = 1_000_000  # far above any real movement, far below the 32-bit columns' limit

SKU_HELP = "The variant's SKU. Unknown: 404 `unknown_sku`."
LOCATION_HELP = "A location code (AJA, WH, ...). Unknown: 404 `unknown_location`."

INBOUND_REASONS = (MovementReason.RECEIPT, MovementReason.RETURN)
OUTBOUND_REASONS = (MovementReason.SALE, MovementReason.LOSS)


def _sku_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=64, help_text=SKU_HELP, **kwargs)


def _location_field(help_text: str = LOCATION_HELP) -> serializers.CharField:
    return serializers.CharField(max_length=20, help_text=help_text)


def _quantity_field(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_QUANTITY, help_text=help_text)


def _reference_field(*, required: bool, help_text: str) -> serializers.CharField:
    if required:
        return serializers.CharField(max_length=120, help_text=help_text)
    return serializers.CharField(
        max_length=120, required=False, allow_blank=True, default="", help_text=help_text
    )


# --- requests -------------------------------------------------------------------------------------


class StockLevelQuerySerializer(QueryParams):
    """Filters of ``GET /stock/``; an empty or missing filter means "all"."""

    sku = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="One SKU or several, comma-separated. Unknown: 404 `unknown_sku`.",
    )
    location = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="One location code or several, comma-separated. Unknown: 404 `unknown_location`.",
    )

    def _split(self, value: str) -> list[str] | None:
        return [code.strip() for code in value.split(",") if code.strip()] or None

    def validate_sku(self, value: str) -> list[str] | None:
        return self._split(value)

    def validate_location(self, value: str) -> list[str] | None:
        return self._split(value)


class LotSerializer(serializers.Serializer[Any]):
    batch = serializers.CharField(max_length=64, help_text="The supplier's batch or lot number.")
    expiry_date = serializers.DateField(required=False, allow_null=True, default=None)


class StockMovementSerializer(serializers.Serializer[Any]):
    sku = _sku_field()
    location = _location_field()
    quantity = _quantity_field("Units moved, always positive: the reason gives the direction.")
    reason = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in (*INBOUND_REASONS, *OUTBOUND_REASONS)],
        help_text="`receipt`, `return` add stock; `sale`, `loss` take it "
        "(409 `insufficient_stock` if short).",
    )
    reference = _reference_field(
        required=True, help_text="The document behind the move (order, delivery note)."
    )
    lot = LotSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="Lot-tracked products, `receipt` and `return` only: required there (400 `lot_required`). "
        "Sales and losses take the earliest expiry first.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("lot") and attrs["reason"] in OUTBOUND_REASONS:
            raise serializers.ValidationError(
                {"lot": "Sales and losses take the earliest expiry first: do not send a lot."}
            )
        return attrs


class StockCountSerializer(serializers.Serializer[Any]):
    sku = _sku_field()
    location = _location_field()
    counted = serializers.IntegerField(
        min_value=0,
        max_value=MAX_QUANTITY,
        help_text="Units physically counted; on hand becomes this (for lots: that lot's quantity).",
    )
    reference = _reference_field(required=True, help_text="The count sheet or inventory session.")
    lot = LotSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="Lot-tracked products are counted one batch at a time: required there.",
    )


class StockTransferSerializer(serializers.Serializer[Any]):
    sku = _sku_field()
    from_location = _location_field("Where the units leave. Unknown: 404 `unknown_location`.")
    to_location = _location_field("Where the units arrive. Unknown: 404 `unknown_location`.")
    quantity = _quantity_field("Units moved; they must be available at `from_location`.")
    reference = _reference_field(required=False, help_text="Optional; generated (TR-...) when empty.")


class ReservationCreateSerializer(serializers.Serializer[Any]):
    sku = _sku_field()
    location = _location_field()
    quantity = _quantity_field("Units held; they must be available.")
    ttl_seconds = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=settings.INVENTORY_MAX_RESERVATION_TTL,
        help_text="How long the units are held before the expiry task releases them. Default "
        f"{settings.INVENTORY_DEFAULT_RESERVATION_TTL}, at most {settings.INVENTORY_MAX_RESERVATION_TTL}.",
    )
    reference = _reference_field(required=True, help_text="The cart, order or click & collect request.")


# --- responses ------------------------------------------------------------------------------------


class StockLevelSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField()
    location = serializers.CharField(help_text="The location code.")
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField(help_text="on_hand - reserved: what can be sold or reserved.")
    version = serializers.IntegerField(
        help_text="Grows with every change of this level; the websocket messages carry it too."
    )


def level_row(level: StockLevel) -> dict[str, Any]:
    """A level as the API and the websocket show it."""
    return {
        "sku": level.variant.sku,
        "location": level.location.code,
        "on_hand": level.on_hand,
        "reserved": level.reserved,
        "available": level.on_hand - level.reserved,
        "version": level.version,
    }


class StockChangeSerializer(serializers.Serializer[Any]):
    """A movement or count: the ledger rows written and the level after the change."""

    movement_ids = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="The ledger rows written: one, or one per lot taken. Empty for a count that matched.",
    )
    level = StockLevelSerializer()


class StockCountResultSerializer(StockChangeSerializer):
    difference = serializers.IntegerField(help_text="counted minus what was on hand (for lots: in that lot).")


class StockTransferResultSerializer(serializers.Serializer[Any]):
    transfer_id = serializers.UUIDField()
    reference = serializers.CharField()
    movement_ids = serializers.ListField(child=serializers.IntegerField())
    from_level = StockLevelSerializer()
    to_level = StockLevelSerializer()


class ReservationSerializer(serializers.ModelSerializer[Reservation]):
    sku = serializers.CharField(source="variant.sku")
    location = serializers.CharField(source="location.code")

    class Meta:
        model = Reservation
        fields = [
            "id",
            "sku",
            "location",
            "quantity",
            "status",
            "reference",
            "expires_at",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields
