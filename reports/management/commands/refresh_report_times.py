from django.core.management.base import BaseCommand

from reports import services


class Command(BaseCommand):
    help = "Record the SLA times of every ticket changed since they were last computed."

    def handle(self, *args, **options):
        total = 0
        while count := services.refresh_times():
            total += count
        self.stdout.write(str(total))
