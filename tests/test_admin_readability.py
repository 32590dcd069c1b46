"""The admin pages staff work in are readable (issue 16): addresses as lines, not a JSON dict; every
list staff use has filters and a search (and a date drill-down where rows are dated)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.address_format import address_html, address_lines
from inventory import services as inventory
from orders import services
from orders.models import DeliveryMethod
from orders.services import LineInput
from tests.factories import UserFactory

# The lists staff work in, with what each must offer: f = list_filter, s = search_fields,
# d = date_hierarchy.
STAFF_LISTS = {
    "orders.Order": "fsd",
    "accounts.User": "fsd",
    "accounts.CustomerProfile": "fsd",
    "catalog.Product": "fsd",
    "catalog.Variant": "fs",
    "catalog.Review": "fsd",
    "inventory.StockLevel": "fs",
    "inventory.StockMovement": "fsd",
    "inventory.StockLot": "fsd",
    "inventory.Reservation": "fsd",
    "inventory.StockAlert": "fsd",
    "invoicing.Invoice": "fsd",
    "logistics.ReturnRequest": "fsd",
    "pos.Return": "fsd",
    "pos.PosSale": "fsd",
    "pos.RegisterSession": "fsd",
    "pos.StoreCredit": "fsd",
    "pos.DamagedGoods": "fsd",
    "pos.StockDiscrepancy": "fsd",
    "payments.Payment": "fsd",
    "payments.Refund": "fsd",
    "payments.WebhookEvent": "fsd",
    "pricing.PriceList": "fs",
    "pricing.Promotion": "fsd",
    "pricing.CouponRedemption": "fsd",
    "loyalty.PointsEntry": "fsd",
    "loyalty.LoyaltyAccount": "fs",
    "integrations.ImportRun": "fsd",
    "integrations.OrderBatch": "fsd",
    "integrations.WebhookDelivery": "fsd",
}

ADDRESS = {
    "first_name": "Ana",
    "last_name": "Rossi",
    "line1": "12 cours Napoléon",
    "line2": "",
    "postal_code": "20000",
    "city": "Ajaccio",
    "country": "FR",
    "phone": "06 12 34 56 78",
}


def test_every_staff_list_has_filters_search_and_dates():
    registry = {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}
    missing = []
    for label, wanted in STAFF_LISTS.items():
        model_admin = registry[label]
        has = {"f": bool(model_admin.list_filter), "s": bool(model_admin.search_fields)}
        has["d"] = bool(model_admin.date_hierarchy)
        missing += [f"{label}: {flag}" for flag in wanted if not has[flag]]
    assert missing == []


def test_an_address_reads_as_lines():
    assert address_lines(ADDRESS) == [
        "Ana Rossi",
        "12 cours Napoléon",
        "20000 Ajaccio",
        "France",
        "06 12 34 56 78",
    ]
    assert address_lines({}) == []
    assert address_lines(None) == []
    assert address_html({}) == "-"


def test_an_address_is_escaped_line_by_line():
    html = address_html({"name": "<b>Ana</b>", "line1": "1 rue A", "city": "Bastia", "country": "IT"})
    assert html == "&lt;b&gt;Ana&lt;/b&gt;<br>\n1 rue A<br>\nBastia<br>\nItaly"


@pytest.mark.django_db
def test_the_order_page_shows_the_shipping_address_as_lines(client, store, variant):
    inventory.receive_stock(variant=variant, location=store, quantity=5)
    customer = UserFactory()
    order = services.place_web_order(
        lines=[LineInput(variant, 1)],
        location=store,
        delivery_method=DeliveryMethod.HOME,
        email=customer.email,
        customer=customer,
        shipping_address=ADDRESS,
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    html = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    assert "Ana Rossi<br>\n12 cours Napoléon<br>\n20000 Ajaccio<br>\nFrance<br>\n06 12 34 56 78" in html
    assert "&quot;line1&quot;" not in html and '"line1"' not in html
    assert "Adresse de livraison" in html
