"""``python manage.py restore BACKUP``: bring a backup (a folder written by ``backup``, or
s3://bucket/prefix/helpdesk-...) back into an EMPTY database (DATABASE_URL) and MEDIA_ROOT.
Refuses a database with tables and never overwrites a media file."""

from django.core.management.base import BaseCommand, CommandError

from helpdesk import backups


class Command(BaseCommand):
    help = "Restore a backup into an empty database and media folder."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="the backup's folder, or its s3:// address")

    def handle(self, *args, backup, **options):
        try:
            name = backups.restore(backup)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored into {name}. Check it: manage.py check_ledger; manage.py check_invoices"
            )
        )
