"""No dead ends at checkout (issue 16): another payment after a decline, free orders, giving up."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from core.errors import Conflict
from inventory.models import Reservation, StockLevel
from orders.errors import OrderNotAwaitingPayment, PaymentTimeExpired, ProviderNotAvailable
from orders.models import CartStatus, DeliveryMethod, Order, OrderStatus
from orders.services import checkout, retry
from orders.services.abandoned import cancel_abandoned_orders
from payments import services as payments
from payments.models import Payment, PaymentEvent, PaymentStatus, Refund, RefundStatus
from pricing.models import CouponRedemption
from tests.logistics.shop import ADDRESS, make_cart, make_coupon, make_shop

pytestmark = pytest.mark.django_db

URL = "/en/checkout/done/{number}/"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def shop():
    return make_shop()


def level(variant, location):
    lv = StockLevel.objects.get(variant=variant, location=location)
    return lv.on_hand, lv.reserved


def start(cart, **kwargs):
    args = {
        "user": None,
        "email": "ana@example.com",
        "delivery_method": DeliveryMethod.HOME,
        "shipping_address": ADDRESS,
        "carrier": "colissimo",
        "provider": "test",
        "return_url": URL,
        "cancel_url": URL,
    }
    return checkout.start_checkout(cart=cart, **{**args, **kwargs})


def declined(shop):
    order, started = start(make_cart((shop.tee, 2)))
    payments.confirm_test_payment(payment_id=started.payment_id, succeed=False)
    order.refresh_from_db()
    return order, started


def again(order, provider="test"):
    return retry.retry_payment(order=order, provider=provider, return_url=URL, cancel_url=URL)


def written():
    return (Payment.objects.count(), PaymentEvent.objects.count(), Order.objects.count())


# --- another payment after a decline ---------------------------------------------------------------


def test_after_a_decline_a_new_payment_for_the_same_order_pays_it(shop):
    order, first = declined(shop)
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert level(shop.tee, shop.warehouse) == (5, 2)

    second = again(order)
    assert second.payment_id != first.payment_id
    assert second.redirect_url == f"/en/pay/test/{second.payment_id}/"
    payments.confirm_test_payment(payment_id=second.payment_id, succeed=True)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert level(shop.tee, shop.warehouse) == (3, 0)
    assert [p.status for p in Payment.objects.order_by("created_at")] == [
        PaymentStatus.FAILED,
        PaymentStatus.CAPTURED,
    ]
    assert Payment.objects.get(pk=second.payment_id).return_url == f"/en/checkout/done/{order.number}/"
    assert not Refund.objects.exists()


def test_held_until_is_the_reservation_expiry_and_none_once_it_passed(shop):
    order, _ = declined(shop)
    expires = Reservation.objects.get().expires_at
    assert retry.held_until(order=order) == expires
    assert retry.held_until(order=order, now=expires + dt.timedelta(seconds=1)) is None


def test_retry_of_a_paid_order_is_refused_and_writes_nothing(shop):
    order, started = start(make_cart((shop.tee, 1)))
    payments.confirm_test_payment(payment_id=started.payment_id, succeed=True)
    order.refresh_from_db()
    before = written()
    with pytest.raises(OrderNotAwaitingPayment) as exc:
        again(order)
    assert exc.value.http_status == 409
    assert exc.value.message == f"Order {order.number} is already paid."
    assert written() == before


def test_retry_of_a_cancelled_order_is_refused_and_writes_nothing(shop):
    order, _ = declined(shop)
    assert cancel_abandoned_orders(now=timezone.now() + dt.timedelta(minutes=31)) == 1
    order.refresh_from_db()
    before = written()
    with pytest.raises(OrderNotAwaitingPayment) as exc:
        again(order)
    assert exc.value.message == f"Order {order.number} was cancelled: it cannot be paid any more."
    assert written() == before


def test_retry_once_the_reservation_expired_is_refused_and_writes_nothing(shop):
    order, _ = declined(shop)
    Reservation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    before = written()
    with pytest.raises(PaymentTimeExpired) as exc:
        again(order)
    assert exc.value.http_status == 409
    assert "has run out" in str(exc.value.message)
    assert written() == before
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT  # the expiry job cancels it


def test_retry_with_an_unknown_method_is_refused_and_writes_nothing(shop):
    order, _ = declined(shop)
    before = written()
    with pytest.raises(ProviderNotAvailable) as exc:
        again(order, provider="bitcoin")
    assert exc.value.http_status == 400
    assert written() == before


def test_a_new_attempt_supersedes_an_open_one_and_a_late_second_success_is_refunded(shop):
    """Two attempts, both succeed (one late): the order is paid once, the other money goes back."""
    order, first = start(make_cart((shop.tee, 2)))
    second = again(order)  # the shopper came back and started another payment
    assert Payment.objects.get(pk=first.payment_id).status == PaymentStatus.CANCELLED  # superseded

    payments.confirm_test_payment(payment_id=second.payment_id, succeed=True)
    late = payments.confirm_test_payment(payment_id=first.payment_id, succeed=True)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and level(shop.tee, shop.warehouse) == (3, 0)
    assert late.status == PaymentStatus.REFUNDED
    refund = Refund.objects.get()
    assert (refund.payment_id, refund.amount, refund.status) == (late.pk, late.amount, RefundStatus.SUCCEEDED)
    assert Payment.objects.get(pk=second.payment_id).status == PaymentStatus.CAPTURED


# --- giving up: the items back in the cart ---------------------------------------------------------


def test_giving_up_after_a_decline_cancels_the_order_and_reopens_the_cart(shop):
    order, _ = declined(shop)
    cart = checkout.restore_cart(order=order)
    assert cart.status == CartStatus.OPEN
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and level(shop.tee, shop.warehouse) == (5, 0)
    assert order.status_changes.last().note == "the shopper took the items back to the cart"


def test_giving_up_is_refused_while_a_payment_is_open(shop):
    order, _ = start(make_cart((shop.tee, 1)))
    with pytest.raises(Conflict) as exc:
        checkout.restore_cart(order=order)
    assert exc.value.http_status == 409
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT and level(shop.tee, shop.warehouse) == (5, 1)


# --- free orders -----------------------------------------------------------------------------------


def test_a_free_order_is_paid_without_any_provider(shop, settings, django_capture_on_commit_callbacks):
    settings.PAYMENTS_TEST_PROVIDER = False  # no provider at all
    make_coupon("GIFT", "100", max_uses=5)
    cart = make_cart((shop.tee, 1), coupon_code="GIFT")

    with django_capture_on_commit_callbacks(execute=True):
        order, payment = start(
            cart,
            provider="",
            delivery_method=DeliveryMethod.CLICK_AND_COLLECT,
            location_code="AJA",
            shipping_address=None,
            carrier="",
        )

    assert payment is None
    order.refresh_from_db()
    assert (order.status, order.total_gross) == (OrderStatus.PAID, Decimal("0.00"))
    assert order.status_changes.last().note == retry.FREE_ORDER_NOTE
    assert not Payment.objects.exists()  # nothing paid: no payment row for invoices or exports
    assert CouponRedemption.objects.get().reference == order.number
    assert Reservation.objects.get().status == "active"  # click & collect: held at the store
    cart.refresh_from_db()
    assert cart.status == CartStatus.CHECKED_OUT


def test_an_order_with_something_to_pay_still_needs_a_provider_and_writes_nothing(shop):
    make_coupon("GIFT", "100", max_uses=5)
    cart = make_cart((shop.tee, 1), coupon_code="GIFT")  # home delivery: the carrier is still paid
    with pytest.raises(ProviderNotAvailable):
        start(cart, provider="")
    assert (Order.objects.count(), Reservation.objects.count(), CouponRedemption.objects.count()) == (0, 0, 0)
    cart.refresh_from_db()
    assert cart.status == CartStatus.OPEN
