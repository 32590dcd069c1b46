"""Issued documents never change: triggers refuse UPDATE and DELETE (``invoicing.immutability``).

The SQL is written here, not imported, so this migration keeps doing what it did whatever the
module becomes."""

from django.db import migrations

TABLES = ("invoicing_invoice", "invoicing_invoiceline", "invoicing_invoicepdf")
MESSAGE = "invoicing: an issued invoice or credit note never changes (UPDATE and DELETE refused)"

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION invoicing_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % on %', TG_OP, TG_TABLE_NAME USING ERRCODE = '23000';
    END;
    $$ LANGUAGE plpgsql;
    """,
    *(
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION invoicing_refuse_change();"
        for table in TABLES
    ),
]
POSTGRES_REMOVE = [
    *(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};" for table in TABLES),
    "DROP FUNCTION IF EXISTS invoicing_refuse_change();",
]
# SQLite's flush is DELETE FROM: a row may go only while invoicing_flushing() answers 1 (the
# project's flush command); UPDATE never.
SQLITE_INSTALL = [
    sql
    for table in TABLES
    for sql in (
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE on {table}'); END;",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} WHEN invoicing_flushing() = 0 "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE on {table}'); END;",
    )
]
SQLITE_REMOVE = [
    f"DROP TRIGGER IF EXISTS {table}_{what};" for table in TABLES for what in ("no_update", "no_delete")
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0001_initial"),
        ("invoicing", "0002_invoicing_queue"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_INSTALL, "sqlite": SQLITE_INSTALL}),
            _run({"postgresql": POSTGRES_REMOVE, "sqlite": SQLITE_REMOVE}),
        ),
    ]
