"""VERI*FACTU records and the system's event log are append-only: the database rejects
UPDATE and DELETE (as migration 0002 does for invoices, with its function on PostgreSQL;
on SQLite UPDATE only, because Django empties SQLite test databases with DELETE)."""

from django.db import migrations

TABLES = ("billing_billingrecord", "billing_systemevent")

PG_TRIGGER = """
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_immutable();
"""
PG_DROP = "DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
SQLITE_TRIGGER = """
CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
BEGIN
    SELECT RAISE(ABORT, '{table} is append-only: UPDATE is not allowed');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS {table}_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(PG_TRIGGER.format(table=table), params=None)
        elif vendor == "sqlite":
            schema_editor.execute(SQLITE_TRIGGER.format(table=table))


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "postgresql":
            schema_editor.execute(PG_DROP.format(table=table), params=None)
        elif vendor == "sqlite":
            schema_editor.execute(SQLITE_DROP.format(table=table))


class Migration(migrations.Migration):
    dependencies = [("billing", "0003_verifactu_records")]

    operations = [migrations.RunPython(forward, reverse)]
