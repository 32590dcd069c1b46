"""Marketing messages carry a one-click unsubscribe (RFC 8058) and never reach a person without consent."""

import re

import pytest
from django.core import mail

from marketing import messages, services
from marketing.models import Consent, ConsentSource, ConsentStatus, SuppressionReason
from tests.accounts.portal_support import shopper

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(db):
    user = shopper(email="ana@example.com")
    services.record_account_consent(
        user=user, granted=True, source=ConsentSource.SIGNUP_FORM, text_shown="News"
    )
    return user


def _unsubscribe_path(message) -> str:
    header = message.extra_headers["List-Unsubscribe"]
    url = re.match(r"<(https?://[^>]+)>", header).group(1)
    return re.sub(r"^https?://[^/]+", "", url)


def test_a_marketing_message_has_list_unsubscribe_headers(ana, settings):
    settings.MARKETING_SITE_URL = "https://shop.example.com"
    settings.MARKETING_UNSUBSCRIBE_MAILTO = "unsubscribe@shop.example.com"

    message = messages.marketing_email(to=ana, subject="Spring", text="Hello", html="<p>Hello</p>")
    message.send()

    sent = mail.outbox[0]
    assert sent.to == ["ana@example.com"]
    header = sent.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(
        r"<https://shop\.example\.com/u/[^/>]+/>, "
        r"<mailto:unsubscribe@shop\.example\.com\?subject=unsubscribe%20ana%40example\.com>",
        header,
    ), header
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = sent.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
    assert sent.alternatives[0][1] == "text/html"


def test_no_message_for_a_withdrawn_suppressed_or_unknown_address(ana):
    services.withdraw(person=ana)
    assert messages.marketing_email(to=ana, subject="s", text="t") is None

    services.record_account_consent(user=ana, granted=True, source=ConsentSource.PROFILE_FORM, text_shown="x")
    assert messages.marketing_email(to="ana@example.com", subject="s", text="t") is not None
    services.suppress(address="ana@example.com", reason=SuppressionReason.COMPLAINT)
    assert messages.marketing_email(to=ana, subject="s", text="t") is None

    assert messages.marketing_email(to="nobody@example.com", subject="s", text="t") is None
    assert mail.outbox == []


def test_one_click_post_unsubscribes_without_csrf(ana, client):
    from django.test import Client

    message = messages.marketing_email(to=ana, subject="s", text="t")
    strict = Client(enforce_csrf_checks=True)

    response = strict.post(
        _unsubscribe_path(message),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        HTTP_USER_AGENT="Gmail one-click",
    )

    assert response.status_code == 200
    consent = Consent.objects.get()
    assert consent.status == ConsentStatus.WITHDRAWN
    last = consent.events.last()
    assert (last.source, last.user_agent) == ("unsubscribe_link", "Gmail one-click")
    assert services.may_send(person=ana) is False
    # the mail client may retry: still 200, one withdrawal
    assert strict.post(_unsubscribe_path(message)).status_code == 200
    assert consent.events.filter(status="withdrawn").count() == 1


def test_the_unsubscribe_page_asks_before_unsubscribing(ana, client):
    path = _unsubscribe_path(messages.marketing_email(to=ana, subject="s", text="t"))

    page = client.get(path)

    assert page.status_code == 200
    assert "ana@example.com" in page.content.decode()
    assert f'action="{path}"' in page.content.decode()
    assert Consent.objects.get().status == ConsentStatus.GRANTED  # a GET (a link scanner) changes nothing
    assert client.post(path).status_code == 200
    assert Consent.objects.get().status == ConsentStatus.WITHDRAWN


def test_a_forged_or_expired_unsubscribe_link_is_refused_with_a_message(ana, client, settings):
    path = _unsubscribe_path(messages.marketing_email(to=ana, subject="s", text="t"))
    forged = path[:-3] + "zz/"

    for method in (client.get, client.post):
        response = method(forged, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert "This link is not valid or has expired." in response.content.decode()
    french = client.post(forged)  # no language prefix on /u/: the shop's default language
    assert "Ce lien n’est pas valide ou a expiré." in french.content.decode()
    settings.MARKETING_UNSUBSCRIBE_MAX_AGE = -1
    assert client.post(path).status_code == 400

    assert Consent.objects.get().status == ConsentStatus.GRANTED
