"""Issued invoices are immutable: the database itself rejects UPDATE and DELETE.

PostgreSQL: row triggers on UPDATE and DELETE of invoices and their lines (TRUNCATE, used
only to empty a whole test database, is not a row operation and stays possible). SQLite:
triggers on UPDATE only, because Django empties SQLite test databases with DELETE; the
ORM refuses deletes there.
"""

from django.db import migrations

TABLES = ("billing_invoice", "billing_invoiceline")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION billing_invoice_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is immutable once issued: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""
PG_TRIGGER = """
CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_immutable();
"""
PG_DROP = "DROP TRIGGER IF EXISTS {table}_immutable ON {table};"
SQLITE_TRIGGER = """
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN
    SELECT RAISE(ABORT, '{table} is immutable once issued: UPDATE is not allowed');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS {table}_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)
        for table in TABLES:
            schema_editor.execute(PG_TRIGGER.format(table=table), params=None)
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(SQLITE_TRIGGER.format(table=table))


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(PG_DROP.format(table=table), params=None)
        schema_editor.execute("DROP FUNCTION IF EXISTS billing_invoice_immutable();", params=None)
    elif vendor == "sqlite":
        for table in TABLES:
            schema_editor.execute(SQLITE_DROP.format(table=table))


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
