"""``python manage.py backup [--to FOLDER | --to s3://bucket/prefix]``: a consistent dump of
the database plus the media files (helpdesk/backups.py). Prints where it went."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from helpdesk import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump) and media to a folder or an S3-compatible bucket."

    def add_arguments(self, parser):
        parser.add_argument(
            "--to", default=None, help="folder or s3://bucket/prefix (default BACKUP_TARGET)"
        )

    def handle(self, *args, to, **options):
        target = to or settings.BACKUP_TARGET
        try:
            where = backups.create(target)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Backup written to {where}"))
