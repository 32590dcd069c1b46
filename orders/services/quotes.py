"""B2B quotes (issue 17): a company buyer asks for a quote from the cart, staff adjust prices and
quantities and send it (a PDF, e-mailed), a buyer of the company accepts it within its validity and
it becomes an order at the quoted prices.

Statuses (``QUOTE_TRANSITIONS``): requested -> sent -> accepted | declined | expired; staff may
cancel a requested or sent quote; the buyer may decline either. Only a requested quote's lines
change (a sent one is what the PDF says).

- ``request_quote``: only a member of an active company; an empty cart is refused. The cart's lines
  are copied with the buyer's current prices (``pricing.unit_prices``: the company's lists, its
  group's, the quantity breaks), HT per unit, as both the list price and the first quoted price.
  The cart is left as it is.
- ``update_quote_lines`` (staff): quoted price >= 0 (HT, 4 decimals at most), quantity from 1 to
  ``MAX_QUOTE_QUANTITY`` within the product's B2B minimum and pack size (``orders.services.b2b``);
  all changes or none.
- ``send_quote`` (staff): sent, ``valid_until`` = today + ``B2B_QUOTE_VALIDITY_DAYS``, and the event
  ``quote.sent``: invoicing renders the PDF in a Celery task (never in the request) and hands the
  bytes back to ``store_quote_pdf``, then ``email_quote`` e-mails it to the requester, once.
- ``accept_quote``: any member (buyer, approver, admin) of the quote's company, until the end of
  ``valid_until``. The quote row is locked first: a second accept (double click, two buyers at once)
  waits, then finds it accepted and gets the same order. The order is placed by ``place_web_order``
  at the QUOTED prices (``LineInput.unit_price_net``), its lines reserved like a checkout's (a short
  stock: ``QuoteStockShort``, 409, naming every missing line, nothing written), then settled like a
  company checkout (``b2b_terms.settle_company_order``: on terms when the company pays on terms,
  credit limit, approval above the company's limit); paid online, the order awaits its payment.
  Delivery: click & collect at a store (no shipping) or home delivery from the warehouse; the
  quoted prices include carriage (shipping 0).
- ``expire_quotes`` (beat, daily): sent quotes past ``valid_until`` become expired.

Money: a line's net is ``money_round(quoted unit HT x quantity)``, its VAT ``money_round(net x
rate)``, its gross the sum; the quote's totals add the lines up, and the order's lines repeat them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import CompanyMember, PaymentTerms
from accounts.selectors import company_membership_for
from core import events
from core.errors import ValidationFailed
from core.money import money_round
from core.numbering import next_number
from core.text import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from inventory import selectors as stock
from inventory.errors import InsufficientStock
from pricing import services as pricing
from pricing.models import Channel as PriceChannel
from shops.selectors import ShopInfo, rows_of_shop

from ..errors import (
    CartClosed,
    CartNotFound,
    EmptyCart,
    HomeDeliveryUnavailable,
    InvalidCartQuantity,
    InvalidQuoteLine,
    NotACompanyBuyer,
    QuoteExpired,
    QuoteNotFound,
    QuoteNotOpen,
    QuoteStockShort,
)
from ..events import QuoteSent
from ..models import Cart, CartStatus, DeliveryMethod, Quote, QuoteLine, QuoteStatus
from . import b2b, b2b_terms
from .cart import cart_lines
from .placing import LineInput, place_web_order

if TYPE_CHECKING:
    from accounts.models import User
    from inventory.models import Location

MAX_MESSAGE_LENGTH = 2000
MAX_QUOTE_QUANTITY = 99_999
MAX_UNIT_PRICE = Decimal("99999999.9999")
ACCEPT_METHODS = (DeliveryMethod.CLICK_AND_COLLECT, DeliveryMethod.HOME)

QUOTE_TRANSITIONS: dict[str, set[str]] = {
    QuoteStatus.REQUESTED: {QuoteStatus.SENT, QuoteStatus.DECLINED, QuoteStatus.CANCELLED},
    QuoteStatus.SENT: {
        QuoteStatus.ACCEPTED,
        QuoteStatus.DECLINED,
        QuoteStatus.EXPIRED,
        QuoteStatus.CANCELLED,
    },
    QuoteStatus.ACCEPTED: set(),
    QuoteStatus.DECLINED: set(),
    QuoteStatus.EXPIRED: set(),
    QuoteStatus.CANCELLED: set(),
}


class InvalidQuoteMessage(ValidationFailed):
    code = "invalid_quote_message"
    default_message = "The message is too long or holds characters that cannot be printed."


@dataclass(frozen=True)
class LineChange:
    """Staff's change to one line of a requested quote: its new quantity and quoted unit price (HT)."""

    line_id: int
    quantity: int
    unit_price: Decimal | str


# --- the buyer asks ---------------------------------------------------------------------------------


@transaction.atomic
def request_quote(*, cart: Cart, user: User, message: str = "") -> Quote:
    """A quote for the cart's lines at the buyer's current prices (see the module docstring)."""
    membership = company_membership_for(user)
    if membership is None:
        raise NotACompanyBuyer(_("Quotes are for the buyers of a business account."))
    message = _clean_message(message)
    if cart.user_id != user.pk:
        raise CartNotFound(detail={"token": str(cart.token)})
    if cart.status != CartStatus.OPEN:
        raise CartClosed(detail={"token": str(cart.token)})
    lines = cart_lines(cart)
    if not lines:
        raise EmptyCart(_("Your cart is empty: add products before asking for a quote."))
    company = membership.company
    prices = pricing.unit_prices(
        variants=[line.variant for line in lines],
        customer_group=company.group,
        company=company,
        channel=PriceChannel.WEB,
        quantities={line.variant_id: line.quantity for line in lines},
        shop_id=cart.shop_id,  # the shop's own list ranks below the company's and its group's
    )
    year = timezone.localdate().year
    quote = Quote.objects.create(
        number=f"Q{year}-{next_number(f'quote-{year}'):06d}",
        company=company,
        requested_by=user,
        shop_id=cart.shop_id,
        message=message,
        currency="EUR",
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    quote_lines = []
    for position, line in enumerate(lines, start=1):
        price = prices[line.variant_id]
        quote_lines.append(
            _priced(
                QuoteLine(
                    quote=quote,
                    variant=line.variant,
                    sku=line.variant.sku,
                    name=line.variant.product.name[:250],
                    quantity=line.quantity,
                    vat_rate=price.vat_rate,
                    list_unit_price=price.net,
                    quoted_unit_price=price.net,
                    position=position,
                )
            )
        )
    QuoteLine.objects.bulk_create(quote_lines)
    _set_totals(quote, quote_lines)
    return quote


# --- staff ------------------------------------------------------------------------------------------


@transaction.atomic
def update_quote_lines(*, quote: Quote, changes: list[LineChange], staff_note: str | None = None) -> Quote:
    """Set quantities and quoted prices of a requested quote's lines: every change checked first,
    then all written, or none (``InvalidQuoteLine`` / ``InvalidCartQuantity`` naming the SKU)."""
    locked = _lock(quote)
    if locked.status != QuoteStatus.REQUESTED:
        raise QuoteNotOpen(
            _("Quote %(number)s was already sent: its lines cannot change.") % {"number": locked.number},
            detail={"number": locked.number, "status": locked.status},
        )
    lines = {line.pk: line for line in locked.lines.select_related("variant__product")}
    for change in changes:
        line = lines.get(change.line_id)
        if line is None:
            raise InvalidQuoteLine(
                _("Line %(line)s is not a line of this quote.") % {"line": change.line_id},
                detail={"line": change.line_id},
            )
        line.quantity = _clean_quantity(change.quantity, line)
        line.quoted_unit_price = _clean_price(change.unit_price, line)
        _priced(line)
    QuoteLine.objects.bulk_update(
        list(lines.values()), ["quantity", "quoted_unit_price", "total_net", "total_vat", "total_gross"]
    )
    if staff_note is not None:
        locked.staff_note = _clean_message(staff_note)
        locked.save(update_fields=["staff_note", "updated_at"])
    _set_totals(locked, list(lines.values()))
    return locked


@transaction.atomic
def send_quote(*, quote: Quote, user: User | None = None) -> Quote:
    """Send a requested quote: valid ``B2B_QUOTE_VALIDITY_DAYS`` days from today; its PDF is rendered
    and e-mailed after commit (``quote.sent``)."""
    locked = _lock(quote)
    _check_move(locked, QuoteStatus.SENT)
    locked.status = QuoteStatus.SENT
    locked.sent_at = timezone.now()
    locked.sent_by = user if user is not None and user.is_authenticated else None
    locked.valid_until = timezone.localdate() + dt.timedelta(days=settings.B2B_QUOTE_VALIDITY_DAYS)
    locked.save(update_fields=["status", "sent_at", "sent_by", "valid_until", "updated_at"])
    events.publish(QuoteSent(quote_id=locked.pk, number=locked.number))
    return locked


@transaction.atomic
def cancel_quote(*, quote: Quote, user: User | None = None) -> Quote:
    """Staff withdraw a requested or sent quote."""
    locked = _lock(quote)
    _check_move(locked, QuoteStatus.CANCELLED)
    return _decide(locked, QuoteStatus.CANCELLED, user)


# --- the PDF and its e-mail (called by invoicing's task, outside any request) -------------------------


def store_quote_pdf(*, quote_id: int, pdf: bytes) -> Quote:
    """Keep the rendered PDF of a quote, once: a second render (the task ran twice) is dropped."""
    with transaction.atomic():
        quote = Quote.objects.select_for_update().get(pk=quote_id)
        if quote.pdf:
            return quote
        quote.pdf.save(f"{quote.number}.pdf", ContentFile(pdf), save=False)
        quote.pdf_rendered_at = timezone.now()
        quote.save(update_fields=["pdf", "pdf_rendered_at", "updated_at"])
    return quote


def email_quote(*, quote_id: int) -> bool:
    """E-mail the quote's PDF to the buyer who asked for it, once (``emailed_at`` claimed first, given
    back if the send fails so a retry sends it). True when sent now."""
    quote = Quote.objects.select_related("requested_by", "company").filter(pk=quote_id).first()
    if quote is None or not quote.pdf or quote.requested_by is None or not quote.requested_by.email:
        return False
    claimed = Quote.objects.filter(pk=quote.pk, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return False
    try:
        build_quote_email(quote).send()
    except Exception:
        Quote.objects.filter(pk=quote.pk).update(emailed_at=None)
        raise
    return True


def build_quote_email(quote: Quote) -> EmailMultiAlternatives:
    from .. import notifications  # the shop's name, sender, colour and templates, as order e-mails

    language = notifications.email_language(quote.language)
    assert quote.requested_by is not None
    names = notifications.template_names(quote.shop_id)
    with translation.override(language):
        context = {
            "quote": quote,
            "lines": list(quote.lines.all()),
            "shop_name": notifications.shop_name(quote.shop_id),
            "brand": notifications.shop_brand(quote.shop_id),
            "quote_url": _site() + _quote_path(quote),
        }
        subject = " ".join(render_to_string(names("quote_sent_subject.txt"), context).split())
        text = render_to_string(names("quote_sent.txt"), context)
        html = render_to_string(names("quote_sent.html"), context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=notifications.shop_sender(quote.shop_id),
        to=[quote.requested_by.email],
        headers={"Content-Language": language},
    )
    message.attach_alternative(html, "text/html")
    with quote.pdf.open("rb") as handle:
        message.attach(f"{quote.number}.pdf", handle.read(), "application/pdf")
    return message


# --- the buyer decides ------------------------------------------------------------------------------


@transaction.atomic
def accept_quote(
    *,
    quote: Quote,
    user: User,
    delivery_method: str,
    location_code: str = "",
    shipping_address: dict[str, Any] | None = None,
) -> Quote:
    """The quote becomes an order at its quoted prices (see the module docstring). Accepting an
    accepted quote again returns it with its order (idempotent)."""
    from .checkout import _collect_store, _out_of_stock, clean_address
    from .routing import home_warehouse

    locked = _lock(quote)
    member = _member(user, locked)
    if locked.status == QuoteStatus.ACCEPTED and locked.order_id is not None:
        return locked  # a second click, or another buyer a moment later: the one order
    _check_move(locked, QuoteStatus.ACCEPTED)
    if locked.valid_until is None or locked.valid_until < timezone.localdate():
        raise QuoteExpired(
            _("Quote %(number)s was valid until %(date)s: ask for a new one.")
            % {"number": locked.number, "date": locked.valid_until},
            detail={"number": locked.number, "valid_until": str(locked.valid_until)},
        )
    if delivery_method not in ACCEPT_METHODS:
        raise InvalidQuoteLine(
            _("Choose home delivery or click & collect."),
            detail={"field": "delivery_method", "allowed": list(ACCEPT_METHODS)},
        )
    address: dict[str, str] = {}
    location: Location | None
    if delivery_method == DeliveryMethod.HOME:
        address = clean_address(shipping_address)
        location = home_warehouse()
        if location is None:
            raise HomeDeliveryUnavailable(_("Home delivery is not offered at the moment."))
    else:
        location = _collect_store(location_code)
    lines = list(locked.lines.select_related("variant__product__vat_rate"))
    _check_stock(locked, lines, location)
    company = member.company
    try:
        order = place_web_order(
            lines=[
                LineInput(line.variant, line.quantity, unit_price_net=line.quoted_unit_price)
                for line in lines
            ],
            location=location,
            delivery_method=delivery_method,
            email=user.email,
            customer=user,
            customer_group=company.group,
            company=company,
            currency=locked.currency,
            reference=f"quote:{locked.number}",
            reservation_ttl=getattr(settings, "CHECKOUT_RESERVATION_TTL_SECONDS", 900),
            language=locked.language or translation.get_language() or settings.LANGUAGE_CODE,
            shipping_address=address,
            shop_id=locked.shop_id,
        )
    except InsufficientStock as exc:  # taken between the check and the reservation
        raise _out_of_stock(exc) from exc
    on_terms = company.payment_terms != PaymentTerms.ONLINE
    order = b2b_terms.settle_company_order(
        order=order, company=company, buyer=user, provider=b2b_terms.TERMS if on_terms else ""
    )
    locked.order = order
    _decide(locked, QuoteStatus.ACCEPTED, user, extra=["order"])
    return locked


@transaction.atomic
def decline_quote(*, quote: Quote, user: User) -> Quote:
    """A member of the company declines a requested or sent quote."""
    locked = _lock(quote)
    _member(user, locked)
    if locked.status == QuoteStatus.DECLINED:
        return locked
    _check_move(locked, QuoteStatus.DECLINED)
    return _decide(locked, QuoteStatus.DECLINED, user)


def expire_quotes(*, today: dt.date | None = None) -> int:
    """Sent quotes past their validity become expired (beat, daily). Returns how many."""
    today = today or timezone.localdate()
    return Quote.objects.filter(status=QuoteStatus.SENT, valid_until__lt=today).update(
        status=QuoteStatus.EXPIRED, updated_at=timezone.now()
    )


# --- reading ----------------------------------------------------------------------------------------


def quotes_for(user: User, *, shop: ShopInfo | None = None) -> list[Quote]:
    """The quotes of the user's company, newest first (one query; empty for a non-member); with
    ``shop``, those asked on that shop (each shop's portal shows its own, as its orders)."""
    membership = company_membership_for(user)
    if membership is None:
        return []
    return list(
        Quote.objects.filter(rows_of_shop(shop), company_id=membership.company_id)
        .select_related("requested_by", "order")
        .order_by("-created_at", "-id")
    )


def quote_for(user: User, number: str, *, shop: ShopInfo | None = None) -> Quote:
    """One quote of the user's company with its lines (on ``shop`` when given), else
    ``QuoteNotFound`` (another company's or shop's quote is not found: its existence is not revealed)."""
    membership = company_membership_for(user)
    quote = (
        Quote.objects.filter(rows_of_shop(shop), number=str(number)[:32], company_id=membership.company_id)
        .select_related("requested_by", "order")
        .prefetch_related("lines")
        .first()
        if membership is not None
        else None
    )
    if quote is None:
        raise QuoteNotFound(detail={"number": str(number)[:32]})
    return quote


def check_company_buyer(user: User) -> None:
    """``NotACompanyBuyer`` (403) unless ``user`` is a member of an active company."""
    if company_membership_for(user) is None:
        raise NotACompanyBuyer(_("Quotes are for the buyers of a business account."))


# --- internals --------------------------------------------------------------------------------------


def _lock(quote: Quote) -> Quote:
    return Quote.objects.select_for_update().get(pk=quote.pk)


def _member(user: User, quote: Quote) -> CompanyMember:
    member = (
        CompanyMember.objects.select_related("company__group")
        .filter(user_id=user.pk, company_id=quote.company_id, company__is_active=True)
        .first()
        if user.is_authenticated
        else None
    )
    if member is None:
        raise QuoteNotFound(detail={"number": quote.number})
    return member


def _check_move(quote: Quote, to_status: str) -> None:
    if to_status not in QUOTE_TRANSITIONS[quote.status]:
        raise QuoteNotOpen(
            _("Quote %(number)s is %(status)s: it cannot be %(to)s.")
            % {
                "number": quote.number,
                "status": quote.get_status_display().lower(),
                "to": QuoteStatus(to_status).label.lower(),
            },
            detail={"number": quote.number, "status": quote.status, "to_status": to_status},
        )


def _decide(quote: Quote, status: str, user: User | None, *, extra: list[str] | None = None) -> Quote:
    quote.status = status
    quote.decided_at = timezone.now()
    quote.decided_by = user if user is not None and user.is_authenticated else None
    quote.save(update_fields=["status", "decided_at", "decided_by", "updated_at", *(extra or [])])
    return quote


def _priced(line: QuoteLine) -> QuoteLine:
    line.total_net = money_round(line.quoted_unit_price * line.quantity)
    line.total_vat = money_round(line.total_net * line.vat_rate)
    line.total_gross = line.total_net + line.total_vat
    return line


def _set_totals(quote: Quote, lines: list[QuoteLine]) -> None:
    quote.total_net = sum((line.total_net for line in lines), Decimal("0"))
    quote.total_vat = sum((line.total_vat for line in lines), Decimal("0"))
    quote.total_gross = quote.total_net + quote.total_vat
    quote.save(update_fields=["total_net", "total_vat", "total_gross", "updated_at"])


def _clean_message(text: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_MESSAGE_LENGTH:
        raise InvalidQuoteMessage(
            _("At most %(max)s characters.") % {"max": MAX_MESSAGE_LENGTH},
            detail={"field": "message", "max": MAX_MESSAGE_LENGTH},
        )
    if has_control_characters(text.replace("\n", " ").replace("\r", " ").replace("\t", " ")):
        raise InvalidQuoteMessage(CONTROL_CHARACTERS_MESSAGE, detail={"field": "message"})
    return text


def _clean_quantity(value: object, line: QuoteLine) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_QUOTE_QUANTITY:
        raise InvalidQuoteLine(
            _("%(sku)s: the quantity must be a whole number from 1 to %(max)s.")
            % {"sku": line.sku, "max": MAX_QUOTE_QUANTITY},
            detail={"sku": line.sku, "field": "quantity", "quantity": str(value)[:20]},
        )
    try:
        b2b.check_quantity(line.variant.product, value, sku=line.sku)
    except InvalidCartQuantity as exc:
        raise InvalidQuoteLine(exc.message, detail=exc.detail) from None
    return value


def _clean_price(value: object, line: QuoteLine) -> Decimal:
    try:
        price = Decimal(str(value).strip().replace(",", ".")) if not isinstance(value, bool) else None
    except InvalidOperation:
        price = None
    if (
        price is None
        or not price.is_finite()
        or price < 0
        or price > MAX_UNIT_PRICE
        or price.as_tuple().exponent < -4  # type: ignore[operator]
    ):
        raise InvalidQuoteLine(
            _("%(sku)s: the quoted price must be an amount of at least 0 (HT, at most 4 decimals).")
            % {"sku": line.sku},
            detail={"sku": line.sku, "field": "unit_price", "unit_price": str(value)[:20]},
        )
    return price


def _check_stock(quote: Quote, lines: list[QuoteLine], location: Location) -> None:
    """Every line's units available at ``location``, else ``QuoteStockShort`` naming each missing line."""
    available = stock.available_by_location(
        variant_ids=[line.variant_id for line in lines], location_ids=[location.pk]
    )
    missing = [
        {
            "sku": line.sku,
            "name": line.name,
            "requested": line.quantity,
            "available": available.get((line.variant_id, location.pk), 0),
        }
        for line in lines
        if available.get((line.variant_id, location.pk), 0) < line.quantity
    ]
    if missing:
        raise QuoteStockShort(
            _("Not enough stock at %(location)s for %(lines)s: nothing was ordered.")
            % {
                "location": location.name,
                "lines": ", ".join(_("%(sku)s (%(available)s of %(requested)s)") % line for line in missing),
            },
            detail={"number": quote.number, "location": location.code, "lines": missing},
        )


def _site() -> str:
    return str(getattr(settings, "SITE_URL", "") or settings.PAYMENTS_SITE_URL).rstrip("/")


def _quote_path(quote: Quote) -> str:
    from django.urls import reverse

    return reverse("accounts:quote-detail", kwargs={"number": quote.number})
