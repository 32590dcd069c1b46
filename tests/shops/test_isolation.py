"""Two shops on one install, two host names: nothing of one shows on the other.

Shop A is the default shop (the data migration's "main", every host no shop claims: ``testserver``);
shop B, "Maison Corse Pro", claims ``pro.localhost`` and sells only Local food, in French and English.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.test import Client

from catalog.models import Review, ReviewStatus
from orders.models import Cart
from shops import selectors as shop_selectors
from shops import services as shop_services
from shops.models import Shop as ShopRow
from tests.factories import UserFactory
from tests.storefront.storefront_data import Shop, _fresh_cache  # noqa: F401

from .conftest import A, B

pytestmark = pytest.mark.django_db


@pytest.fixture
def tee(catalog):
    return catalog.tshirt("Calvi tee", aja=3)


@pytest.fixture
def jam(catalog):
    return catalog.jam("Fig jam", aja=5)


def on(host: str) -> Client:
    return Client(HTTP_HOST=host)


# --- resolution ---------------------------------------------------------------------------------------


def test_the_host_chooses_the_shop_and_an_unknown_host_gets_the_default(pro):
    assert shop_selectors.shop_for_host(B).code == "pro"
    assert shop_selectors.shop_for_host("PRO.localhost:8000").code == "pro"
    assert shop_selectors.shop_for_host("unknown.example").code == "main"
    assert shop_selectors.shop_for_host(A).is_default


def test_an_unknown_host_is_served_by_the_default_shop(client, pro, tee):
    response = on("unknown.example").get("/en/")
    assert response.status_code == 200
    assert response.context["shop"].code == "main"
    assert "Calvi tee" in response.content.decode()


def test_the_data_migration_made_exactly_one_default_shop(db):
    assert list(ShopRow.objects.filter(is_default=True).values_list("code", flat=True)) == ["main"]


def test_the_resolved_shop_costs_no_query_once_warm(pro, django_assert_num_queries):
    shop_selectors.shop_for_host(B)
    with django_assert_num_queries(0):
        assert shop_selectors.shop_for_host(B).name == "Maison Corse Pro"


# --- assortment ----------------------------------------------------------------------------------------


def test_a_product_outside_b_assortment_is_404_on_b_and_shown_on_a(pro, tee, jam):
    assert on(A).get(f"/en/p/{tee.slug}/").status_code == 200
    assert on(B).get(f"/en/p/{tee.slug}/").status_code == 404
    assert on(B).get(f"/en/p/{jam.slug}/").status_code == 200


def test_listings_keep_to_the_shop(pro, tee, jam):
    home_a, home_b = on(A).get("/en/").content.decode(), on(B).get("/en/").content.decode()
    assert "Calvi tee" in home_a and "Fig jam" in home_a
    assert "Calvi tee" not in home_b and "Fig jam" in home_b
    assert on(B).get("/en/c/clothing/").status_code == 404
    assert "Fig jam" in on(B).get("/en/c/local-food/").content.decode()


def test_the_menu_shows_the_shop_categories(pro, tee, jam):
    b = on(B).get("/en/").content.decode()
    assert 'href="/en/c/local-food/"' in b and 'href="/en/c/clothing/"' not in b
    assert 'href="/en/c/clothing/"' in on(A).get("/en/").content.decode()


def test_search_and_suggestions_keep_to_the_shop(pro, tee, jam):
    assert "Calvi tee" in on(A).get("/en/search/?q=calvi").content.decode()
    assert "Calvi tee" not in on(B).get("/en/search/?q=calvi").content.decode()
    found_a = on(A).get("/api/v1/store/suggest/?q=calvi").json()
    found_b = on(B).get("/api/v1/store/suggest/?q=calvi").json()
    assert [p["name"] for p in found_a["products"]] == ["Calvi tee (fr)"]  # the API's language: fr
    assert found_b["products"] == []
    assert on(B).get("/api/v1/store/suggest/?q=fig").json()["products"][0]["name"] == "Fig jam (fr)"


def test_an_excluded_product_is_404_on_its_shop(catalog, tee, jam):
    shop_services.create_shop(
        code="jams", name="Jams only", hosts=["jams.localhost"], excluded_product_ids=[jam.pk]
    )
    assert Client(HTTP_HOST="jams.localhost").get(f"/en/p/{jam.slug}/").status_code == 404


def test_sitemap_and_robots_per_shop(pro, tee, jam):
    sitemap_b = on(B).get("/sitemap-products.xml").content.decode()
    sitemap_a = on(A).get("/sitemap-products.xml").content.decode()
    assert f"/p/{jam.slug}/" in sitemap_b and f"/p/{tee.slug}/" not in sitemap_b
    assert f"http://{B}/fr/p/{jam.slug}/" in sitemap_b and "/it/" not in sitemap_b  # FR/EN only
    assert f"/p/{tee.slug}/" in sitemap_a and f"http://{A}/" in sitemap_a
    assert "/c/clothing/" not in on(B).get("/sitemap-categories.xml").content.decode()
    robots_b = on(B).get("/robots.txt").content.decode()
    assert f"Sitemap: http://{B}/sitemap.xml" in robots_b and "/it/" not in robots_b
    assert f"Sitemap: http://{A}/sitemap.xml" in on(A).get("/robots.txt").content.decode()


def test_canonical_and_hreflang_use_the_primary_host(catalog, jam, settings):
    settings.ALLOWED_HOSTS = [A, "pro.example", "www.pro.example"]
    shop_services.create_shop(
        code="pro2",
        name="Pro",
        hosts=["pro.example", "www.pro.example"],
        languages=["fr", "en"],
        default_language="en",
    )
    body = Client(HTTP_HOST="www.pro.example").get(f"/en/p/{jam.slug}/").content.decode()
    assert f'<link rel="canonical" href="http://pro.example/en/p/{jam.slug}/">' in body
    assert f'hreflang="fr" href="http://pro.example/fr/p/{jam.slug}/"' in body
    assert 'hreflang="it"' not in body
    assert f'hreflang="x-default" href="http://pro.example/en/p/{jam.slug}/"' in body


# --- languages -----------------------------------------------------------------------------------------


def test_a_language_the_shop_does_not_offer_is_404(pro, jam):
    assert on(B).get(f"/it/p/{jam.slug}/").status_code == 404
    assert on(A).get(f"/it/p/{jam.slug}/").status_code == 200


def test_the_root_redirects_to_a_language_the_shop_offers(pro):
    response = on(B).get("/", HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 302 and response["Location"] == "/fr/"
    assert on(A).get("/", HTTP_ACCEPT_LANGUAGE="it")["Location"] == "/it/"


# --- look ----------------------------------------------------------------------------------------------


def test_each_shop_shows_its_name_legal_mentions_and_tokens(pro, jam):
    b = on(B).get("/en/").content.decode()
    assert "<title>" in b and "· Maison Corse Pro</title>" in b
    assert "Maison Corse Pro SAS, RCS Ajaccio" in b
    info = shop_selectors.shop_for_host(B)
    assert f'href="/shop-tokens.css?v={info.css_version}"' in b
    css = on(B).get(f"/shop-tokens.css?v={info.css_version}")
    assert css["Content-Type"].startswith("text/css")
    assert css.content.decode() == ":root{--brand:#1d3557;--radius:2px}\n"
    a = on(A).get("/en/").content.decode()
    assert "shop-tokens.css" not in a and "Maison Corse Pro" not in a


def test_tokens_that_would_inject_css_are_refused_with_a_clear_message(db):
    shop = ShopRow(code="bad", name="Bad", tokens={"brand": "red;}</style><script>alert(1)</script>"})
    with pytest.raises(ValidationError) as refused:
        shop.full_clean()
    message = " ".join(refused.value.message_dict["tokens"])
    assert "brand" in message and "is not a colour" in message
    assert not ShopRow.objects.filter(code="bad").exists()


def test_unknown_token_names_are_refused(db):
    shop = ShopRow(code="bad", name="Bad", tokens={"background-image": "url(x)"})
    with pytest.raises(ValidationError) as refused:
        shop.full_clean()
    assert "is not a design token" in " ".join(refused.value.message_dict["tokens"])


def test_the_admin_form_shows_the_token_error_and_saves_nothing(admin_client):
    response = admin_client.post(
        "/admin/shops/shop/add/",
        {
            "code": "evil",
            "name": "Evil",
            "mode": "b2c",
            "tokens": '{"brand": "red;}</style><script>"}',
            "languages": ["fr"],
            "default_language": "fr",
            "currencies": ["EUR"],
            "domains-TOTAL_FORMS": "0",
            "domains-INITIAL_FORMS": "0",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "is not a colour" in " ".join(errors["tokens"])
    assert not ShopRow.objects.filter(code="evil").exists()


# --- carts, sessions, reviews ------------------------------------------------------------------------


def test_a_cart_filled_on_a_is_not_visible_on_b(pro, jam):
    browser = on(A)
    browser.post("/en/cart/add/", {"sku": jam.variants.first().sku, "quantity": "2"})
    cart = Cart.objects.get()
    assert cart.shop_id == shop_selectors.default_shop().id
    assert browser.get("/en/cart/").context["cart_count"]() == 2
    # The same session (a shared cookie) presented to shop B: no cart there.
    browser.defaults["HTTP_HOST"] = B
    assert browser.get("/en/cart/").context["cart_count"]() == 0
    browser.post("/en/cart/add/", {"sku": jam.variants.first().sku, "quantity": "1"})
    assert sorted(Cart.objects.values_list("shop__code", flat=True)) == ["main", "pro"]


def test_a_session_signed_in_on_a_is_not_signed_in_on_b(pro):
    browser = on(A)
    browser.force_login(UserFactory())
    assert browser.get("/en/account/").status_code == 200  # signed in on A
    browser.defaults["HTTP_HOST"] = B
    response = browser.get("/en/account/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    browser.defaults["HTTP_HOST"] = A
    assert browser.get("/en/account/").status_code == 200  # still signed in on A


def test_shared_accounts_sign_in_on_every_shop(pro, settings):
    settings.SHOPS_SHARED_ACCOUNTS = True
    browser = on(A)
    browser.force_login(UserFactory())
    assert browser.get("/en/account/").status_code == 200
    browser.defaults["HTTP_HOST"] = B
    assert browser.get("/en/account/").status_code == 200


def test_a_sign_in_on_b_belongs_to_b(pro):
    UserFactory(email="buyer@example.com")
    browser = on(B)
    response = browser.post(
        "/en/account/login/", {"username": "buyer@example.com", "password": "pass-1234-word"}
    )
    assert response.status_code == 302
    assert browser.session["_shop"] == "pro" and SESSION_KEY in browser.session
    assert browser.get("/en/account/").status_code == 200  # signed in on B
    browser.defaults["HTTP_HOST"] = A
    assert browser.get("/en/account/").status_code == 302  # not on A


def test_reviews_show_on_the_shop_they_were_written_on(pro, jam):
    Review.objects.create(
        product=jam,
        author_name="Ana",
        rating=5,
        text="Written on the pro shop.",
        status=ReviewStatus.APPROVED,
        shop_id=shop_selectors.shop_for_host(B).id,
    )
    Review.objects.create(
        product=jam,
        author_name="Bo",
        rating=4,
        text="Written before shops existed.",
        status=ReviewStatus.APPROVED,
    )
    b = on(B).get(f"/en/p/{jam.slug}/").content.decode()
    a = on(A).get(f"/en/p/{jam.slug}/").content.decode()
    assert "Written on the pro shop." in b and "Written before shops existed." not in b
    assert "Written before shops existed." in a and "Written on the pro shop." not in a


# --- page cache ----------------------------------------------------------------------------------------


def test_page_cache_entries_are_distinct_per_shop(pro, jam, tee):
    assert on(A).get("/en/")["X-Page-Cache"] == "miss"
    assert on(A).get("/en/")["X-Page-Cache"] == "hit"
    first_b = on(B).get("/en/")
    assert first_b["X-Page-Cache"] == "miss"  # never A's page
    assert "Calvi tee" not in first_b.content.decode()
    hit_b = on(B).get("/en/")
    assert hit_b["X-Page-Cache"] == "hit" and "Calvi tee" not in hit_b.content.decode()
    assert "Calvi tee" in on(A).get("/en/").content.decode()


def test_a_shop_change_drops_its_cached_pages(pro, jam, tee, django_capture_on_commit_callbacks):
    assert on(B).get("/en/")["X-Page-Cache"] == "miss"
    row = ShopRow.objects.get(code="pro")
    with django_capture_on_commit_callbacks(execute=True):
        row.categories.add(Shop.__dict__ and row.categories.model.objects.get(slug="clothing"))
        shop_services.shops_changed()
    page = on(B).get("/en/")
    assert page["X-Page-Cache"] == "miss" and "Calvi tee" in page.content.decode()


def test_the_assortment_adds_no_query_to_a_product_page(pro, jam, django_assert_num_queries):
    """As tests/storefront's 6-query product page: the shop's filter rides on the product's query."""
    from storefront import cache as page_cache

    url = f"/en/p/{jam.slug}/"
    on(B).get(url)
    page_cache.bump_product(jam.pk)
    with django_assert_num_queries(6):
        assert on(B).get(url).status_code == 200


def test_an_order_e_mail_comes_from_its_shop(pro, catalog, settings):
    from orders.notifications import build_order_email
    from tests.shops.test_staff import order

    sent = build_order_email(order("W-PRO-1", shop_id=pro.pk, location=catalog.aja), "confirmation")
    assert "Maison Corse Pro" in sent.subject + sent.body
    pro.email_from = "Maison Corse Pro <pro@example.com>"
    pro.save()
    shop_services.shops_changed()
    sent = build_order_email(order("W-PRO-2", shop_id=pro.pk, location=catalog.aja), "confirmation")
    assert sent.from_email == "Maison Corse Pro <pro@example.com>"
    main = build_order_email(order("W-MAIN-1", shop_id=None, location=catalog.aja), "confirmation")
    assert main.from_email == settings.DEFAULT_FROM_EMAIL  # a store's order: the platform's sender


def test_a_shop_has_its_own_email_templates_and_colour(pro, catalog):
    """templates/shops/pro/orders/email/confirmation_subject.txt overrides the subject only; the body
    stays the platform's; the header takes the shop's brand token."""
    from orders.notifications import build_order_email
    from tests.shops.test_staff import order

    pro_order = order("W-PRO-9", shop_id=pro.pk, location=catalog.aja)
    main_order = order("W-MAIN-9", shop_id=None, location=catalog.aja)
    for placed in (pro_order, main_order):
        placed.language = "en"  # the e-mail's language is the order's
        placed.save(update_fields=["language"])
    pro_mail = build_order_email(pro_order, "confirmation")
    main = build_order_email(main_order, "confirmation")
    assert pro_mail.subject == "Maison Corse Pro: trade order W-PRO-9 confirmed"
    assert main.subject == "Thank you for your order W-MAIN-9"
    assert "Thank you for your order W-PRO-9." in pro_mail.body  # the platform's body
    pro_html, main_html = pro_mail.alternatives[0][0], main.alternatives[0][0]
    assert "color:#1d3557;" in pro_html and "color:#1d3557;" not in main_html


def test_each_shop_has_its_own_home_page_headline(pro, jam):
    pro.headline_en, pro.intro_en = "Fine food for hotels", "Trade prices, 30 days end of month."
    pro.save()
    shop_services.shops_changed()
    b = on(B).get("/en/").content.decode()
    a = on(A).get("/en/").content.decode()
    assert ">Fine food for hotels</h1>" in b and "Trade prices, 30 days end of month." in b
    assert ">Made and chosen in Corsica</h1>" in a and "Fine food for hotels" not in a
    # a language the shop left empty: the platform's copy
    assert ">Fabriqué et choisi en Corse</h1>" in on(B).get("/fr/").content.decode()
