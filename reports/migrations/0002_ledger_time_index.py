"""An index the dashboard's plans ask for (bench/README.md): the credits sold/consumed per
month and the top organizations read every ledger entry of the period; without an index
on the entry's time alone PostgreSQL scans the whole ledger (36 ms and 31 ms at 100,000
entries). Covering (kind, amount, wallet), so the scan reads only the index.

Created here, in the reports app that needs it, and only on PostgreSQL (INCLUDE); the
ledger's own model is left as the credits app defines it."""

from django.db import migrations

INDEX = "reports_ledgerentry_time_cover"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON credits_ledgerentry (created_at) "
            "INCLUDE (kind, amount, wallet_id)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_times_and_ratings"),
        ("credits", "0003_ledger"),
    ]

    operations = [migrations.RunPython(create, drop)]
