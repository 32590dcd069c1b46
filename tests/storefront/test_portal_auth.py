"""Customer portal: sign up, sign in by e-mail, sign out, password reset (under /<lang>/account/)."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail

from accounts import services
from accounts.models import CustomerProfile, Role, User
from orders.models import Cart, CartLine
from tests.accounts.portal_support import PASSWORD, shopper
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db

SIGNUP = "/en/account/signup/"
LOGIN = "/en/account/login/"
LOGOUT = "/en/account/logout/"
RESET = "/en/account/password-reset/"


def signup_body(**overrides):
    body = {
        "email": "Lucia.Bianchi@Example.com",
        "first_name": "Lucia",
        "last_name": "Bianchi",
        "password1": "figues-et-miel-2026",
        "password2": "figues-et-miel-2026",
        "preferred_language": "it",
        "marketing_opt_in": "on",
    }
    body.update(overrides)
    return body


# --- sign up ----------------------------------------------------------------------------------------


def test_signup_page_renders_with_the_current_language_preselected(client):
    response = client.get("/it/account/signup/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<option value="it" selected>' in html
    assert 'autocomplete="new-password"' in html
    assert "css/account.css" in html


def test_signup_creates_a_shopper_with_a_profile_signs_in_and_redirects_to_the_dashboard(client):
    response = client.post(SIGNUP, signup_body())

    assert response.status_code == 302
    assert response["Location"] == "/en/account/"
    user = User.objects.get()
    assert (user.email, user.first_name, user.last_name, user.preferred_language) == (
        "lucia.bianchi@example.com",
        "Lucia",
        "Bianchi",
        "it",
    )
    assert user.check_password("figues-et-miel-2026")
    assert [g.name for g in user.groups.all()] == [Role.SHOPPER]
    assert user.is_staff is False
    assert CustomerProfile.objects.get(user=user).marketing_opt_in is True
    assert client.session[SESSION_KEY] == str(user.pk)


def test_signup_honours_a_safe_next_and_ignores_an_outside_one(client):
    ok = client.post(SIGNUP, signup_body(email="a@example.com", next="/en/checkout/"))
    client.logout()
    evil = client.post(SIGNUP, signup_body(email="b@example.com", next="https://evil.example/"))

    assert ok["Location"] == "/en/checkout/"
    assert evil["Location"] == "/en/account/"


def test_signup_without_marketing_consent_records_none(client):
    client.post(SIGNUP, signup_body(marketing_opt_in=""))

    assert CustomerProfile.objects.get().marketing_opt_in is False


def test_signup_refuses_an_e_mail_already_registered_in_any_case(client):
    shopper(email="lucia.bianchi@example.com")

    response = client.post(SIGNUP, signup_body(email="LUCIA.bianchi@example.COM"))

    assert response.status_code == 400
    assert "An account already exists with this e-mail address." in response.content.decode()
    assert User.objects.count() == 1
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "This password is too short. It must contain at least 8 characters."),
        ("password123", "This password is too common."),
        ("8473629184", "This password is entirely numeric."),
        ("lucia.bianchi", "The password is too similar to the"),
    ],
)
def test_signup_refuses_a_weak_password_with_django_validators(client, password, message):
    response = client.post(SIGNUP, signup_body(password1=password, password2=password))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == 0 and CustomerProfile.objects.count() == 0


def test_signup_refuses_two_different_passwords(client):
    response = client.post(SIGNUP, signup_body(password2="figues-et-miel-2027"))

    assert response.status_code == 400
    assert "The two passwords differ." in response.content.decode()
    assert User.objects.count() == 0


def test_signup_refuses_missing_fields_and_a_bad_language(client):
    response = client.post(SIGNUP, signup_body(email="not-an-email", first_name="", preferred_language="de"))

    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"email", "first_name", "preferred_language"}
    assert User.objects.count() == 0


def test_signed_in_shopper_visiting_signup_goes_to_the_dashboard(client):
    client.force_login(shopper())

    assert client.get(SIGNUP)["Location"] == "/en/account/"


def test_register_customer_service_refuses_bad_input_and_writes_nothing():
    shopper(email="taken@example.com")
    good = {
        "email": "new@example.com",
        "password": "figues-et-miel-2026",
        "first_name": "Ana",
        "last_name": "Rossi",
        "language": "fr",
    }

    with pytest.raises(services.EmailAlreadyRegistered) as taken:
        services.register_customer(**{**good, "email": " Taken@Example.com "})
    with pytest.raises(services.WeakPassword) as weak:
        services.register_customer(**{**good, "password": "12345678"})
    with pytest.raises(services.ValidationFailed) as language:
        services.register_customer(**{**good, "language": "de"})
    with pytest.raises(services.ValidationFailed) as name:
        services.register_customer(**{**good, "last_name": "  "})
    with pytest.raises(services.ValidationFailed) as email:
        services.register_customer(**{**good, "email": "nope"})

    assert taken.value.code == "email_taken"
    assert weak.value.code == "weak_password"
    assert weak.value.detail == {
        "password": ["This password is too common.", "This password is entirely numeric."]
    }
    assert language.value.code == name.value.code == email.value.code == "invalid"
    assert User.objects.count() == 1 and CustomerProfile.objects.count() == 1


# --- sign in / sign out -----------------------------------------------------------------------------


def test_login_by_e_mail_in_any_case_redirects_to_the_dashboard(client):
    user = shopper()

    response = client.post(LOGIN, {"username": "ANA@example.com", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/en/account/"
    assert client.session[SESSION_KEY] == str(user.pk)


def test_login_follows_next(client):
    shopper()

    response = client.post(
        LOGIN, {"username": "ana@example.com", "password": PASSWORD, "next": "/en/account/orders/"}
    )

    assert response["Location"] == "/en/account/orders/"


def test_login_with_a_wrong_password_is_refused_with_a_message(client):
    shopper()

    response = client.post(LOGIN, {"username": "ana@example.com", "password": "wrong-password"})

    assert response.status_code == 400
    assert "This e-mail address and password do not match an account." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_login_merges_the_anonymous_session_cart_into_the_account(client):
    user = shopper()
    variant = VariantFactory(sku="FIG-JAM")
    cart = Cart.objects.create()
    CartLine.objects.create(cart=cart, variant=variant, quantity=2)
    session = client.session
    session["cart_token"] = str(cart.token)
    session.save()

    client.post(LOGIN, {"username": "ana@example.com", "password": PASSWORD})

    user_carts = Cart.objects.filter(user=user, status="open")
    assert [(line.variant.sku, line.quantity) for c in user_carts for line in c.lines.all()] == [
        ("FIG-JAM", 2)
    ]


def test_login_page_renders_and_a_signed_in_shopper_skips_it(client):
    page = client.get(LOGIN)
    client.force_login(shopper())
    again = client.get(LOGIN)

    assert page.status_code == 200
    assert 'autocomplete="email"' in page.content.decode()
    assert again.status_code == 302 and again["Location"] == "/en/account/"


def test_logout_is_post_only(client):
    client.force_login(shopper())

    refused = client.get(LOGOUT)
    assert refused.status_code == 405
    assert SESSION_KEY in client.session

    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert SESSION_KEY not in client.session


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for path in (
        "/en/account/",
        "/en/account/profile/",
        "/en/account/addresses/",
        "/en/account/addresses/add/",
        "/en/account/orders/",
        "/en/account/orders/W2026-000001/",
        "/en/account/my-data/",
        "/en/account/close/",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == f"/en/account/login/?next={path}"


# --- password reset ---------------------------------------------------------------------------------


def test_password_reset_mails_a_link_in_the_shoppers_language_that_sets_a_new_password(client):
    user = shopper(first_name="Ana")

    response = client.post("/it/account/password-reset/", {"email": "ANA@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/it/account/password-reset/sent/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.com"]
    assert message.subject == "La sua nuova password per Maison Corsica"  # the page's language: Italian
    assert message.body.startswith("Gentile Ana,")
    assert message.alternatives and "Scelta di una nuova password" in message.alternatives[0][0]
    link = re.search(r"http://testserver(/it/account/reset/[^/]+/[^/]+/)", message.body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"] is True
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "nuova-parola-2026", "new_password2": "nuova-parola-2026"},
    )
    assert done["Location"] == "/it/account/reset/done/"
    user.refresh_from_db()
    assert user.check_password("nuova-parola-2026")


def test_password_reset_for_an_unknown_e_mail_sends_nothing_and_says_the_same(client):
    shopper()

    response = client.post(RESET, {"email": "nobody@example.com"})

    assert response.status_code == 302 and response["Location"] == "/en/account/password-reset/sent/"
    assert mail.outbox == []


def test_password_reset_refuses_a_malformed_e_mail(client):
    response = client.post(RESET, {"email": "nope"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert mail.outbox == []


def test_a_used_or_forged_reset_link_is_refused(client):
    shopper()

    response = client.get("/en/account/reset/MQ/forged-token/")

    assert response.status_code == 200
    assert response.context["validlink"] is False
    assert "This link no longer works" in response.content.decode()


def test_password_reset_pages_render(client):
    for path in (RESET, "/en/account/password-reset/sent/", "/en/account/reset/done/"):
        assert client.get(path).status_code == 200, path
