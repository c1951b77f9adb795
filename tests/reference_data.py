"""The reference rows that data migrations load (price list, credit settings, default
calendar and SLA targets, charging policy), loaded again on demand.

A transactional test (browser journeys, thread races) empties every table when it ends, so
a later transactional test would start without them. Django's serialized rollback cannot
help the browser tests: Playwright's event loop gives them their own connection objects,
which never received the serialized copy made at database setup.
"""

from importlib import import_module

from django.apps import apps

# (migration module, loader): each loader is idempotent (get_or_create / exists checks).
LOADERS = (
    ("credits.migrations.0002_price_list", "load_price_list"),
    ("credits.migrations.0005_credit_settings_row", "create_settings"),
    ("tickets.migrations.0002_default_calendar_and_targets", "create_defaults"),
    ("tickets.migrations.0005_default_charging_policy", "create_default"),
)


def restore_reference_data() -> None:
    for module, loader in LOADERS:
        getattr(import_module(module), loader)(apps, None)
