"""The defaults of SPEC.md: Monday–Friday 09:00–18:00 Europe/Madrid with Spain's national
holidays, and resolution targets of 8 / 24 / 72 business hours. Admins change them later."""

import datetime

from django.db import migrations

TARGETS = {"critical": 8, "major": 24, "minor": 72}


def create_defaults(apps, schema_editor):
    BusinessCalendar = apps.get_model("tickets", "BusinessCalendar")
    OpeningHours = apps.get_model("tickets", "OpeningHours")
    SlaTarget = apps.get_model("tickets", "SlaTarget")
    if not BusinessCalendar.objects.filter(is_default=True).exists():
        calendar = BusinessCalendar.objects.create(
            name="Horario de oficina",
            time_zone="Europe/Madrid",
            national_holidays=True,
            is_default=True,
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(
                calendar=calendar,
                weekday=weekday,
                opens_at=datetime.time(9),
                closes_at=datetime.time(18),
            )
            for weekday in range(5)
        )
    for severity, hours in TARGETS.items():
        SlaTarget.objects.get_or_create(
            severity=severity, defaults={"hours": hours, "business_hours": True}
        )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
