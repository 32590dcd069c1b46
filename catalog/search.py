"""PostgreSQL full-text search of products: accent-folded, per language, backed by GIN indexes.

``unaccent`` is not IMMUTABLE, so it cannot appear in an index; ``catalog_f_unaccent`` wraps it (the
usual pattern) so the per-language expression below can be indexed (migration 0003) and the search
uses the index instead of computing a tsvector for every product.
"""

from __future__ import annotations

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
