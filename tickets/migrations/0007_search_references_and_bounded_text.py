"""Recompute every ticket's search vector: it now holds the reference, and only a bounded
prefix of the description and of the thread (``tickets.limits``). PostgreSQL only."""

from django.db import migrations


def refresh(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from tickets.search import REFRESH_ALL_SQL  # the formula in force (one statement)

    schema_editor.execute(REFRESH_ALL_SQL)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_sla_notices")]

    operations = [migrations.RunPython(refresh, migrations.RunPython.noop)]
