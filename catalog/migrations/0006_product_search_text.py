"""The forgiving search: ``Product.search_text`` (folded names, brand, categories, SKUs) and the
``SearchWord`` vocabulary, filled here for the existing products; on PostgreSQL the ``pg_trgm``
extension and a GIN trigram index on each."""

from django.conf import settings
from django.contrib.postgres.operations import TrigramExtension as _TrigramExtension


class TrigramExtension(_TrigramExtension):
    """Django's, but a no-op on SQLite both ways (its backwards asks ``pg_extension``)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
from django.db import migrations, models

from catalog import search


def fill(apps, schema_editor):
    Product = apps.get_model("catalog", "Product")
    Category = apps.get_model("catalog", "Category")
    Variant = apps.get_model("catalog", "Variant")
    langs = [code for code, _name in settings.LANGUAGES]
    categories = {c.pk: c for c in Category.objects.all()}
    skus = {}
    for product_id, sku in Variant.objects.order_by("product_id", "position", "sku").values_list("product_id", "sku"):
        skus.setdefault(product_id, []).append(sku)
    changed = []
    for product in Product.objects.all().iterator(chunk_size=2000):
        parts = [getattr(product, f"name_{lang}", "") or "" for lang in langs] + [product.brand]
        category, depth = categories.get(product.category_id), 0
        while category is not None and depth < 2:
            parts.extend(getattr(category, f"name_{lang}", "") or "" for lang in langs)
            category = categories.get(category.parent_id) if category.parent_id else None
            depth += 1
        parts.extend(skus.get(product.pk, []))
        product.search_text = search.build_search_text(parts)
        changed.append(product)
    Product.objects.bulk_update(changed, ["search_text"], batch_size=500)
    SearchWord = apps.get_model("catalog", "SearchWord")
    words = {w for product in changed for w in product.search_text.split() if len(w) <= 64}
    SearchWord.objects.bulk_create([SearchWord(word=w) for w in sorted(words)], ignore_conflicts=True)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(search.CREATE_TRIGRAM_INDEX)
        schema_editor.execute(search.CREATE_WORD_TRIGRAM_INDEX)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(search.DROP_TRIGRAM_INDEX)
        schema_editor.execute(search.DROP_WORD_TRIGRAM_INDEX)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_catalog_change_stamps")]

    operations = [
        TrigramExtension(),  # a no-op on SQLite
        migrations.AddField(
            model_name="product",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.CreateModel(
            name="SearchWord",
            fields=[("word", models.CharField(max_length=64, primary_key=True, serialize=False))],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
