"""manage.py seed_demo: the demo stores, catalog, stock (through the ledger) and logins, re-runnable."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from accounts.models import Role, User
from catalog.models import Category, OptionValue, Product, Variant
from catalog.validators import is_valid_ean13
from demo.seed import demo_counts
from inventory.models import Location, StockLevel, StockLot, StockMovement
from inventory.selectors import check_ledger
from invoicing.models import Invoice

pytestmark = pytest.mark.django_db


def seed(capsys, *args) -> str:
    call_command("seed_demo", "--products", "80", *args)
    return capsys.readouterr().out


def test_seed_creates_a_consistent_demo(capsys):
    out = seed(capsys)

    assert set(Location.objects.values_list("code", flat=True)) == {"AJA", "BAS", "PVE", "CAL", "WH"}
    assert all(loc.opening_hours and loc.address_line for loc in Location.objects.all())
    assert Product.objects.count() == 80
    assert Category.objects.filter(parent__isnull=True).count() == 4
    assert Category.objects.get(slug="women-dresses").parent.parent.slug == "clothing"
    # translated names, SKUs unique by construction, every EAN-13 valid
    product = Product.objects.first()
    assert product.name_fr and product.name_en and product.name_it
    for language in ("fr", "en", "it"):  # unique names in each language; variants share their product's price
        names = list(Product.objects.values_list(f"name_{language}", flat=True))
        assert len(set(names)) == len(names) == 80
    assert not Variant.objects.filter(price_ht_override__isnull=False).exists()
    variants = list(Variant.objects.values_list("sku", "ean13"))
    assert len(variants) > 80 and len({sku for sku, _ in variants}) == len(variants)
    assert all(is_valid_ean13(ean) for _, ean in variants)
    # clothing has size x color variants, food has lots
    clothing = Product.objects.filter(category__parent__parent__slug="clothing").first()
    assert clothing.variants.count() >= 3
    assert {v.option_type.code for v in OptionValue.objects.filter(variants__product=clothing)} == {
        "size",
        "color",
    }
    assert Product.objects.filter(tracks_lots=True).exists()
    assert StockLot.objects.filter(expiry_date__isnull=False).exists()
    # stock everywhere, written through the ledger
    assert set(StockLevel.objects.values_list("location__code", flat=True).distinct()) == {
        "AJA",
        "BAS",
        "PVE",
        "CAL",
        "WH",
    }
    assert StockLevel.objects.filter(low_stock_threshold__isnull=False).exists()
    # the warehouse has a bin for every level (picking walks them), the stores none
    bins = list(StockLevel.objects.filter(location__code="WH").values_list("bin_location", flat=True))
    assert all(bins) and "A-01-1" in bins
    assert not StockLevel.objects.exclude(location__code="WH").exclude(bin_location="").exists()
    assert StockMovement.objects.count() >= StockLevel.objects.count()
    assert check_ledger().ok
    call_command("check_stock")
    # one login per role, tokens printed
    cashier = User.objects.get(email="cashier.aja@demo.example")
    assert cashier.store.code == "AJA" and cashier.has_role(Role.CASHIER)
    assert User.objects.get(email="manager.aja@demo.example").has_role(Role.STORE_MANAGER)
    assert User.objects.get(email="admin@demo.example").is_superuser
    assert authenticate(username="staff@demo.example", password="demo1234") is not None
    for email in ("shopper@demo.example", "manager@demo.example", "admin@demo.example"):
        assert Token.objects.get(user__email=email).key in out
    assert "demo1234" in out
    # today's daily run invoiced the shopper's two paid orders (three lines) on one invoice
    invoice = Invoice.objects.get()
    assert invoice.customer.email == "shopper@demo.example" and invoice.number.startswith("FA-")
    assert invoice.lines.filter(order_line__isnull=False).count() == 3
    assert invoice.paid_amount == invoice.total_gross > 0  # paid by card (the test provider)
    # B2B: Hôtel Rossi, its buyer and approver, its own prices with a break at 12, packs of 6
    from accounts.models import Company
    from pricing import services as pricing

    company = Company.objects.get(name="Hôtel Rossi")
    assert sorted(company.members.values_list("user__email", "role")) == [
        ("approver@demo.example", "approver"), ("buyer@demo.example", "buyer")
    ]  # fmt: skip
    variant = Variant.objects.order_by("pk").select_related("product__vat_rate").first()
    one = pricing.unit_price(variant=variant, company=company, customer_group=company.group, quantity=1)
    twelve = pricing.unit_price(variant=variant, company=company, customer_group=company.group, quantity=12)
    assert one.price_list == "hotel-rossi" and twelve.net < one.net < variant.price_ht
    assert (variant.product.b2b_min_quantity, variant.product.b2b_pack_size) == (12, 6)


def test_seed_is_deterministic_and_rerunnable(capsys):
    seed(capsys)
    first = demo_counts()
    skus = list(Variant.objects.order_by("sku").values_list("sku", "ean13", "product__name_en"))
    tokens = dict(Token.objects.values_list("user__email", "key"))

    out = seed(capsys)  # again: nothing duplicated, same logins
    assert "already exists" in out
    assert demo_counts() == first
    assert dict(Token.objects.values_list("user__email", "key")) == tokens
    assert Invoice.objects.count() == 1  # the day was run: nothing issued twice
    assert check_ledger().ok
    assert list(Variant.objects.order_by("sku").values_list("sku", "ean13", "product__name_en")) == skus


@pytest.mark.django_db(
    transaction=True
)  # --reset empties the database (TRUNCATE): not inside a test transaction
def test_reset_generates_the_same_catalog_again(capsys):
    seed(capsys)
    first = demo_counts()
    skus = list(Variant.objects.order_by("sku").values_list("sku", "ean13", "product__name_en"))
    assert Invoice.objects.exists()
    seed(capsys, "--reset")  # empties issued invoices too (TRUNCATE; SQLite: the project's flush)
    assert demo_counts() == first
    assert Invoice.objects.count() == 1
    assert list(Variant.objects.order_by("sku").values_list("sku", "ean13", "product__name_en")) == skus
    assert check_ledger().ok


def test_make_demo_prints_the_logins_last_through_demo_logins(capsys):
    """``make demo`` seeds with --no-logins and prints the table with ``demo_logins`` once serving starts."""
    out = seed(capsys, "--no-logins")
    tokens = dict(Token.objects.values_list("user__email", "key"))
    assert "Demo data ready" in out and "demo1234" not in out
    assert not any(key in out for key in tokens.values())

    call_command("demo_logins")
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "Logins (password demo1234):"
    rows = {line.split()[0]: line.split() for line in table[2:]}
    assert rows["cashier.aja@demo.example"][1:] == [
        "demo1234",
        "cashier",
        "AJA",
        tokens["cashier.aja@demo.example"],
    ]
    assert rows["admin@demo.example"][2:] == ["superuser", "-", tokens["admin@demo.example"]]
    assert len(rows) == 8  # six roles, and Hôtel Rossi's buyer and approver
