"""The charging policy of SPEC.md as version 1: consultation minimum 15 credits,
intervention 60, blocks of 15 beyond the minimum, +15 per phone or video call, a flat 60
for a security update, 1 credit per minute. Admins write new versions later."""

from decimal import Decimal

from django.db import migrations


def create_default(apps, schema_editor):
    ChargingPolicy = apps.get_model("tickets", "ChargingPolicy")
    if not ChargingPolicy.objects.exists():
        ChargingPolicy.objects.create(
            version=1,
            consultation_minimum=15,
            intervention_minimum=60,
            block_size=15,
            call_surcharge=15,
            security_update_flat=60,
            credits_per_minute=Decimal(1),
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_charging")]

    operations = [migrations.RunPython(create_default, migrations.RunPython.noop)]
