"""E-mail verification, and the guest orders of the verified address joining the account (issue 16)."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from accounts import services
from accounts.errors import InvalidVerificationLink
from accounts.models import User
from core.models import OutboxMessage
from orders import services as orders
from orders.models import Channel, DeliveryMethod, Order
from orders.services.guest_orders import attach_guest_orders
from tests.factories import UserFactory
from tests.logistics.shop import make_shop

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def shop():
    return make_shop()


def guest_order(shop, email, *, customer=None):
    return orders.place_web_order(
        lines=[orders.LineInput(shop.tee, 1)],
        location=shop.warehouse,
        delivery_method=DeliveryMethod.HOME,
        email=email,
        customer=customer,
    )


def customers():
    return dict(Order.objects.values_list("email", "customer_id"))


def test_verifying_attaches_the_guest_orders_of_that_address_in_any_case(shop):
    user = UserFactory(email="lea@example.com")
    mine = [guest_order(shop, "lea@example.com"), guest_order(shop, "Lea@Example.COM")]
    other = guest_order(shop, "leah@example.com")
    somebody = UserFactory(email="paul@example.com")
    owned = guest_order(shop, "LEA@example.com ", customer=somebody)  # already someone's: left alone

    verified = services.verify_email(token=services.email_verification_token(user=user))

    assert verified.email_verified_at is not None
    assert sorted(Order.objects.filter(customer=user).values_list("pk", flat=True)) == [o.pk for o in mine]
    assert Order.objects.get(pk=other.pk).customer_id is None
    assert Order.objects.get(pk=owned.pk).customer_id == somebody.pk
    # reporting owes the attached orders a facts refresh (their customer changed)
    assert OutboxMessage.objects.filter(task_name__endswith="refresh_order_facts").exists()


def test_verifying_twice_changes_nothing_more(shop):
    user = UserFactory(email="lea@example.com")
    guest_order(shop, "lea@example.com")
    token = services.email_verification_token(user=user)
    first = services.verify_email(token=token).email_verified_at
    before = customers()

    again = services.verify_email(token=token)

    assert again.email_verified_at == first
    assert customers() == before
    assert attach_guest_orders(user_id=user.pk, email=user.email) == []


def test_an_unverified_account_gets_no_guest_orders(shop):
    user = UserFactory(email="lea@example.com")
    guest_order(shop, "lea@example.com")
    assert attach_guest_orders(user_id=user.pk, email="lea@example.com") == []
    assert Order.objects.get().customer_id is None


def test_never_the_orders_of_another_address_even_when_asked(shop):
    user = UserFactory(email="lea@example.com", email_verified_at=timezone.now())
    guest_order(shop, "paul@example.com")
    assert attach_guest_orders(user_id=user.pk, email="paul@example.com") == []
    assert Order.objects.get().customer_id is None


def test_till_orders_are_not_attached(shop):
    user = UserFactory(email="lea@example.com")
    order = guest_order(shop, "lea@example.com")
    Order.objects.filter(pk=order.pk).update(channel=Channel.STORE)
    services.verify_email(token=services.email_verification_token(user=user))
    assert Order.objects.get().customer_id is None


@pytest.mark.parametrize("token", ["", "garbage", "a" * 600])
def test_a_forged_link_is_refused_and_writes_nothing(shop, token):
    user = UserFactory(email="lea@example.com")
    guest_order(shop, "lea@example.com")
    with pytest.raises(InvalidVerificationLink) as exc:
        services.verify_email(token=token)
    assert exc.value.http_status == 400
    assert User.objects.get(pk=user.pk).email_verified_at is None
    assert Order.objects.get().customer_id is None


def test_a_tampered_link_is_refused(shop):
    user = UserFactory(email="lea@example.com")
    token = services.email_verification_token(user=user)
    with pytest.raises(InvalidVerificationLink):
        services.verify_email(token=token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_an_expired_link_is_refused(shop):
    user = UserFactory(email="lea@example.com")
    token = services.email_verification_token(user=user)
    with pytest.raises(InvalidVerificationLink) as exc:
        services.verify_email(token=token, max_age=dt.timedelta(seconds=-1))
    assert exc.value.message == "This verification link has expired."
    assert User.objects.get(pk=user.pk).email_verified_at is None


def test_a_link_for_a_changed_address_proves_nothing(shop):
    user = UserFactory(email="lea@example.com")
    token = services.email_verification_token(user=user)
    User.objects.filter(pk=user.pk).update(email="new@example.com")
    guest_order(shop, "lea@example.com")
    guest_order(shop, "new@example.com")
    with pytest.raises(InvalidVerificationLink):
        services.verify_email(token=token)
    assert not Order.objects.filter(customer=user).exists()


# --- the pages -------------------------------------------------------------------------------------


def test_sign_up_mails_the_link_and_opening_it_shows_the_guest_orders(
    shop, django_capture_on_commit_callbacks
):
    order = guest_order(shop, "Lea@Example.com")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/account/signup/",
            {
                "email": "lea@example.com",
                "first_name": "Léa",
                "last_name": "Casanova",
                "password1": "a-long-Passphrase-42",
                "password2": "a-long-Passphrase-42",
                "preferred_language": "en",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Order.objects.get().customer_id is None  # not before the address is proved
    message = mail.outbox[-1]
    assert message.to == ["lea@example.com"] and message.subject == "Confirm your e-mail address"
    link = next(word for word in message.body.split() if "/account/verify/" in word)

    opened = client.get(link.split("testserver", 1)[-1])

    assert opened.status_code == 302 and opened["Location"] == "/en/account/orders/"
    assert Order.objects.get().customer.email == "lea@example.com"
    page = client.get("/en/account/orders/").content.decode()
    assert order.number in page


def test_a_bad_link_page_is_a_400_with_the_reason(shop):
    response = Client().get("/en/account/verify/garbage/")
    assert response.status_code == 400
    assert "This verification link is not valid." in response.content.decode()
