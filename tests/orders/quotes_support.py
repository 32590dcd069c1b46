"""Shared givens for the B2B quote tests (issue 17)."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import CompanyMember, CompanyRole, PaymentTerms
from orders.models import Cart
from orders.services import cart as cart_services
from orders.services import quotes
from pricing.models import PriceList, PriceListEntry
from tests.factories import UserFactory
from tests.orders.quick_order_support import make_b2b_shop


def make_quote_shop():
    """``make_b2b_shop`` (AJA sells 5 TEE, 40 MUG, 30 BOX by packs of 6 from 12) plus: Rossi SAS pays
    on terms (30 days end of month, credit 5 000 €), has its own MUG price (8.00 HT instead of the
    catalog's 10.00) and an approver, Dario; Anna's cart holds 12 BOX and 10 MUG."""
    shop = make_b2b_shop()
    rossi = shop.rossi
    rossi.payment_terms, rossi.credit_limit = PaymentTerms.NET_30_EOM, Decimal("5000.00")
    rossi.save()
    plist = PriceList.objects.create(code="rossi", name="Rossi", company=rossi)
    PriceListEntry.objects.create(price_list=plist, variant=shop.mug, price_ht=Decimal("8.0000"))
    shop.dario = UserFactory(email="dario@example.com")
    CompanyMember.objects.create(company=rossi, user=shop.dario, role=CompanyRole.APPROVER)
    shop.shopper = UserFactory(email="shopper@example.com")
    shop.cart = Cart.objects.create(user=shop.anna)
    cart_services.add_to_cart(cart=shop.cart, variant=shop.box, quantity=12)
    cart_services.add_to_cart(cart=shop.cart, variant=shop.mug, quantity=10)
    return shop


def requested(shop, message="Delivery in March, please."):
    return quotes.request_quote(cart=shop.cart, user=shop.anna, message=message)


def sent(shop, *, box_price="7.5000", mug_price="8.0000"):
    """Anna's quote with BOX at 7.50 and MUG at 8.00 HT, sent."""
    quote = requested(shop)
    lines = {line.sku: line for line in quote.lines.all()}
    quotes.update_quote_lines(
        quote=quote,
        changes=[
            quotes.LineChange(line_id=lines["BOX"].pk, quantity=12, unit_price=box_price),
            quotes.LineChange(line_id=lines["MUG"].pk, quantity=10, unit_price=mug_price),
        ],
    )
    return quotes.send_quote(quote=quote)
