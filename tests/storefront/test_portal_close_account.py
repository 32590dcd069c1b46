"""Delete my account: personal data anonymised, orders kept intact for the books."""

from decimal import Decimal

import pytest
from django.contrib.auth import SESSION_KEY
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.models import Address, CustomerGroup, CustomerProfile, User
from catalog.models import Review
from orders.models import Cart, CartLine, Order, OrderLine, OrderStatusChange
from tests.accounts.portal_support import PASSWORD, address, order, shopper
from tests.factories import ProductFactory, VariantFactory, staff

pytestmark = pytest.mark.django_db

CLOSE = "/en/account/close/"
SNAPSHOT = {
    "first_name": "Ana",
    "last_name": "Rossi",
    "line1": "3 rue Fesch",
    "line2": "",
    "postal_code": "20000",
    "city": "Ajaccio",
    "country": "FR",
    "phone": "+33 6 12 34 56 78",
}


@pytest.fixture
def ana(db):
    user = shopper(first_name="Ana", last_name="Rossi", phone="+33 6 12 34 56 78")
    CustomerProfile.objects.filter(user=user).update(
        marketing_opt_in=True,
        company_name="Rossi SARL",
        vat_number="FR123",
        loyalty_card_number="LC-1",
        group=CustomerGroup.objects.create(code="pro", name="Pro"),
    )
    address(user, is_default_shipping=True)
    address(user, label="Office", city="Bastia")
    return user


@pytest.fixture
def ana_orders(ana):
    web = order(
        ana,
        "W2026-000001",
        lines=[("TEE", 2, "25.00"), ("MUG", 1, "6.00")],
        phone="+33 6 12 34 56 78",
        shipping_address=SNAPSHOT,
        shipping_gross="4.90",
    )
    shop = order(ana, "S-AJA-000001", channel="store", status="completed", lines=[("HONEY", 1, "9.90")])
    return web, shop


def order_books():
    """What the accountants need: every order's number, totals and lines, and the status trails."""
    return (
        list(
            Order.objects.order_by("number").values_list(
                "number",
                "customer_id",
                "status",
                "total_net",
                "total_vat",
                "total_gross",
                "total_gross_eur",
                "shipping_gross",
                "currency",
            )
        ),
        list(OrderLine.objects.order_by("id").values_list("order__number", "sku", "quantity", "total_gross")),
        list(OrderStatusChange.objects.order_by("id").values_list("order__number", "to_status")),
    )


def personal_state(user):
    user.refresh_from_db()
    profile = CustomerProfile.objects.get(user=user)
    return (
        user.email,
        user.first_name,
        user.last_name,
        user.phone,
        user.is_active,
        user.has_usable_password(),
        profile.marketing_opt_in,
        profile.company_name,
        profile.loyalty_card_number,
        Address.objects.filter(user=user).count(),
        list(
            Order.objects.filter(customer=user)
            .order_by("number")
            .values_list("email", "phone", "shipping_address")
        ),
    )


def test_close_account_page_explains_and_asks_for_the_password(client, ana):
    client.force_login(ana)

    response = client.get(CLOSE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your orders stay in our accounting books" in html
    assert 'autocomplete="current-password"' in html


def test_closing_anonymises_the_person_keeps_the_orders_and_signs_out(client, ana, ana_orders):
    bo = shopper(email="bo@example.com")
    bo_address = address(bo)
    bo_order = order(
        bo, "W2026-000002", phone="+33 7 00 00 00 00", shipping_address={**SNAPSHOT, "first_name": "Bo"}
    )
    Token.objects.create(user=ana)
    cart = Cart.objects.create(user=ana)
    CartLine.objects.create(cart=cart, variant=VariantFactory(), quantity=1)
    review = Review.objects.create(
        product=ProductFactory(), user=ana, author_name="Ana R.", rating=4, text="Good."
    )
    books = order_books()
    client.force_login(ana)

    response = client.post(CLOSE, {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302 and response["Location"] == "/en/"
    assert SESSION_KEY not in client.session
    gone = f"deleted-{ana.pk}@invalid.example"
    assert personal_state(ana) == (
        gone,
        "",
        "",
        "",
        False,
        False,
        False,
        "",
        None,
        0,
        [(gone, "", {}), (gone, "", {"country": "FR"})],
    )
    assert CustomerProfile.objects.get(user=ana).group is None
    assert order_books() == books  # numbers, totals, lines and trails untouched, still linked
    assert not Token.objects.filter(user=ana).exists()
    assert not Cart.objects.filter(pk=cart.pk).exists()
    review.refresh_from_db()
    assert (review.author_name, review.rating, review.user_id) == ("Anonymous", 4, ana.pk)
    # nobody else is touched
    bo_order.refresh_from_db()
    assert (bo_order.email, bo_order.phone, bo_order.shipping_address["first_name"]) == (
        "bo@example.com",
        "+33 7 00 00 00 00",
        "Bo",
    )
    assert Address.objects.filter(pk=bo_address.pk).exists()
    # and the account can no longer sign in
    assert client.login(username="ana@example.com", password=PASSWORD) is False
    assert client.login(username=gone, password=PASSWORD) is False


def test_a_wrong_password_changes_nothing(client, ana, ana_orders):
    before = personal_state(ana)
    client.force_login(ana)

    response = client.post(CLOSE, {"password": "not-my-password", "confirm": "on"})

    assert response.status_code == 400
    assert "The password is not correct." in response.content.decode()
    assert personal_state(ana) == before
    assert client.session[SESSION_KEY] == str(ana.pk)


def test_the_confirmation_box_is_required(client, ana):
    before = personal_state(ana)
    client.force_login(ana)

    response = client.post(CLOSE, {"password": PASSWORD})

    assert response.status_code == 400
    assert response.context["form"].errors == {"confirm": ["Tick the box to confirm."]}
    assert personal_state(ana) == before


def test_staff_accounts_are_not_closed_from_the_shop(client):
    member = staff(email="staff@example.com")
    client.force_login(member)

    response = client.post(CLOSE, {"password": "pass-1234-word", "confirm": "on"})

    assert response.status_code == 400
    assert "Staff accounts are closed by an administrator" in response.content.decode()
    member.refresh_from_db()
    assert (member.email, member.is_active) == ("staff@example.com", True)


def test_close_account_service_errors_have_stable_codes(ana):
    with pytest.raises(services.IncorrectPassword) as wrong:
        services.close_account(user=ana, password="")
    with pytest.raises(services.AccountNotClosable) as staff_error:
        services.close_account(user=staff(), password="pass-1234-word")

    assert (wrong.value.code, staff_error.value.code) == ("incorrect_password", "account_not_closable")
    assert User.objects.get(pk=ana.pk).is_active is True


def test_closed_account_totals_still_add_up(ana, ana_orders):
    web, _shop = ana_orders

    services.close_account(user=ana, password=PASSWORD)

    web.refresh_from_db()
    assert (web.total_gross, web.shipping_gross, sum(line.total_gross for line in web.lines.all())) == (
        Decimal("31.00"),
        Decimal("4.90"),
        Decimal("31.00"),
    )
