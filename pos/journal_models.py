"""The till's inalterable journal (French anti-fraud rules for POS software: inalterability,
security, conservation, archiving); imported by pos.models. Only ``pos.services.journal`` and
``pos.services.closings`` write here.

Three chains per register (``Journal``), each a gapless ``sequence`` from 1:

- ``sales``: every sale (+ its TTC) and return (- its TTC), with the register's perpetual grand
  totals: ``grand_total_perpetual`` (sales minus returns, never reset) and
  ``grand_total_perpetual_abs`` (sales plus returns);
- ``technical``: session open, cash in/out, line discounts, receipt prints and reprints, offline sync
  batches...;
- ``closings``: the Z of each register session, the monthly and the yearly closings, computed from
  the sales chain.

Each entry's ``hash`` is SHA-256 over its canonical serialization (``canonical_bytes``: sorted keys,
no spaces, amounts as fixed 2-decimal strings, UTC timestamps to the microsecond, the previous
entry's hash included), so changing, removing or inserting one entry breaks every hash after it.
``JournalHead`` is the chain's head: appending locks it (SELECT FOR UPDATE) in the transaction of the
sale, return or closing it records, so a rollback leaves no entry and one register's writers chain
in a strict order. A database trigger refuses UPDATE and DELETE of entries (migration 0003).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64
CENTS = Decimal("0.01")


class Journal(models.TextChoices):
    SALES = "sales", _("Sales")
    TECHNICAL = "technical", _("Technical events")
    CLOSINGS = "closings", _("Closings")


class EntryKind(models.TextChoices):
    # sales journal
    SALE = "sale", _("Sale")
    RETURN = "return", _("Return")
    CANCELLATION = "cancellation", _("Cancellation")
    # closings journal
    Z = "z", _("Z closing (session)")
    MONTH = "month", _("Monthly closing")
    YEAR = "year", _("Yearly closing")
    # technical journal
    SESSION_OPEN = "session_open", _("Session opened")
    SESSION_CLOSE = "session_close", _("Session closed")
    PRICE_OVERRIDE = "price_override", _("Price override")
    LINE_DISCOUNT = "line_discount", _("Line discount")
    DRAWER_OPEN = "drawer_open", _("Drawer opened")
    CASH_IN = "cash_in", _("Cash in")
    CASH_OUT = "cash_out", _("Cash out")
    RECEIPT_PRINT = "receipt_print", _("Receipt printed")
    REPRINT = "reprint", _("Receipt reprinted (duplicate)")
    OFFLINE_SYNC = "offline_sync", _("Offline sync batch")


JOURNAL_OF_KIND: dict[str, str] = {
    EntryKind.SALE: Journal.SALES,
    EntryKind.RETURN: Journal.SALES,
    EntryKind.CANCELLATION: Journal.SALES,
    EntryKind.Z: Journal.CLOSINGS,
    EntryKind.MONTH: Journal.CLOSINGS,
    EntryKind.YEAR: Journal.CLOSINGS,
}  # every other kind: technical


def journal_of(kind: str) -> str:
    return JOURNAL_OF_KIND.get(kind, Journal.TECHNICAL)


class JournalHead(models.Model):
    """The last entry of one chain: locked to append, so appends to a chain are strictly ordered."""

    register = models.ForeignKey(
        "pos.Register", on_delete=models.PROTECT, related_name="+", verbose_name=_("register")
    )
    journal = models.CharField(max_length=10, choices=Journal.choices, verbose_name=_("journal"))
    last_sequence = models.PositiveBigIntegerField(default=0, verbose_name=_("last sequence"))
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH, verbose_name=_("last hash"))
    grand_total_perpetual = models.DecimalField(
        max_digits=16, decimal_places=2, default=Decimal("0.00"), verbose_name=_("perpetual grand total")
    )
    grand_total_perpetual_abs = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        default=Decimal("0.00"),
        verbose_name=_("perpetual grand total (absolute)"),
    )

    class Meta:
        verbose_name = _("journal head")
        verbose_name_plural = _("journal heads")
        constraints = [
            models.UniqueConstraint(fields=["register", "journal"], name="pos_journal_one_head_per_chain")
        ]

    def __str__(self) -> str:
        return f"{self.register_id}/{self.journal} #{self.last_sequence}"


class JournalEntry(models.Model):
    """One chained, append-only entry (see the module docstring). Never updated, never deleted."""

    register = models.ForeignKey(
        "pos.Register", on_delete=models.PROTECT, related_name="journal_entries", verbose_name=_("register")
    )
    journal = models.CharField(max_length=10, choices=Journal.choices, verbose_name=_("journal"))
    sequence = models.PositiveBigIntegerField(verbose_name=_("sequence"))
    kind = models.CharField(max_length=16, choices=EntryKind.choices, verbose_name=_("kind"))
    session = models.ForeignKey(
        "pos.RegisterSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_entries",
        verbose_name=_("session"),
    )
    created_at = models.DateTimeField(
        help_text=_("When the server recorded it."), verbose_name=_("created at")
    )
    occurred_at = models.DateTimeField(
        help_text=_("When it happened at the till (an offline sale's own time)."),
        verbose_name=_("occurred at"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    reference = models.CharField(
        max_length=64, blank=True, help_text=_("Sale or return number."), verbose_name=_("reference")
    )
    period = models.CharField(
        max_length=24,
        blank=True,
        help_text=_("Closings: session-<id>, 2026-11 (month) or 2026 (year)."),
        verbose_name=_("period"),
    )
    total_gross = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("TTC, signed (returns < 0)."),
        verbose_name=_("total gross"),
    )
    vat = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('Per VAT rate: {"0.2000": {"net": .., "vat": .., "gross": ..}}.'),
        verbose_name=_("VAT"),
    )
    grand_total_perpetual = models.DecimalField(
        max_digits=16, decimal_places=2, null=True, blank=True, verbose_name=_("perpetual grand total")
    )
    grand_total_perpetual_abs = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        verbose_name=_("perpetual grand total (absolute)"),
    )
    payload = models.JSONField(
        default=dict, blank=True, help_text=_("The entry's business content."), verbose_name=_("payload")
    )
    previous_hash = models.CharField(max_length=64, verbose_name=_("previous hash"))
    hash = models.CharField(max_length=64, unique=True, verbose_name=_("hash"))

    class Meta:
        verbose_name = _("journal entry")
        ordering = ["register_id", "journal", "sequence"]
        verbose_name_plural = _("journal entries")
        constraints = [
            models.UniqueConstraint(
                fields=["register", "journal", "sequence"], name="pos_journal_gapless_sequence"
            ),
            models.UniqueConstraint(
                fields=["register", "kind", "period"],
                condition=~Q(period=""),
                name="pos_journal_one_closing_per_period",
            ),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="pos_journal_sequence_gte_1"),
        ]
        indexes = [
            models.Index(fields=["reference", "kind"], name="pos_journal_reference"),
            models.Index(fields=["journal", "created_at"], name="pos_journal_created"),
        ]

    def __str__(self) -> str:
        return f"{self.register_id}/{self.journal} #{self.sequence} {self.kind}"

    def canonical(self) -> dict[str, Any]:
        return canonical_fields(
            register_id=self.register_id,
            journal=self.journal,
            sequence=self.sequence,
            kind=self.kind,
            session_id=self.session_id,
            created_at=self.created_at,
            occurred_at=self.occurred_at,
            user_id=self.user_id,
            reference=self.reference,
            period=self.period,
            total_gross=self.total_gross,
            vat=self.vat,
            grand_total_perpetual=self.grand_total_perpetual,
            grand_total_perpetual_abs=self.grand_total_perpetual_abs,
            payload=self.payload,
            previous_hash=self.previous_hash,
        )

    def compute_hash(self) -> str:
        return entry_hash(self.canonical())


def amount(value: Decimal | int | str) -> str:
    """The one text form of an amount in a hash: fixed 2 decimals (``12.00``, ``-3.50``)."""
    return f"{Decimal(value).quantize(CENTS):f}"


def optional_amount(value: Decimal | int | str | None) -> str | None:
    return None if value is None else amount(value)


def timestamp(value) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def canonical_fields(**fields: Any) -> dict[str, Any]:
    """The hashed fields of an entry, as JSON-ready values in their one text form."""
    out = dict(fields)
    for key in ("total_gross", "grand_total_perpetual", "grand_total_perpetual_abs"):
        out[key] = optional_amount(out[key])
    for key in ("created_at", "occurred_at"):
        out[key] = timestamp(out[key])
    return out


def canonical_bytes(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(fields)).hexdigest()


__all__ = ["EntryKind", "Journal", "JournalEntry", "JournalHead"]
