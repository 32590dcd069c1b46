"""The back office: a segment shows its member count; a campaign is previewed for a real recipient
(with their recommendations), test-sent and scheduled; bad input is refused with a clear message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from inventory.services.batch import receive_stock
from marketing.models import Campaign, CampaignStatus, Segment
from tests.factories import LocationFactory, UserFactory, VariantFactory
from tests.marketing.campaign_support import customer, order

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, role=Role.STAFF))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the back office in English for the messages
    return client


@pytest.fixture
def shop():
    """Products A, B, C in stock; Ana bought A; two others bought A with B; C is popular alone."""
    store = LocationFactory(code="AJA")
    variants = {}
    for letter in "ABC":
        variants[letter] = VariantFactory(sku=f"SKU-{letter}", product__name=f"Product {letter}")
        receive_stock(variant=variants[letter], location=store, quantity=5)
    ana = customer("ana@example.com", first_name="Ana", language="en")
    order(ana, days_ago=5, variant=variants["A"])
    for n in range(2):
        buyer = customer(f"buyer{n}@example.com", consent=False)
        made = order(buyer, days_ago=3, variant=variants["A"])
        b = variants["B"]
        made.lines.create(
            variant=b, sku=b.sku, name=b.product.name, quantity=1, unit_price_net=10, vat_rate=0,
            total_net=10, total_vat=0, total_gross=10,
        )  # fmt: skip
    return variants, ana


def campaign_for(segment, **fields):
    return Campaign.objects.create(
        name="Spring",
        segment=segment,
        subject_fr="Le printemps",
        body_fr='<p>Bonjour {{ first_name }}</p>{% products "for_you" %}',
        subject_en="Spring is here",
        body_en='<p>Hello {{ first_name }}</p>{% products "for_you" %}'
        '<h2>Our pick</h2>{% products "chosen" %}',
        **fields,
    )


def test_the_segment_page_shows_how_many_consenting_people_it_reaches(staff_client, shop):
    segment = Segment.objects.create(name="Everyone")

    page = staff_client.get(f"/admin/marketing/segment/{segment.pk}/change/")

    assert page.status_code == 200
    assert '<div class="readonly">1</div>' in page.content.decode()  # Ana; the buyers did not consent


def test_preview_renders_the_campaign_for_the_first_member_with_their_recommendations(staff_client, shop):
    variants, ana = shop
    campaign = campaign_for(Segment.objects.create(name="Everyone"))
    campaign.products.set([variants["C"].product])

    page = staff_client.get(f"/admin/marketing/campaign/{campaign.pk}/preview/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "ana@example.com" in html
    assert '<h2 id="preview-subject">Spring is here</h2>' in html
    assert "Hello Ana" in html  # escaped inside srcdoc, but the words are there
    # for you: B (bought with A by others); Ana's own A left out; the chosen block: C
    for_you, chosen = html.split("Our pick")
    assert "Product B" in for_you and "Product A" not in for_you
    assert "Product C" in chosen
    french = staff_client.get(
        f"/admin/marketing/campaign/{campaign.pk}/preview/?language=fr&customer={ana.pk}"
    )
    assert '<h2 id="preview-subject">Le printemps</h2>' in french.content.decode()


def test_test_send_goes_to_the_given_address_marked_as_a_test(staff_client, shop):
    campaign = campaign_for(Segment.objects.create(name="Everyone"))

    response = staff_client.post(
        f"/admin/marketing/campaign/{campaign.pk}/test-send/", {"email": "boss@example.com", "language": "fr"}
    )

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.subject) == (["boss@example.com"], "[TEST] Le printemps")
    assert "Bonjour Ana" in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Campaign.objects.get().recipients.count() == 0

    bad = staff_client.post(
        f"/admin/marketing/campaign/{campaign.pk}/test-send/", {"email": "not an address"}
    )
    assert bad.status_code == 400
    assert "Enter a valid email address." in bad.content.decode()
    assert len(mail.outbox) == 1


def test_schedule_shows_the_count_and_refuses_the_past_and_empty_segments(staff_client, shop):
    campaign = campaign_for(Segment.objects.create(name="Everyone"))
    url = f"/admin/marketing/campaign/{campaign.pk}/schedule/"

    form = staff_client.get(url)
    assert form.status_code == 200
    assert "1 consenting recipient today" in form.content.decode()

    past = timezone.localtime() - dt.timedelta(hours=2)
    refused = staff_client.post(url, {"send_at": past.strftime("%Y-%m-%dT%H:%M")})
    assert refused.status_code == 400
    assert "The sending time is in the past." in refused.content.decode()
    assert Campaign.objects.get().status == CampaignStatus.DRAFT

    empty = campaign_for(Segment.objects.create(name="Nobody", city="Nowhere"))
    refused = staff_client.post(
        f"/admin/marketing/campaign/{empty.pk}/schedule/",
        {"send_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert refused.status_code == 400
    assert "The segment has no consenting member" in refused.content.decode()

    garbage = staff_client.post(url, {"send_at": "tomorrow-ish"})
    assert garbage.status_code == 400
    assert "Enter a valid date/time." in garbage.content.decode()

    when = (timezone.localtime() + dt.timedelta(days=1)).replace(second=0, microsecond=0)
    done = staff_client.post(url, {"send_at": when.strftime("%Y-%m-%dT%H:%M")})
    assert done.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.status, campaign.send_at) == (CampaignStatus.SCHEDULED, when)


def test_the_campaign_form_refuses_a_broken_template_and_half_a_language(staff_client, shop):
    segment = Segment.objects.create(name="Everyone")

    response = staff_client.post(
        "/admin/marketing/campaign/add/",
        {
            "name": "Broken",
            "segment": segment.pk,
            "subject_fr": "Sujet",
            "body_fr": "{% products 'everything' %}",
            "subject_en": "Only a subject",
            "body_en": "",
        },
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "The body is not a valid template" in html
    assert "Give both the subject and the body, or neither." in html
    assert not Campaign.objects.exists()
