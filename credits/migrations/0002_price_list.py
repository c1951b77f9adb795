"""Load the price list of SPEC.md (credits, euros excl. VAT)."""

from django.db import migrations


def load_price_list(apps, schema_editor):
    from credits.price_list import PRICE_LIST

    Pack = apps.get_model("credits", "Pack")
    for position, (credits, price) in enumerate(PRICE_LIST):
        Pack.objects.get_or_create(
            credits=credits, price=price, defaults={"position": position, "active": True}
        )


class Migration(migrations.Migration):
    dependencies = [("credits", "0001_initial")]

    operations = [migrations.RunPython(load_price_list, migrations.RunPython.noop)]
