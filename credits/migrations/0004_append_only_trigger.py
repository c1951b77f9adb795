"""Ledger entries are append-only: the database itself rejects UPDATE and DELETE.

PostgreSQL: a row trigger on UPDATE and DELETE (TRUNCATE, used only to empty a whole test
database, is not a row operation and stays possible). SQLite: a trigger on UPDATE only,
because Django empties SQLite test databases with DELETE; the ORM refuses deletes there.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION credits_ledgerentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'credits_ledgerentry is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER credits_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON credits_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION credits_ledgerentry_append_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS credits_ledgerentry_append_only ON credits_ledgerentry;
DROP FUNCTION IF EXISTS credits_ledgerentry_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER credits_ledgerentry_no_update BEFORE UPDATE ON credits_ledgerentry
BEGIN
    SELECT RAISE(ABORT, 'credits_ledgerentry is append-only: UPDATE is not allowed');
END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS credits_ledgerentry_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("credits", "0003_ledger")]

    operations = [migrations.RunPython(forward, reverse)]
