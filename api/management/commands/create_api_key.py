"""``manage.py create_api_key EMAIL [--name NAME] [--scope read|write]``: prints only the key."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from api.models import ApiKey
from api.services import ApiKeyError, create_key


class Command(BaseCommand):
    help = "Create an API key for a user and print it (only the key, on one line)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="")
        parser.add_argument("--scope", choices=ApiKey.Scope.values, default=ApiKey.Scope.READ)

    def handle(self, *args, email, name, scope, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the email {email}")
        try:
            new = create_key(user, name=name or "CLI", scope=scope)
        except ApiKeyError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(new.plaintext)
