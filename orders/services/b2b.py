"""What changes when a business buyer (a member of a B2B company, ``accounts.Company``) orders.

- Prices: the company's own price list first, then its group's, then everybody's, with quantity
  breaks (``pricing.resolution``); the cart and the order price each line at its quantity.
- Quantities: each product's ``b2b_min_quantity`` and ``b2b_pack_size`` hold for business buyers,
  in the cart (adding, changing a quantity) and again at checkout (a rule changed since, a cart
  filled before its owner joined a company). Shoppers are not held to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from accounts.selectors import company_membership_for
from shops import selectors as shops

from ..errors import InvalidCartQuantity

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import Company, CustomerGroup, User
    from catalog.models import Product


@dataclass(frozen=True)
class Buyer:
    """Who prices are for: the company (None for a shopper) and the group its price lists follow."""

    company: Company | None
    group: CustomerGroup | None


def buyer(user: User | AnonymousUser | None, group: CustomerGroup | None) -> Buyer:
    """``group`` is the user's own (``customer_group_for``); a company buyer without one gets the
    company's. One query for a signed-in user, none otherwise."""
    membership = company_membership_for(user)
    if membership is None:
        return Buyer(company=None, group=group)
    return Buyer(company=membership.company, group=group or membership.company.group)


def sees_prices_ht(who: Buyer, *, shop_id: int | None) -> bool:
    """Whether amounts are shown excl. VAT: on a B2B shop (``Shop.mode``), and for a company's buyer
    or a member of a B2B customer group on any shop. No query (the shops are an in-process snapshot)."""
    if who.company is not None or (who.group is not None and who.group.is_b2b):
        return True
    shop = shops.shop_by_id(shop_id) if shop_id else shops.default_shop()
    return shop is not None and shop.is_b2b


def check_quantity(product: Product, quantity: int, *, sku: str) -> None:
    """``InvalidCartQuantity`` when a business buyer's ``quantity`` breaks the product's minimum or
    pack size. Call only for business buyers."""
    minimum, pack = product.b2b_min_quantity, product.b2b_pack_size
    if quantity % pack:
        lower, upper = quantity - quantity % pack, quantity - quantity % pack + pack
        raise InvalidCartQuantity(
            _("%(sku)s is sold by packs of %(pack)s: order %(lower)s or %(upper)s units, not %(quantity)s.")
            % {"sku": sku, "pack": pack, "lower": max(lower, pack), "upper": upper, "quantity": quantity},
            detail={"sku": sku, "quantity": quantity, "pack_size": pack, "rule": "pack_size"},
        )
    if quantity < minimum:
        smallest = -(-minimum // pack) * pack  # the first whole number of packs that reaches the minimum
        raise InvalidCartQuantity(
            _("The minimum order of %(sku)s is %(minimum)s units (you asked for %(quantity)s).")
            % {"sku": sku, "minimum": smallest, "quantity": quantity},
            detail={"sku": sku, "quantity": quantity, "minimum": smallest, "rule": "min_quantity"},
        )


def check_lines(lines: Iterable[tuple[Product, str, int]]) -> None:
    """Every (product, sku, quantity) line of a business buyer's order; the first broken rule raises."""
    for product, sku, quantity in lines:
        check_quantity(product, quantity, sku=sku)
