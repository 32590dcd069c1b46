"""Product search: the forgiving engine (``find_products``, below) and the full-text SQL of descriptions.

PostgreSQL full-text search of descriptions: accent-folded, per language, backed by GIN indexes.

``unaccent`` is not IMMUTABLE, so it cannot appear in an index; ``catalog_f_unaccent`` wraps it (the
usual pattern) so the per-language expression below can be indexed (migration 0003) and the search
uses the index instead of computing a tsvector for every product.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

LANGUAGE_CONFIGS = {"fr": "french", "en": "english", "it": "italian"}

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_f_unaccent(text) RETURNS text
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
"""
DROP_FUNCTION = "DROP FUNCTION IF EXISTS catalog_f_unaccent(text)"


def vector_sql(lang: str, table: str = "") -> str:
    """The indexed tsvector of a product in ``lang``: name (weight A) and description (weight B)."""
    config = LANGUAGE_CONFIGS[lang]
    prefix = f'"{table}".' if table else ""
    name = f"to_tsvector('{config}', catalog_f_unaccent(coalesce({prefix}name_{lang}, '')))"
    description = f"to_tsvector('{config}', catalog_f_unaccent(coalesce({prefix}description_{lang}, '')))"
    return f"(setweight({name}, 'A') || setweight({description}, 'B'))"


def query_sql(lang: str) -> str:
    """The tsquery of the shopper's words (one ``%s`` parameter), accents folded the same way."""
    return f"websearch_to_tsquery('{LANGUAGE_CONFIGS[lang]}', catalog_f_unaccent(%s))"


def index_name(lang: str) -> str:
    return f"catalog_product_fts_{lang}"


def create_index_sql(lang: str) -> str:
    return f"CREATE INDEX IF NOT EXISTS {index_name(lang)} ON catalog_product USING gin ({vector_sql(lang)})"


def drop_index_sql(lang: str) -> str:
    return f"DROP INDEX IF EXISTS {index_name(lang)}"


# --- the forgiving search: folded text, pg_trgm on PostgreSQL, trigrams in Python elsewhere ----------
#
# Every product carries ``search_text``: its names in each language, brand, category (and parent)
# names in each language and SKUs, unaccented and lowercased in Python (``fold``), so the same text
# is searched on PostgreSQL and on the demo's SQLite. ``catalog.services.refresh_search_text`` keeps
# it (every catalog writer calls it). ``find_products`` is the one engine of the shop's search page,
# its suggestions and the till's search.

TRIGRAM_INDEX = "catalog_product_search_trgm"
CREATE_TRIGRAM_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON catalog_product USING gin (search_text gin_trgm_ops)"
)
DROP_TRIGRAM_INDEX = f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}"

# pg_trgm's similarity of a query word to a catalog word, and the Python counterpart (Dice of their
# trigrams): below it, not a match. Tuned on the recall test (tests/catalog/test_search_engine.py).
WORD_SIMILARITY = 0.4
PY_WORD_SIMILARITY = 0.5
CORRECTION_RATIO = 0.7  # difflib ratio for "did you mean": looser than a match, one word at a time
MAX_HITS = 200
MAX_NEAR_WORDS = 20  # per query word
MAX_CANDIDATES = 2000  # products read to rank
WORD_TRIGRAM_INDEX = "catalog_searchword_trgm"
CREATE_WORD_TRIGRAM_INDEX = (
    f"CREATE INDEX IF NOT EXISTS {WORD_TRIGRAM_INDEX} ON catalog_searchword USING gin (word gin_trgm_ops)"
)
DROP_WORD_TRIGRAM_INDEX = f"DROP INDEX IF EXISTS {WORD_TRIGRAM_INDEX}"
# The catalog's words near each query word: pg_trgm's ``%`` (similarity above its default 0.3, on the
# GIN index; ``WORD_SIMILARITY`` is applied in Python) or the query word inside the catalog's word.
NEAR_WORDS_SQL = """
SELECT a.word, v.word, similarity(a.word, v.word)
FROM unnest(%s::text[]) AS a(word)
JOIN catalog_searchword v ON v.word %% a.word OR v.word LIKE '%%' || a.word || '%%'
"""

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "ß": "ss"})
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lowercase, unaccented, other characters one space: "Tête-de-Maure" -> "tete de maure"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(_NOT_ALNUM.sub(" ", bare).split())


def build_search_text(parts: Iterable[str]) -> str:
    """The folded, de-duplicated parts (names first: a match there ranks first), one space apart, then
    each short word joined to the next ("t shirt" -> "tshirt": shoppers type them together)."""
    seen: dict[str, None] = {}
    for part in parts:
        folded = fold(part)
        if folded:
            seen.setdefault(folded, None)
    words = " ".join(seen).split()
    known = set(words)
    joined = {
        a + b
        for a, b in zip(words, words[1:], strict=False)
        if len(a) <= 2 and a.isalpha() and b.isalpha() and a + b not in known
    }
    return " ".join([*seen, *sorted(joined)])


@dataclass(frozen=True)
class Hit:
    product_id: int
    score: float  # 3: every word whole or begun; 2: every word inside a word; below 1: similarity


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _similarity(a: str, b: str) -> float:
    """Dice coefficient of the two words' trigrams (pg_trgm's padding)."""
    ta, tb = _trigrams(a), _trigrams(b)
    return 2 * len(ta & tb) / (len(ta) + len(tb))


def _words(folded: str) -> list[str]:
    """The words that must match: words of one or two letters ("de", "a") only when alone."""
    words = folded.split()
    significant = [w for w in words if len(w) > 2 or w.isdigit()]
    return significant or words


def _exact_score(words: Sequence[str], text: str, query: str) -> float:
    """3 (+ up to 0.9 the earlier it starts: names come first) when every word starts a word of the
    text, 2 when every word is inside the text, else 0."""
    padded = f" {text}"
    if all(f" {w}" in padded for w in words):
        position = padded.find(f" {query}")
        bonus = 0.9 * (1 - min(position, 300) / 300) if position >= 0 else 0.0
        return 3 + bonus
    if all(w in text for w in words):
        return 2.0
    return 0.0


def _rank(scored: dict[int, float], limit: int) -> list[Hit]:
    best = sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [Hit(product_id=pk, score=round(score, 4)) for pk, score in best]


def find_products(query: str, *, limit: int = MAX_HITS, published_only: bool = True) -> list[Hit]:
    """Products matching ``query``, best first: every word found (whole or begun, the name first),
    then every word inside a word, then near spellings (a typo, a letter missing or swapped).

    Two queries: the catalog's words near each query word (PostgreSQL: pg_trgm ``similarity`` on a
    GIN trigram index; the demo's SQLite: trigrams in Python), then the products holding them."""
    from django.db import connection

    folded = fold(query)[:200]
    if not folded:
        return []
    words = _words(folded)
    if connection.vendor == "postgresql":
        return _find_postgres(folded, words, limit=limit, published_only=published_only)
    return _find_python(folded, words, limit=limit, published_only=published_only)


def _find_postgres(folded: str, words: list[str], *, limit: int, published_only: bool) -> list[Hit]:
    """The catalog's words near each query word from pg_trgm (``%``: ``similarity`` on the GIN
    trigram index of ``catalog_searchword``, or the query word inside the catalog's word), then the
    products holding them (``LIKE`` on the GIN trigram index of ``search_text``). 2 queries."""
    from django.db import connection

    near: dict[str, dict[str, float]] = {}
    with connection.cursor() as cursor:
        cursor.execute(NEAR_WORDS_SQL, [words])
        for asked, found, similarity in cursor.fetchall():
            score = 1.0 if found.startswith(asked) else 0.8 if asked in found else float(similarity)
            if score >= WORD_SIMILARITY:
                near.setdefault(asked, {})[found] = score
    return _find_with(folded, words, near, limit=limit, published_only=published_only)


def _find_python(folded: str, words: list[str], *, limit: int, published_only: bool) -> list[Hit]:
    """The same on SQLite: the catalog's words (``SearchWord``) compared with each query word on
    trigrams in Python, then the products holding them (``LIKE``). 2 queries."""
    vocabulary = _vocabulary()
    near = {word: vocabulary.near(word) for word in words}
    return _find_with(folded, words, near, limit=limit, published_only=published_only)


class _Vocabulary:
    """The catalog's words with their trigrams, by length: built once per set of words (kept in the
    process while ``SearchWord`` holds the same words)."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.by_length: dict[int, list[tuple[str, set[str]]]] = {}
        for word in words:
            if not word.isdigit():
                self.by_length.setdefault(len(word), []).append((word, _trigrams(word)))

    def near(self, word: str) -> dict[str, float]:
        found = {c: 1.0 if c.startswith(word) else 0.8 for c in self.words if word in c}
        if len(word) < 3 or word.isdigit():
            return found
        mine = _trigrams(word)
        for length in range(len(word) - 3, len(word) + 4):
            for candidate, theirs in self.by_length.get(length, ()):
                if candidate not in found:
                    score = 2 * len(mine & theirs) / (len(mine) + len(theirs))
                    if score >= PY_WORD_SIMILARITY:
                        found[candidate] = score
        return found


_VOCABULARY: dict[int, _Vocabulary] = {}


def _vocabulary() -> _Vocabulary:
    from .models import SearchWord

    words = list(SearchWord.objects.order_by("word").values_list("word", flat=True))
    key = hash(tuple(words))
    vocabulary = _VOCABULARY.get(key)
    if vocabulary is None:
        _VOCABULARY.clear()  # one catalog at a time
        vocabulary = _VOCABULARY[key] = _Vocabulary(words)
    return vocabulary


def _find_with(
    folded: str, words: list[str], near: dict[str, dict[str, float]], *, limit: int, published_only: bool
) -> list[Hit]:
    """The products holding, for every query word (of three or more: all but one), one of its
    ``MAX_NEAR_WORDS`` nearest catalog words, scored in Python. 1 query."""
    from django.db.models import Q

    from .models import Product

    needed = len(words) if len(words) < 3 else len(words) - 1
    conditions = []
    for word in words:
        best = sorted(near.get(word, {}).items(), key=lambda item: (-item[1], item[0]))[:MAX_NEAR_WORDS]
        near[word] = dict(best)
        if best:
            any_of = Q()
            for found, _score in best:
                any_of |= Q(search_text__contains=found)
            conditions.append(any_of)
    if not conditions or len(conditions) < needed:
        return []
    # Every word, or (one may be missing) each way of leaving one out: still an index scan on PostgreSQL.
    groups = (
        [conditions]
        if len(conditions) <= needed
        else [conditions[:i] + conditions[i + 1 :] for i in range(len(conditions))]
    )
    wanted = Q()
    for group in groups:
        every = Q()
        for condition in group:
            every &= condition
        wanted |= every
    products = Product.objects.filter(wanted)
    if published_only:
        products = products.filter(is_published=True)
    rows = list(products.order_by().values_list("pk", "search_text")[:MAX_CANDIDATES])
    scored: dict[int, float] = {}
    for pk, text in rows:
        exact = _exact_score(words, text, folded)
        if exact:
            scored[pk] = exact
            continue
        present = set(text.split())
        scores = [max((s for w, s in near[word].items() if w in present), default=0.0) for word in words]
        if sum(1 for s in scores if s) >= needed:
            scored[pk] = sum(scores) / len(words) * 0.99
    return _rank(scored, limit)


def match_texts(query: str, rows: Iterable[tuple[int, str]], *, limit: int) -> list[Hit]:
    """The same matching over given ``(id, text)`` rows (texts folded here): the categories of the
    suggestions, a few dozen names in memory."""
    folded = fold(query)[:200]
    if not folded:
        return []
    return _match_rows(folded, _words(folded), [(pk, fold(text)) for pk, text in rows], limit=limit)


def _match_rows(folded: str, words: list[str], rows: list[tuple[int, str]], *, limit: int) -> list[Hit]:
    postings: dict[str, list[int]] = {}
    for pk, text in rows:
        for word in set(text.split()):
            postings.setdefault(word, []).append(pk)
    # Each query word's near words in the catalog's vocabulary, with their similarity.
    per_word: list[dict[int, float]] = []
    for word in words:
        found: dict[int, float] = {}
        for candidate, ids in postings.items():
            if candidate.startswith(word):
                score = 1.0
            elif word in candidate:
                score = 0.8
            elif abs(len(candidate) - len(word)) > 3 or len(word) < 3:
                continue
            else:
                score = _similarity(word, candidate)
                if score < PY_WORD_SIMILARITY:
                    continue
            for pk in ids:
                if found.get(pk, 0.0) < score:
                    found[pk] = score
        per_word.append(found)
    if not per_word:
        return []
    # Every word must be found; of three words or more, one may be missing (it costs its share).
    needed = len(per_word) if len(per_word) < 3 else len(per_word) - 1
    totals: dict[int, list[float]] = {}
    for found in per_word:
        for pk, score in found.items():
            totals.setdefault(pk, []).append(score)
    texts = dict(rows)
    scored: dict[int, float] = {}
    for pk, scores in totals.items():
        if len(scores) < needed:
            continue
        exact = _exact_score(words, texts[pk], folded) if len(scores) == len(per_word) else 0.0
        scored[pk] = exact or sum(scores) / len(per_word) * 0.99
    return _rank(scored, limit)


def suggest_correction(query: str) -> str:
    """The query with each word the catalog does not know replaced by its nearest known word ("" when
    nothing changes or nothing is near): the "did you mean" of an empty result. Reads the catalog's
    words (``SearchWord``, one query): it runs on empty results only, and those pages are cached."""
    folded = fold(query)[:200]
    if not folded:
        return ""
    from .models import SearchWord

    vocabulary = set(SearchWord.objects.values_list("word", flat=True))
    corrected = []
    for word in folded.split():
        if word in vocabulary or len(word) < 3:
            corrected.append(word)
            continue
        best, best_ratio = "", 0.0
        for candidate in vocabulary:
            if abs(len(candidate) - len(word)) > 3:
                continue
            ratio = SequenceMatcher(None, word, candidate).ratio()
            if ratio > best_ratio or (ratio == best_ratio and candidate < best):
                best, best_ratio = candidate, ratio
        corrected.append(best if best_ratio >= CORRECTION_RATIO else word)
    suggestion = " ".join(corrected)
    return suggestion if suggestion != folded and find_products(suggestion, limit=1) else ""
