"""The admin shows a store manager their store only (accounts.admin_scope).

The crawl opens every registered admin as each role and compares the rows of its changelist with the
store each row was created for (recorded here, independently of the admins' ``store_field``): a chain
role sees every row, a store manager the rows of their store, a cashier no admin at all. Another
store's change, history and delete pages are 404s, searches, list filters, autocomplete and actions
do not reach past the store, and no page a store manager opens names the other store.

``test_every_store_bound_admin_is_scoped`` fails when an admin (or inline) whose model reaches an
``inventory.Location`` through its foreign keys is registered without ``StoreScopedAdmin``, unless it
is listed in ``CHAIN_WIDE_ONLY`` (and then the crawl checks that no store role may open it).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import ForeignKey, Model, OneToOneField
from django.urls import reverse
from django.utils import timezone

from accounts.admin_scope import StoreScopedAdmin
from accounts.models import CustomerProfile, User
from integrations.exports.models import OrderBatch
from inventory.models import (
    Location,
    LocationKind,
    MovementReason,
    Reservation,
    StockAlert,
    StockLevel,
    StockLot,
    StockMovement,
)
from logistics.returns_models import ReturnRequest
from loyalty.models import PointsEntry
from marketing.campaign_models import Campaign, CampaignRecipient, Segment
from orders.models import Cart, Channel, DeliveryMethod, Order, OrderLine, OrderStatus, Quote
from payments.models import Payment, Refund, WebhookEvent
from pos.models import FavouriteItem, PosSale, Register, RegisterSession, StockDiscrepancy
from pos.returns_models import DamagedGoods, Return, ReturnLine, StoreCredit
from pos.services import journal
from pricing.models import Coupon, CouponRedemption, PriceList, Promotion
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

# Admins whose model reaches a store but that only chain-wide roles open (no store role holds their
# view permission; the crawl checks it): people and their accounts are not a store's data.
# The loyalty ledger names an order, but only chain staff hold its permissions (accounts.roles); so do
# marketing's segments and campaigns (a segment may target a store's customers) and the ERP's order
# batches (the whole chain's orders go to the ERP).
# Quote: B2B sales work for the chain's staff (its order, once accepted, is a web order's store)
CHAIN_WIDE_ONLY = {
    User,
    CustomerProfile,
    PointsEntry,
    Segment,
    Campaign,
    CampaignRecipient,
    OrderBatch,
    Cart,
    Quote,
}

AJA, BAS, WH, CHAIN = "AJA", "BAS", "WH", "chain"


# --- which models belong to a store ------------------------------------------------------------------


def store_paths(model: type[Model], depth: int = 4) -> list[str]:
    """The forward foreign-key paths from ``model`` to a Location (not through a user: a user's home
    store says nothing about the rows they touched)."""
    if model is Location:
        return ["pk"]
    if depth == 0:
        return []
    paths = []
    for field in model._meta.get_fields():
        if not isinstance(field, ForeignKey | OneToOneField) or field.auto_created and not field.concrete:
            continue
        target = field.related_model
        if target._meta.label == settings.AUTH_USER_MODEL and model is not User:
            continue
        if target is Location:
            paths.append(field.name)
        else:
            paths += [f"{field.name}__{rest}" for rest in store_paths(target, depth - 1) if rest != "pk"]
    return paths


def test_every_store_bound_admin_is_scoped():
    unscoped = []
    for model, model_admin in admin.site._registry.items():
        bound = bool(store_paths(model))
        if bound and not isinstance(model_admin, StoreScopedAdmin) and model not in CHAIN_WIDE_ONLY:
            unscoped.append(model._meta.label)
        for inline in model_admin.inlines:
            parent_scoped = isinstance(model_admin, StoreScopedAdmin)
            if model in CHAIN_WIDE_ONLY:
                continue  # its inlines open only with it
            if store_paths(inline.model) and not parent_scoped and not issubclass(inline, StoreScopedAdmin):
                unscoped.append(f"{inline.__name__} on {model._meta.label}")
    assert unscoped == []


def test_the_path_finder_sees_what_it_must():
    """The guard above would pass vacuously if the path finder found nothing."""
    assert store_paths(PosSale) == ["order__location", "session__register__store"]
    assert store_paths(Order) == ["location"]
    assert store_paths(Refund) == ["payment__order__location"]
    assert store_paths(User) == ["store"]
    assert store_paths(VariantFactory._meta.model) == []


# --- the data: rows of each store, recorded with the store they belong to -------------------------


class World:
    def __init__(self) -> None:
        self.home: dict[tuple[type[Model], object], str] = {}
        self.aja = LocationFactory(code="AJA", name="Ajaccio")
        self.bas = LocationFactory(code="BAS", name="Bastia", city="Bastia")
        self.wh = LocationFactory(code="WH", name="Entrepôt", kind=LocationKind.WAREHOUSE, city="Furiani")
        for code, loc in ((AJA, self.aja), (BAS, self.bas), (WH, self.wh)):
            self.add(code, loc)
        self.variant = VariantFactory(sku="SKU-CRAWL")
        self.sellers = {AJA: cashier(self.aja), BAS: cashier(self.bas)}
        self.orders: dict[str, Order] = {}
        for code, loc in ((AJA, self.aja), (BAS, self.bas)):
            self.store_rows(code, loc)
        self.stock_rows(WH, self.wh)
        home = self.order(WH, self.wh, "W-WH-1", Channel.WEB, DeliveryMethod.HOME)
        self.payment(WH, home)
        promo = self.add(CHAIN, Promotion.objects.create(**self._promo("National")))
        self.add(CHAIN, PriceList.objects.create(code="national", name="National"))
        coupon = Coupon.objects.create(promotion=promo, code="CHAIN10")
        self.add(CHAIN, CouponRedemption.objects.create(coupon=coupon, reference="W-WH-1", discount_ttc=1))
        self.add(
            CHAIN, WebhookEvent.objects.create(provider="stripe", event_id="evt_0", type="x", payload={})
        )

    def add(self, code: str, obj: Model) -> Model:
        self.home[(type(obj), obj.pk)] = code
        return obj

    def _promo(self, name: str, location: Location | None = None) -> dict:
        now = timezone.now()
        return {"name": name, "kind": "percent", "value": 10, "location": location, "starts_at": now,
                "ends_at": now + timedelta(days=9)}  # fmt: skip

    def order(self, code: str, loc: Location, number: str, channel: str, method: str) -> Order:
        order = Order.objects.create(
            number=number, channel=channel, delivery_method=method, location=loc, status=OrderStatus.PAID,
            email=f"{number.lower()}@shopper.example", phone="0611223344", total_gross=Decimal("12.00"),
            shipping_address={"line1": f"1 rue {number}", "city": loc.city},
        )  # fmt: skip
        OrderLine.objects.create(
            order=order, variant=self.variant, sku="SKU-CRAWL", name="T", quantity=1, unit_price_net=10,
            vat_rate=Decimal("0.2"), total_net=10, total_vat=2, total_gross=12,
        )  # fmt: skip
        self.orders[number] = order
        return self.add(code, order)

    def payment(self, code: str, order: Order) -> None:
        payment = self.add(code, Payment.objects.create(
            order=order, provider="stripe", amount=12, currency="EUR", amount_eur=12, return_url="/",
            cancel_url="/", provider_reference=f"pi_{order.number}",
        ))  # fmt: skip
        self.add(code, Refund.objects.create(payment=payment, amount=1, currency="EUR", reason="r"))
        self.add(code, WebhookEvent.objects.create(
            provider="stripe", event_id=f"evt_{order.number}", type="x", payment=payment, payload={}
        ))  # fmt: skip

    def stock_rows(self, code: str, loc: Location) -> None:
        self.add(code, StockLevel.objects.create(variant=self.variant, location=loc, on_hand=5, reserved=1))
        lot = self.add(code, StockLot.objects.create(variant=self.variant, location=loc, batch=f"LOT-{code}"))
        self.add(code, StockMovement.objects.create(
            variant=self.variant, location=loc, lot=lot, quantity=5, reason=MovementReason.RECEIPT,
            reference=f"PO-{code}",
        ))  # fmt: skip
        self.add(code, Reservation.objects.create(
            variant=self.variant, location=loc, quantity=1, reference=f"R-{code}",
            expires_at=timezone.now() + timedelta(hours=1),
        ))  # fmt: skip
        self.add(
            code, StockAlert.objects.create(variant=self.variant, location=loc, threshold=9, available=4)
        )

    def store_rows(self, code: str, loc: Location) -> None:
        self.stock_rows(code, loc)
        seller = self.sellers[code]
        register = self.add(code, Register.objects.create(store=loc, code=f"{code}-1", name=f"{loc.name} 1"))
        session = self.add(code, RegisterSession.objects.create(
            register=register, opened_by=seller, opening_float=100, difference=Decimal("-3.50")
        ))  # fmt: skip
        sale = self.order(code, loc, f"S-{code}-1", Channel.STORE, DeliveryMethod.IN_STORE)
        self.add(code, PosSale.objects.create(
            order=sale, session=session, client_uuid=uuid.uuid4(), cashier=seller, sold_at=timezone.now()
        ))  # fmt: skip
        collect = self.order(code, loc, f"W-{code}-1", Channel.WEB, DeliveryMethod.CLICK_AND_COLLECT)
        self.payment(code, collect)
        ret = self.add(code, Return.objects.create(
            number=f"RET-{code}-1", order=sale, location=loc, session=session, user=seller,
            refund_method="store_credit", total_gross=12,
        ))  # fmt: skip
        line = ReturnLine.objects.create(
            ret=ret, order_line=sale.lines.get(), quantity=1, condition="damaged", refund_gross=12
        )
        self.add(code, ReturnRequest.objects.create(  # a portal return received at this store
            number=f"RMA-{code}-1", order=collect, method="store", received_at_location=loc
        ))  # fmt: skip
        self.add(code, StoreCredit.objects.create(
            code=f"SC-{code}-1", initial_amount=12, balance=12, issued_by=seller, source_return=ret
        ))  # fmt: skip
        self.add(code, DamagedGoods.objects.create(
            return_line=line, location=loc, variant=self.variant, quantity=1, recorded_by=seller
        ))  # fmt: skip
        self.add(
            code, StockDiscrepancy.objects.create(location=loc, variant=self.variant, quantity=1, order=sale)
        )
        self.add(
            code,
            journal.record_technical_event(register=register, kind="drawer_open", user=seller, detail={}),
        )
        self.add(
            code,
            PriceList.objects.create(code=f"list-{code.lower()}", name=f"{loc.name} prices", location=loc),
        )
        promo = self.add(code, Promotion.objects.create(**self._promo(f"{loc.name} promo", loc)))
        coupon = Coupon.objects.create(promotion=promo, code=f"{code}10")
        self.add(code, CouponRedemption.objects.create(coupon=coupon, reference=sale.number, discount_ttc=1))
        self.add(code, FavouriteItem.objects.create(store=loc, variant=self.variant, position=1))

    def rows(self, model: type[Model], codes: set[str] | None) -> set:
        return {pk for (m, pk), code in self.home.items() if m is model and (codes is None or code in codes)}


@pytest.fixture
def world(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return World()


def _users(world: World) -> dict[str, tuple[User, set[str] | None]]:
    """Each role, with the stores whose rows it sees (None: every row)."""
    return {
        "superuser": (UserFactory(is_superuser=True, is_staff=True), None),
        "manager": (manager(), None),
        "staff": (staff(), None),
        "aja_manager": (store_manager(world.aja), {AJA}),
        "bas_manager": (store_manager(world.bas), {BAS}),
    }


def _changelist(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _change(model: type[Model], pk: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[pk])


def test_every_scoped_admin_has_rows_of_both_stores_here(world):
    """So the crawl below cannot pass on empty tables."""
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, StoreScopedAdmin):
            assert world.rows(model, {AJA}) and world.rows(model, {BAS}), model._meta.label


def test_crawl_every_admin_as_every_role(world, client):
    seen: dict[str, dict[str, set]] = {}
    for role, (user, codes) in _users(world).items():
        client.force_login(user)
        seen[role] = {}
        for model, model_admin in admin.site._registry.items():
            if not (store_paths(model) or model is Location):
                continue
            response = client.get(_changelist(model))
            label = f"{role} {model._meta.label}"
            if codes is not None and model in CHAIN_WIDE_ONLY:
                assert response.status_code == 403, label
                continue
            if response.status_code == 403:
                assert not model_admin.has_view_or_change_permission(response.wsgi_request), label
                continue
            assert response.status_code == 200, label
            rows = set(response.context["cl"].queryset.values_list("pk", flat=True))
            seen[role][model._meta.label] = rows
            if model in CHAIN_WIDE_ONLY:
                continue
            assert rows == world.rows(model, codes), label
            if codes is not None:
                other = "Bastia" if codes == {AJA} else "Ajaccio"
                assert other not in response.content.decode(), label  # list filters, links, rows
    # what the store managers open at all (their role's permissions), and the exact rows of a few
    assert sorted(seen["aja_manager"]) == [
        "inventory.Location", "inventory.Reservation", "inventory.StockAlert", "inventory.StockLevel",
        "inventory.StockLot", "inventory.StockMovement", "orders.Order", "pos.DamagedGoods",
        "pos.JournalEntry", "pos.PosSale", "pos.Register", "pos.RegisterSession", "pos.Return",
        "pos.StockDiscrepancy", "pos.StoreCredit",
    ]  # fmt: skip
    assert seen["aja_manager"]["orders.Order"] == {world.orders["S-AJA-1"].pk, world.orders["W-AJA-1"].pk}
    assert seen["aja_manager"]["inventory.Location"] == {world.aja.pk}
    assert seen["manager"]["orders.Order"] == {o.pk for o in world.orders.values()}


def test_a_cashier_has_no_admin(world, client):
    client.force_login(world.sellers[AJA])
    response = client.get(_changelist(Order))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_other_store_change_history_and_delete_pages_are_404(world, client):
    """Each page of another store's row answers what the page of a row that does not exist answers:
    404 (or 403 where the role may not use that page at all, whatever the row)."""
    client.force_login(store_manager(world.aja))
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, StoreScopedAdmin) or client.get(_changelist(model)).status_code != 200:
            continue
        meta = model._meta
        for view in ("change", "history", "delete"):
            name = f"admin:{meta.app_label}_{meta.model_name}_{view}"
            unknown = client.get(reverse(name, args=["0"])).status_code
            assert unknown == (403 if view == "delete" else 404), (meta.label, view)
            for pk in world.rows(model, {BAS, WH, CHAIN}):
                assert client.get(reverse(name, args=[pk])).status_code == unknown, (meta.label, view, pk)
                checked += 1
        for pk in world.rows(model, {AJA}):
            assert client.get(_change(model, pk)).status_code == 200, meta.label
    assert checked >= 14 * 3  # every model a store manager opens, with Bastia's (and the warehouse's) rows


def test_search_does_not_reach_another_store(world, client):
    client.force_login(store_manager(world.aja))
    for q, model in (("S-BAS-1", Order), ("W-BAS-1", Order), ("W-WH-1", Order), ("RET-BAS-1", Return),
                     ("LOT-BAS", StockLot), ("PO-BAS", StockMovement), ("SKU-CRAWL", StockLevel),
                     ("S-BAS-1", PosSale)):  # fmt: skip
        response = client.get(_changelist(model), {"q": q})
        assert response.status_code == 200
        rows = set(response.context["cl"].queryset.values_list("pk", flat=True))
        assert rows <= world.rows(model, {AJA}), (model, q)
    response = client.get(_changelist(StockLevel), {"q": "SKU-CRAWL"})
    assert set(response.context["cl"].queryset.values_list("location__code", flat=True)) == {"AJA"}


def test_a_filter_on_the_other_store_shows_nothing_of_it(world, client):
    client.force_login(store_manager(world.aja))
    response = client.get(_changelist(Order), {"location__id__exact": world.bas.pk})
    assert response.status_code == 200
    assert set(response.context["cl"].queryset.values_list("pk", flat=True)) <= world.rows(Order, {AJA})
    # the location filter lists the locations of the rows shown: one store, so no filter at all
    assert [spec.title for spec in response.context["cl"].filter_specs] == [
        "channel",
        "status",
        "delivery method",
        "currency",
    ]
    client.force_login(staff())
    response = client.get(_changelist(Order), {"location__id__exact": world.bas.pk})
    assert set(response.context["cl"].queryset.values_list("pk", flat=True)) == world.rows(Order, {BAS})


def test_autocomplete_lists_the_own_store_only(world, client):
    url = reverse("admin:autocomplete")
    query = {"app_label": "accounts", "model_name": "user", "field_name": "store", "term": ""}
    client.force_login(store_manager(world.aja))
    results = client.get(url, query).json()["results"]
    assert results == [{"id": str(world.aja.pk), "text": "Ajaccio (AJA)"}]
    client.force_login(staff())
    ids = {r["id"] for r in client.get(url, query).json()["results"]}
    assert ids == {str(world.aja.pk), str(world.bas.pk), str(world.wh.pk)}


def test_the_variant_page_shows_the_own_store_stock_only(world, client):
    client.force_login(store_manager(world.aja))
    response = client.get(_change(type(world.variant), world.variant.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ajaccio (AJA)" in page and "Bastia" not in page and "Entrepôt" not in page


def test_an_action_on_another_store_row_does_nothing(world, client):
    client.force_login(store_manager(world.aja))
    bastia = world.orders["W-BAS-1"]
    response = client.post(
        _changelist(Order),
        {"action": "mark_ready_for_pickup", helpers.ACTION_CHECKBOX_NAME: [str(bastia.pk)]},
    )
    assert response.status_code == 302
    bastia.refresh_from_db()
    assert bastia.status == OrderStatus.PAID
    assert not bastia.status_changes.exists()
    reservation = Reservation.objects.get(reference="R-BAS")
    client.post(
        _changelist(Reservation),
        {"action": "release_selected", helpers.ACTION_CHECKBOX_NAME: [str(reservation.pk)]},
    )
    reservation.refresh_from_db()
    assert reservation.status == "active"


def test_foreign_key_choices_are_the_own_store(world, rf):
    register_admin = admin.site._registry[Register]
    field = Register._meta.get_field("store")
    request = rf.get("/")
    request.user = store_manager(world.aja)
    choices = register_admin.formfield_for_foreignkey(field, request).queryset
    assert list(choices) == [world.aja]
    request.user = staff()
    choices = register_admin.formfield_for_foreignkey(field, request).queryset
    assert set(choices) == {world.aja, world.bas, world.wh}
    session_field = PosSale._meta.get_field("session")
    request.user = store_manager(world.bas)
    sessions = admin.site._registry[PosSale].formfield_for_foreignkey(session_field, request).queryset
    assert {s.register.store for s in sessions} == {world.bas}
