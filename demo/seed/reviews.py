"""Demo reviews for ``manage.py seed_demo``: approved ratings on a few hundred products.

Deterministic (``random.Random(seed)``) and fast (one ``bulk_create`` of pending reviews, then one
``catalog.services.moderate_reviews`` call approves them); a second run adds nothing.
Demo reviews have no user (the unique "one review per user" rule is for real shoppers); their
authors are invented first names.
"""

from __future__ import annotations

import random

from catalog.models import Product, Review, ReviewStatus
from catalog.services import moderate_reviews

AUTHORS = [
    "Laetitia S.",
    "Ghjuvanni P.",
    "Maria C.",
    "Paul O.",
    "Anna C.",
    "Sophie M.",
    "Marco R.",
    "Emma L.",
]
TEXTS = {
    5: [
        ("fr", "Parfait", "Très belle qualité, exactement comme sur la photo. Je recommande."),
        ("en", "Lovely", "Great quality and quick to collect at the Ajaccio shop."),
        ("it", "Ottimo", "Qualità eccellente, arrivato in due giorni."),
    ],
    4: [
        ("fr", "Très bien", "Bon produit, un peu cher mais on sent la qualité."),
        ("en", "Very good", "Good value, I would buy it again."),
    ],
    3: [("fr", "Correct", "Correct sans plus, la taille est un peu petite.")],
    2: [("en", "Disappointed", "Not quite what I expected from the description.")],
}
WEIGHTS = {5: 6, 4: 4, 3: 2, 2: 1}


def seed(*, products: int = 300, seed: int = 7) -> int:
    """Approve 1 to 5 reviews on ``products`` published products. Returns how many were created."""
    if Review.objects.exists():
        return 0
    ids = list(Product.objects.filter(is_published=True).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    rng = random.Random(seed)
    rows = []
    for product_id in rng.sample(ids, min(products, len(ids))):
        for _ in range(rng.randint(1, 5)):
            rating = rng.choices(list(WEIGHTS), list(WEIGHTS.values()))[0]
            language, title, text = rng.choice(TEXTS[rating])
            rows.append(
                Review(
                    product_id=product_id,
                    author_name=rng.choice(AUTHORS),
                    rating=rating,
                    title=title,
                    text=text,
                    language=language,
                    status=ReviewStatus.PENDING,
                )
            )
    Review.objects.bulk_create(rows, batch_size=1000)
    return moderate_reviews(review_ids=[row.pk for row in rows], status=ReviewStatus.APPROVED)
