"""Import the invoices an ERP exported: one CSV row per invoice line, each invoice issued here.

The file (French spreadsheet habits):

- ``;`` between fields, a header row naming the columns (French or English, any order, case and
  accents ignored): ``numero_facture;date;client;libelle;quantite;prix_unitaire_ht;taux_tva``
  (also ``invoice_number;date;customer;label;quantity;unit_price;vat_rate`` and the aliases in
  ``COLUMNS``);
- encoding: UTF-8 with a BOM (what spreadsheet programs write as "CSV UTF-8"), UTF-8 without one, or
  Windows-1252 (Excel's French "CSV (séparateur : point-virgule)"); a byte sequence neither can read
  refuses the file;
- numbers with a decimal comma or point, spaces as thousands separators (``1 234,50``);
- dates ``DD/MM/YYYY`` or ``YYYY-MM-DD``;
- the VAT rate as a **percentage**: ``20``, ``20,0``, ``5,5``, ``2,1``, ``0,9`` (Corsica), ``0``.
  A fraction such as ``0,2`` is read as 0.2 % and refused, because it is not a French rate: the rate
  must be one of ``VAT_RATES`` (metropolitan, Corsican and overseas rates). Guessing "0,2 means 20 %"
  would also make ``0,9`` (a real Corsican rate) ambiguous.
- the customer by its ERP code (``CustomerProfile.erp_code``) or, when it holds an ``@``, the e-mail
  of its account.

Each ERP invoice becomes one document through ``issue_document`` with ``origin=erp``, the ERP's own
number as its number (and ``erp_number``), issued on the ERP's date, its lines on the ``erp`` channel
with their totals rounded per line by ``core.money``. Its PDF then comes from the outbox task, like a
daily-run invoice, and it shows in the customer's "My invoices".

Every invoice is imported in its own transaction: a bad row (reported with its line number and the
reason) refuses the whole invoice it belongs to and nothing of that invoice is written, while the
file's other invoices are imported. Re-importing a file is safe: an ERP number already imported with
the same content is skipped (reported), with different content it is refused (an issued invoice
never changes). A file that cannot be read at all (too large, not a CSV, unknown encoding, missing
columns) raises ``InvalidErpFile`` and nothing is imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Address, CustomerProfile, User
from core.money import money_round

from ..errors import InvalidErpFile
from ..models import DocumentKind, DocumentOrigin, Invoice, LineChannel
from .issuing import Customer, Draft, DraftLine, account_customer, issue_document

if TYPE_CHECKING:
    from collections.abc import Iterable

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_LINES_PER_INVOICE = 500
UTF8_BOM = b"\xef\xbb\xbf"

# Percentages: France (20, 10, 5.5, 2.1), Corsica (13, 10, 2.1, 0.9), the overseas departments
# (8.5, 2.1, 1.75, 1.05), and 0 (exempt, exports, intra-EU supplies).
VAT_RATES = frozenset(Decimal(r) for r in ("0", "0.9", "1.05", "1.75", "2.1", "5.5", "8.5", "10", "13", "20"))

# Column -> accepted header names, normalised (lower case, no accents, "_" for spaces and dashes).
COLUMNS: dict[str, tuple[str, ...]] = {
    "number": (
        "numero_facture", "numero", "num_facture", "no_facture", "n_facture", "facture",
        "invoice_number", "invoice_no", "invoice", "number",
    ),
    "date": ("date", "date_facture", "invoice_date"),
    "customer": (
        "client", "code_client", "client_code", "email", "e_mail", "email_client", "mail",
        "customer", "customer_code", "customer_email",
    ),
    "label": ("libelle", "designation", "description", "label", "article"),
    "quantity": ("quantite", "qte", "qty", "quantity"),
    "unit_price": (
        "prix_unitaire_ht", "prix_unitaire", "pu_ht", "prix_ht", "unit_price_ht", "unit_price_net",
        "unit_price", "price",
    ),
    "vat_rate": ("taux_tva", "tva", "taux", "vat_rate", "vat", "tax_rate"),
}  # fmt: skip
HEADER_TO_COLUMN = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
MAX_LABEL = 250
MAX_NUMBER = 40
NUMBER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_./-]*$")


# --- the report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    line: int  # the line of the file (the header is line 1)
    message: str
    invoice_number: str = ""


@dataclass(frozen=True)
class RefusedInvoice:
    number: str
    lines: list[int]  # the file lines of its rows
    reasons: list[str]


@dataclass
class ImportReport:
    filename: str
    rows: int = 0
    imported: list[str] = field(default_factory=list)  # ERP numbers issued now
    already_imported: list[str] = field(default_factory=list)  # same number, same content: skipped
    refused: list[RefusedInvoice] = field(default_factory=list)
    row_errors: list[RowError] = field(default_factory=list)  # every bad row, with its line number
    document_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing was refused (a skipped re-import is fine)."""
        return not self.refused and not self.row_errors

    def as_text(self) -> str:
        out = [
            _("%(filename)s: %(rows)d row(s); %(imported)d invoice(s) imported, %(skipped)d already "
              "imported, %(refused)d refused.")
            % {
                "filename": self.filename,
                "rows": self.rows,
                "imported": len(self.imported),
                "skipped": len(self.already_imported),
                "refused": len(self.refused),
            }
        ]  # fmt: skip
        if self.imported:
            out.append(_("Imported: %(numbers)s") % {"numbers": ", ".join(self.imported)})
        if self.already_imported:
            out.append(
                _("Already imported (skipped): %(numbers)s") % {"numbers": ", ".join(self.already_imported)}
            )
        for error in self.row_errors:
            out.append(
                _("Line %(line)d%(invoice)s: %(message)s")
                % {
                    "line": error.line,
                    "invoice": f" ({error.invoice_number})" if error.invoice_number else "",
                    "message": error.message,
                }
            )
        for refused in self.refused:
            out.append(
                _("Invoice %(number)s not imported (lines %(lines)s): %(reasons)s")
                % {
                    "number": refused.number,
                    "lines": ", ".join(str(n) for n in refused.lines),
                    "reasons": "; ".join(refused.reasons),
                }
            )
        return "\n".join(out)


# --- reading the file -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    line: int
    number: str
    date: dt.date
    customer: str
    label: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal  # a fraction (0.2000), as stored


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else Windows-1252; ``InvalidErpFile`` when neither reads it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidErpFile(_('The file is UTF-16 ("Unicode text"): save it as CSV UTF-8 or CSV (;).'))
    if data.startswith(UTF8_BOM):
        try:
            return data[len(UTF8_BOM) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidErpFile(
                _("The file starts as UTF-8 but byte %(at)d is not UTF-8: save it again as CSV UTF-8.")
                % {"at": exc.start + len(UTF8_BOM) + 1}
            ) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InvalidErpFile(
            _("The file is neither UTF-8 nor Windows-1252 (byte %(at)d): save it as CSV UTF-8 or CSV (;).")
            % {"at": exc.start + 1}
        ) from exc


def _normalise_header(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", plain.strip().lower()).strip("_")


def parse_decimal(text: str) -> Decimal:
    """``1 234,50`` / ``1234.5`` / ``-3`` -> Decimal; ``ValueError`` otherwise (both ``,`` and ``.``
    in one number are refused: ``1.234,50`` could be read two ways)."""
    value = re.sub(r"[\s\u00a0\u202f]", "", text)
    if "," in value and "." in value:
        raise ValueError(text)
    value = value.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", value):
        raise ValueError(text)
    try:
        return Decimal(value)
    except InvalidOperation as exc:  # pragma: no cover - the pattern above already refused it
        raise ValueError(text) from exc


def parse_date(text: str) -> dt.date:
    value = text.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def _read_rows(text: str, report: ImportReport) -> list[_Row]:
    if "\x00" in text:
        raise InvalidErpFile(_("This is not a CSV file (it holds binary data)."))
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if ";" not in first:
        raise InvalidErpFile(
            _("The first line is not a header of columns separated by ';': is this the ERP's CSV export?")
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header: list[str] | None = None
    columns: dict[str, int] = {}
    rows: list[_Row] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = record
                columns = _columns(header)
                continue
            report.rows += 1
            if report.rows > MAX_ROWS:
                raise InvalidErpFile(_("The file has more than %(max)d rows: split it.") % {"max": MAX_ROWS})
            row = _parse_row(record, columns, line, report)
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        raise InvalidErpFile(
            _("Line %(line)d cannot be read as CSV: %(error)s") % {"line": reader.line_num, "error": exc}
        ) from exc
    if header is None:
        raise InvalidErpFile(_("The file is empty."))
    return rows


def _columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        column = HEADER_TO_COLUMN.get(_normalise_header(name))
        if column is not None and column not in columns:
            columns[column] = index
    missing = [COLUMNS[c][0] for c in COLUMNS if c not in columns]
    if missing:
        raise InvalidErpFile(
            _("The header row lacks the column(s) %(missing)s (expected e.g. %(example)s).")
            % {"missing": ", ".join(missing), "example": ";".join(aliases[0] for aliases in COLUMNS.values())}
        )
    return columns


def _parse_row(record: list[str], columns: dict[str, int], line: int, report: ImportReport) -> _Row | None:
    """One row, or ``None`` with its errors added to the report (all of the row's problems at once)."""

    def cell(column: str) -> str:
        index = columns[column]
        return record[index].strip() if index < len(record) else ""

    number = cell("number")
    problems: list[str] = []
    if not number:
        problems.append(_("the invoice number is empty"))
    elif len(number) > MAX_NUMBER or not NUMBER_RE.match(number):
        problems.append(_("the invoice number %(value)r is not a valid number") % {"value": number[:60]})
    date: dt.date | None = None
    try:
        date = parse_date(cell("date"))
    except ValueError:
        problems.append(
            _("the date %(value)r is not DD/MM/YYYY or YYYY-MM-DD") % {"value": cell("date")[:40]}
        )
    customer = cell("customer")
    if not customer:
        problems.append(_("the customer is empty"))
    label = cell("label")
    if not label:
        problems.append(_("the label is empty"))
    elif len(label) > MAX_LABEL:
        problems.append(_("the label is longer than %(max)d characters") % {"max": MAX_LABEL})
    quantity = _number(cell("quantity"), _("quantity"), problems)
    if quantity is not None and not (0 < quantity < Decimal("1e8") and _places(quantity) <= 3):
        problems.append(_("the quantity must be above 0 and below 100 000 000, with at most 3 decimals"))
    unit_price = _number(cell("unit_price"), _("unit price"), problems)
    if unit_price is not None and not (abs(unit_price) < Decimal("1e8") and _places(unit_price) <= 4):
        problems.append(_("the unit price must stay below 100 000 000, with at most 4 decimals"))
    rate = _number(cell("vat_rate"), _("VAT rate"), problems)
    if rate is not None and rate.normalize() not in VAT_RATES:
        problems.append(
            _("the VAT rate %(value)s %% is not a French rate (write a percentage: 20, 10, 5,5, 2,1…)")
            % {"value": cell("vat_rate")}
        )
    if problems:
        message = "; ".join(problems)
        report.row_errors.append(RowError(line=line, message=message, invoice_number=number))
        return None
    assert date is not None and quantity is not None and unit_price is not None and rate is not None
    return _Row(
        line=line,
        number=number,
        date=date,
        customer=customer,
        label=label,
        quantity=quantity,
        unit_price=unit_price,
        vat_rate=(rate / 100).quantize(Decimal("0.0001")),
    )


def _places(value: Decimal) -> int:
    """How many decimals ``value`` needs (``2,50`` -> 1; ``1,000`` -> 0)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 99


def _number(text: str, what: str, problems: list[str]) -> Decimal | None:
    if not text:
        problems.append(_("the %(what)s is empty") % {"what": what})
        return None
    try:
        return parse_decimal(text)
    except ValueError:
        problems.append(_("the %(what)s %(value)r is not a number") % {"what": what, "value": text[:40]})
        return None


# --- the invoices ---------------------------------------------------------------------------------


@dataclass
class _ErpInvoice:
    number: str
    rows: list[_Row] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)

    @property
    def lines(self) -> list[int]:
        return sorted([row.line for row in self.rows] + self.bad_lines)


def _line_amounts(row: _Row) -> tuple[Decimal, Decimal, Decimal]:
    """Net, VAT and gross of one line, each rounded once (``core.money``): VAT on the rounded net."""
    net = money_round(row.quantity * row.unit_price)
    vat = money_round(net * row.vat_rate)
    return net, vat, net + vat


def _content(
    business_date: dt.date, customer_id: int | None, lines: Iterable[tuple[str, Decimal, Decimal, Decimal]]
) -> tuple[object, ...]:
    """What makes two imports of one ERP number "the same invoice"."""
    return (
        business_date,
        customer_id,
        tuple(
            (label, quantity.normalize(), unit_price.normalize(), rate.normalize())
            for label, quantity, unit_price, rate in lines
        ),
    )


class _Customers:
    """Customers named by the file, found once each: ERP code first, then the account's e-mail."""

    def __init__(self) -> None:
        self._found: dict[str, User | None] = {}
        self._snapshots: dict[int, Customer] = {}

    def snapshot(self, user: User) -> Customer:
        if user.pk not in self._snapshots:
            self._snapshots[user.pk] = customer_snapshot(user)
        return self._snapshots[user.pk]

    def get(self, key: str) -> User | None:
        if key not in self._found:
            profile = CustomerProfile.objects.select_related("user").filter(erp_code=key).first()
            user = profile.user if profile is not None else None
            if user is None and "@" in key:
                user = User.objects.filter(email__iexact=key).first()
            self._found[key] = user if user is not None and user.is_active else None
        return self._found[key]


def customer_snapshot(user: User) -> Customer:
    """The customer as printed: the default billing address (else the latest), company details."""
    address = Address.objects.filter(user=user).order_by("-is_default_billing", "-id").first()
    billing: dict[str, str] = {}
    if address is not None:
        billing = {
            "first_name": address.first_name,
            "last_name": address.last_name,
            "line1": address.line1,
            "line2": address.line2,
            "postal_code": address.postal_code,
            "city": address.city,
            "country": address.country,
        }
    return account_customer(user, billing_address=billing)


def _own_series_pattern() -> re.Pattern[str]:
    series = "|".join(re.escape(s) for s in (settings.INVOICE_SERIES, settings.CREDIT_NOTE_SERIES))
    return re.compile(rf"^({series})-\d{{4}}-\d+$", re.IGNORECASE)


def import_erp_invoices(*, data: bytes, filename: str, user: User | None = None) -> ImportReport:
    """Issue the ERP invoices of one CSV file, each in its own transaction; see the module docstring.

    ``user`` (who uploaded it) is not stored on the documents; it is kept for the signature the
    admin and the command share. Raises ``InvalidErpFile`` for a file that cannot be read at all."""
    report = ImportReport(filename=filename)
    if len(data) > MAX_BYTES:
        raise InvalidErpFile(
            _("The file is %(size)d kB; the limit is %(max)d kB: split it.")
            % {"size": len(data) // 1024, "max": MAX_BYTES // 1024}
        )
    if not filename.lower().endswith((".csv", ".txt")):
        raise InvalidErpFile(_("Expected a .csv file (the ERP's export), not %(name)s.") % {"name": filename})
    if not data.strip(UTF8_BOM + b" \r\n\t"):
        raise InvalidErpFile(_("The file is empty."))
    rows = _read_rows(decode(data), report)

    invoices: dict[str, _ErpInvoice] = {}
    for error in report.row_errors:
        if error.invoice_number:
            invoices.setdefault(error.invoice_number, _ErpInvoice(error.invoice_number)).bad_lines.append(
                error.line
            )
    for row in rows:
        invoices.setdefault(row.number, _ErpInvoice(row.number)).rows.append(row)
    for invoice in invoices.values():  # file order: first row of each invoice
        invoice.rows.sort(key=lambda r: r.line)

    numbers = list(invoices)
    existing = {
        doc.number: doc
        for doc in Invoice.objects.filter(Q(number__in=numbers) | Q(erp_number__in=numbers)).prefetch_related(
            "lines"
        )
    }
    existing.update({doc.erp_number: doc for doc in existing.values() if doc.erp_number})
    own_series = _own_series_pattern()
    customers = _Customers()

    for number, erp in sorted(invoices.items(), key=lambda item: item[1].lines[0]):
        reasons = _check(erp, customers, own_series)
        if erp.bad_lines:
            reasons.insert(
                0, _("bad row(s) at line(s) %(lines)s") % {"lines": ", ".join(map(str, erp.bad_lines))}
            )
        if reasons:
            report.refused.append(RefusedInvoice(number=number, lines=erp.lines, reasons=reasons))
            continue
        customer = customers.get(erp.rows[0].customer)
        assert customer is not None
        content = _content(
            erp.rows[0].date,
            customer.pk,
            ((r.label, r.quantity, r.unit_price, r.vat_rate) for r in erp.rows),
        )
        previous = existing.get(number)
        if previous is None:
            try:
                document = _issue(erp, customers.snapshot(customer))
            except IntegrityError:
                # Imported at this very moment by another upload of the same file (or the number was
                # just taken): compare with what is there now.
                previous = Invoice.objects.filter(Q(number=number) | Q(erp_number=number)).first()
                if previous is None:  # pragma: no cover - an integrity error with no such row
                    raise
            else:
                report.imported.append(number)
                report.document_ids.append(document.pk)
                continue
        if previous.erp_number != number:
            report.refused.append(
                RefusedInvoice(
                    number=number,
                    lines=erp.lines,
                    reasons=[
                        _("the number %(number)s is already the number of one of our documents")
                        % {"number": number}
                    ],
                )
            )
        elif _stored_content(previous) == content:
            report.already_imported.append(number)
        else:
            report.refused.append(
                RefusedInvoice(
                    number=number,
                    lines=erp.lines,
                    reasons=[
                        _(
                            "already imported with different content (%(date)s): an issued invoice never "
                            "changes; the ERP must issue a credit note and a new invoice"
                        )
                        % {"date": previous.issued_on.isoformat()}
                    ],
                )  # fmt: skip
            )
    return report


def _check(erp: _ErpInvoice, customers: _Customers, own_series: re.Pattern[str]) -> list[str]:
    """Why the invoice (its good rows) cannot be issued; empty when it can."""
    if not erp.rows:
        return []
    reasons: list[str] = []
    if own_series.match(erp.number):
        reasons.append(
            _("the number %(number)s looks like our own series (%(series)s): an ERP number must not")
            % {"number": erp.number, "series": f"{settings.INVOICE_SERIES}, {settings.CREDIT_NOTE_SERIES}"}
        )
    first = erp.rows[0]
    for row in erp.rows[1:]:
        if row.date != first.date:
            reasons.append(
                _("line %(line)d has the date %(date)s, line %(first)d %(first_date)s: one invoice, one date")
                % {"line": row.line, "date": row.date, "first": first.line, "first_date": first.date}
            )
        if row.customer != first.customer:
            reasons.append(
                _("line %(line)d names the customer %(customer)r, line %(first)d %(first_customer)r")
                % {
                    "line": row.line,
                    "customer": row.customer,
                    "first": first.line,
                    "first_customer": first.customer,
                }
            )
    if customers.get(first.customer) is None:
        reasons.append(
            _("unknown customer %(customer)r (line %(line)d): no customer has this ERP code or e-mail")
            % {"customer": first.customer, "line": first.line}
        )
    if len(erp.rows) + len(erp.bad_lines) > MAX_LINES_PER_INVOICE:
        reasons.append(_("more than %(max)d lines") % {"max": MAX_LINES_PER_INVOICE})
    if sum((_line_amounts(row)[2] for row in erp.rows), Decimal("0")) < 0:
        reasons.append(_("its total is negative: a credit note is not an invoice"))
    return reasons


def _stored_content(document: Invoice) -> tuple[object, ...]:
    return _content(
        document.business_date,
        document.customer_id,
        ((line.label, line.quantity, line.unit_price_net, line.vat_rate) for line in document.lines.all()),
    )


@transaction.atomic(durable=True)
def _issue(erp: _ErpInvoice, customer: Customer) -> Invoice:
    """One ERP invoice, in its own transaction (a failure leaves nothing of it)."""
    date = erp.rows[0].date
    place = _("ERP")
    lines = []
    for row in erp.rows:
        net, vat, gross = _line_amounts(row)
        lines.append(
            DraftLine(
                channel=LineChannel.ERP,
                place=place,
                sale_date=date,
                label=row.label,
                quantity=row.quantity,
                unit_price_net=row.unit_price,
                vat_rate=row.vat_rate,
                total_net=net,
                total_vat=vat,
                total_gross=gross,
            )
        )
    draft = Draft(
        kind=DocumentKind.INVOICE,
        origin=DocumentOrigin.ERP,
        customer=customer,
        business_date=date,
        lines=lines,
        erp_number=erp.number,
        number=erp.number,
    )
    return issue_document(draft=draft, issued_on=date)
