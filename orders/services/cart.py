"""The shopper's cart: lines, coupon, merging at login, and pricing for display and checkout.

A cart stores variants, quantities and a coupon code; never prices. ``price_cart`` computes them
each time, with the same rules ``place_web_order`` snapshots (see ``orders.services.placing``):

- unit gross (TTC) prices come from ``pricing.services.unit_prices`` (a company buyer's own list,
  then the customer group's, then everybody's, at the line's quantity break; else the catalog
  price), already rounded to the cent; a line's gross is unit gross x quantity. A company buyer's
  lines also keep each product's minimum and pack size (``orders.services.b2b``).
- the best automatic promotion (``pricing.services.automatic_promotions``, no stacking; a customer
  with early access also sees promotions in their early-access window) is taken off the subtotal;
  then the signed-in customer's permanent discount (``pricing.services.customer_benefit``: a
  loyalty tier's "Gold member -5 %") off what remains; then the coupon, checked again with
  ``check_coupon``, off what remains after both (its minimum basket is measured there too:
  ``PricedCart.coupon_basket_gross``). A benefit's free shipping is ``PricedCart.free_shipping``,
  which checkout honours. Each discount is
  rounded to the cent once (``promotion_discount``) and spread over the lines in proportion to their
  gross, cent by cent, so every line's ``discount_gross`` is exact and the lines add up to the cart.
- totals are in EUR; ``total_gross_in_currency`` converts the EUR total once (``convert``), as the
  order does. Per-line amounts in the currency are for display only.

Size: at most ``settings.CART_MAX_LINES`` lines (``CartFull`` beyond; a merge at login keeps the
first ones). Quantities: whole numbers from 1 to ``MAX_LINE_QUANTITY`` per line, and never more than the most
one online location (a store or warehouse that ``sells_online``) has available, because an order is
served from one location.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import company_membership_for
from catalog.models import Variant
from core.auth import is_signed_in
from core.money import allocate, money_round
from inventory import selectors as stock
from pricing import services as pricing
from pricing.errors import InvalidCoupon
from pricing.models import Channel as PriceChannel
from pricing.models import Coupon

from ..errors import (
    MAX_LINE_QUANTITY,
    CartClosed,
    CartFull,
    InvalidCartQuantity,
    NotEnoughStock,
    NotInCart,
    ProductUnavailable,
)
from ..models import Cart, CartLine, CartStatus
from . import b2b

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django_stubs_ext import StrOrPromise

    from accounts.models import CustomerGroup, User
    from inventory.models import Location

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PricedLine:
    variant: Variant
    sku: str
    name: str
    quantity: int
    unit_gross: Decimal  # TTC, EUR, rounded to the cent
    unit_net: Decimal  # HT, EUR, 4 decimals
    vat_rate: Decimal
    line_gross: Decimal  # unit_gross x quantity, before discounts
    discount_gross: Decimal  # this line's share of the promotion and coupon discounts
    weight_grams: int  # the whole line: unit weight x quantity
    base_unit_gross: Decimal = ZERO  # the catalog price before a price list, to show a struck price
    base_unit_net: Decimal = ZERO  # the same, HT
    unit_gross_in_currency: Decimal = ZERO  # display only
    line_gross_in_currency: Decimal = ZERO  # display only
    unit_net_in_currency: Decimal = ZERO  # display only (prices shown HT: ``PricedCart.prices_ht``)
    line_net_in_currency: Decimal = ZERO  # display only: the line HT before discounts (its TTC / (1 + VAT))

    @property
    def total_gross(self) -> Decimal:
        return self.line_gross - self.discount_gross

    @property
    def total_net(self) -> Decimal:
        """After discounts, EUR: as the order line will carry it (``placing._priced_web_lines``)."""
        return money_round(self.total_gross / (1 + self.vat_rate))


@dataclass(frozen=True)
class PricedCart:
    lines: list[PricedLine]
    subtotal_gross: Decimal  # EUR, before discounts
    promotion_discount: Decimal  # EUR
    coupon_discount: Decimal  # EUR
    coupon: Coupon | None
    total_gross: Decimal  # EUR, after discounts, before shipping
    currency: str
    total_gross_in_currency: Decimal
    applied_promotions: list[tuple[str, Decimal]] = field(default_factory=list)
    coupon_basket_gross: Decimal = ZERO  # what the coupon's minimum basket and percentage apply to
    coupon_error: StrOrPromise = ""  # why the stored coupon no longer applies (expired, basket too small...)
    exchange_rate: Decimal = Decimal("1")
    subtotal_gross_in_currency: Decimal = ZERO  # display only
    discount_in_currency: Decimal = ZERO  # display only: subtotal - total, in the currency
    applied_promotions_in_currency: list[tuple[str, Decimal]] = field(default_factory=list)  # display
    coupon_discount_in_currency: Decimal = ZERO  # display only
    member_discount: Decimal = ZERO  # EUR: the customer's permanent discount (a loyalty tier's)
    member_label: str = ""  # "Gold member −5 %", empty without one
    member_discount_in_currency: Decimal = ZERO  # display only
    free_shipping: bool = False  # the customer's benefit: home delivery costs nothing
    prices_ht: bool = False  # show amounts excl. VAT: a B2B shop, a company's buyer or a B2B group
    subtotal_net_in_currency: Decimal = ZERO  # display only: the lines HT before discounts
    total_net_in_currency: Decimal = ZERO  # display only: HT after discounts, before shipping

    @property
    def total_net(self) -> Decimal:
        """EUR HT after discounts, before shipping: the sum of the lines' (net + VAT == gross per line)."""
        return sum((line.total_net for line in self.lines), ZERO)

    @property
    def discount_net_in_currency(self) -> Decimal:
        """Display, prices HT: every discount off the basket, excl. VAT."""
        return self.subtotal_net_in_currency - self.total_net_in_currency

    @property
    def total_vat_in_currency(self) -> Decimal:
        """Display, prices HT: the VAT of the basket after discounts (total TTC - total HT)."""
        return self.total_gross_in_currency - self.total_net_in_currency

    @property
    def order_discount(self) -> Decimal:
        """Every discount off the basket (promotion, member, coupon), EUR: what the order spreads
        over its lines' ``discount_gross``."""
        return self.promotion_discount + self.member_discount + self.coupon_discount

    @property
    def other_discount_in_currency(self) -> Decimal:
        """Display: the discounts other than the member's (promotion and coupon), in the currency."""
        return self.discount_in_currency - self.member_discount_in_currency

    def in_currency(self, amount: Decimal) -> Decimal:
        """A EUR amount in the cart's currency, for display (totals use ``total_gross_in_currency``)."""
        return money_round(amount * self.exchange_rate)

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def weight_grams(self) -> int:
        return sum(line.weight_grams for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines


# --- lines ----------------------------------------------------------------------------------------


@transaction.atomic
def add_to_cart(*, cart: Cart, variant: Variant, quantity: int) -> CartLine:
    """Add ``quantity`` units (added to what the cart already holds). Refused: nothing changes."""
    cart = _lock_open(cart)
    _check_quantity(quantity, allow_zero=False)
    current = _check_sellable(variant)
    line = CartLine.objects.filter(cart=cart, variant=variant).first()
    wanted = quantity + (line.quantity if line else 0)
    if wanted > MAX_LINE_QUANTITY:
        raise InvalidCartQuantity(
            _("You can order at most %(max)s of one product; your cart would hold %(wanted)s.")
            % {"max": MAX_LINE_QUANTITY, "wanted": wanted},
            detail={"sku": variant.sku, "quantity": wanted, "max": MAX_LINE_QUANTITY},
        )
    if line is None:
        _check_room(cart)
    _check_business_rules(cart, variant, wanted, current=current)
    _check_available(variant, wanted)
    if line is None:
        line = CartLine.objects.create(cart=cart, variant=variant, quantity=wanted)
    else:
        line.quantity = wanted
        line.save(update_fields=["quantity"])
    _touch(cart)
    return line


@transaction.atomic
def set_cart_line_quantity(*, cart: Cart, variant: Variant, quantity: int) -> CartLine | None:
    """Set a line's quantity; 0 removes the line (returns None)."""
    cart = _lock_open(cart)
    _check_quantity(quantity, allow_zero=True)
    line = CartLine.objects.filter(cart=cart, variant=variant).first()
    if line is None:
        raise NotInCart(detail={"sku": variant.sku})
    if quantity == 0:
        line.delete()
        _touch(cart)
        return None
    _check_business_rules(cart, variant, quantity)  # a lower quantity may leave a pack half-full
    if quantity > line.quantity:  # lowering a quantity is always allowed
        _check_sellable(variant)
        _check_available(variant, quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    _touch(cart)
    return line


@transaction.atomic
def remove_from_cart(*, cart: Cart, variant: Variant) -> None:
    cart = _lock_open(cart)
    deleted, _ = CartLine.objects.filter(cart=cart, variant=variant).delete()
    if not deleted:
        raise NotInCart(detail={"sku": variant.sku})
    _touch(cart)


# --- coupon ---------------------------------------------------------------------------------------


@transaction.atomic
def apply_coupon(
    *,
    cart: Cart,
    code: str,
    user: User | AnonymousUser | None = None,
    customer_group: CustomerGroup | None = None,
) -> Coupon:
    """Check the code against this cart (``check_coupon``) and keep it on the cart. It is checked
    again at every pricing and at checkout, and used (redeemed) only when the order is placed."""
    cart = _lock_open(cart)
    code = (code or "").strip()
    if not code:
        raise InvalidCoupon(_("Enter a coupon code."), detail={"reason": "empty", "code": ""})
    if not cart.lines.exists():
        raise InvalidCoupon(
            _("Add products before using a coupon."), detail={"reason": "empty_cart", "code": code}
        )
    priced = _price(cart, customer_group=customer_group, currency="EUR", location=None, coupon_code="")
    coupon = pricing.check_coupon(
        code=code,
        basket_ttc=priced.coupon_basket_gross,
        channel=PriceChannel.WEB,
        customer=user if is_signed_in(user) else None,
        shop_id=cart.shop_id,
    )
    cart.coupon_code = coupon.code
    cart.save(update_fields=["coupon_code", "updated_at"])
    return coupon


@transaction.atomic
def remove_coupon(*, cart: Cart) -> Cart:
    cart = _lock_open(cart)
    cart.coupon_code = ""
    cart.save(update_fields=["coupon_code", "updated_at"])
    return cart


# --- opening, handing over at login --------------------------------------------------------------


def open_cart(*, currency: str, user: User | None = None, shop_id: int | None = None) -> Cart:
    """A new empty cart: the signed-in shopper's, or an anonymous one found by its token; on the shop
    ``shop_id`` (None: the stores, or before shops existed)."""
    return Cart.objects.create(user=user, currency=currency, shop_id=shop_id)


@transaction.atomic
def claim_cart(*, source: Cart, user: User) -> Cart:
    """At login: the anonymous ``source`` cart becomes ``user``'s when they have no open cart, else its
    lines are merged into theirs (``merge_carts``). Returns the user's cart."""
    from shops.selectors import shop_by_id

    from ..selectors import open_cart_of_user

    target = open_cart_of_user(user, shop=shop_by_id(source.shop_id))  # the user's cart on the same shop
    if target is None:
        Cart.objects.filter(pk=source.pk, user__isnull=True).update(user=user)
        source.user = user
        return source
    return merge_carts(source=source, target=target)


# --- merge ----------------------------------------------------------------------------------------


@transaction.atomic
def merge_carts(*, source: Cart, target: Cart) -> Cart:
    """Move ``source``'s lines into ``target`` (at login): quantities add up, capped at
    ``MAX_LINE_QUANTITY``; products no longer sold are dropped. ``target`` keeps its coupon, or takes
    the source's. ``source`` becomes MERGED and is never used again."""
    if source.pk == target.pk:
        return target
    first, second = sorted([source.pk, target.pk])
    locked = {c.pk: c for c in Cart.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")}
    source, target = locked[source.pk], locked[target.pk]
    if source.status != CartStatus.OPEN:
        return target
    if target.status != CartStatus.OPEN:
        raise CartClosed(detail={"token": str(target.token)})
    existing = {line.variant_id: line for line in target.lines.all()}
    room = settings.CART_MAX_LINES - len(existing)
    for line in source.lines.select_related("variant__product").order_by("pk"):
        if not (line.variant.is_active and line.variant.product.is_published):
            continue
        if (kept := existing.get(line.variant_id)) is not None:
            kept.quantity = min(kept.quantity + line.quantity, MAX_LINE_QUANTITY)
            kept.save(update_fields=["quantity"])
        elif room > 0:
            room -= 1
            CartLine.objects.create(
                cart=target, variant_id=line.variant_id, quantity=min(line.quantity, MAX_LINE_QUANTITY)
            )
    if not target.coupon_code and source.coupon_code:
        target.coupon_code = source.coupon_code
    target.save(update_fields=["coupon_code", "updated_at"])
    source.status = CartStatus.MERGED
    source.save(update_fields=["status", "updated_at"])
    return target


# --- pricing --------------------------------------------------------------------------------------


def price_cart(
    *,
    cart: Cart,
    customer_group: CustomerGroup | None = None,
    currency: str = "EUR",
    location: Location | None = None,
) -> PricedCart:
    """The cart with today's prices, promotions and coupon (see the module docstring). Read-only:
    a coupon that no longer applies is left out (``coupon_error`` says why), not removed."""
    return _price(cart, customer_group=customer_group, currency=currency, location=location)


def cart_lines(cart: Cart) -> list[CartLine]:
    """The cart's lines with what pricing and pages need, in two queries whatever the size."""
    return list(
        cart.lines.select_related("variant__product__vat_rate")
        .prefetch_related("variant__option_values__option_type", "variant__product__images")
        .order_by("added_at", "id")
    )


def _price(
    cart: Cart,
    *,
    customer_group: CustomerGroup | None,
    currency: str,
    location: Location | None,
    coupon_code: str | None = None,
    lines: list[CartLine] | None = None,
) -> PricedCart:
    rate = pricing.currency_rate(currency)  # raises UnsupportedCurrency first: nothing half-done
    lines = cart_lines(cart) if lines is None else lines
    variants = [line.variant for line in lines]
    who = b2b.buyer(cart.user, customer_group) if cart.user_id else b2b.Buyer(None, customer_group)
    prices = pricing.unit_prices(
        variants=variants,
        customer_group=who.group,
        company=who.company,
        channel=PriceChannel.WEB,
        location=location,
        quantities={line.variant_id: line.quantity for line in lines},
        shop_id=cart.shop_id,  # the cart's shop: its price lists and promotions
    )
    subtotal = sum((prices[line.variant_id].gross * line.quantity for line in lines), ZERO)

    customer = cart.user if cart.user_id else None
    benefit = pricing.customer_benefit(customer)
    applied: list[tuple[str, Decimal]] = []
    promotion_discount = ZERO
    if lines:
        best = pricing.automatic_promotions(
            basket_ttc=subtotal,
            channel=PriceChannel.WEB,
            location=location,
            early_access=benefit.early_access,
            shop_id=cart.shop_id,
        )
        if best:
            promotion_discount = pricing.promotion_discount(promotion=best[0], basket_ttc=subtotal)
            applied.append((best[0].name, promotion_discount))
    member_discount, member_label = ZERO, ""
    if lines and benefit.discount_percent > 0:
        after_promotion = subtotal - promotion_discount
        member_discount = min(money_round(after_promotion * benefit.discount_percent / 100), after_promotion)
        member_label = member_discount_label(benefit)
    basket = subtotal - promotion_discount - member_discount

    coupon_error: StrOrPromise = ""
    coupon, coupon_discount = None, ZERO
    code = cart.coupon_code if coupon_code is None else coupon_code
    if code and lines:
        try:
            coupon = pricing.check_coupon(
                code=code,
                basket_ttc=basket,
                channel=PriceChannel.WEB,
                location=location,
                customer=customer,
                shop_id=cart.shop_id,
            )
        except InvalidCoupon as exc:
            coupon_error = exc.message
        else:
            coupon_discount = pricing.promotion_discount(promotion=coupon.promotion, basket_ttc=basket)

    line_totals = [prices[line.variant_id].gross * line.quantity for line in lines]
    shares = allocate(promotion_discount + member_discount + coupon_discount, line_totals)
    total = subtotal - promotion_discount - member_discount - coupon_discount
    priced_lines = []
    for line, line_gross, share in zip(lines, line_totals, shares, strict=True):
        price = prices[line.variant_id]
        priced_lines.append(
            PricedLine(
                variant=line.variant,
                sku=line.variant.sku,
                name=line.variant.product.name,
                quantity=line.quantity,
                unit_gross=price.gross,
                unit_net=price.net,
                vat_rate=price.vat_rate,
                line_gross=line_gross,
                discount_gross=share,
                weight_grams=line.variant.weight_grams * line.quantity,
                base_unit_gross=money_round(price.base_net * (1 + price.vat_rate)),
                base_unit_net=money_round(price.base_net),
                unit_gross_in_currency=money_round(price.gross * rate),
                line_gross_in_currency=money_round(line_gross * rate),
                unit_net_in_currency=money_round(price.net * rate),
                line_net_in_currency=money_round(money_round(line_gross / (1 + price.vat_rate)) * rate),
            )
        )
    total_net = sum((line.total_net for line in priced_lines), ZERO)
    return PricedCart(
        lines=priced_lines,
        subtotal_gross=subtotal,
        promotion_discount=promotion_discount,
        coupon_discount=coupon_discount,
        coupon=coupon,
        total_gross=total,
        currency=currency,
        total_gross_in_currency=money_round(total * rate),
        applied_promotions=applied,
        coupon_basket_gross=basket,
        coupon_error=coupon_error,
        exchange_rate=rate,
        subtotal_gross_in_currency=money_round(subtotal * rate),
        discount_in_currency=money_round(subtotal * rate) - money_round(total * rate),
        applied_promotions_in_currency=[(name, money_round(amount * rate)) for name, amount in applied],
        coupon_discount_in_currency=money_round(coupon_discount * rate),
        member_discount=member_discount,
        member_label=member_label,
        member_discount_in_currency=money_round(member_discount * rate),
        free_shipping=benefit.free_shipping and bool(lines),
        prices_ht=b2b.sees_prices_ht(who, shop_id=cart.shop_id),
        subtotal_net_in_currency=sum((line.line_net_in_currency for line in priced_lines), ZERO),
        total_net_in_currency=money_round(total_net * rate),
    )


def member_discount_label(benefit: pricing.Benefit) -> str:
    """ "Gold member −5 %": the benefit's name and its percentage (no trailing zeros)."""
    percent = benefit.discount_percent.normalize()
    percent_text = f"{percent:f}"
    if benefit.label:
        return _("%(name)s member −%(percent)s %%") % {"name": benefit.label, "percent": percent_text}
    return _("Member discount −%(percent)s %%") % {"percent": percent_text}


# --- checks ---------------------------------------------------------------------------------------


def _lock_open(cart: Cart) -> Cart:
    locked = Cart.objects.select_for_update().filter(pk=cart.pk).first()
    if locked is None or locked.status != CartStatus.OPEN:
        raise CartClosed(detail={"token": str(cart.token)})
    if Cart.user.is_cached(cart) and cart.user_id == locked.user_id:
        locked.user = cart.user  # the caller's instance: no reload, and its company lookup is kept
    return locked


def _touch(cart: Cart) -> None:
    cart.save(update_fields=["updated_at"])


def _check_quantity(quantity: object, *, allow_zero: bool) -> None:
    low = 0 if allow_zero else 1
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or not low <= quantity <= MAX_LINE_QUANTITY
    ):
        raise InvalidCartQuantity(
            _("The quantity must be a whole number from %(low)s to %(max)s.")
            % {"low": low, "max": MAX_LINE_QUANTITY},
            detail={"quantity": str(quantity), "min": low, "max": MAX_LINE_QUANTITY},
        )


def _check_room(cart: Cart) -> None:
    """A new line fits: the cart holds fewer than ``CART_MAX_LINES`` lines."""
    limit = settings.CART_MAX_LINES
    if CartLine.objects.filter(cart=cart).count() >= limit:
        raise CartFull(
            _("Your cart holds %(max)s different products, the most it can hold.") % {"max": limit},
            detail={"limit": "cart_lines", "max": limit},
        )


def _check_sellable(variant: Variant) -> Variant:
    """The variant as it is now, with its product (the business rules read the product from it)."""
    current = Variant.objects.select_related("product").filter(pk=variant.pk).first()
    if current is None or not current.is_active or not current.product.is_published:
        raise ProductUnavailable(
            _("%(sku)s is no longer sold.") % {"sku": variant.sku}, detail={"sku": variant.sku}
        )
    return current


def _check_business_rules(
    cart: Cart, variant: Variant, quantity: int, *, current: Variant | None = None
) -> None:
    """A business buyer's line: the product's minimum and pack size (``orders.services.b2b``).
    ``current``: the variant just read by ``_check_sellable`` (no second read)."""
    if cart.user_id is None or company_membership_for(cart.user) is None:
        return
    product = (current or Variant.objects.select_related("product").get(pk=variant.pk)).product
    b2b.check_quantity(product, quantity, sku=variant.sku)


def available_online(variant: Variant) -> int:
    """The most units one online location can sell now (an order ships from one location)."""
    return stock.available_online(variant)


def _check_available(variant: Variant, quantity: int) -> None:
    available = available_online(variant)
    if quantity > available:
        message = (
            _("Sorry, %(sku)s is out of stock online.") % {"sku": variant.sku}
            if available == 0
            else _("Only %(available)s of %(sku)s can be ordered online.")
            % {"available": available, "sku": variant.sku}
        )
        raise NotEnoughStock(
            message, detail={"sku": variant.sku, "requested": quantity, "available": available}
        )
