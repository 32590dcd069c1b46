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

# pg_trgm's word_similarity of the query to the best matching stretch of a product's text, and the
# Python counterpart (trigram overlap of two words): below it, not a match. Tuned on the recall test
# (tests/catalog/test_search_engine.py).
WORD_SIMILARITY = 0.4
PY_WORD_SIMILARITY = 0.5
CORRECTION_RATIO = 0.7  # difflib ratio for "did you mean": looser than a match, one word at a time
MAX_HITS = 200
# The threshold of ``<%`` is a setting: migration 0005 sets it for the database (new sessions) and
# for the session that migrates (a test database's); without it pg_trgm's default, 0.6, applies.
SET_DATABASE_THRESHOLD = f"""
DO $$ BEGIN
  EXECUTE format('ALTER DATABASE %I SET pg_trgm.word_similarity_threshold = {WORD_SIMILARITY}',
                 current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'not the owner of the database: pg_trgm.word_similarity_threshold stays at its default';
END $$
"""
SET_SESSION_THRESHOLD = f"SELECT set_config('pg_trgm.word_similarity_threshold', '{WORD_SIMILARITY}', false)"

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ø": "o", "Ø": "o", "ß": "ss"})
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_SHORT_WORD_SPACE = re.compile(r"\b([0-9a-z]{1,2}) (?=[0-9a-z])")  # "t shirt" -> "tshirt"


def fold(text: str) -> str:
    """Lowercase, unaccented, other characters one space: "Tête-de-Maure" -> "tete de maure"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(_NOT_ALNUM.sub(" ", bare).split())


def build_search_text(parts: Iterable[str]) -> str:
    """The folded, de-duplicated parts (names first: a match there ranks first), one space apart."""
    seen: dict[str, None] = {}
    for part in parts:
        folded = fold(part)
        if folded:
            seen.setdefault(folded, None)
    return " ".join(seen)


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


def _text_words(text: str) -> set[str]:
    """A text's words, and each short word joined to the next ("t shirt" -> "tshirt", "d olive" ->
    "dolive"): shoppers type them together."""
    words = text.split()
    joined = {a + b for a, b in zip(words, words[1:], strict=False) if len(a) <= 2}
    return set(words) | joined


def _words(folded: str) -> list[str]:
    """The words that must match: words of one or two letters ("de", "a") only when alone."""
    words = folded.split()
    significant = [w for w in words if len(w) > 2 or w.isdigit()]
    return significant or words


def _exact_score(words: Sequence[str], text: str, query: str) -> float:
    """3 (+ up to 0.9 the earlier it starts: names come first) when every word starts a word of the
    text, 2 when every word is inside the text, else 0."""
    joined = _SHORT_WORD_SPACE.sub(r"\1", text)
    padded = f" {text} {joined}"
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

    PostgreSQL: one query on the trigram index of ``search_text``: ``<%`` (pg_trgm's
    ``word_similarity`` above ``WORD_SIMILARITY``, the database's setting) or a ``LIKE`` of every
    word. Elsewhere (the demo's SQLite): the texts are read
    (one query) and matched word by word on trigrams in Python."""
    from django.db import connection

    folded = fold(query)[:200]
    if not folded:
        return []
    words = _words(folded)
    if connection.vendor == "postgresql":
        return _find_postgres(folded, words, limit=limit, published_only=published_only)
    return _find_python(folded, words, limit=limit, published_only=published_only)


def _find_postgres(folded: str, words: list[str], *, limit: int, published_only: bool) -> list[Hit]:
    from django.db import connection

    likes = " AND ".join(["search_text LIKE %s"] * len(words))
    published = "is_published AND " if published_only else ""
    sql = (
        "SELECT id, search_text, word_similarity(%s, search_text) AS sim FROM catalog_product "
        f"WHERE {published}(({likes}) OR %s <%% search_text) "
        "ORDER BY sim DESC, id LIMIT %s"
    )
    params: list[str | int] = [folded, *[f"%{w}%" for w in words], folded, limit * 2]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    scored = {pk: _exact_score(words, text, folded) or float(sim) for pk, text, sim in rows}
    return _rank(scored, limit)


def _texts(*, published_only: bool) -> list[tuple[int, str]]:
    from .models import Product

    products = Product.objects.filter(is_published=True) if published_only else Product.objects.all()
    return list(products.values_list("pk", "search_text"))


def _find_python(folded: str, words: list[str], *, limit: int, published_only: bool) -> list[Hit]:
    return _match_rows(folded, words, _texts(published_only=published_only), limit=limit)


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
        for word in _text_words(text):
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
    nothing changes or nothing is near): the "did you mean" of an empty result. Reads every text
    (one query): it runs on empty results only, and those pages are cached."""
    folded = fold(query)[:200]
    if not folded:
        return ""
    vocabulary: set[str] = set()
    for _pk, text in _texts(published_only=True):
        vocabulary.update(text.split())
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
