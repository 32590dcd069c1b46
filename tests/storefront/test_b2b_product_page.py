"""A company buyer's product page (issue 17): the company's own price before its group's, excl. VAT
with the list price and discount, the quantity breaks, and the minimum and pack size on the input."""

from decimal import Decimal

import pytest

from accounts.models import Company, CompanyMember, CustomerGroup
from pricing.models import PriceList, PriceListEntry
from tests.factories import UserFactory
from tests.storefront.storefront_data import Shop, _fresh_cache, variant  # noqa: F401


@pytest.fixture
def shop(db):
    return Shop()


def text(response):
    assert response.status_code == 200
    return response.content.decode()


def test_a_company_buyer_sees_its_prices_breaks_and_pack_rules(client, shop):
    product = shop.tshirt("Calvi tee", aja=1)
    product.b2b_min_quantity, product.b2b_pack_size = 10, 6
    product.save()
    group = CustomerGroup.objects.create(code="hotels", name="Hotels", is_b2b=True)
    company = Company.objects.create(name="Hôtel Rossi", group=group)
    tee = variant("TEE-1-S-RED")
    group_list = PriceList.objects.create(code="hotels", name="Hotels", customer_group=group, priority=99)
    PriceListEntry.objects.create(price_list=group_list, variant=tee, price_ht=Decimal("7.0000"))
    own = PriceList.objects.create(code="rossi", name="Rossi", company=company)
    PriceListEntry.objects.create(price_list=own, variant=tee, price_ht=Decimal("9.0000"))
    PriceListEntry.objects.create(price_list=own, variant=tee, price_ht=Decimal("8.0000"), min_quantity=24)
    buyer = UserFactory()
    CompanyMember.objects.create(company=company, user=buyer)
    client.force_login(buyer)

    body = text(client.get(f"/en/p/{product.slug}/?sku=TEE-1-S-RED"))

    # its own list, though the group's has a higher priority and a lower price; HT, list price, discount
    assert '<span class="price" data-price-value>€9.00</span> <span class="muted">excl. VAT</span>' in body
    assert "€10.00" in body and "−10.0 %" in body
    assert "Your prices by quantity (excl. VAT)" in body
    assert '<th scope="row">from 24 units</th><td>€8.00</td>' in body
    assert "Business orders: at least 12 units, by packs of 6." in body  # 10 rounded up to whole packs
    assert 'min="12" step="6"' in body

    client.logout()  # a shopper: the public price, no business terms
    anonymous = text(client.get(f"/en/p/{product.slug}/?sku=TEE-1-S-RED"))
    assert "€12.00" in anonymous and "Business orders" not in anonymous and 'min="1" step="1"' in anonymous
