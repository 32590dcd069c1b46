"""The newsletter form, its confirmation page, and the portal's opt-in box kept in step with consent."""

import re

import pytest
from django.core import mail

from accounts.models import CustomerProfile
from marketing import services
from marketing.models import Consent, ConsentStatus
from tests.accounts.portal_support import shopper

pytestmark = pytest.mark.django_db


def test_newsletter_sign_up_and_confirmation_pages(client, eager_celery, django_capture_on_commit_callbacks):
    form = client.get("/en/newsletter/")
    assert form.status_code == 200
    assert "I can unsubscribe at any time with the link in every e-mail." in form.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/newsletter/", {"email": "guest@example.com", "consent": "on"}, HTTP_USER_AGENT="Safari"
        )

    assert response.status_code == 302
    assert response["Location"] == "/en/newsletter/sent/"
    consent = Consent.objects.get()
    assert consent.status == ConsentStatus.PENDING
    event = consent.events.get()
    assert event.text_shown.startswith("I would like to receive the Maison Corsica newsletter")
    assert (event.source, event.user_agent, event.ip_address) == ("newsletter_form", "Safari", "127.0.0.1")
    path = re.search(r"https?://[^/\s]+(/en/newsletter/confirm/\S+/)", mail.outbox[0].body).group(1)

    page = client.get(path)
    assert page.status_code == 200
    assert Consent.objects.get().status == ConsentStatus.PENDING  # the GET only shows the button
    done = client.post(path)
    assert done.status_code == 200
    assert "Subscription confirmed" in done.content.decode()
    assert Consent.objects.get().status == ConsentStatus.GRANTED


def test_newsletter_form_refuses_without_the_box_or_with_a_bad_address(client):
    no_box = client.post("/en/newsletter/", {"email": "guest@example.com"})
    bad = client.post("/en/newsletter/", {"email": "guest", "consent": "on"})

    assert (no_box.status_code, bad.status_code) == (400, 400)
    assert set(no_box.context["form"].errors) == {"consent"}
    assert set(bad.context["form"].errors) == {"email"}
    assert not Consent.objects.exists()
    assert mail.outbox == []


def test_a_forged_confirmation_link_is_a_400_with_a_message(client):
    response = client.post("/en/newsletter/confirm/forged-token/")
    assert response.status_code == 400
    assert "This link is not valid or has expired." in response.content.decode()


def test_the_footer_links_to_the_newsletter(client):
    assert 'href="/en/newsletter/"' in client.get("/en/newsletter/sent/").content.decode()


def _profile_body(**overrides):
    body = {"first_name": "Ana", "last_name": "Rossi", "phone": "", "preferred_language": "en"}
    return {**body, **overrides}


def test_the_portal_profile_box_records_and_withdraws_the_email_consent(client):
    ana = shopper(email="ana@example.com", first_name="Ana", last_name="Rossi")
    client.force_login(ana)

    assert client.post("/en/account/profile/", _profile_body(marketing_opt_in="on")).status_code == 302

    assert CustomerProfile.objects.get(user=ana).marketing_opt_in is True
    assert services.may_send(person=ana) is True
    granted = Consent.objects.get().events.get()
    assert (granted.source, granted.text_shown) == (
        "profile_form",
        "Send me news and offers by e-mail (you can stop at any time)",
    )
    # saving again with the box still ticked writes no new proof
    client.post("/en/account/profile/", _profile_body(marketing_opt_in="on"))
    assert Consent.objects.get().events.count() == 1

    client.post("/en/account/profile/", _profile_body())

    assert CustomerProfile.objects.get(user=ana).marketing_opt_in is False
    assert services.may_send(person=ana) is False


def test_an_unsubscribe_link_unticks_the_portal_box(client):
    ana = shopper(email="ana@example.com", first_name="Ana", last_name="Rossi")
    client.force_login(ana)
    client.post("/en/account/profile/", _profile_body(marketing_opt_in="on"))

    token = services.unsubscribe_token(channel="email", address="ana@example.com")
    assert client.post(f"/u/{token}/").status_code == 200

    page = client.get("/en/account/profile/")
    assert page.context["form"].initial["marketing_opt_in"] is False


def test_signup_with_the_box_ticked_grants_and_without_records_nothing(client):
    body = {
        "email": "new@example.com",
        "first_name": "Nina",
        "last_name": "Luciani",
        "password1": "a-Long-pass-phrase-77",
        "password2": "a-Long-pass-phrase-77",
        "preferred_language": "en",
    }
    assert client.post("/en/account/signup/", {**body, "marketing_opt_in": "on"}).status_code == 302
    client.logout()
    assert client.post("/en/account/signup/", {**body, "email": "other@example.com"}).status_code == 302

    assert list(Consent.objects.values_list("address", "status")) == [("new@example.com", "granted")]
    assert Consent.objects.get().events.get().source == "signup_form"


def test_the_proof_keeps_the_text_in_the_language_it_was_shown(
    client, eager_celery, django_capture_on_commit_callbacks
):
    page = client.get("/fr/newsletter/")
    assert "S’abonner" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/fr/newsletter/", {"email": "invite@example.com", "consent": "on"})

    assert Consent.objects.get().events.get().text_shown.startswith("Je souhaite recevoir la lettre")
    assert mail.outbox[0].subject == "Confirmez votre abonnement à notre lettre d’information"
    assert "/fr/newsletter/confirm/" in mail.outbox[0].body
