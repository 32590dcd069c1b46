"""Writes of the catalog's reviews: a verified buyer's review and its moderation.

Whether the author bought the product is the orders' knowledge (``orders.selectors.is_verified_buyer``):
the caller asks it and passes the answer, so the catalog does not read orders.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events

from .errors import AlreadyReviewed, InvalidReview, NotVerifiedBuyer
from .events import ProductsChanged
from .models import Product, Review, ReviewStatus


def _author_name(user) -> str:
    first = (user.first_name or "").strip()
    last = (user.last_name or "").strip()
    if first:
        return f"{first} {last[:1]}.".strip() if last else first
    return user.email.split("@")[0][:40]


@transaction.atomic
def submit_review(
    *, product: Product, user, rating: int, title: str, text: str, language: str, verified_buyer: bool
) -> Review:
    """A verified buyer's review, waiting for moderation. One per user and product.

    ``verified_buyer``: whether ``user`` has a paid order line of the product (the caller asks
    ``orders.selectors.is_verified_buyer``); ``NotVerifiedBuyer`` when not."""
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise InvalidReview(_("A rating is a whole number from 1 to 5."), detail={"rating": rating})
    text = (text or "").strip()
    if len(text) < 10 or len(text) > 4000:
        raise InvalidReview(_("A review has 10 to 4000 characters."), detail={"length": len(text)})
    if not verified_buyer:
        raise NotVerifiedBuyer(
            _("Only customers who bought this product can review it."), detail={"product": product.slug}
        )
    if Review.objects.filter(product=product, user=user).exists():
        raise AlreadyReviewed(_("You have already reviewed this product."), detail={"product": product.slug})
    try:
        with transaction.atomic():
            return Review.objects.create(
                product=product,
                user=user,
                author_name=_author_name(user),
                rating=rating,
                title=(title or "").strip()[:120],
                text=text,
                language=language[:8],
            )
    except IntegrityError as exc:  # two submissions racing
        raise AlreadyReviewed(
            _("You have already reviewed this product."), detail={"product": product.slug}
        ) from exc


def moderate_reviews(*, review_ids: Iterable[int], status: str, user=None) -> int:
    """Approve or reject reviews; the product pages and listings showing them are refreshed."""
    if status not in (ReviewStatus.APPROVED, ReviewStatus.REJECTED, ReviewStatus.PENDING):
        raise InvalidReview(_("Unknown review status."), detail={"status": status})
    ids = list(review_ids)
    with transaction.atomic():
        product_ids = list(
            Review.objects.filter(pk__in=ids).exclude(status=status).values_list("product_id", flat=True)
        )
        count = (
            Review.objects.filter(pk__in=ids)
            .exclude(status=status)
            .update(
                status=status, moderated_at=timezone.now(), moderated_by=user if user and user.pk else None
            )
        )
        if product_ids:
            events.publish(ProductsChanged(product_ids=tuple(sorted(set(product_ids)))))
    return count
