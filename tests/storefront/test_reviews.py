"""Review pages: verified buyers post, staff moderate, shoppers see approved ones with the average."""

import pytest
from django.contrib.admin.sites import site

from catalog.admin import ReviewAdmin
from catalog.models import Review, ReviewStatus
from orders.models import OrderStatus
from tests.factories import UserFactory, staff
from tests.storefront.storefront_data import (  # noqa: F401
    Shop,
    _fresh_cache,
    approved_review,
    paid_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db):
    return Shop()


@pytest.fixture
def product(shop):
    return shop.tshirt("Calvi tee", aja=3)


@pytest.fixture
def buyer(product):
    user = UserFactory(first_name="Laetitia", last_name="Santoni")
    paid_order(user, product)
    return user


def post_review(client, product, **data):
    body = {"rating": "4", "title": "Nice", "text": "Soft and fits well."}
    body.update(data)
    return client.post(f"/en/p/{product.slug}/review/", body)


def test_a_verified_buyer_posts_a_review_that_waits_for_moderation(client, product, buyer):
    client.force_login(buyer)
    page = client.get(f"/en/p/{product.slug}/").content.decode()
    assert "Write a review" in page

    response = post_review(client, product)

    assert response.status_code == 302 and response["Location"] == f"/en/p/{product.slug}/#reviews"
    review = Review.objects.get()
    assert (review.user, review.rating, review.title, review.text, review.status, review.author_name) == (
        buyer,
        4,
        "Nice",
        "Soft and fits well.",
        ReviewStatus.PENDING,
        "Laetitia S.",
    )
    assert "Soft and fits well." not in client.get(f"/en/p/{product.slug}/").content.decode()


@pytest.mark.parametrize("status", [OrderStatus.COMPLETED, OrderStatus.SHIPPED])
def test_completed_and_shipped_orders_also_make_a_verified_buyer(client, product, status):
    user = UserFactory()
    paid_order(user, product, status=status)
    client.force_login(user)

    assert post_review(client, product).status_code == 302
    assert Review.objects.count() == 1


@pytest.mark.parametrize("status", [OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED])
def test_unpaid_or_cancelled_orders_do_not_count(client, product, status):
    user = UserFactory()
    paid_order(user, product, status=status)
    client.force_login(user)

    response = post_review(client, product)

    assert response.status_code == 403
    assert "Only customers who bought this product can review it." in response.content.decode()
    assert Review.objects.count() == 0


def test_someone_who_never_bought_it_cannot_review(client, shop, product, buyer):
    other = shop.tshirt("Other tee")
    client.force_login(buyer)

    page = client.get(f"/en/p/{other.slug}/").content.decode()
    response = post_review(client, other)

    assert "Write a review" not in page
    assert response.status_code == 403 and Review.objects.count() == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, product):
    response = post_review(client, product)

    assert response.status_code == 302 and "login" in response["Location"]
    assert Review.objects.count() == 0


@pytest.mark.parametrize(
    "data, error",
    [
        ({"rating": "6"}, "Select a valid choice. 6 is not one of the available choices."),
        ({"rating": ""}, "This field is required."),
        ({"rating": "x"}, "Select a valid choice."),
        ({"text": "Too short"}, "Ensure this value has at least 10 characters (it has 9)."),
        ({"text": "x" * 4001}, "Ensure this value has at most 4000 characters (it has 4001)."),
    ],
)
def test_bad_review_input_is_a_400_and_writes_nothing(client, product, buyer, data, error):
    client.force_login(buyer)

    response = post_review(client, product, **data)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert Review.objects.count() == 0


def test_a_second_review_of_the_same_product_is_refused(client, product, buyer):
    client.force_login(buyer)
    post_review(client, product)

    response = post_review(client, product, text="Changed my mind entirely.")

    assert response.status_code == 409
    assert "You have already reviewed this product." in response.content.decode()
    assert list(Review.objects.values_list("text", flat=True)) == ["Soft and fits well."]


def test_reviews_only_accept_posts(client, product, buyer):
    client.force_login(buyer)

    assert client.get(f"/en/p/{product.slug}/review/").status_code == 405


def test_staff_approve_in_the_admin_and_the_review_and_average_show(client, product, buyer, rf):
    client.force_login(buyer)
    post_review(client, product, rating="4")
    other = UserFactory()
    approved_review(product, other, 5, text="Perfect summer tee.")
    client.logout()
    before = client.get(f"/en/p/{product.slug}/").content.decode()
    assert "5.0 out of 5, 1 review" in before

    admin_user = staff()
    admin_user.is_superuser = True
    admin_user.save()
    request = rf.post("/admin/catalog/review/")
    request.user = admin_user
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    model_admin = ReviewAdmin(Review, site)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        model_admin.approve(request, Review.objects.filter(status=ReviewStatus.PENDING))

    review = Review.objects.get(user=buyer)
    assert review.status == ReviewStatus.APPROVED and review.moderated_by == admin_user
    page = client.get(f"/en/p/{product.slug}/").content.decode()
    assert "Soft and fits well." in page and "4.5 out of 5, 2 reviews" in page
    listing = client.get("/en/c/clothing/").content.decode()
    assert "Rated 4.5 out of 5" in listing and "(2)" in listing


def test_rejected_reviews_never_show(client, product, buyer, rf):
    client.force_login(buyer)
    post_review(client, product)
    request = rf.post("/admin/catalog/review/")
    request.user = staff()
    request._messages = type("M", (), {"add": lambda *a, **k: None})()
    ReviewAdmin(Review, site).reject(request, Review.objects.all())

    assert Review.objects.get().status == ReviewStatus.REJECTED
    assert "Soft and fits well." not in client.get(f"/en/p/{product.slug}/").content.decode()
