"""Quoting and recording store sales: prices, promotions, discounts, tenders, stock, idempotency."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from inventory.errors import InsufficientStock, UnknownSku
from inventory.models import StockLevel, StockMovement
from orders.models import Order, OrderLine, OrderStatusChange
from pos.errors import (
    DiscountNotAllowed,
    DiscountReasonRequired,
    InvalidDiscount,
    InvalidTender,
    NotAtThisStore,
    SessionNotOpen,
    TendersShort,
)
from pos.models import CashMovement, PosSale, SaleTender, StockDiscrepancy
from pos.services.sales import SaleLineInput, TenderInput, quote_sale, record_sale
from pos.services.sessions import close_register_session, open_register_session
from pricing.errors import InvalidCoupon
from pricing.models import Coupon, DiscountKind, Promotion
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = timezone.localdate().year


def promotion(**kwargs) -> Promotion:
    now = timezone.now()
    defaults = {
        "name": "Autumn",
        "kind": DiscountKind.PERCENT,
        "value": D("10"),
        "starts_at": now - dt.timedelta(days=1),
        "ends_at": now + dt.timedelta(days=1),
    }
    return Promotion.objects.create(**{**defaults, **kwargs})


def on_hand(variant, store):
    return StockLevel.objects.get(variant=variant, location=store).on_hand


def snapshot():
    """Everything a sale writes, to prove a refused sale wrote nothing."""
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        PosSale.objects.count(),
        SaleTender.objects.count(),
        CashMovement.objects.count(),
        StockMovement.objects.count(),
        StockDiscrepancy.objects.count(),
        list(StockLevel.objects.order_by("id").values_list("on_hand", flat=True)),
    )


# --- quote -----------------------------------------------------------------------------------------


def test_quote_applies_the_best_promotion_then_the_coupon(store, other_store, tshirt, mug):
    promotion(name="National 10 %")
    promotion(name="Ajaccio 5 EUR", kind=DiscountKind.FIXED, value=D("5"), location=store, channel="store")
    promotion(name="Bastia half price", value=D("50"), location=other_store)  # another store: ignored
    promotion(name="Web only", value=D("30"), channel="web")  # another channel: ignored
    Coupon.objects.create(code="MERCI", promotion=promotion(name="Merci", requires_coupon=True))

    quote = quote_sale(
        store=store,
        lines=[SaleLineInput(sku="TSHIRT-M-RED", quantity=2), SaleLineInput(sku="MUG-1", quantity=1)],
        coupon_code="merci",
    )

    assert quote.subtotal_gross == D("31.50")
    assert (quote.promotion_name, quote.promotion_discount) == ("Ajaccio 5 EUR", D("5.00"))
    assert quote.coupon_discount == D("2.65")  # 10 % of 26.50
    assert quote.total_gross == D("23.85")
    assert [(q.sku, q.unit_gross, q.discount_gross, q.total_gross, q.total_net) for q in quote.lines] == [
        ("TSHIRT-M-RED", D("12.00"), D("5.83"), D("18.17"), D("15.14")),
        ("MUG-1", D("7.50"), D("1.82"), D("5.68"), D("4.73")),
    ]
    assert (quote.total_net, quote.total_vat) == (D("19.87"), D("3.98"))


def test_quote_refuses_an_unknown_coupon_and_sku(store, tshirt):
    with pytest.raises(InvalidCoupon):
        quote_sale(store=store, lines=[SaleLineInput(sku="TSHIRT-M-RED", quantity=1)], coupon_code="NOPE")
    with pytest.raises(UnknownSku):
        quote_sale(store=store, lines=[SaleLineInput(sku="NOPE", quantity=1)])


def test_quote_refuses_a_discount_above_the_line(store, tshirt):
    with pytest.raises(InvalidDiscount):
        quote_sale(
            store=store, lines=[SaleLineInput(sku="TSHIRT-M-RED", quantity=1, discount_gross=D("12.01"))]
        )


# --- record ----------------------------------------------------------------------------------------


def test_cash_sale_with_change(store, session, cashier_user, tshirt, sell):
    sale_id = uuid.uuid4()
    result = sell(session, cashier_user, [("TSHIRT-M-RED", 2)], [("cash", "50.00")], client_uuid=sale_id)

    order = result.order
    assert result.created
    assert result.change_due == D("26.00")
    assert result.discrepancies == []
    assert order.number == f"S{YEAR}-000001"
    assert (order.channel, order.delivery_method, order.status) == ("store", "in_store", "completed")
    assert (order.location, order.customer, order.reference) == (store, None, str(sale_id))
    assert (order.total_gross, order.total_net, order.total_vat) == (D("24.00"), D("20.00"), D("4.00"))
    assert list(order.lines.values_list("sku", "quantity", "unit_price_net", "total_gross")) == [
        ("TSHIRT-M-RED", 2, D("10.0000"), D("24.00"))
    ]
    assert on_hand(tshirt, store) == 3
    assert list(StockMovement.objects.filter(reason="sale").values_list("quantity", "reference")) == [
        (-2, order.number)
    ]
    assert list(SaleTender.objects.values_list("tender", "amount", "change_given")) == [
        ("cash", D("50.00"), D("26.00"))
    ]
    assert list(CashMovement.objects.filter(kind="sale").values_list("tender", "amount", "reference")) == [
        ("cash", D("24.00"), order.number)
    ]
    sale = PosSale.objects.get()
    assert (sale.session, sale.cashier, sale.client_uuid, sale.was_offline) == (
        session,
        cashier_user,
        sale_id,
        False,
    )
    assert OrderStatusChange.objects.get(order=order).to_status == "completed"


def test_numbers_follow_each_other(session, cashier_user, tshirt, sell):
    first = sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("card", "12.00")]).order
    second = sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("card", "12.00")]).order
    assert (first.number, second.number) == (f"S{YEAR}-000001", f"S{YEAR}-000002")


def test_split_tender_card_mobile_and_cash_with_change(session, cashier_user, tshirt, mug, sell):
    # total 31.50: card 10.00, mobile 5.00, cash 20.00 -> change 3.50
    result = record_sale(
        session=session,
        user=cashier_user,
        client_uuid=uuid.uuid4(),
        lines=[SaleLineInput(sku="TSHIRT-M-RED", quantity=2), SaleLineInput(sku="MUG-1", quantity=1)],
        tenders=[
            TenderInput(kind="card", amount=D("10.00"), reference="AUTH-123"),
            TenderInput(kind="mobile", amount=D("5.00"), reference="PAY-9"),
            TenderInput(kind="cash", amount=D("20.00")),
        ],
    )
    assert result.change_due == D("3.50")
    assert list(
        SaleTender.objects.order_by("id").values_list(
            "tender", "amount", "authorisation_reference", "change_given"
        )
    ) == [
        ("card", D("10.00"), "AUTH-123", D("0.00")),
        ("mobile", D("5.00"), "PAY-9", D("0.00")),
        ("cash", D("20.00"), "", D("3.50")),
    ]
    assert sorted(CashMovement.objects.filter(kind="sale").values_list("tender", "amount")) == [
        ("card", D("10.00")),
        ("cash", D("16.50")),
        ("mobile", D("5.00")),
    ]


@pytest.mark.parametrize(
    "tenders",
    [[("cash", "23.99")], [("card", "10.00"), ("cash", "13.99")], []],
    ids=["cash-short", "split-short", "none"],
)
def test_tenders_not_covering_the_total_are_refused_and_nothing_is_written(
    session, cashier_user, tshirt, sell, tenders
):
    before = snapshot()
    with pytest.raises(TendersShort):
        sell(session, cashier_user, [("TSHIRT-M-RED", 2)], tenders)
    assert snapshot() == before


@pytest.mark.parametrize(
    "tenders",
    [
        [("card", "24.01")],
        [("card", "20"), ("mobile", "5")],
        [("cash", "-1"), ("cash", "25")],
        [("store_credit", "24")],
        [("cheque", "24")],
        [("cash", "24.001")],
    ],
    ids=["card-over", "noncash-over", "negative", "store-credit", "unknown", "fraction"],
)
def test_invalid_tenders_are_refused(session, cashier_user, tshirt, sell, tenders):
    before = snapshot()
    with pytest.raises(InvalidTender):
        sell(session, cashier_user, [("TSHIRT-M-RED", 2)], tenders)
    assert snapshot() == before


def test_sale_without_an_open_session_is_refused(session, cashier_user, tshirt, sell):
    close_register_session(session=session, user=cashier_user, counts={"100": 1})
    before = snapshot()
    with pytest.raises(SessionNotOpen):
        sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12")])
    assert snapshot() == before


def test_another_stores_cashier_cannot_sell_on_this_register(session, other_cashier, tshirt, sell):
    before = snapshot()
    with pytest.raises(NotAtThisStore):
        sell(session, other_cashier, [("TSHIRT-M-RED", 1)], [("cash", "12")])
    assert snapshot() == before


def test_a_shopper_cannot_sell(session, tshirt, sell):
    with pytest.raises(NotAtThisStore):
        sell(session, UserFactory(), [("TSHIRT-M-RED", 1)], [("cash", "12")])


def test_online_sale_beyond_stock_is_refused_and_nothing_is_written(session, cashier_user, tshirt, mug, sell):
    before = snapshot()
    with pytest.raises(InsufficientStock) as exc:
        sell(session, cashier_user, [("TSHIRT-M-RED", 1), ("MUG-1", 4)], [("cash", "100")])
    assert exc.value.detail == {"sku": "MUG-1", "location": "AJA", "requested": 4, "available": 3}
    assert snapshot() == before


def test_cashier_discount_is_refused(session, cashier_user, tshirt):
    before = snapshot()
    with pytest.raises(DiscountNotAllowed):
        record_sale(
            session=session,
            user=cashier_user,
            client_uuid=uuid.uuid4(),
            lines=[
                SaleLineInput(sku="TSHIRT-M-RED", quantity=1, discount_gross=D("2"), discount_reason="friend")
            ],
            tenders=[TenderInput(kind="cash", amount=D("10"))],
        )
    assert snapshot() == before


def test_manager_discount_needs_a_reason(session, manager_user, tshirt):
    with pytest.raises(DiscountReasonRequired):
        record_sale(
            session=session,
            user=manager_user,
            client_uuid=uuid.uuid4(),
            lines=[SaleLineInput(sku="TSHIRT-M-RED", quantity=1, discount_gross=D("2"))],
            tenders=[TenderInput(kind="cash", amount=D("10"))],
        )
    assert not PosSale.objects.exists()


def test_manager_discount_with_reason_and_a_promotion(session, manager_user, tshirt, mug):
    promotion(name="National 10 %")
    result = record_sale(
        session=session,
        user=manager_user,
        client_uuid=uuid.uuid4(),
        lines=[
            SaleLineInput(
                sku="TSHIRT-M-RED", quantity=2, discount_gross=D("4.00"), discount_reason="damaged box"
            ),
            SaleLineInput(sku="MUG-1", quantity=1),
        ],
        tenders=[TenderInput(kind="card", amount=D("24.75"))],
    )
    # 24.00 - 4.00 + 7.50 = 27.50; 10 % = 2.75 spread 2.00 / 0.75
    order = result.order
    assert order.total_gross == D("24.75")
    assert order.discount_gross == D("6.75")
    assert list(order.lines.values_list("sku", "discount_gross", "total_gross")) == [
        ("TSHIRT-M-RED", D("6.00"), D("18.00")),
        ("MUG-1", D("0.75"), D("6.75")),
    ]
    assert "damaged box" in OrderStatusChange.objects.get(order=order).note


def test_coupon_is_redeemed_once_with_the_sale(store, session, cashier_user, tshirt, sell):
    coupon = Coupon.objects.create(
        code="MERCI", max_uses=1, promotion=promotion(name="Merci", requires_coupon=True)
    )
    result = sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "10.80")], coupon_code="MERCI")
    assert result.order.total_gross == D("10.80")
    coupon.refresh_from_db()
    assert coupon.times_used == 1
    assert list(coupon.redemptions.values_list("reference", "discount_ttc")) == [
        (result.order.number, D("1.20"))
    ]


def test_identified_customer_gets_the_sale(session, cashier_user, tshirt, sell):
    shopper = UserFactory(email="anna@example.com", phone="+33600000000")
    order = sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12")], customer=shopper).order
    assert (order.customer, order.email, order.phone) == (shopper, "anna@example.com", "+33600000000")


def test_the_same_uuid_returns_the_first_sale_and_writes_nothing(session, cashier_user, tshirt, sell):
    sale_id = uuid.uuid4()
    first = sell(session, cashier_user, [("TSHIRT-M-RED", 2)], [("cash", "50")], client_uuid=sale_id)
    before = snapshot()

    again = sell(session, cashier_user, [("TSHIRT-M-RED", 2)], [("cash", "50")], client_uuid=sale_id)

    assert not again.created
    assert (again.order.pk, again.change_due) == (first.order.pk, D("26.00"))
    assert snapshot() == before


def test_offline_sale_of_sold_out_goods_is_recorded_with_a_discrepancy(
    store,
    session,
    cashier_user,
    manager_user,
    tshirt,
    mug,
    sell,
    django_capture_on_commit_callbacks,
    eager_celery,
):
    # given the shop sold 2 of the 3 mugs while the register was offline
    sell(session, cashier_user, [("MUG-1", 2)], [("cash", "15")])
    sold_at = timezone.now() - dt.timedelta(minutes=20)

    # when the offline sale of 3 mugs and a T-shirt syncs
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = sell(
            session,
            cashier_user,
            [("MUG-1", 3), ("TSHIRT-M-RED", 1)],
            [("cash", "40")],
            offline=True,
            sold_at=sold_at,
        )

    # then the sale is recorded, 1 mug taken from stock, 2 in a discrepancy; stock is 0, never negative
    assert result.created
    assert result.order.total_gross == D("34.50")
    assert [(d.variant, d.quantity, d.status) for d in result.discrepancies] == [(mug, 2, "open")]
    assert on_hand(mug, store) == 0
    assert on_hand(tshirt, store) == 4
    assert list(
        StockMovement.objects.filter(variant=mug, reason="sale")
        .order_by("id")
        .values_list("quantity", flat=True)
    ) == [-2, -1]
    sale = PosSale.objects.get(order=result.order)
    assert (sale.was_offline, sale.sold_at) == (True, sold_at)
    # and the store manager is told, after commit
    assert len(callbacks) >= 1
    assert [m.to for m in mail.outbox if "discrepancy" in m.subject] == [["manager@aja.example"]]
    assert "MUG-1" in mail.outbox[-1].body


def test_offline_sale_with_no_stock_row_at_all(store, session, cashier_user, sell):
    from tests.factories import VariantFactory

    VariantFactory(sku="NEW-1")
    result = sell(session, cashier_user, [("NEW-1", 1)], [("cash", "12")], offline=True)
    assert [(d.variant.sku, d.quantity) for d in result.discrepancies] == [("NEW-1", 1)]
    assert StockLevel.objects.get(variant__sku="NEW-1", location=store).on_hand == 0


def test_offline_sale_after_close_goes_to_the_registers_open_session(
    register, session, cashier_user, tshirt, sell
):
    close_register_session(session=session, user=cashier_user, counts={"100": 1})
    new = open_register_session(register=register, user=cashier_user, opening_float=D("50"))

    result = sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12")], offline=True)

    assert PosSale.objects.get(order=result.order).session == new


def test_offline_sale_after_close_without_an_open_session_is_refused(session, cashier_user, tshirt, sell):
    close_register_session(session=session, user=cashier_user, counts={"100": 1})
    with pytest.raises(SessionNotOpen):
        sell(session, cashier_user, [("TSHIRT-M-RED", 1)], [("cash", "12")], offline=True)
    assert not PosSale.objects.exists()


# --- store credit as a tender ------------------------------------------------------------------------


def _credit_sale(session, user, tenders):
    return record_sale(
        session=session,
        user=user,
        client_uuid=uuid.uuid4(),
        lines=[SaleLineInput(sku="TSHIRT-M-RED", quantity=2)],  # 24.00
        tenders=[TenderInput(kind=k, amount=Decimal(a), reference=r) for k, a, r in tenders],
    )


def test_a_store_credit_pays_part_of_a_sale_and_its_balance_goes_down(session, cashier_user, tshirt):
    from pos.returns_models import StoreCredit
    from pos.services.returns import issue_store_credit

    credit = issue_store_credit(amount=Decimal("20.00"), user=cashier_user)

    result = _credit_sale(
        session, cashier_user, [("store_credit", "20.00", credit.code.lower()), ("cash", "5.00", "")]
    )

    assert result.change_due == Decimal("1.00")
    assert StoreCredit.objects.get(pk=credit.pk).balance == Decimal("0.00")
    assert sorted(SaleTender.objects.values_list("tender", "amount", "authorisation_reference")) == [
        ("cash", Decimal("5.00"), ""),
        ("store_credit", Decimal("20.00"), credit.code.lower()),
    ]
    assert StockLevel.objects.get(variant=tshirt, location=session.register.store).on_hand == 3


@pytest.mark.parametrize("code", ["SC-NOPE", "too-small"])
def test_an_unknown_or_too_small_store_credit_refuses_the_whole_sale(session, cashier_user, tshirt, code):
    from core.errors import ApplicationError
    from pos.returns_models import StoreCredit
    from pos.services.returns import issue_store_credit

    credit = issue_store_credit(amount=Decimal("10.00"), user=cashier_user)
    before = snapshot()

    with pytest.raises(ApplicationError) as refused:
        _credit_sale(
            session,
            cashier_user,
            [("store_credit", "20.00", credit.code if code == "too-small" else code), ("cash", "4.00", "")],
        )

    assert refused.value.code in {"store_credit_not_found", "store_credit_insufficient"}
    assert snapshot() == before
    assert StoreCredit.objects.get(pk=credit.pk).balance == Decimal("10.00")
