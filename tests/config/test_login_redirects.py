"""A login that names no ``next`` page lands on a page that exists: the admin's on /admin/, the
shop's on the account page, the till's on the till (it used to be /accounts/profile/, a 404)."""

import pytest

from accounts.models import Role
from tests.factories import LocationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234-word"


def test_the_admin_login_without_next_lands_on_the_admin_index(client):
    staff = UserFactory(is_staff=True, is_superuser=True)

    response = client.post("/admin/login/", {"username": staff.email, "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get(response["Location"]).status_code == 200


def test_a_store_manager_logging_into_the_admin_without_next_lands_on_a_200(client):
    manager = UserFactory(is_staff=True, role=Role.STORE_MANAGER)

    response = client.post("/admin/login/", {"username": manager.email, "password": PASSWORD}, follow=True)

    assert response.redirect_chain == [("/admin/", 302)]
    assert response.status_code == 200


def test_the_shop_login_without_next_lands_on_the_account_page(client):
    shopper = UserFactory()

    response = client.post(
        "/en/account/login/", {"username": shopper.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain == [("/en/account/", 302)]
    assert response.status_code == 200


def test_the_till_login_without_next_lands_on_the_till(client):
    LocationFactory(code="AJA")
    cashier = UserFactory(role=Role.CASHIER)

    response = client.post("/pos/login/", {"username": cashier.email, "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/pos/"
