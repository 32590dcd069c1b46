"""Who sees which order, everywhere an order is shown: the back-office list, detail, search and export,
the Django admin (changelist and change page) and the orders API. One rule,
``orders.selectors.orders_visible_to``: chain roles see every order, a store manager the orders sold,
collected or shipped from their store, a cashier, a shopper or a visitor none on staff screens.

The world: Ajaccio (A) and Bastia (B) stores and the warehouse (WH).

=============  ==============================  ==============================
order          how                             seen by the Ajaccio manager
=============  ==============================  ==============================
W-A-COLLECT    click & collect at A            yes (collected there)
W-B-COLLECT    click & collect at B            no
W-HOME-FROM-A  home delivery, stock held at A  yes (shipped from there)
W-HOME-WH      home delivery from WH           no
=============  ==============================  ==============================
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from catalog.models import OptionType, OptionValue
from inventory.models import LocationKind, Reservation, ReservationStatus
from logistics.fulfilment_models import Parcel, Shipment, ShipmentLine, ShipmentStatus, TrackingEvent
from orders.models import (
    Channel,
    DeliveryMethod,
    NotificationLog,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
)
from orders.selectors import orders_visible_to
from payments.models import Payment, Refund
from tests.factories import (
    LocationFactory,
    UserFactory,
    VariantFactory,
    cashier,
    manager,
    staff,
    store_manager,
)

pytestmark = pytest.mark.django_db

LIST = "/backoffice/orders/"
EXPORT = "/backoffice/orders/export/"
API = "/api/v1/orders/"
ALL = {"W-A-COLLECT", "W-B-COLLECT", "W-HOME-FROM-A", "W-HOME-WH"}
A_SCOPE = {"W-A-COLLECT", "W-HOME-FROM-A"}


class World:
    def __init__(self) -> None:
        self.a = LocationFactory(
            code="AJA", name="Ajaccio", address_line="2 cours Napoléon", postal_code="20000"
        )
        self.b = LocationFactory(code="BAS", name="Bastia", city="Bastia")
        self.wh = LocationFactory(code="WH", name="Entrepôt", kind=LocationKind.WAREHOUSE, city="Furiani")
        size = OptionType.objects.create(code="size", name="Size")
        colour = OptionType.objects.create(code="colour", name="Colour")
        self.tee = VariantFactory(sku="TEE-M-NAVY", product__name="Tee-shirt")
        self.tee.option_values.set(
            [
                OptionValue.objects.create(option_type=colour, code="navy", name="Navy"),
                OptionValue.objects.create(option_type=size, code="m", name="M"),
            ]
        )
        self.mug = VariantFactory(sku="MUG-1", product__name="Mug")
        self.customer = UserFactory(email="ana@shopper.example", first_name="Ana", last_name="Colonna")
        self.orders: dict[str, Order] = {}
        self.order(
            "W-A-COLLECT",
            self.a,
            DeliveryMethod.CLICK_AND_COLLECT,
            stock_at=self.a,
            customer=self.customer,
            days_ago=3,
        )
        self.order(
            "W-B-COLLECT",
            self.b,
            DeliveryMethod.CLICK_AND_COLLECT,
            stock_at=self.b,
            sku_variant=self.mug,
            phone="0699887766",
            days_ago=2,
        )
        self.order("W-HOME-FROM-A", self.wh, DeliveryMethod.HOME, stock_at=self.a, days_ago=1)
        self.order("W-HOME-WH", self.wh, DeliveryMethod.HOME, stock_at=self.wh, days_ago=0)

    def order(
        self, number, location, method, *, stock_at, customer=None, sku_variant=None, phone="", days_ago=0
    ) -> Order:
        variant = sku_variant or self.tee
        order = Order.objects.create(
            number=number,
            channel=Channel.WEB,
            delivery_method=method,
            location=location,
            status=OrderStatus.PAID,
            email=f"{number.lower()}@shopper.example",
            phone=phone,
            customer=customer,
            total_gross=Decimal("25.00"),
            total_net=Decimal("20.83"),
            total_vat=Decimal("4.17"),
            total_gross_eur=Decimal("25.00"),
            shipping_address={
                "first_name": "Lea",
                "last_name": f"Name{number[-2:]}",
                "line1": "3 rue Fesch",
                "postal_code": "20000",
                "city": "Ajaccio",
                "country": "FR",
            },
        )
        Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
        reservation = Reservation.objects.create(
            variant=variant,
            location=stock_at,
            quantity=2,
            reference=number,
            status=ReservationStatus.COMMITTED,
            expires_at=timezone.now() + dt.timedelta(hours=1),
        )
        OrderLine.objects.create(
            order=order,
            variant=variant,
            sku=variant.sku,
            name=variant.product.name,
            quantity=2,
            unit_price_net=Decimal("10.4150"),
            vat_rate=Decimal("0.2"),
            total_net=Decimal("20.83"),
            total_vat=Decimal("4.17"),
            total_gross=Decimal("25.00"),
            reservation=reservation,
        )
        OrderStatusChange.objects.create(order=order, from_status="", to_status=OrderStatus.PENDING_PAYMENT)
        OrderStatusChange.objects.create(
            order=order, from_status=OrderStatus.PENDING_PAYMENT, to_status=OrderStatus.PAID
        )
        NotificationLog.objects.create(
            order=order, kind="confirmation", channel="email", recipient=order.email, sent_at=timezone.now()
        )
        order.refresh_from_db()
        self.orders[number] = order
        return order


@pytest.fixture
def world(db, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return World()


def role_users(world: World) -> dict[str, object]:
    return {
        "staff": staff(),
        "manager": manager(),
        "a_manager": store_manager(world.a),
        "cashier": cashier(world.a),
        "customer": world.customer,
        "anonymous": None,
    }


# What each role gets: (status of the back-office pages, orders seen there and in the admin,
# admin status, API list numbers).
EXPECTED = {
    "staff": (200, ALL, 200, ALL),
    "manager": (200, ALL, 200, ALL),
    "a_manager": (200, A_SCOPE, 200, A_SCOPE),
    "cashier": (403, set(), 302, set()),
    "customer": (403, set(), 302, {"W-A-COLLECT"}),  # the API: their own order only
    "anonymous": (302, set(), 302, None),  # the API: 401
}


def _login(client, user) -> None:
    client.logout()
    if user is not None:
        client.force_login(user)


def _rows(response) -> set[str]:
    return {order.number for order in response.context["orders"]}


def _csv_numbers(response) -> set[str]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row[0] for row in list(csv.reader(io.StringIO(text), delimiter=";"))[1:]}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_the_matrix(world, client, role):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    user = role_users(world)[role]
    page_status, seen, admin_status, api_seen = EXPECTED[role]
    _login(client, user)

    # back office: list, search, export, detail of each order
    response = client.get(LIST)
    assert response.status_code == page_status, role
    if page_status == 302:
        assert response["Location"].startswith(reverse("admin:login"))
    if page_status == 200:
        assert _rows(response) == seen
        for number in ALL:
            found = _rows(client.get(LIST, {"q": number}))
            assert found == ({number} & seen), (role, number)
        assert _csv_numbers(client.get(EXPORT)) == seen
        for number in ALL:
            detail = client.get(f"{LIST}{number}/")
            assert detail.status_code == (200 if number in seen else 404), (role, number)
    else:
        assert client.get(EXPORT).status_code == page_status
        assert client.get(f"{LIST}W-A-COLLECT/").status_code == page_status
        assert client.get(f"{LIST}W-A-COLLECT/cancel/").status_code == page_status

    # admin: changelist rows, change pages, e-mails on orders in scope only
    changelist = client.get(reverse("admin:orders_order_changelist"))
    assert changelist.status_code == admin_status, role
    if admin_status == 200:
        assert {o.number for o in changelist.context["cl"].queryset} == seen
        content = changelist.content.decode()
        for number in ALL:
            assert (f"{number.lower()}@shopper.example" in content) == (number in seen), (role, number)
            page = client.get(reverse("admin:orders_order_change", args=[world.orders[number].pk]))
            assert page.status_code == (200 if number in seen else 404), (role, number)
        search = client.get(reverse("admin:orders_order_changelist"), {"q": "W-B-COLLECT"})
        assert {o.number for o in search.context["cl"].queryset} == {"W-B-COLLECT"} & seen

    # API: list and detail
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    listed = api.get(API, {"limit": 100})
    if api_seen is None:
        assert listed.status_code == 401
        assert api.get(f"{API}W-A-COLLECT/").status_code == 401
        return
    assert listed.status_code == 200
    assert {row["number"] for row in listed.json()["results"]} == api_seen
    for number in ALL:
        assert api.get(f"{API}{number}/").status_code == (200 if number in api_seen else 404), (role, number)


def test_the_rule_itself(world):
    """The selector, without pages: a store manager without a store, an inactive one, a superuser."""
    assert {o.number for o in orders_visible_to(store_manager(world.b))} == {"W-B-COLLECT"}
    assert not orders_visible_to(store_manager(None)).exists()
    assert not orders_visible_to(store_manager(world.a, is_active=False)).exists()
    assert {o.number for o in orders_visible_to(UserFactory(is_superuser=True, is_staff=True))} == ALL
    assert not orders_visible_to(None).exists()


def test_admin_inlines_show_lines_trail_and_messages_to_staff(world, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(store_manager(world.a))
    page = client.get(reverse("admin:orders_order_change", args=[world.orders["W-HOME-FROM-A"].pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "TEE-M-NAVY" in content  # the lines
    assert "Awaiting payment" in content  # the status trail
    assert "w-home-from-a@shopper.example" in content and "Order confirmation" in content  # messages
    assert "Order actions" in content or "order action" in content.lower()


def test_search_by_name_email_phone_and_sku(world, client):
    client.force_login(staff())
    assert _rows(client.get(LIST, {"q": "colonna"})) == {"W-A-COLLECT"}  # the customer's name
    assert _rows(client.get(LIST, {"q": "Ana Colonna"})) == {"W-A-COLLECT"}
    assert _rows(client.get(LIST, {"q": "nameWH"})) == {"W-HOME-WH"}  # the delivery address's name
    assert _rows(client.get(LIST, {"q": "w-b-collect@shopper"})) == {"W-B-COLLECT"}
    assert _rows(client.get(LIST, {"q": "99887766"})) == {"W-B-COLLECT"}
    assert _rows(client.get(LIST, {"q": "mug-1"})) == {"W-B-COLLECT"}  # a SKU, any case
    assert _rows(client.get(LIST, {"q": "TEE-M"})) == set()  # a SKU matches whole


def test_filters_and_sorting(world, client):
    client.force_login(staff())
    Order.objects.filter(number="W-HOME-WH").update(status=OrderStatus.SHIPPED)
    assert _rows(client.get(LIST, {"status": "shipped"})) == {"W-HOME-WH"}
    assert _rows(client.get(LIST, {"delivery_method": "click_collect"})) == {"W-A-COLLECT", "W-B-COLLECT"}
    assert _rows(client.get(LIST, {"location": world.b.pk})) == {"W-B-COLLECT"}
    assert _rows(client.get(LIST, {"channel": "store"})) == set()
    today = timezone.localdate()
    since = client.get(LIST, {"date_from": (today - dt.timedelta(days=1)).isoformat()})
    assert _rows(since) == {"W-HOME-FROM-A", "W-HOME-WH"}
    until = client.get(LIST, {"date_to": (today - dt.timedelta(days=2)).isoformat()})
    assert _rows(until) == {"W-A-COLLECT", "W-B-COLLECT"}
    newest = [o.number for o in client.get(LIST).context["orders"]]
    assert newest == ["W-HOME-WH", "W-HOME-FROM-A", "W-B-COLLECT", "W-A-COLLECT"]
    by_number = [o.number for o in client.get(LIST, {"sort": "number"}).context["orders"]]
    assert by_number == sorted(ALL)
    assert [o.number for o in client.get(LIST, {"sort": "-number"}).context["orders"]] == sorted(ALL)[::-1]
    # a stale or hostile filter value is ignored, never a 500
    assert (
        client.get(LIST, {"location": "x", "date_from": "yesterday", "sort": "password"}).status_code == 200
    )


def test_a_store_manager_cannot_reach_another_store_with_the_store_filter(world, client):
    client.force_login(store_manager(world.a))
    response = client.get(LIST, {"location": world.b.pk})
    assert _rows(response) == A_SCOPE  # the filter is not offered to them: ignored
    assert b"Bastia" not in response.content


def test_export_rows_per_line_csv_and_xlsx(world, client):
    client.force_login(staff())
    response = client.get(EXPORT, {"q": "W-A-COLLECT"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0][:3] == ["Order", "Date", "Status"]
    assert len(rows) == 2
    header = rows[0]
    row = dict(zip(header, rows[1], strict=True))
    assert row["SKU"] == "TEE-M-NAVY" and row["Options"] == "Size: M · Colour: Navy"
    assert row["Ordered"] == "2" and row["Shipped"] == "0" and row["Line total TTC"] == "25.00"
    assert row["Customer name"] == "Ana Colonna" and row["Store"] == "Ajaccio"

    xlsx = client.get(EXPORT, {"format": "xlsx", "delivery_method": "home"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 3 and {v[0] for v in values[1:]} == {"W-HOME-FROM-A", "W-HOME-WH"}


def _ship(world: World, number: str) -> Shipment:
    order = world.orders[number]
    line = order.lines.get()
    shipment = Shipment.objects.create(
        number=f"EXP-{number}",
        order=order,
        location=world.a,
        carrier="colissimo",
        status=ShipmentStatus.DELIVERED,
        routing="Ajaccio has every line: ship from store.",
    )
    ShipmentLine.objects.create(
        shipment=shipment, order_line=line, quantity=2, quantity_picked=2, quantity_packed=2
    )
    parcel = Parcel.objects.create(
        shipment=shipment,
        weight_grams=450,
        tracking_number=f"6A{number[-2:]}0000000001",
        label_status="ready",
        tracking_url="https://www.laposte.fr/outils/suivre-vos-envois?code=6A0000000001",
        status="delivered",
    )
    for i, status in enumerate(("shipped", "in_transit", "delivered")):
        TrackingEvent.objects.create(
            parcel=parcel,
            event_key=f"e{i}",
            status=status,
            description=status,
            source="poll",
            occurred_at=timezone.now() - dt.timedelta(hours=5 - i),
        )
    return shipment


def test_detail_shows_the_whole_story(world, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    _ship(world, "W-HOME-FROM-A")
    order = world.orders["W-HOME-FROM-A"]
    payment = Payment.objects.create(
        order=order,
        provider="stripe",
        status="captured",
        amount=Decimal("25.00"),
        currency="EUR",
        amount_eur=Decimal("25.00"),
        provider_reference="pi_123",
        return_url="/",
        cancel_url="/",
    )
    Refund.objects.create(
        payment=payment,
        amount=Decimal("12.50"),
        currency="EUR",
        status="succeeded",
        provider_reference="re_9",
        reason="one tee came back",
    )
    client.force_login(store_manager(world.a))

    page = client.get(f"{LIST}W-HOME-FROM-A/").content.decode()

    for text in (
        "TEE-M-NAVY",
        "Size: M · Colour: Navy",
        "3 rue Fesch",
        "20000 Ajaccio",
        "EXP-W-HOME-FROM-A",
        "Ajaccio has every line: ship from store.",
        "6A-A0000000001",
        "laposte.fr/outils",
        "pi_123",
        "re_9",
        "€12.50",
        "one tee came back",
        "Order confirmation",
        "Awaiting payment",
    ):
        assert text in page, text
    assert "{&#x27;first_name" not in page and "'line1'" not in page  # an address, not JSON
    # shipped: the cancel button is not offered
    assert "/cancel/" not in page


def test_list_query_count_is_pinned(world, client):
    client.force_login(staff())
    client.get(LIST)  # warm the session and permissions caches of this client
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST).status_code == 200
    for n in range(12):
        world.order(f"W-MORE-{n:02d}", world.b, DeliveryMethod.CLICK_AND_COLLECT, stock_at=world.b)
    with CaptureQueriesContext(connection) as many:
        assert client.get(LIST, {"q": "shopper", "sort": "total"}).status_code == 200
    assert len(many) == len(few) <= 8


def _pay(order: Order, *refunds: str) -> Payment:
    payment = Payment.objects.create(
        order=order,
        provider="stripe",
        status="captured",
        amount=Decimal("25.00"),
        currency="EUR",
        amount_eur=Decimal("25.00"),
        provider_reference=f"pi_{order.number}_{Payment.objects.count()}",
        return_url="/",
        cancel_url="/",
    )
    for n, amount in enumerate(refunds):
        Refund.objects.create(
            payment=payment,
            amount=Decimal(amount),
            currency="EUR",
            reason="r",
            key=f"k{n}",
            status="succeeded",
        )
    return payment


def test_detail_query_count_is_pinned(world, client):
    """Whatever the number of shipments, parcels, events, payments, refunds and returns."""
    client.force_login(staff())
    _ship(world, "W-HOME-WH")
    _pay(world.orders["W-HOME-WH"], "1.00")
    client.get(f"{LIST}W-HOME-WH/")
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"{LIST}W-HOME-WH/").status_code == 200
    shipment = _ship(world, "W-HOME-FROM-A")
    for n in range(3):
        parcel = Parcel.objects.create(shipment=shipment, weight_grams=100, tracking_number=f"X{n}")
        TrackingEvent.objects.create(
            parcel=parcel, event_key="a", status="shipped", source="poll", occurred_at=timezone.now()
        )
    for _ in range(3):
        _pay(world.orders["W-HOME-FROM-A"], "1.00", "2.00")
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"{LIST}W-HOME-FROM-A/").status_code == 200
    assert len(many) == len(few) <= 20
