"""Checkout: where a cart can be delivered or collected, and turning it into an order awaiting payment.

``delivery_options`` / ``click_collect_stores`` read stock (one query) and rates; ``start_checkout``
re-prices the cart (``cart.price_cart``), places the order (``place_web_order``: every line reserved
for ``settings.CHECKOUT_RESERVATION_TTL_SECONDS``), redeems the coupon and closes the cart in ONE
transaction, then, after it commits, starts the payment (``payments.services.start_payment``), so no
provider is called while rows are locked. A missing unit raises ``InsufficientStock`` (409) naming the
SKU before any charge, with nothing written.

Idempotency: the cart row is locked first, so a second start for a cart that already has a pending
order returns that order; an ``idempotency_key`` (scoped to the user, or to the cart for anonymous
shoppers) becomes the order's ``reference``, so the same key returns the same order, never two.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import customer_group_for
from core.auth import is_signed_in
from core.errors import Conflict, ValidationFailed
from core.text import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from core.urls_safety import is_safe_url
from inventory import selectors as stock
from inventory.errors import InsufficientStock, UnknownLocation
from inventory.models import Location, LocationKind
from pricing import services as pricing
from pricing.models import Channel as PriceChannel

from ..errors import (
    CartNotOpen,
    EmptyCart,
    HomeDeliveryUnavailable,
    IdempotencyKeyReused,
    InvalidAddress,
    ProviderNotAvailable,
)
from ..models import Approval, Cart, CartStatus, Channel, DeliveryMethod, Order, OrderStatus
from ..shipping import CountryNotServed, ShippingOption, shipping_rates
from . import b2b, b2b_terms, routing, shop_options
from .cart import PricedCart, price_cart
from .placing import LineInput, place_web_order
from .retry import complete_free_order, give_up_payment
from .routing import Route, RouteLine

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import StrOrPromise

    from accounts.models import Company, CustomerGroup, User
    from catalog.models import Variant
    from payments.models import Payment
    from payments.services import PaymentStart

# (variant, sku, product name, quantity) of one cart line, in the cart's order.
CartLineRow = tuple["Variant", str, str, int]

ADDRESS_FIELDS = ("first_name", "last_name", "line1", "line2", "postal_code", "city", "country", "phone")
REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "line1", "postal_code", "city", "country")
ADDRESS_MAX_LENGTHS = {"postal_code": 20, "country": 2, "phone": 32, "city": 100}
CHECKOUT_METHODS = (DeliveryMethod.HOME, DeliveryMethod.CLICK_AND_COLLECT)
ADDRESS_LABELS = {
    "first_name": gettext_lazy("first name"),
    "last_name": gettext_lazy("last name"),
    "line1": gettext_lazy("address"),
    "line2": gettext_lazy("apartment, building"),
    "postal_code": gettext_lazy("postal code"),
    "city": gettext_lazy("city"),
    "country": gettext_lazy("country"),
    "phone": gettext_lazy("phone"),
}


# --- what the shopper can choose -------------------------------------------------------------------


@dataclass(frozen=True)
class MissingLine:
    sku: str
    name: str
    requested: int
    available: int


@dataclass(frozen=True)
class StoreAvailability:
    """Can the whole cart be collected at ``location``? If not, which lines fall short."""

    location: Location
    missing: list[MissingLine] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing


@dataclass(frozen=True)
class HomeDelivery:
    """Home delivery ships from the warehouse, a store or both (``routing``): offered when a route
    exists. ``missing`` lists the lines the warehouse falls short of when there is no route."""

    warehouse: Location | None
    missing: list[MissingLine]
    options: list[ShippingOption]
    weight_grams: int
    error: StrOrPromise = ""  # why no carrier serves the country, or why there is no warehouse
    route: Route | None = None

    @property
    def available(self) -> bool:
        return self.warehouse is not None and self.route is not None and bool(self.options)

    @property
    def routing(self) -> str:
        return self.route.describe() if self.route is not None else ""


@dataclass(frozen=True)
class DeliveryOptions:
    country: str
    home: HomeDelivery
    stores: list[StoreAvailability]  # empty when the shop does not offer click & collect
    priced: PricedCart
    methods: tuple[str, ...] = CHECKOUT_METHODS  # the checkout's methods the cart's shop offers


def pays_on_terms(user: User | AnonymousUser | None) -> bool:
    """A company buyer whose company pays on terms (``b2b_terms``) may choose ``terms``. One query."""
    from accounts.models import PaymentTerms
    from accounts.selectors import company_membership_for

    membership = company_membership_for(user)
    return membership is not None and membership.company.payment_terms != PaymentTerms.ONLINE


def offered_payment_methods(*, shop_id: int | None, terms: bool = False) -> list[str]:
    """The payment methods the checkout shows on the shop ``shop_id``: the configured providers (and
    ``terms`` first for a company buyer who pays on terms) that the shop offers. One query."""
    from payments import services as payments

    configured = (
        [b2b_terms.TERMS, *payments.available_providers()] if terms else payments.available_providers()
    )
    return shop_options.shop_methods(shop_id).payments(configured)


def click_collect_stores(*, cart: Cart, lines: list[CartLineRow] | None = None) -> list[StoreAvailability]:
    """Every active store that sells online, with the cart's lines it cannot cover (two queries)."""
    lines = _cart_lines(cart) if lines is None else lines
    stores = list(
        Location.objects.filter(kind=LocationKind.STORE, sells_online=True, is_active=True).order_by("name")
    )
    available = _available(lines, [store.pk for store in stores])
    return [
        StoreAvailability(location=store, missing=_missing(lines, available, store.pk)) for store in stores
    ]


def delivery_options(
    *,
    cart: Cart,
    country: str,
    customer_group: CustomerGroup | None = None,
    currency: str = "EUR",
) -> DeliveryOptions:
    """Home delivery (from the warehouse, with carrier prices) and click & collect per store, as far
    as the cart's shop offers them (``orders.ShopCheckoutOptions``)."""
    country = (country or "").strip().upper()
    offered = shop_options.shop_methods(cart.shop_id)
    methods = tuple(offered.deliveries(CHECKOUT_METHODS))
    priced = price_cart(cart=cart, customer_group=customer_group, currency=currency)
    lines = [(line.variant, line.sku, line.name, line.quantity) for line in priced.lines]
    warehouse = _warehouse()
    stores = list(
        Location.objects.filter(kind=LocationKind.STORE, sells_online=True, is_active=True).order_by("name")
    )
    location_ids = [store.pk for store in stores] + ([warehouse.pk] if warehouse else [])
    available = _available(lines, location_ids)
    weight = priced.weight_grams
    options: list[ShippingOption] = []
    error: StrOrPromise = ""
    if DeliveryMethod.HOME not in methods:
        error = _("This shop does not offer home delivery.")
    elif warehouse is None:
        error = _("Home delivery is not offered at the moment.")
    elif lines:
        try:
            options = shipping_rates().shipping_options(
                country=country, weight_grams=weight, basket_gross=priced.total_gross
            )
            if priced.free_shipping:  # the customer's benefit: every carrier free
                options = [replace(option, price=Decimal("0")) for option in options]
        except CountryNotServed as exc:
            error = exc.message
    route = (
        routing.route_lines(
            lines=_route_lines(lines),
            warehouse=warehouse,
            stores=[s for s in stores if s.sells_online],
            available=available,
        )
        if warehouse is not None and DeliveryMethod.HOME in methods
        else None
    )
    if DeliveryMethod.CLICK_AND_COLLECT not in methods:
        stores = []
    home = HomeDelivery(
        warehouse=warehouse,
        missing=_missing(lines, available, warehouse.pk)
        if warehouse and route is None and DeliveryMethod.HOME in methods
        else [],
        options=options,
        weight_grams=weight,
        error=error,
        route=route,
    )
    return DeliveryOptions(
        country=country,
        home=home,
        stores=[StoreAvailability(location=s, missing=_missing(lines, available, s.pk)) for s in stores],
        priced=priced,
        methods=methods,
    )


# --- starting a checkout --------------------------------------------------------------------------


def start_checkout(
    *,
    cart: Cart,
    user: User | AnonymousUser | None,
    email: str,
    phone: str = "",
    language: str = "",
    delivery_method: str,
    location_code: str = "",
    shipping_address: dict[str, Any] | None = None,
    carrier: str = "",
    provider: str,
    return_url: str,
    cancel_url: str,
    idempotency_key: str = "",
    currency: str | None = None,
    site_host: str | None = None,
) -> tuple[Order, PaymentStart | None]:
    """Place the cart as an order awaiting payment, then start its payment.

    A free order (its total is zero: a coupon or voucher covers everything) is marked paid in the
    same transaction (``retry.complete_free_order``) and no provider is asked: ``provider`` may then
    be empty, and the returned ``PaymentStart`` is None.

    A delivery or payment method the cart's shop does not offer (``orders.ShopCheckoutOptions``) is
    ``MethodNotOffered`` (400 ``method_not_offered``), before anything is written.

    ``return_url`` / ``cancel_url`` may contain ``{number}``, replaced by the order number; each is a
    path on this site, or an http(s) URL on ``site_host`` (the asking request's host) or on an
    allowlisted host (``settings.PAYMENTS_RETURN_URL_HOSTS``), else ``InvalidReturnUrl`` (400) before
    anything is written (``core.urls_safety``). Returns
    the order and the ``PaymentStart`` (None when replaying a start whose order is no longer pending).
    """
    from payments import services as payments

    user = user if is_signed_in(user) else None
    email = _clean_email(email or (user.email if user else ""))
    phone = _clean_phone(phone)
    if delivery_method not in CHECKOUT_METHODS:
        raise ValidationFailed(
            _("Choose home delivery or click & collect."),
            detail={"field": "delivery_method", "allowed": list(CHECKOUT_METHODS)},
        )
    if provider and provider != b2b_terms.TERMS and provider not in payments.available_providers():
        raise _provider_not_available(provider)
    offered = shop_options.shop_methods(cart.shop_id)  # the cart's shop: its methods only
    shop_options.check_delivery_method(offered, delivery_method)
    shop_options.check_payment_method(offered, provider, configured=payments.available_providers())
    _check_url(return_url, "return_url", site_host=site_host)
    _check_url(cancel_url, "cancel_url", site_host=site_host)
    address: dict[str, str] = {}
    if delivery_method == DeliveryMethod.HOME:
        address = clean_address(shipping_address)
        if not carrier:
            raise ValidationFailed(_("Choose a carrier."), detail={"field": "carrier"})
        location = _warehouse()
        if location is None:
            raise HomeDeliveryUnavailable(_("Home delivery is not offered at the moment."))
    else:
        location = _collect_store(location_code)
    reference = _reference(cart=cart, user=user, key=idempotency_key)
    who = b2b.buyer(user, customer_group_for(user))

    try:
        with transaction.atomic():
            order, created = _place(
                cart=cart,
                user=user,
                group=who.group,
                company=who.company,
                email=email,
                phone=phone,
                language=language or settings.LANGUAGE_CODE,
                delivery_method=delivery_method,
                location=location,
                address=address,
                carrier=carrier,
                reference=reference,
                currency=currency,
            )
            if created and who.company is not None and user is not None:
                # terms, credit limit, approval; the company locked (orders.services.b2b_terms)
                order = b2b_terms.settle_company_order(
                    order=order, company=who.company, buyer=user, provider=provider
                )
            elif provider == b2b_terms.TERMS and created:
                raise b2b_terms.TermsNotOffered(_("Payment on terms is for business customers."))
            waits = order.approval == Approval.PENDING
            if order.status == OrderStatus.PENDING_PAYMENT and not waits and provider == b2b_terms.TERMS:
                raise _provider_not_available(provider)  # approved orders on terms are paid already
            unpaid = order.total_gross > 0 and order.status == OrderStatus.PENDING_PAYMENT
            if unpaid and not waits and provider not in payments.available_providers():
                raise _provider_not_available(provider)  # rolls the order back: nothing written
            if created:  # a coupon or voucher covers everything: paid, no provider asked
                order = complete_free_order(order=order)
    except InsufficientStock as exc:
        raise _out_of_stock(exc) from exc
    if order.status != OrderStatus.PENDING_PAYMENT or order.approval == Approval.PENDING:
        return order, None  # paid (free, on terms), or waiting for the company's approver
    if not created and (current := _open_payment(order, provider)) is not None:
        return order, current  # a retry: the same order and the same payment, nothing new started
    number = order.number
    payment = payments.start_payment(
        order=order,
        provider=provider,
        return_url=return_url.replace("{number}", number),
        cancel_url=cancel_url.replace("{number}", number),
        site_host=site_host,
    )
    return order, payment


def _provider_not_available(provider: str) -> ProviderNotAvailable:
    from payments import services as payments

    return ProviderNotAvailable(
        _("The payment method %(provider)s is not available.") % {"provider": provider or "?"},
        detail={"field": "provider", "provider": provider, "available": payments.available_providers()},
    )


def clean_address(data: dict[str, Any] | None) -> dict[str, str]:
    """The address snapshot, or ``InvalidAddress`` naming every missing or too long field."""
    data = data if isinstance(data, dict) else {}
    address = {name: str(data.get(name) or "").strip() for name in ADDRESS_FIELDS}
    address["country"] = address["country"].upper()
    missing = [name for name in REQUIRED_ADDRESS_FIELDS if not address[name]]
    too_long = [name for name, value in address.items() if len(value) > ADDRESS_MAX_LENGTHS.get(name, 200)]
    if missing or too_long:
        raise InvalidAddress(
            _("Please fill in the delivery address: %(fields)s.")
            % {"fields": ", ".join(str(ADDRESS_LABELS[name]) for name in missing + too_long)},
            detail={"fields": missing + too_long, "missing": missing, "too_long": too_long},
        )
    # Control characters and bidi overrides (core.text) would print on labels and in the back office.
    if garbled := [name for name, value in address.items() if has_control_characters(value)]:
        raise InvalidAddress(
            CONTROL_CHARACTERS_MESSAGE, detail={"fields": garbled, "missing": [], "too_long": []}
        )
    if len(address["country"]) != 2 or not address["country"].isalpha():
        raise InvalidAddress(
            _("The country must be a two-letter code, e.g. FR."),
            detail={"fields": ["country"], "missing": [], "too_long": []},
        )
    return address


# --- internals ------------------------------------------------------------------------------------


def _place(
    *,
    cart: Cart,
    user: User | None,
    group: CustomerGroup | None,
    email: str,
    phone: str,
    language: str,
    delivery_method: str,
    location: Location,
    address: dict[str, str],
    carrier: str,
    reference: str,
    currency: str | None,
    company: Company | None = None,
) -> tuple[Order, bool]:
    """Inside the transaction: lock the cart, reuse its pending order, or place a new one.

    Returns ``(order, created)``."""
    cart = Cart.objects.select_for_update().get(pk=cart.pk)
    if reference and (existing := Order.objects.filter(channel=Channel.WEB, reference=reference).first()):
        asked = {
            "delivery_method": delivery_method,
            # home delivery: the route chose the order's location when it was placed
            "location": existing.location_id if delivery_method == DeliveryMethod.HOME else location.pk,
            "email": email,
            "carrier": carrier,
            "shipping_address": address,
        }
        first = {
            "delivery_method": existing.delivery_method,
            "location": existing.location_id,
            "email": existing.email,
            "carrier": existing.carrier,
            "shipping_address": existing.shipping_address or {},
        }
        if cart.order_id != existing.pk or asked != first:
            raise IdempotencyKeyReused(
                detail={
                    "number": existing.number,
                    "differs": sorted(k for k in asked if asked[k] != first[k]),
                }
            )
        return existing, False
    if cart.status == CartStatus.CHECKED_OUT and cart.order_id:
        order = Order.objects.get(pk=cart.order_id)
        if order.status == OrderStatus.PENDING_PAYMENT:
            return order, False
    if cart.status != CartStatus.OPEN:
        raise CartNotOpen(detail={"cart": str(cart.token)})
    priced = price_cart(
        cart=cart, customer_group=group, currency=currency or cart.currency, location=location
    )
    if not priced.lines:
        raise EmptyCart(_("Your cart is empty."))
    if company is not None:  # a business buyer: minimums and packs, as the cart checked them
        b2b.check_lines((line.variant.product, line.sku, line.quantity) for line in priced.lines)
    shipping = Decimal("0")
    if delivery_method == DeliveryMethod.HOME:
        shipping = (
            shipping_rates()
            .shipping_option(
                carrier=carrier,
                country=address["country"],
                weight_grams=priced.weight_grams,
                basket_gross=priced.total_gross,
            )
            .price
        )
        if priced.free_shipping:
            shipping = Decimal("0")  # the customer's benefit (a loyalty tier); the carrier is still checked
    line_locations: list[Location] | None = None
    routing_words = ""
    price_location = location  # what price_cart used: the shopper's prices, wherever it ships from
    if delivery_method == DeliveryMethod.HOME:
        # No route: everything at the warehouse, so reserving names the SKU it lacks (409).
        route = routing.plan_route(
            lines=_route_lines([(line.variant, line.sku, line.name, line.quantity) for line in priced.lines]),
            warehouse=location,
        )
        if route is not None:
            line_locations = route.line_locations()
            location = route.main_location
            routing_words = route.describe()
    order = place_web_order(
        lines=[LineInput(line.variant, line.quantity) for line in priced.lines],
        location=location,
        line_locations=line_locations,
        routing=routing_words,
        price_location=price_location,
        delivery_method=delivery_method,
        email=email,
        customer=user,
        customer_group=group,
        company=company,
        currency=priced.currency,
        reference=reference,
        reservation_ttl=getattr(settings, "CHECKOUT_RESERVATION_TTL_SECONDS", 900),
        phone=phone,
        language=language,
        shipping_address=address,
        shipping_gross=shipping,
        carrier=carrier if delivery_method == DeliveryMethod.HOME else "",
        order_discount=priced.order_discount,
        shop_id=cart.shop_id,
    )
    if priced.coupon is not None:
        pricing.redeem_coupon(
            code=priced.coupon.code,
            basket_ttc=priced.coupon_basket_gross,
            reference=order.number,
            channel=PriceChannel.WEB,
            location=price_location,
            customer=user,
            customer_email=email,
            shop_id=cart.shop_id,
        )
    cart.status = CartStatus.CHECKED_OUT
    cart.order = order
    cart.save(update_fields=["status", "order", "updated_at"])
    return order, True


def _open_payment(order: Order, provider: str) -> PaymentStart | None:
    """The order's live payment with ``provider``, as a ``PaymentStart`` (a retried checkout)."""
    from payments.models import Payment, PaymentStatus
    from payments.services import PaymentStart

    payment = (
        Payment.objects.filter(order=order, provider=provider, status=PaymentStatus.PENDING)
        .exclude(redirect_url="")
        .order_by("-created_at")
        .first()
    )
    if payment is None:
        return None
    return PaymentStart(
        payment_id=str(payment.pk),
        provider=payment.provider,
        status=payment.status,
        redirect_url=payment.redirect_url,
        client_secret=payment.client_secret,
        provider_reference=payment.provider_reference,
    )


def _check_url(url: str, field: str, *, site_host: str | None) -> None:
    """The payment's rule for return URLs (``core.urls_safety``), checked before anything is written."""
    from payments.errors import InvalidReturnUrl

    if not is_safe_url(url, host=site_host):
        raise InvalidReturnUrl(detail={"field": field})


def _reference(*, cart: Cart, user: User | None, key: str) -> str:
    key = (key or "").strip()
    if not key:
        return ""
    scope = f"user:{user.pk}" if user is not None else f"cart:{cart.token}"
    return "checkout:" + hashlib.sha256(f"{scope}|{key}".encode()).hexdigest()[:40]


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(
            _("Enter a valid e-mail address."), detail={"field": "email", "email": email[:254]}
        ) from None
    return email


def _clean_phone(phone: str) -> str:
    phone = (phone or "").strip()
    allowed = set("0123456789 +-.()")
    if len(phone) > 32 or not set(phone) <= allowed or (phone and sum(c.isdigit() for c in phone) < 6):
        raise ValidationFailed(_("Enter a valid phone number."), detail={"field": "phone"})
    return phone


def _warehouse() -> Location | None:
    return routing.home_warehouse()


def _collect_store(code: str) -> Location:
    store = Location.objects.filter(
        code=(code or "").strip(), kind=LocationKind.STORE, sells_online=True, is_active=True
    ).first()
    if store is None:
        raise UnknownLocation(
            _("No store %(code)s offers click & collect.") % {"code": code or "?"},
            detail={"field": "location", "location": code},
        )
    return store


def _cart_lines(cart: Cart) -> list[CartLineRow]:
    return [
        (line.variant, line.variant.sku, line.variant.product.name, line.quantity)
        for line in cart.lines.select_related("variant__product").order_by("added_at", "id")
    ]


def _available(lines: list[CartLineRow], location_ids: list[int]) -> dict[tuple[int, int], int]:
    """(variant id, location id) -> units available, in one query."""
    return stock.available_by_location(
        variant_ids=[variant.pk for variant, *_ in lines], location_ids=location_ids
    )


def _route_lines(lines: list[CartLineRow]) -> list[RouteLine]:
    return [
        RouteLine(variant_id=variant.pk, sku=sku, quantity=quantity)
        for variant, sku, _name, quantity in lines
    ]


def _missing(
    lines: list[CartLineRow], available: dict[tuple[int, int], int], location_id: int
) -> list[MissingLine]:
    missing = []
    for variant, sku, name, quantity in lines:
        there = available.get((variant.pk, location_id), 0)
        if there < quantity:
            missing.append(MissingLine(sku=sku, name=name, requested=quantity, available=there))
    return missing


def _out_of_stock(exc: InsufficientStock) -> InsufficientStock:
    """The shopper's version: which SKU, where, and that nothing was charged."""
    detail = dict(exc.detail)
    location = Location.objects.filter(code=detail.get("location", "")).first()
    where = location.name if location else detail.get("location", "")
    detail["location_name"] = where
    return InsufficientStock(
        _("Only %(available)s left of %(sku)s at %(location)s; your cart was not charged.")
        % {"available": detail.get("available", 0), "sku": detail.get("sku", ""), "location": where},
        detail=detail,
    )


@transaction.atomic
def restore_cart(*, order: Order) -> Cart:
    """Give a shopper whose payment failed or was abandoned their cart back (the order stays cancelled).

    An order still awaiting payment with no payment in progress (every attempt declined or given up)
    is cancelled first (``retry.give_up_payment``), releasing its stock.

    The checked-out cart opens again, without its order; a cart the customer opened meanwhile is
    merged into it. Prices and coupon are checked again when the cart is shown.
    """
    if order.status == OrderStatus.PENDING_PAYMENT:
        order = give_up_payment(order=order)
    cart = Cart.objects.select_for_update().filter(order=order).first()
    if order.status != OrderStatus.CANCELLED or cart is None or cart.status != CartStatus.CHECKED_OUT:
        raise Conflict(
            _("Only a cancelled order's cart can be restored."),
            detail={"number": order.number, "status": order.status},
        )
    cart.status = CartStatus.OPEN
    cart.order = None
    cart.save(update_fields=["status", "order", "updated_at"])
    if cart.user_id:
        from .cart import merge_carts

        others = Cart.objects.filter(user_id=cart.user_id, status=CartStatus.OPEN).exclude(pk=cart.pk)
        for other in others.order_by("pk"):
            merge_carts(source=other, target=cart)
    return cart


def confirm_test_payment(*, order: Order, succeed: bool = True) -> Payment:
    """Settle the order's pending test-provider payment (demo and tests only); returns the Payment."""
    from payments import services as payments
    from payments.models import Payment, PaymentStatus

    if "test" not in payments.available_providers():
        raise ProviderNotAvailable(
            _("The test payment provider is off."), detail={"field": "provider", "provider": "test"}
        )
    payment = (
        Payment.objects.filter(order=order, provider="test", status=PaymentStatus.PENDING)
        .order_by("-created_at")
        .first()
    )
    if payment is None:
        raise Conflict(
            _("Order %(number)s has no test payment waiting.") % {"number": order.number},
            detail={"number": order.number, "status": order.status},
        )
    return payments.confirm_test_payment(payment_id=payment.id, succeed=succeed)
