"""Server time of the reports with 20,000 tickets, 60,000 messages and 100,000 ledger
entries (PostgreSQL), and the EXPLAIN ANALYZE plans of the heaviest queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hd_reports \
        .venv/bin/python bench/reports_bench.py

Builds Django's test database (``test_<name>``) with bulk inserts (tests/reports/factories
for the tickets, time entries, charges, times and ratings), then times through Django's test
client (middleware, view, template): the admin's and a technician's dashboards, the
client's usage page, and a 100,000-row CSV export of the movements read to the end.
Prints the median of ``--repeat`` requests in milliseconds and the number of queries.
``--plans`` prints EXPLAIN (ANALYZE, BUFFERS) of each dashboard query. ``--keep`` keeps
the database for the next run.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402


def build(tickets: int, messages_per_ticket: int, entries: int):
    from tests.accounts.factories import AdminFactory, TechnicianFactory, UserFactory
    from tests.credits.factories import bulk_movements
    from tests.reports.factories import bulk_tickets
    from tickets.models import Message, Ticket

    technicians = [TechnicianFactory(full_name=f"Técnico {n}") for n in range(8)]
    admin = AdminFactory(full_name="Admin Bench")
    clients = [UserFactory(full_name=f"Cliente {n}") for n in range(20)]
    per_client = tickets // len(clients)
    # Two years of history: one ticket in ten still active, the rest finished.
    finished = [Ticket.Status.RESOLVED] * 6 + [Ticket.Status.CLOSED] * 3
    statuses = [*finished, Ticket.Status.OPEN]
    for n, client in enumerate(clients):
        bulk_tickets(
            client,
            technicians[n % len(technicians)],
            per_client,
            prefix=f"C{n:02d}",
            statuses=statuses,
            days=730,
        )
    # bulk_tickets gives each organization one consumption entry per ticket (dated now);
    # the rest of the 100,000 entries go to the first client (the usage page's
    # organization), spread over the last 24 months.
    rest = entries - Ticket.objects.count()
    now = timezone.now()
    for month in range(24):
        share = rest // 24
        if share > 0:
            bulk_movements(
                clients[0].organization,
                share,
                start_balance=share + 1000,
                when=now - timedelta(days=30 * month + 1),
            )
    ids = list(Ticket.objects.values_list("pk", "requester_id"))
    rows = []
    for pk, requester in ids:
        for m in range(messages_per_ticket):
            author = requester if m % 2 else technicians[pk % len(technicians)].pk
            rows.append(Message(ticket_id=pk, author_id=author, body=f"Mensaje {m}"))
        if len(rows) >= 20_000:
            Message.objects.bulk_create(rows, batch_size=5000)
            rows = []
    Message.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return admin, technicians[0], clients[0]


def timed(client, url, repeat: int, *, stream=False):
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            rows = 0
            if stream:
                for chunk in response.streaming_content:
                    rows += chunk.count(b"\n")
            else:
                if response.status_code != 200:
                    raise SystemExit(f"{url}: {response.status_code}")
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured)
    return statistics.median(times), queries, rows


def plans(admin, client_user):
    """EXPLAIN ANALYZE of every query of the admin's dashboard and the client's usage."""
    from reports import selectors
    from reports.periods import last_months, this_month

    scope, _ = selectors.staff_scope(admin)
    with CaptureQueriesContext(connection) as captured:
        selectors.staff_dashboard(scope, this_month())
        selectors.client_usage(client_user.organization, last_months(12))
    for query in captured.captured_queries:
        sql = query["sql"]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
        print("\n--", sql[:160].replace("\n", " "), "…")
        print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--plans", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL=postgres://...")
    from django.test import override_settings

    from accounts.models import User
    from tests.accounts.mfa import SecondFactorClient
    from tickets.models import Message, Ticket

    creation = connection.creation
    # Its own database, apart from the one pytest keeps.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = (
        "test_" + connection.settings_dict["NAME"] + "_reports_bench"
    )
    name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False)
    try:
        from credits.models import LedgerEntry

        if Ticket.objects.count() != args.tickets:
            start = time.perf_counter()
            build(args.tickets, args.messages, args.entries)
            print(f"built in {time.perf_counter() - start:.0f} s")
        print(
            f"tickets {Ticket.objects.count():,}, messages {Message.objects.count():,}, "
            f"ledger entries {LedgerEntry.objects.count():,}"
        )
        admin = User.objects.get(full_name="Admin Bench")
        technician = User.objects.get(full_name="Técnico 0")
        client_user = User.objects.get(full_name="Cliente 0")
        with override_settings(ALLOWED_HOSTS=["*"], DEBUG=False):
            client = SecondFactorClient()
            today = timezone.localdate()
            year_ago = today - timedelta(days=800)
            dashboard = reverse("reports:staff_dashboard")
            usage = reverse("reports:usage")
            export = reverse("reports:export", kwargs={"dataset": "movements", "fmt": "csv"})
            cases = [
                ("staff dashboard (admin)", admin, dashboard, False, args.repeat),
                ("staff dashboard (technician)", technician, dashboard, False, args.repeat),
                ("client usage page", client_user, usage, False, args.repeat),
                (
                    "movements CSV, the last 800 days (admin)",
                    admin,
                    f"{export}?start={year_ago:%Y-%m-%d}&end={today:%Y-%m-%d}",
                    True,
                    3,
                ),
            ]
            for label, user, url, stream, repeat in cases:
                client.force_login(user)
                client.get(url) if not stream else None  # warm
                median, queries, rows = timed(client, url, repeat, stream=stream)
                extra = f", {rows:,} lines" if stream else ""
                print(f"{label:45} {median:8.1f} ms  {queries} queries{extra}")
        if args.plans:
            plans(admin, client_user)
    finally:
        if not args.keep:
            creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
