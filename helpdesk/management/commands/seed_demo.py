"""``python manage.py seed_demo``: demo data for every app; safe to run twice.

Each app contributes its part in ``<app>/demo.py`` (a ``seed(demo)`` function), called in
dependency order, so that an app's demo data lives beside its models.
"""

from importlib import import_module
from importlib.util import find_spec

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_APPS = ("accounts", "credits", "tickets", "billing", "kb")
DEMO_PASSWORD = "demo-soporte-2026"  # noqa: S105 - printed on purpose: demo logins only


class Demo:
    """What the apps' seed functions share: the password, the people made so far, output."""

    password = DEMO_PASSWORD

    def __init__(self, stdout):
        self.stdout = stdout
        self.logins: list[tuple[str, str, str]] = []  # (role, email, organization)
        self.objects: dict = {}

    def login(self, role: str, email: str, organization: str = "") -> None:
        self.logins.append((role, email, organization))


class Command(BaseCommand):
    help = "Create demo users, organizations and data (idempotent) and print the logins."

    def handle(self, *args, **options):
        demo = Demo(self.stdout)
        with transaction.atomic():
            for app in DEMO_APPS:
                if find_spec(f"{app}.demo") is not None:
                    import_module(f"{app}.demo").seed(demo)
        self.stdout.write(
            self.style.SUCCESS("Demo data ready. Logins (password for all: ")
            + self.style.WARNING(DEMO_PASSWORD)
            + self.style.SUCCESS("):")
        )
        for role, email, organization in demo.logins:
            suffix = f"  ({organization})" if organization else ""
            self.stdout.write(f"  {role:<11} {email}{suffix}")
