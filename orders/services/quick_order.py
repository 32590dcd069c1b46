"""Quick order (issue 17, B2B): a list of codes and quantities put into the cart at once.

Three doors, one path:

- a pasted list or a CSV file (``parse_quick_order_text``, ``read_quick_order_file``): one line per
  product, ``SKU;quantity``, ``SKU,quantity``, ``SKU<TAB>quantity`` or ``SKU quantity``; an EAN-13
  may stand for the SKU; a header line, blank lines and ``#`` comments are skipped; UTF-8 with or
  without a BOM; at most ``settings.QUICK_ORDER_MAX_ROWS`` rows and ``QUICK_ORDER_MAX_BYTES`` bytes;
- "Order again" on a past order (``reorder_report``);
- a saved usual order (``usual_order_report``; the lists themselves: ``save_usual_order``).

Every door builds a ``QuickOrderReport`` (one ``QuickOrderRow`` per line read) and hands it to
``add_quick_order``, which reads the WHOLE list before answering: unknown codes and bad quantities
first, then rows naming the same product are merged into the first (and said so), then every merged
line goes through ``orders.services.cart.add_to_cart`` (so a company buyer's minimum and pack size,
what is still sold and the stock online are checked by the cart itself), each in its own savepoint so
that every refused row is reported. If any row is refused, the whole transaction rolls back: the cart
is as it was and the report says which rows to fix (``QuickOrderRefused``). ``partial=True`` (the
reorder page's "Add what can be added") keeps the rows that could be added instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.selectors import company_membership_for
from catalog.models import Variant
from core.errors import ApplicationError, ValidationFailed

from ..errors import MAX_LINE_QUANTITY, CartClosed, EmptyCart
from ..models import Cart, CartLine, Order, UsualOrder, UsualOrderLine
from . import cart as cart_services

if TYPE_CHECKING:
    from accounts.models import User

MAX_TEXT_IN_REPORT = 120  # characters of a line echoed back in the report
MAX_NAME_LENGTH = 80
HEADER_WORDS = frozenset(
    {
        "sku",
        "ean",
        "ean13",
        "ean-13",
        "code",
        "ref",
        "reference",
        "référence",
        "riferimento",
        "article",
        "articolo",
        "product",
        "produit",
        "prodotto",
        "quantity",
        "qty",
        "quantité",
        "qté",
        "quantità",
        "qtà",
    }
)
_SEPARATORS = (";", "\t", ",")
_WHOLE_NUMBER = re.compile(r"\+?\d{1,6}")
_EAN13 = re.compile(r"\d{13}")


class QuickOrderInvalid(ValidationFailed):
    """The list as a whole cannot be read: empty, too many rows, a file too large or not UTF-8."""

    code = "quick_order_invalid"
    default_message = "This list cannot be read."


class QuickOrderRefused(ApplicationError):
    """Some rows cannot be added; nothing was. ``report`` holds every row, ``detail["rows"]`` the bad ones."""

    code = "quick_order_refused"
    http_status = 422
    default_message = "Some lines cannot be added: nothing was added to your cart."

    def __init__(self, report: QuickOrderReport) -> None:
        self.report = report
        bad = report.bad_rows
        super().__init__(
            ngettext(
                "%(count)s line cannot be added: nothing was added to your cart. Fix it and try again.",
                "%(count)s lines cannot be added: nothing was added to your cart. Fix them and try again.",
                len(bad),
            )
            % {"count": len(bad)},
            detail={"rows": [row.as_dict() for row in bad]},
        )


@dataclass
class QuickOrderRow:
    """One line read: its number in the list, the text read, the code and quantity found in it, and
    what became of it (``error``: why it cannot be added; ``note``: merged into another row)."""

    number: int
    text: str
    code: str = ""
    quantity: int | None = None
    error: str = ""
    note: str = ""
    sku: str = ""  # the variant found, when one was
    name: str = ""
    merged_into: int | None = None  # the row number that carries this row's quantity
    variant: Variant | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "line": self.number,
            "text": self.text,
            "code": self.code,
            "quantity": self.quantity,
            "sku": self.sku,
            "error": self.error,
            "note": self.note,
        }


@dataclass
class QuickOrderReport:
    rows: list[QuickOrderRow] = field(default_factory=list)
    problem: str = ""  # the list as a whole (too many rows, empty)
    added: int = 0  # cart lines added or increased

    @property
    def bad_rows(self) -> list[QuickOrderRow]:
        return [row for row in self.rows if row.error]

    @property
    def merged_rows(self) -> list[QuickOrderRow]:
        return [row for row in self.rows if row.merged_into is not None]

    @property
    def ok(self) -> bool:
        return not self.problem and not self.bad_rows

    def lines(self) -> list[QuickOrderRow]:
        """The rows that carry a product to add (after merging), in list order."""
        return [row for row in self.rows if row.variant is not None and row.merged_into is None]


# --- reading --------------------------------------------------------------------------------------


def read_quick_order_file(data: bytes) -> str:
    """An uploaded CSV file's text: UTF-8, with or without a BOM, at most ``QUICK_ORDER_MAX_BYTES``."""
    limit = settings.QUICK_ORDER_MAX_BYTES
    if len(data) > limit:
        raise QuickOrderInvalid(
            _("The file is too large: at most %(kb)s KB.") % {"kb": limit // 1024},
            detail={"max_bytes": limit, "bytes": len(data)},
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise QuickOrderInvalid(
            _("The file is not UTF-8 text: save it as CSV UTF-8 and upload it again."),
            detail={"encoding": "utf-8"},
        ) from None


def parse_quick_order_text(text: str) -> QuickOrderReport:
    """Every line of a pasted list or CSV file read into a row (no database): the code and the
    quantity, or why the line cannot be read. A header line, blank lines and ``#`` comments are
    skipped. Whole-list problems (empty, too large, too many rows) are ``report.problem``."""
    report = QuickOrderReport()
    limit = settings.QUICK_ORDER_MAX_BYTES
    if len(text) > limit:
        report.problem = _("The list is too long: at most %(kb)s KB.") % {"kb": limit // 1024}
        return report
    first_data_line = True
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        fields = _split(stripped)
        if first_data_line and _is_header(fields):
            first_data_line = False
            continue
        first_data_line = False
        report.rows.append(_row(number, stripped, fields))
    _check_size(report)
    return report


def report_from_lines(lines: Sequence[tuple[str, object]]) -> QuickOrderReport:
    """Rows from (code, quantity) pairs (the API, a past order, a usual order), numbered from 1."""
    report = QuickOrderReport()
    for number, (code, quantity) in enumerate(lines, start=1):
        code = str(code or "").strip()
        row = QuickOrderRow(number=number, text=f"{code} {quantity}"[:MAX_TEXT_IN_REPORT], code=code)
        if not code:
            row.error = _("No product code.")
        else:
            _set_quantity(row, quantity)
        report.rows.append(row)
    _check_size(report)
    return report


def _split(line: str) -> list[str]:
    for separator in _SEPARATORS:
        if separator in line:
            fields = line.split(separator)
            break
    else:
        fields = line.split()
    return [value.strip().strip('"').strip("'").strip() for value in fields]


def _is_header(fields: list[str]) -> bool:
    words = {value.lower() for value in fields if value}
    return bool(words & HEADER_WORDS) and not any(_WHOLE_NUMBER.fullmatch(value) for value in fields[1:2])


def _row(number: int, text: str, fields: list[str]) -> QuickOrderRow:
    row = QuickOrderRow(number=number, text=text[:MAX_TEXT_IN_REPORT], code=fields[0][:64])
    extra = [value for value in fields[2:] if value]
    if not row.code:
        row.error = _("No product code.")
    elif extra:
        row.error = _("Expected a code and a quantity, found %(count)s values.") % {"count": 2 + len(extra)}
    elif len(fields) < 2 or not fields[1]:
        row.error = _("No quantity after the code.")
    else:
        _set_quantity(row, fields[1])
    return row


def _set_quantity(row: QuickOrderRow, raw: object) -> None:
    text = str(raw).strip() if not isinstance(raw, bool) else ""
    if isinstance(raw, int) and not isinstance(raw, bool):
        quantity: int | None = raw
    elif _WHOLE_NUMBER.fullmatch(text):
        quantity = int(text)
    else:
        quantity = None
    if quantity is None or not 1 <= quantity <= MAX_LINE_QUANTITY:
        row.error = _("Bad quantity %(value)s: a whole number from 1 to %(max)s.") % {
            "value": f"“{text[:20]}”",
            "max": MAX_LINE_QUANTITY,
        }
        return
    row.quantity = quantity


def _check_size(report: QuickOrderReport) -> None:
    limit = settings.QUICK_ORDER_MAX_ROWS
    if not report.rows:
        report.problem = _("The list is empty: enter one product per line, a code and a quantity.")
    elif len(report.rows) > limit:
        report.problem = _("The list has %(count)s lines: at most %(max)s can be ordered at once.") % {
            "count": len(report.rows),
            "max": limit,
        }


# --- adding ---------------------------------------------------------------------------------------


def resolve_rows(report: QuickOrderReport) -> QuickOrderReport:
    """Find each row's variant by SKU (or EAN-13) in one query, then merge rows naming the same
    variant into the first one. Rows already in error are left as they are."""
    codes = {row.code for row in report.rows if row.code and not row.error}
    eans = {code for code in codes if _EAN13.fullmatch(code)}
    by_sku: dict[str, Variant] = {}
    by_ean: dict[str, Variant] = {}
    if codes:
        for each in Variant.objects.select_related("product").filter(Q(sku__in=codes) | Q(ean13__in=eans)):
            by_sku[each.sku] = each
            by_ean[each.ean13] = each
    first: dict[int, QuickOrderRow] = {}
    for row in report.rows:
        if row.error:
            continue
        found = by_sku.get(row.code) or by_ean.get(row.code)
        if found is None:
            row.error = _("Unknown product code %(code)s.") % {"code": row.code}
            continue
        row.variant, row.sku, row.name = found, found.sku, found.product.name
        kept = first.get(found.pk)
        if kept is None:
            first[found.pk] = row
            continue
        assert kept.quantity is not None and row.quantity is not None
        kept.quantity += row.quantity
        row.merged_into = kept.number
        row.note = _("Same product as line %(line)s: merged into it.") % {"line": kept.number}
        kept.note = _("Quantities of lines %(lines)s added up: %(quantity)s.") % {
            "lines": ", ".join(
                str(r.number) for r in report.rows if r is kept or r.merged_into == kept.number
            ),
            "quantity": kept.quantity,
        }
    return report


@transaction.atomic
def add_quick_order(*, cart: Cart, report: QuickOrderReport, partial: bool = False) -> QuickOrderReport:
    """Put the report's products into ``cart`` (see the module docstring): all or nothing, or with
    ``partial`` only those that can be. ``QuickOrderInvalid`` for a whole-list problem,
    ``QuickOrderRefused`` (422, the report) when a row cannot be added and nothing was."""
    if report.problem:
        raise QuickOrderInvalid(report.problem, detail={"rows": len(report.rows)})
    resolve_rows(report)
    for row in report.lines():
        if row.error:
            continue
        assert row.variant is not None and row.quantity is not None
        try:
            cart_services.add_to_cart(cart=cart, variant=row.variant, quantity=row.quantity)
        except CartClosed:
            raise
        except ApplicationError as exc:  # the row's savepoint was rolled back; go on to report all
            row.error = str(exc.message)
            for merged in report.rows:
                if merged.merged_into == row.number:
                    merged.error = _("See line %(line)s.") % {"line": row.number}
        else:
            report.added += 1
    if report.bad_rows and not (partial and report.added):
        raise QuickOrderRefused(report)
    return report


# --- reorder, usual orders -------------------------------------------------------------------------


def reorder_report(order: Order) -> QuickOrderReport:
    """A past order's lines (web or store) as quick-order rows, by the variant's SKU today."""
    lines = [(line.variant.sku, line.quantity) for line in order.lines.all()]
    return report_from_lines(lines)


def usual_order_report(usual_order: UsualOrder) -> QuickOrderReport:
    lines = [(line.variant.sku, line.quantity) for line in usual_order.lines.select_related("variant")]
    return report_from_lines(lines)


@transaction.atomic
def save_usual_order(*, user: User, cart: Cart, name: str) -> UsualOrder:
    """The cart's lines saved as a list named ``name``: the company's (shared by its members) for a
    company buyer, the user's own otherwise. A list of the same name is replaced."""
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(
            _("Give the list a name of 1 to %(max)s characters.") % {"max": MAX_NAME_LENGTH},
            detail={"field": "name", "max": MAX_NAME_LENGTH},
        )
    lines = list(CartLine.objects.filter(cart=cart).order_by("added_at", "id"))
    if not lines:
        raise EmptyCart(_("Your cart is empty: add products before saving it as a list."))
    membership = company_membership_for(user)
    owner: dict[str, Any] = {"company": membership.company} if membership else {"user": user}
    usual, created = UsualOrder.objects.select_for_update().get_or_create(
        **owner, name=name, defaults={"created_by": user}
    )
    if not created:
        usual.lines.all().delete()
        usual.save(update_fields=["updated_at"])
    UsualOrderLine.objects.bulk_create(
        [
            UsualOrderLine(usual_order=usual, variant_id=line.variant_id, quantity=line.quantity)
            for line in lines
        ]
    )
    return usual


@transaction.atomic
def delete_usual_order(*, usual_order: UsualOrder) -> None:
    """Delete a list the caller may see (``orders.selectors_quick_order.usual_order_for``)."""
    usual_order.delete()
