"""The one row of credit settings with the defaults of SPEC.md (VAT 21 %, 365 and 30 days)."""

from decimal import Decimal

from django.db import migrations


def create_settings(apps, schema_editor):
    CreditSettings = apps.get_model("credits", "CreditSettings")
    CreditSettings.objects.get_or_create(
        pk=1,
        defaults={
            "vat_rate": Decimal("21.00"),
            "registration_validity_days": 365,
            "expiry_warning_days": 30,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("credits", "0004_append_only_trigger")]

    operations = [migrations.RunPython(create_settings, migrations.RunPython.noop)]
