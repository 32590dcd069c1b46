"""The staff order screen in a real browser: the list, a partial refund of a shipped order through the
form and its confirmation, the detail page telling the whole story, and a cancellation's confirmation.
Screenshots at 1440x900 go to docs/screenshots/backoffice-orders-*.png.

The data are made by the real services (orders placed, paid with the test provider, moved on; the
parcels and tracking events written as the shipping part will write them).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from catalog.models import OptionType, OptionValue
from inventory import services as inventory
from inventory.models import LocationKind
from logistics.fulfilment_models import Parcel, Shipment, ShipmentLine, ShipmentStatus, TrackingEvent
from orders import services
from orders.models import DeliveryMethod, OrderStatus
from orders.services import LineInput
from tests.factories import LocationFactory, ProductFactory, UserFactory, VariantFactory, staff
from tests.orders.pickup_support import pay_with_test_provider

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORT = {"width": 1440, "height": 900}
PASSWORD = "pass-1234-word"  # UserFactory's
CUSTOMERS = [
    ("Ana", "Colonna"),
    ("Marc", "Santoni"),
    ("Lucia", "Pietri"),
    ("Jean", "Ferrandi"),
    ("Maria", "Leca"),
    ("Paul", "Orsini"),
    ("Iris", "Casanova"),
    ("Théo", "Mattei"),
]


def _address(first: str, last: str, n: int) -> dict[str, str]:
    return {
        "first_name": first,
        "last_name": last,
        "line1": f"{n + 3} rue Fesch",
        "line2": "Bâtiment B" if n % 3 else "",
        "postal_code": "20000",
        "city": "Ajaccio",
        "country": "FR",
        "phone": f"06 12 34 56 {n:02d}",
    }


def seed() -> dict:
    warehouse = LocationFactory(code="ENT", name="Entrepôt Mezzavia", kind=LocationKind.WAREHOUSE)
    aja = LocationFactory(code="AJC", name="Ajaccio — Cours Napoléon", address_line="2 cours Napoléon")
    bas = LocationFactory(code="BIA", name="Bastia — Vieux-Port", city="Bastia", postal_code="20200")
    size = OptionType.objects.create(code="size", name="Taille")
    colour = OptionType.objects.create(code="colour", name="Couleur")
    white = OptionValue.objects.create(option_type=colour, code="white", name="Blanc")
    blue = OptionValue.objects.create(option_type=colour, code="blue", name="Bleu")
    shirt = ProductFactory(name="Chemise en lin", base_price_ht=Decimal("49.9167"))
    espa = ProductFactory(name="Espadrilles toile", base_price_ht=Decimal("24.9167"))
    honey = ProductFactory(name="Miel du maquis AOP 250 g", base_price_ht=Decimal("11.7536"))
    variants = {}
    for code, colour_value in (("M", white), ("L", blue)):
        variant = VariantFactory(sku=f"LIN-SHIRT-{code}-{colour_value.code[:3].upper()}", product=shirt)
        variant.option_values.set(
            [OptionValue.objects.create(option_type=size, code=code.lower(), name=code), colour_value]
        )
        variants[variant.sku] = variant
    espa40 = VariantFactory(sku="ESPA-40-NAT", product=espa)
    espa40.option_values.set([OptionValue.objects.create(option_type=size, code="40", name="40")])
    variants["ESPA-40-NAT"] = espa40
    variants["MIEL-MAQUIS-250"] = VariantFactory(sku="MIEL-MAQUIS-250", product=honey)
    for variant in variants.values():
        for location in (warehouse, aja, bas):
            inventory.receive_stock(variant=variant, location=location, quantity=40, reference="PO-SEED")
    skus = list(variants)
    orders = []
    for n in range(14):
        first, last = CUSTOMERS[n % len(CUSTOMERS)]
        customer = UserFactory(
            email=f"{first.lower()}.{last.lower()}{n}@example.fr", first_name=first, last_name=last
        )
        home = n % 3 != 1
        order = services.place_web_order(
            lines=[LineInput(variants[skus[n % 4]], 2 - n % 2), LineInput(variants[skus[(n + 1) % 4]], 1)],
            location=warehouse if home else (aja if n % 2 else bas),
            delivery_method=DeliveryMethod.HOME if home else DeliveryMethod.CLICK_AND_COLLECT,
            email=customer.email,
            customer=customer,
            phone=f"06 12 34 56 {n:02d}",
            shipping_address=_address(first, last, n) if home else None,
            shipping_gross=Decimal("5.90") if home else Decimal("0"),
            carrier="colissimo" if home else "",
        )
        if n % 7 != 6:
            order = pay_with_test_provider(order)
        placed = timezone.now() - dt.timedelta(hours=7 * (14 - n), minutes=13 * n)
        type(order).objects.filter(pk=order.pk).update(created_at=placed)
        orders.append(order)
    shipped = orders[0]  # 2 shirts M white + 1 shirt L blue, home delivery
    ship(shipped, warehouse, delivered=True)
    for order in orders[3:6]:
        if order.delivery_method == DeliveryMethod.HOME and order.status == OrderStatus.PAID:
            ship(order, warehouse, delivered=False)
    return {
        "user": staff(email="service.client@example.fr", first_name="Claire", last_name="Marchetti"),
        "shipped": shipped.number,
        "paid": orders[2].number,
    }


def ship(order, location, *, delivered: bool) -> None:
    """The shipment routing made at payment (logistics.services_fulfilment), moved on as picking,
    packing and the carrier would (the end-to-end flow test drives those screens for real)."""
    now = timezone.now()
    shipment = Shipment.objects.get(order=order)
    Shipment.objects.filter(pk=shipment.pk).update(
        status=ShipmentStatus.DELIVERED if delivered else ShipmentStatus.IN_TRANSIT,
        shipped_at=now - dt.timedelta(days=2),
        delivered_at=now if delivered else None,
    )
    for shipment_line in shipment.lines.all():
        ShipmentLine.objects.filter(pk=shipment_line.pk).update(
            quantity_picked=shipment_line.quantity, quantity_packed=shipment_line.quantity
        )
    tracking = f"6A{order.pk:011d}"
    parcel = Parcel.objects.create(
        shipment=shipment,
        parcel_type="medium",
        weight_grams=850,
        label_status="ready",
        tracking_number=tracking,
        status="delivered" if delivered else "in_transit",
        tracking_url=f"https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}",
    )
    steps = [
        ("shipped", "Pris en charge par La Poste", "Ajaccio PFC"),
        ("in_transit", "En cours d'acheminement", "Marseille PFC"),
    ]
    if delivered:
        steps += [("out_for_delivery", "En cours de livraison", "Ajaccio"), ("delivered", "Livré", "Ajaccio")]
    for i, (status, text, place) in enumerate(steps):
        TrackingEvent.objects.create(
            parcel=parcel,
            event_key=f"{tracking}-{i}",
            status=status,
            description=text,
            place=place,
            occurred_at=now - dt.timedelta(hours=40 - 12 * i),
            source="poll",
        )
    services.transition_order(order=order, to_status=OrderStatus.SHIPPED)
    if delivered:
        services.transition_order(order=order, to_status=OrderStatus.COMPLETED)


@pytest.fixture
def browser_page(chromium_browser):
    context = chromium_browser.new_context(viewport=VIEWPORT, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def test_staff_work_an_order_in_the_browser(live_server, browser_page, in_thread, settings, eager_celery):
    settings.PAYMENTS_TEST_PROVIDER = True
    data = in_thread(seed)
    page = browser_page
    base = live_server.url
    page.goto(f"{base}/admin/login/?next=/backoffice/orders/")
    page.fill("#id_username", data["user"].email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/backoffice/orders/")
    expect(page.locator(".orders-table tbody tr")).to_have_count(14)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "backoffice-orders-list.png"))

    # refund part of the delivered order: one shirt and a goodwill amount
    page.click(f"text={data['shipped']}")
    page.click("text=Refund…")
    first_line = page.locator("input.qty-input").first
    first_line.fill("1")
    page.fill("input[name=amount]", "5.00")
    page.fill("input[name=reason]", "Chemise trop grande, geste commercial")
    page.click("text=Review the refund")
    expect(page.locator("h1")).to_contain_text("Confirm: refund part of order")
    page.click("button:has-text('Refund')")
    expect(page.locator(".message--success")).to_contain_text("refunded to the original payment")
    expect(page.locator("text=Chemise trop grande, geste commercial").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "backoffice-orders-detail-refunded.png"), full_page=True)

    # the cancellation's confirmation of a paid order that has not left
    page.goto(f"{base}/backoffice/orders/{data['paid']}/cancel/")
    page.locator("input.qty-input").first.fill("1")
    page.fill("input[name=reason]", "Rupture : article abîmé en réserve")
    page.click("text=Review the cancellation")
    expect(page.locator("h1")).to_contain_text("Confirm: cancel order")
    page.screenshot(path=str(SHOTS / "backoffice-orders-cancel-confirm.png"))
