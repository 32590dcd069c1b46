"""Reviews in the catalog domain: the service's rules, moderation, the admin changelist."""

import pytest
from django.urls import reverse

from catalog.models import Review, ReviewStatus
from tests.factories import UserFactory
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


def test_review_admin_changelist_filters_by_status(client, product, buyer):
    approved_review(product, UserFactory(), 5)
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)

    response = client.get(reverse("admin:catalog_review_changelist") + "?status__exact=approved")

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize("rating", [0, 6, True, "5"])
def test_the_service_refuses_a_bad_rating_and_writes_nothing(product, buyer, rating):
    from catalog.services import InvalidReview, submit_review

    with pytest.raises(InvalidReview) as error:
        submit_review(
            product=product,
            user=buyer,
            rating=rating,
            title="",
            text="Soft and fits well.",
            language="en",
            verified_buyer=True,
        )

    assert error.value.code == "invalid_review" and Review.objects.count() == 0


def test_moderation_refuses_an_unknown_status_and_changes_nothing(product, buyer):
    from catalog.services import InvalidReview, moderate_reviews

    review = approved_review(product, buyer, 4)
    with pytest.raises(InvalidReview):
        moderate_reviews(review_ids=[review.pk], status="published")

    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED and review.moderated_at is None


def test_only_a_verified_buyer_may_review_and_nothing_is_written_otherwise(product):
    from catalog.services import NotVerifiedBuyer, submit_review

    with pytest.raises(NotVerifiedBuyer) as error:
        submit_review(
            product=product,
            user=UserFactory(),
            rating=4,
            title="",
            text="Soft and fits well.",
            language="en",
            verified_buyer=False,
        )

    assert error.value.code == "not_verified_buyer" and Review.objects.count() == 0
