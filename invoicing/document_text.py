"""The words printed on an invoice or credit note PDF, per language, and how amounts and dates read.

A legal document's wording is fixed here rather than in the gettext catalogue: the mentions French
law asks for ("FACTURE", "AVOIR", the 40 EUR recovery indemnity...) must come out word for word
whatever catalogue was compiled, and the document keeps the language it was issued in
(``Invoice.language``). French is the default and the fallback.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

DEFAULT_LANGUAGE = "fr"

TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "invoice": "FACTURE",
        "credit_note": "AVOIR",
        "credit_note_of": "Avoir sur facture {number} du {date}",
        "number": "N°",
        "issued_on": "Date d'émission",
        "sale_dates": "Date(s) de vente",
        "seller": "Vendeur",
        "billed_to": "Facturé à",
        "vat_number": "N° TVA intracommunautaire",
        "siren": "SIREN",
        "siret": "SIRET",
        "customer_vat": "N° TVA",
        "sku": "Réf.",
        "label": "Désignation",
        "place": "Lieu d'achat",
        "sale_date": "Date",
        "quantity": "Qté",
        "unit_price": "PU HT",
        "vat_rate": "TVA",
        "line_total": "Total HT",
        "discount": "Remise incluse : {amount} TTC",
        "rate": "Taux de TVA",
        "base": "Base HT",
        "vat": "Montant TVA",
        "gross": "Total TTC",
        "total_net": "Total HT",
        "total_vat": "Total TVA",
        "total_gross": "Total TTC",
        "paid": "Déjà réglé",
        "due": "Net à payer",
        "nothing_due": "Reste à régler",
        "payments": "Règlements",
        "no_payment": "Aucun règlement reçu à ce jour.",
        "payment_terms": "Conditions de paiement",
        "late_penalty": "Pénalités de retard",
        "recovery": "Indemnité forfaitaire pour frais de recouvrement : 40 €",
        "vat_breakdown": "Récapitulatif TVA",
        "page": "Page",
        "of": "sur",
        "facturx": "Facture électronique Factur-X (EN 16931) : données structurées jointes à ce PDF.",
        "phone": "Tél.",
    },
    "en": {
        "invoice": "INVOICE",
        "credit_note": "CREDIT NOTE",
        "credit_note_of": "Credit note on invoice {number} of {date}",
        "number": "No.",
        "issued_on": "Issue date",
        "sale_dates": "Sale date(s)",
        "seller": "Seller",
        "billed_to": "Billed to",
        "vat_number": "EU VAT number",
        "siren": "SIREN",
        "siret": "SIRET",
        "customer_vat": "VAT no.",
        "sku": "SKU",
        "label": "Description",
        "place": "Bought at",
        "sale_date": "Date",
        "quantity": "Qty",
        "unit_price": "Unit price excl. VAT",
        "vat_rate": "VAT",
        "line_total": "Total excl. VAT",
        "discount": "Discount included: {amount} incl. VAT",
        "rate": "VAT rate",
        "base": "Net",
        "vat": "VAT",
        "gross": "Total incl. VAT",
        "total_net": "Total excl. VAT",
        "total_vat": "Total VAT",
        "total_gross": "Total incl. VAT",
        "paid": "Already paid",
        "due": "Amount due",
        "nothing_due": "Amount due",
        "payments": "Payments",
        "no_payment": "No payment received yet.",
        "payment_terms": "Payment terms",
        "late_penalty": "Late-payment penalties",
        "recovery": "Fixed recovery indemnity (Indemnité forfaitaire pour frais de recouvrement) : 40 €",
        "vat_breakdown": "VAT summary",
        "page": "Page",
        "of": "of",
        "facturx": "Factur-X electronic invoice (EN 16931): structured data attached to this PDF.",
        "phone": "Tel.",
    },
    "it": {
        "invoice": "FATTURA",
        "credit_note": "NOTA DI CREDITO",
        "credit_note_of": "Nota di credito sulla fattura {number} del {date}",
        "number": "N.",
        "issued_on": "Data di emissione",
        "sale_dates": "Data/e di vendita",
        "seller": "Venditore",
        "billed_to": "Intestata a",
        "vat_number": "Partita IVA intracomunitaria",
        "siren": "SIREN",
        "siret": "SIRET",
        "customer_vat": "P. IVA",
        "sku": "Cod.",
        "label": "Descrizione",
        "place": "Luogo d'acquisto",
        "sale_date": "Data",
        "quantity": "Q.tà",
        "unit_price": "Prezzo unit. IVA escl.",
        "vat_rate": "IVA",
        "line_total": "Totale IVA escl.",
        "discount": "Sconto incluso: {amount} IVA incl.",
        "rate": "Aliquota IVA",
        "base": "Imponibile",
        "vat": "IVA",
        "gross": "Totale IVA incl.",
        "total_net": "Totale IVA escl.",
        "total_vat": "Totale IVA",
        "total_gross": "Totale IVA incl.",
        "paid": "Già pagato",
        "due": "Importo dovuto",
        "nothing_due": "Importo dovuto",
        "payments": "Pagamenti",
        "no_payment": "Nessun pagamento ricevuto.",
        "payment_terms": "Condizioni di pagamento",
        "late_penalty": "Penali di ritardo",
        "recovery": "Indennità forfettaria per spese di recupero "
        "(Indemnité forfaitaire pour frais de recouvrement) : 40 €",
        "vat_breakdown": "Riepilogo IVA",
        "page": "Pagina",
        "of": "di",
        "facturx": "Fattura elettronica Factur-X (EN 16931): dati strutturati allegati a questo PDF.",
        "phone": "Tel.",
    },
}

PAYMENT_METHODS: dict[str, dict[str, str]] = {
    "fr": {
        "card": "Carte bancaire",
        "cash": "Espèces",
        "store_credit": "Avoir magasin",
        "gift_card": "Carte cadeau",
        "paypal": "PayPal",
        "stripe": "Carte bancaire (en ligne)",
        "transfer": "Virement",
        "cheque": "Chèque",
    },
    "en": {
        "card": "Card",
        "cash": "Cash",
        "store_credit": "Store credit",
        "gift_card": "Gift card",
        "paypal": "PayPal",
        "stripe": "Card (online)",
        "transfer": "Bank transfer",
        "cheque": "Cheque",
    },
    "it": {
        "card": "Carta",
        "cash": "Contanti",
        "store_credit": "Buono negozio",
        "gift_card": "Carta regalo",
        "paypal": "PayPal",
        "stripe": "Carta (online)",
        "transfer": "Bonifico",
        "cheque": "Assegno",
    },
}

CENT = Decimal("0.01")


def language_of(code: str) -> str:
    return code if code in TEXT else DEFAULT_LANGUAGE


def money(value: Decimal | str, language: str) -> str:
    """``1234.5`` -> ``1 234,50 €`` (fr, it) or ``1,234.50 €`` (en). Non-breaking spaces."""
    amount = Decimal(value).quantize(CENT, ROUND_HALF_UP)
    text = f"{amount:,.2f}"
    if language != "en":
        text = text.replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0€"


def unit_price(value: Decimal | str, language: str) -> str:
    """A net unit price to the cent (``12,50 €``), or with its four decimals when it has more
    (``5,6872 €``): the quantity times the printed price then gives the line's total."""
    amount = Decimal(value)
    places = 2 if amount == amount.quantize(CENT) else 4
    text = f"{amount.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,.{places}f}"
    if language != "en":
        text = text.replace(",", "\u202f").replace(".", ",")
    return f"{text}\u00a0€"


def number(value: Decimal, language: str, *, places: int = 4) -> str:
    """A quantity or unit price without useless zeros: ``2.000`` -> ``2``, ``12.5000`` -> ``12,50``."""
    text = format(Decimal(value).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP), "f")
    if "." in text:
        head, tail = text.split(".")
        tail = tail.rstrip("0")
        text = f"{head}.{tail.ljust(2, '0')}" if tail else head
    return text.replace(".", ",") if language != "en" else text


def percent(rate: Decimal | str, language: str) -> str:
    """``0.2000`` -> ``20 %``, ``0.0550`` -> ``5,5 %`` (fr)."""
    value = (Decimal(rate) * 100).normalize()
    text = format(value, "f")
    if language != "en":
        return text.replace(".", ",") + "\u00a0%"
    return f"{text}%"


def date(day: dt.date | str, language: str) -> str:
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return day.strftime("%d/%m/%Y")


def grouped(digits: str, size: int = 3) -> str:
    """``832047153`` -> ``832 047 153`` (SIREN); a SIRET ``83204715300016`` -> ``832 047 153 00016``."""
    if len(digits) == 14:
        return f"{grouped(digits[:9])} {digits[9:]}"
    return " ".join(digits[i : i + size] for i in range(0, len(digits), size))
