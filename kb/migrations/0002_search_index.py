"""The GIN index of ``Article.search_vector``, on PostgreSQL only (SQLite has no
full-text search of this kind; the help centre falls back to ``icontains`` there)."""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS kb_article_search_gin ON kb_article USING gin (search_vector)"
DROP = "DROP INDEX IF EXISTS kb_article_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
