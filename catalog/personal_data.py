"""The reviews' part of a customer's personal data (registered with ``accounts.personal_data``).

A closed account's reviews stay, shown as "Anonymous".
"""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.personal_data import PersonalDataHolder, iso

from .models import Review

ANONYMOUS_REVIEW_NAME = "Anonymous"


def export_reviews(user: User) -> list[dict[str, Any]]:
    reviews = Review.objects.filter(user=user).select_related("product").order_by("created_at", "id")
    return [
        {
            "product": review.product.name,
            "rating": review.rating,
            "title": review.title,
            "text": review.text,
            "author_name": review.author_name,
            "language": review.language,
            "status": review.status,
            "created_at": iso(review.created_at),
        }
        for review in reviews
    ]


def erase_reviews(user: User, email: str) -> None:
    Review.objects.filter(user=user).update(author_name=ANONYMOUS_REVIEW_NAME)


HOLDER = PersonalDataHolder(section="reviews", export=export_reviews, erase=erase_reviews)
