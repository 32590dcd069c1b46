"""The CII XML (UN/CEFACT Cross Industry Invoice, EN 16931 profile) embedded in every invoice PDF.

Factur-X is a PDF/A-3 whose attachment ``factur-x.xml`` says in structured data what the page says
to a person, so a business customer's accounting software reads the invoice without typing it in
(France's e-invoicing reform expects it). ``cii_xml(invoice, lines)`` builds it from the issued
document only (its seller and customer snapshots, lines and totals; never from today's settings),
with lxml, in the element order of the EN 16931 XSD that ``facturx.xml_check_xsd`` checks.

- type code 380 (commercial invoice) or 381 (credit note; amounts stay positive and the credited
  invoice is named in ``InvoiceReferencedDocument``);
- seller: legal name, SIREN (scheme 0002), address, VAT number (scheme VA); buyer: name, address,
  and for a business customer its SIREN and VAT number;
- one ``IncludedSupplyChainTradeLineItem`` per line (SKU, label, net unit price, quantity, VAT
  category and rate, net total; a discount is a line allowance), one ``ApplicableTradeTax`` per
  rate of the document's ``vat_breakdown``, the totals, what was already paid and what is due;
- payment terms, and the French notes a business invoice carries (late-payment penalties, the
  40 EUR recovery indemnity).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from lxml import etree  # type: ignore[import-untyped]

if TYPE_CHECKING:
    from .models import Invoice, InvoiceLine

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
EN16931 = "urn:cen.eu:en16931:2017"
INVOICE_TYPE_CODE = "380"
CREDIT_NOTE_TYPE_CODE = "381"
UNIT_CODE = "C62"  # "one" (a unit): UN/ECE recommendation 20
SIREN_SCHEME = "0002"  # ISO 6523 ICD of the French SIRENE register
RECOVERY_INDEMNITY = "Indemnité forfaitaire pour frais de recouvrement : 40 €"

CENT = Decimal("0.01")


def cii_xml(invoice: Invoice, lines: Sequence[InvoiceLine]) -> bytes:
    """The document as EN 16931 CII XML (UTF-8, with its declaration)."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)

    context = _sub(root, RSM, "ExchangedDocumentContext")
    _sub(_sub(context, RAM, "GuidelineSpecifiedDocumentContextParameter"), RAM, "ID", EN16931)

    document = _sub(root, RSM, "ExchangedDocument")
    _sub(document, RAM, "ID", invoice.number)
    _sub(document, RAM, "TypeCode", CREDIT_NOTE_TYPE_CODE if invoice.is_credit_note else INVOICE_TYPE_CODE)
    _date(_sub(document, RAM, "IssueDateTime"), UDT, invoice.issued_on)
    for subject, text in _notes(invoice):
        note = _sub(document, RAM, "IncludedNote")
        _sub(note, RAM, "Content", text)
        _sub(note, RAM, "SubjectCode", subject)

    transaction = _sub(root, RSM, "SupplyChainTradeTransaction")
    for line in lines:
        _line(transaction, line)

    agreement = _sub(transaction, RAM, "ApplicableHeaderTradeAgreement")
    _seller(agreement, invoice.seller)
    _buyer(agreement, invoice)

    delivery = _sub(transaction, RAM, "ApplicableHeaderTradeDelivery")
    sale_dates = sorted({line.sale_date for line in lines}) or [invoice.business_date]
    event = _sub(delivery, RAM, "ActualDeliverySupplyChainEvent")
    _date(_sub(event, RAM, "OccurrenceDateTime"), UDT, sale_dates[-1])

    settlement = _sub(transaction, RAM, "ApplicableHeaderTradeSettlement")
    _sub(settlement, RAM, "InvoiceCurrencyCode", invoice.currency)
    for row in invoice.vat_breakdown:
        rate = Decimal(row["rate"])
        tax = _sub(settlement, RAM, "ApplicableTradeTax")
        _sub(tax, RAM, "CalculatedAmount", _amount(row["vat"]))
        _sub(tax, RAM, "TypeCode", "VAT")
        _sub(tax, RAM, "BasisAmount", _amount(row["net"]))
        _sub(tax, RAM, "CategoryCode", _category(rate))
        _sub(tax, RAM, "RateApplicablePercent", _percent(rate))
    if len(sale_dates) > 1:
        period = _sub(settlement, RAM, "BillingSpecifiedPeriod")
        _date(_sub(period, RAM, "StartDateTime"), UDT, sale_dates[0])
        _date(_sub(period, RAM, "EndDateTime"), UDT, sale_dates[-1])
    if invoice.payment_terms or invoice.due_date:
        terms = _sub(settlement, RAM, "SpecifiedTradePaymentTerms")
        if invoice.payment_terms:
            _sub(terms, RAM, "Description", invoice.payment_terms)
        if invoice.due_date:  # BT-9: orders on payment terms
            _date(_sub(terms, RAM, "DueDateDateTime"), UDT, invoice.due_date)
    summation = _sub(settlement, RAM, "SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(summation, RAM, "LineTotalAmount", _amount(sum((ln.total_net for ln in lines), Decimal(0))))
    _sub(summation, RAM, "TaxBasisTotalAmount", _amount(invoice.total_net))
    _sub(summation, RAM, "TaxTotalAmount", _amount(invoice.total_vat), currencyID=invoice.currency)
    _sub(summation, RAM, "GrandTotalAmount", _amount(invoice.total_gross))
    _sub(summation, RAM, "TotalPrepaidAmount", _amount(invoice.paid_amount))
    _sub(summation, RAM, "DuePayableAmount", _amount(invoice.amount_due))
    credited = invoice.credited_invoice
    if credited is not None:
        reference = _sub(settlement, RAM, "InvoiceReferencedDocument")
        _sub(reference, RAM, "IssuerAssignedID", credited.number)
        _date(_sub(reference, RAM, "FormattedIssueDateTime"), QDT, credited.issued_on)

    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# --- parts ----------------------------------------------------------------------------------------


def _line(parent: Any, line: InvoiceLine) -> None:
    item = _sub(parent, RAM, "IncludedSupplyChainTradeLineItem")
    _sub(_sub(item, RAM, "AssociatedDocumentLineDocument"), RAM, "LineID", str(line.position))
    product = _sub(item, RAM, "SpecifiedTradeProduct")
    if line.sku:
        _sub(product, RAM, "SellerAssignedID", line.sku)
    _sub(product, RAM, "Name", line.label)
    agreement = _sub(item, RAM, "SpecifiedLineTradeAgreement")
    price = _sub(agreement, RAM, "NetPriceProductTradePrice")
    _sub(price, RAM, "ChargeAmount", _decimal(line.unit_price_net, 4))
    _sub(
        _sub(item, RAM, "SpecifiedLineTradeDelivery"),
        RAM,
        "BilledQuantity",
        _decimal(line.quantity, 3),
        unitCode=UNIT_CODE,
    )
    settlement = _sub(item, RAM, "SpecifiedLineTradeSettlement")
    tax = _sub(settlement, RAM, "ApplicableTradeTax")
    _sub(tax, RAM, "TypeCode", "VAT")
    _sub(tax, RAM, "CategoryCode", _category(line.vat_rate))
    _sub(tax, RAM, "RateApplicablePercent", _percent(line.vat_rate))
    # Net price x quantity, less what the line's discount took off (net): a line allowance.
    allowance = (line.quantity * line.unit_price_net).quantize(CENT, ROUND_HALF_UP) - line.total_net
    if allowance > 0:
        charge = _sub(settlement, RAM, "SpecifiedTradeAllowanceCharge")
        _sub(_sub(charge, RAM, "ChargeIndicator"), UDT, "Indicator", "false")
        _sub(charge, RAM, "ActualAmount", _amount(allowance))
        _sub(charge, RAM, "Reason", "Remise")
    elif allowance < 0:  # rounding of the gross price: a cent more than net x quantity
        charge = _sub(settlement, RAM, "SpecifiedTradeAllowanceCharge")
        _sub(_sub(charge, RAM, "ChargeIndicator"), UDT, "Indicator", "true")
        _sub(charge, RAM, "ActualAmount", _amount(-allowance))
        _sub(charge, RAM, "Reason", "Arrondi")
    summation = _sub(settlement, RAM, "SpecifiedTradeSettlementLineMonetarySummation")
    _sub(summation, RAM, "LineTotalAmount", _amount(line.total_net))


def _seller(parent: Any, seller: dict[str, Any]) -> None:
    party = _sub(parent, RAM, "SellerTradeParty")
    _sub(party, RAM, "Name", seller.get("legal_name", ""))
    if seller.get("legal_form"):
        _sub(party, RAM, "Description", seller["legal_form"])
    legal = _sub(party, RAM, "SpecifiedLegalOrganization")
    _sub(legal, RAM, "ID", seller.get("siren", ""), schemeID=SIREN_SCHEME)
    _address(
        party,
        lines=list(seller.get("address_lines", [])),
        postal_code=seller.get("postal_code", ""),
        city=seller.get("city", ""),
        country=seller.get("country", "") or "FR",
    )
    if seller.get("email"):
        uri = _sub(party, RAM, "URIUniversalCommunication")
        _sub(uri, RAM, "URIID", seller["email"], schemeID="EM")
    if seller.get("vat_number"):
        vat = _vat_number(seller["vat_number"], seller.get("country", "") or "FR")
        _sub(_sub(party, RAM, "SpecifiedTaxRegistration"), RAM, "ID", vat, schemeID="VA")


def _buyer(parent: Any, invoice: Invoice) -> None:
    party = _sub(parent, RAM, "BuyerTradeParty")
    _sub(party, RAM, "Name", invoice.customer_company or invoice.customer_name)
    if invoice.customer_siren:
        legal = _sub(party, RAM, "SpecifiedLegalOrganization")
        _sub(legal, RAM, "ID", invoice.customer_siren, schemeID=SIREN_SCHEME)
    if invoice.customer_company and invoice.customer_name:
        contact = _sub(party, RAM, "DefinedTradeContact")
        _sub(contact, RAM, "PersonName", invoice.customer_name)
    address = invoice.billing_address or {}
    _address(
        party,
        lines=[address.get("line1", ""), address.get("line2", "")],
        postal_code=address.get("postal_code", ""),
        city=address.get("city", ""),
        country=(address.get("country") or "FR").upper(),
    )
    if invoice.customer_email:
        uri = _sub(party, RAM, "URIUniversalCommunication")
        _sub(uri, RAM, "URIID", invoice.customer_email, schemeID="EM")
    if invoice.customer_vat_number:
        tax = _sub(party, RAM, "SpecifiedTaxRegistration")
        country = (address.get("country") or "FR").upper()
        _sub(tax, RAM, "ID", _vat_number(invoice.customer_vat_number, country), schemeID="VA")


def _address(parent: Any, *, lines: list[str], postal_code: str, city: str, country: str) -> None:
    address = _sub(parent, RAM, "PostalTradeAddress")
    if postal_code:
        _sub(address, RAM, "PostcodeCode", postal_code)
    for tag, text in zip(("LineOne", "LineTwo", "LineThree"), [ln for ln in lines if ln], strict=False):
        _sub(address, RAM, tag, text)
    if city:
        _sub(address, RAM, "CityName", city)
    _sub(address, RAM, "CountryID", country)


def _notes(invoice: Invoice) -> list[tuple[str, str]]:
    """(UNTDID 4451 subject code, text): the seller's legal identity, and a business customer's
    penalty and indemnity mentions, as French invoices print them."""
    seller = invoice.seller
    identity = " - ".join(
        part
        for part in (
            seller.get("legal_name", ""),
            seller.get("legal_form", ""),
            seller.get("rcs", ""),
            f"SIRET {seller['siret']}" if seller.get("siret") else "",
        )
        if part
    )
    notes = [("REG", identity)]
    if invoice.is_business:
        if invoice.late_penalty:
            notes.append(("PMD", f"Pénalités de retard : {invoice.late_penalty}"))
        notes.append(("PMT", RECOVERY_INDEMNITY))
        notes.append(("AAB", "Pas d'escompte pour paiement anticipé."))
    return notes


# --- values ---------------------------------------------------------------------------------------


def _sub(parent: Any, ns: str, tag: str, text: str | None = None, **attributes: str) -> Any:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", attrib=attributes or None)
    if text is not None:
        element.text = text
    return element


def _date(parent: Any, ns: str, day: dt.date) -> None:
    _sub(parent, ns, "DateTimeString", day.strftime("%Y%m%d"), format="102")


def _vat_number(number: str, country: str) -> str:
    """With its country prefix, as EN 16931 wants it (``core.legal`` keeps France's without)."""
    number = number.replace(" ", "").upper()
    return country.upper() + number if number[:2].isdigit() else number


def _amount(value: Decimal | str) -> str:
    return str(Decimal(value).quantize(CENT, ROUND_HALF_UP))


def _decimal(value: Decimal, places: int) -> str:
    """``value`` with at most ``places`` decimals and no trailing zeros beyond two."""
    text = str(Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))
    if "." in text:
        head, tail = text.split(".")
        tail = tail.rstrip("0")
        text = f"{head}.{tail.ljust(2, '0')}" if tail else head
    return text


def _percent(rate: Decimal) -> str:
    """A rate of ``0.2000`` -> ``20.00``; ``0.0550`` -> ``5.50``."""
    return str((Decimal(rate) * 100).quantize(CENT, ROUND_HALF_UP))


def _category(rate: Decimal) -> str:
    return "S" if Decimal(rate) > 0 else "Z"
