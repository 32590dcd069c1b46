"""GIN indexes for the storefront search (PostgreSQL only; nothing to do on SQLite)."""

from django.db import migrations

from catalog import search


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(search.CREATE_FUNCTION)
    for lang in search.LANGUAGE_CONFIGS:
        schema_editor.execute(search.create_index_sql(lang))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for lang in search.LANGUAGE_CONFIGS:
        schema_editor.execute(search.drop_index_sql(lang))
    schema_editor.execute(search.DROP_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0002_reviews_unaccent")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
