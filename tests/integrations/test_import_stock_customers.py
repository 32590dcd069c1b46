from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.models import Address, CustomerGroup, CustomerProfile, User
from inventory import services as stock
from inventory.models import MovementReason
from inventory.selectors import check_ledger
from orders.models import Order
from pricing.models import PriceListEntry
from tests.factories import LocationFactory, ProductFactory, UserFactory, VariantFactory

from .helpers import erp_import, last_line, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    store = LocationFactory(code="AJA")
    variant = VariantFactory(sku="MIEL-250", product=ProductFactory(name="Miel"))
    return store, variant


def test_stock_counts_go_through_the_ledger_and_respect_reservations(tmp_path, shop):
    store, variant = shop
    other = VariantFactory(sku="MIEL-500")
    stock.receive_stock(variant=other, location=store, quantity=10)
    stock.reserve_stock(variant=other, location=store, quantity=4)
    path = write(
        tmp_path / "stock.csv",
        "SKU\tLocation\tQuantity\nMIEL-250\taja\t1 200\nMIEL-500\tAJA\t3\n"
        "MIEL-500\tNOWHERE\t3\nNOPE\tAJA\t1\nMIEL-250\tAJA\t-1\n",
    )
    code, out = erp_import("stock", path)
    assert (code, last_line(out)) == (3, "created=0 updated=1 unchanged=0 rejected=4")
    level = variant.stock_levels.get(location=store)
    assert (level.on_hand, level.reserved) == (1200, 0)
    assert variant.stock_movements.get().reason == MovementReason.COUNT_ADJUSTMENT
    assert other.stock_levels.get(location=store).on_hand == 10  # 3 counted < 4 reserved: refused
    assert check_ledger().mismatches == []
    code, out = erp_import("stock", path)
    assert last_line(out) == "created=0 updated=0 unchanged=1 rejected=4"


def test_customers_created_updated_and_validated(tmp_path, db):
    CustomerGroup.objects.create(code="pro", name="Professionnels", is_b2b=True)
    UserFactory(email="web@example.com")
    header = "customer_code;email;first_name;last_name;company;vat_number;siret;customer_group;phone;address;postcode;city;country;marketing_opt_in\n"  # noqa: E501
    path = write(
        tmp_path / "clients.csv",
        header
        + "C001;Marie@Example.com;Marie;Durand;Durand SARL;FR40303265045;73282932000074;PRO;0601020304;"
        "1 rue Fesch;20000;Ajaccio;France;oui\n"
        + "C002;web@example.com;Paul;Web;;;;;;;;;;non\n"  # the web shopper gets his ERP code
        + "C003;bad-email;X;Y;;;;;;;;;;\n"
        + "C004;c4@example.com;X;Y;;FR00000000000;;;;;;;;\n"
        + "C005;c5@example.com;X;Y;;;12345678901234;;;;;;;\n"
        + "C006;c6@example.com;X;Y;;;;nogroup;;;;;;\n",
    )
    code, out = erp_import("customers", path)
    assert (code, last_line(out)) == (3, "created=1 updated=1 unchanged=0 rejected=4")
    marie = CustomerProfile.objects.select_related("user", "group").get(erp_code="C001")
    assert (marie.user.email, marie.siren, marie.vat_number, marie.group.code) == (
        "marie@example.com", "732829320", "FR40303265045", "pro"
    )  # fmt: skip
    assert marie.marketing_opt_in is True and not marie.user.has_usable_password()
    assert Address.objects.get(user=marie.user).city == "Ajaccio"
    assert User.objects.get(email="web@example.com").customer_profile.erp_code == "C002"
    code, out = erp_import("customers", path)
    assert last_line(out) == "created=0 updated=0 unchanged=2 rejected=4"


def test_prices_per_group_with_discount(tmp_path, shop):
    _, variant = shop
    CustomerGroup.objects.create(code="pro", name="Pro")
    path = write(
        tmp_path / "prix.csv",
        "sku;customer_group;price_ht;discount_percent;valid_from;valid_to\n"
        "MIEL-250;pro;10,00;15;01/01/2026;2026-12-31\n"
        "MIEL-250;pro;-1;0;;\n"
        "MIEL-250;pro;10;0;32/13/2026;\n",
    )
    code, out = erp_import("prices", path)
    assert (code, last_line(out)) == (3, "created=1 updated=0 unchanged=0 rejected=2")
    entry = PriceListEntry.objects.select_related("price_list").get()
    assert entry.price_ht == Decimal("8.5000") and entry.price_list.customer_group.code == "pro"
    assert last_line(erp_import("prices", path)[1]) == "created=0 updated=0 unchanged=1 rejected=2"


def test_order_history_closed_orders_without_stock(tmp_path, shop):
    store, variant = shop
    user = UserFactory(email="h@example.com")
    CustomerProfile.objects.create(user=user, erp_code="C9")
    path = write(
        tmp_path / "histo.csv",
        "order_ref;date;customer_code;channel;store;sku;quantity;unit_price_ttc;discount_ttc;payment_method\n"
        "V1;15/03/2024;C9;magasin;AJA;MIEL-250;2;12,00;1,00;CB\n"
        "V1;15/03/2024;C9;magasin;AJA;MIEL-250;1;12,00;;CB\n"
        "V2;16/03/2024;;store;AJA;MIEL-250;1;12,00;;CB\n"
        "V2;16/03/2024;;store;AJA;NOPE;1;12,00;;CB\n",
    )
    code, out = erp_import("orders", path)
    assert (code, last_line(out)) == (3, "created=2 updated=0 unchanged=0 rejected=2")
    order = Order.objects.get(number="V1")
    assert (order.status, order.customer, order.total_gross) == ("completed", user, Decimal("35.00"))
    assert order.created_at.date().isoformat() == "2024-03-15"
    assert not variant.stock_movements.exists()
    assert last_line(erp_import("orders", path)[1]) == "created=0 updated=0 unchanged=2 rejected=2"
    call_command("check_stock")
