"""The demo catalog's names: grammatical in French and Italian, unique per language, coherent prices."""

import random
from collections import defaultdict
from decimal import Decimal

import pytest

from demo.seed import words as w
from demo.seed.catalog import TREE, Leaf, Namer


def _leaves() -> dict[str, Leaf]:
    leaves: dict[str, Leaf] = {}

    def walk(nodes):
        for slug, _names, spec in nodes:
            if isinstance(spec, Leaf):
                leaves[slug] = spec
            else:
                walk(spec)

    walk(TREE)
    return leaves


def _generate(count: int, seed: int = 42):
    rng, leaves = random.Random(seed), _leaves()
    slugs = list(leaves)
    namer = Namer(rng)
    out = []
    for _ in range(count):
        slug = rng.choices(slugs, [leaves[s].weight for s in slugs])[0]
        out.append((slug, namer.name(leaves[slug])))
    return out


@pytest.mark.parametrize(
    ("noun", "adjective", "expected"),
    [
        (w.Noun("Robe", "f"), w.fr("ajusté"), "ajustée"),
        (w.Noun("Chemise", "f"), w.fr("imprimé"), "imprimée"),
        (w.Noun("Pull", "m"), w.fr("léger", "légère"), "léger"),
        (w.Noun("Veste", "f"), w.fr("léger", "légère"), "légère"),
        (w.Noun("Baskets", "f", plural=True), w.fr("léger", "légère"), "légères"),
        (w.Noun("Sandales", "f", plural=True), w.fr("tressé"), "tressées"),
        (w.Noun("Coppa", "f"), w.fr("fermier", "fermière"), "fermière"),
        (w.Noun("Canistrelli", "m", plural=True), w.fr("artisanal", mp="artisanaux"), "artisanaux"),
        (w.Noun("Chemise", "f"), w.fr("classique"), "classique"),
        (w.Noun("Camicia", "f"), w.it("classico", fp="classiche", mp="classici"), "classica"),
        (w.Noun("Abito", "m"), w.it("stampato"), "stampato"),
        (w.Noun("Giacca", "f"), w.it("ricamato"), "ricamata"),
        (w.Noun("Giacca", "f"), w.it("aderente"), "aderente"),
        (w.Noun("Sandali", "m", plural=True), w.it("intrecciato"), "intrecciati"),
        (w.Noun("Sneakers", "f", plural=True), w.it("leggero"), "leggere"),
        (w.Noun("Stivaletti", "m", plural=True), w.it("aderente"), "aderenti"),
        (w.Noun("Robe", "f"), w.same("en lin"), "en lin"),
    ],
)
def test_an_adjective_agrees_with_its_noun(noun, adjective, expected):
    assert adjective.agree(noun) == expected


def test_generated_names_use_the_form_their_noun_asks_for():
    """Given the data's genders, every garment and shoe name carries the right form of its style."""
    leaves = _leaves()
    by_leaf = defaultdict(list)
    for slug, named in _generate(3000):
        by_leaf[slug].append(named)
    dress, sandals = leaves["women-dresses"], leaves["sandals"]
    assert dress.noun[0] == w.Noun("Robe", "f") and dress.noun[2] == w.Noun("Abito", "m")
    assert sandals.noun[0].plural and sandals.noun[2] == w.Noun("Sandali", "m", plural=True)
    names_fr = " | ".join(n.fr for n in by_leaf["women-dresses"])
    names_it = " | ".join(n.it for n in by_leaf["sandals"])
    assert "Robe ajustée " in names_fr and "Robe ajusté " not in names_fr
    assert "Robe imprimée " in names_fr and "Robe imprimé " not in names_fr
    assert "Sandali intrecciati " in names_it and "Sandali intrecciate " not in names_it
    shoes_fr = " | ".join(n.fr for n in by_leaf["sneakers"])
    assert "Baskets légères " in shoes_fr and "Baskets léger " not in shoes_fr
    # English puts the adjective before the noun
    assert any(n.en.endswith(" slim-fit dress") for n in by_leaf["women-dresses"])


def test_names_are_unique_in_each_language_even_beyond_the_combinations():
    generated = [named for _slug, named in _generate(12_000)]  # more than some leaves can name once
    for language in ("fr", "en", "it"):
        names = [getattr(n, language).lower() for n in generated]
        assert len(set(names)) == len(names), language


def test_products_of_one_kind_cost_about_the_same():
    groups = defaultdict(list)
    for slug, named in _generate(4000):
        if slug in (
            "women-dresses",
            "men-shirts",
            "sneakers",
        ):  # "Cap Corse slim-fit dress" -> "slim-fit dress"
            place = next(p for p in w.PLACES if named.en.startswith(f"{p} "))
            groups[(slug, named.en.removeprefix(f"{place} "))].append(named.price_ttc)
    assert groups
    for (slug, kind), prices in groups.items():
        assert max(prices) <= min(prices) * Decimal("1.12"), (slug, kind, prices)
        assert all(str(p).endswith(".90") for p in prices)
