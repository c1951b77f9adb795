"""The GIN index of ``Ticket.search_vector``, on PostgreSQL only (SQLite has no full-text
search of this kind; the queue falls back to ``icontains`` there)."""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS ticket_search_gin ON tickets_ticket USING gin (search_vector)"
DROP = "DROP INDEX IF EXISTS ticket_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0002_default_calendar_and_targets")]

    operations = [migrations.RunPython(create_index, drop_index)]
