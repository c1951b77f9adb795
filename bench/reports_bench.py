"""Server time of the reports with 20,000 tickets, 60,000 messages and 100,000 ledger
entries (PostgreSQL), and the EXPLAIN ANALYZE plans of the heaviest queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hd_reports \
        .venv/bin/python bench/reports_bench.py

Builds Django's test database (``test_<name>``) with bulk inserts (tests/reports/factories
for the tickets, time entries, charges, times and ratings), then times through Django's test
client (middleware, view, template): the admin's and a technician's dashboards, the
client's usage page, and a 100,000-row CSV export of the movements read to the end.
Prints the median of ``--repeat`` requests in milliseconds and the number of queries.

The same run times a floor: the cheapest signed-in page (the profile page: session, user,
second factor, base template, a form), so that a figure can be read against the machine's
load of the moment (the ratio page / floor moves far less than the milliseconds on a shared
machine). After generating the data it runs VACUUM ANALYZE (fresh tables otherwise fetch
every row from the heap in index-only scans, and the planner has no statistics).

``--trigger-cost`` times 300 ``consume`` calls with and without the LedgerHour trigger.
``--plans`` prints EXPLAIN (ANALYZE, BUFFERS) of each dashboard query. ``--profile`` splits
each page's server time into SQL, template rendering and the rest (median over the
requests), and prints the top functions of cProfile for one request. ``--keep`` keeps the
database for the next run (migrations added since are applied to it).
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
    # Date the work as the service does: a time entry on the day the ticket was opened, a
    # rating when it was resolved; and charge every charge (bulk_tickets makes them
    # "nothing charged", which left the client's breakdowns empty): 1.5 credits a minute.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE tickets_timeentry e SET work_date = (t.created_at AT TIME ZONE %s)::date "
            "FROM tickets_ticket t WHERE t.id = e.ticket_id",
            [timezone.get_current_timezone_name()],
        )
        cursor.execute(
            "UPDATE reports_rating r SET created_at = t.resolved_at "
            "FROM tickets_ticket t WHERE t.id = r.ticket_id"
        )
        # Each charge is tied to one of its organization's consumption entries (the
        # constraint ticketcharge_ledger_iff_charged), paired in id order.
        cursor.execute(
            """
            UPDATE tickets_ticketcharge c
            SET outcome = 'charged', credits = c.minutes * 3 / 2, ledger_entry_id = e.id
            FROM (SELECT c.id, t.organization_id,
                         row_number() OVER (PARTITION BY t.organization_id ORDER BY c.id) AS n
                  FROM tickets_ticketcharge c JOIN tickets_ticket t ON t.id = c.ticket_id) ch
            JOIN (SELECT e.id, w.organization_id,
                         row_number() OVER (PARTITION BY w.organization_id ORDER BY e.id) AS n
                  FROM credits_ledgerentry e JOIN credits_wallet w ON w.id = e.wallet_id
                  WHERE e.kind = 'consumption') e
              ON e.organization_id = ch.organization_id AND e.n = ch.n
            WHERE c.id = ch.id
            """
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
    return admin, technicians[0], clients[0]


def vacuum() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def check_ledger_hours() -> str:
    """reports.LedgerHour against a direct aggregate of the ledger (the trigger's work)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT COUNT(*) FROM (
                (SELECT w.organization_id, e.kind, date_trunc('hour', e.created_at, 'UTC'),
                        SUM(e.amount), COUNT(*)
                 FROM credits_ledgerentry e JOIN credits_wallet w ON w.id = e.wallet_id
                 GROUP BY 1, 2, 3
                 EXCEPT SELECT organization_id, kind, hour, amount, entries
                 FROM reports_ledgerhour)
                UNION ALL
                (SELECT organization_id, kind, hour, amount, entries FROM reports_ledgerhour
                 EXCEPT SELECT w.organization_id, e.kind, date_trunc('hour', e.created_at, 'UTC'),
                        SUM(e.amount), COUNT(*)
                 FROM credits_ledgerentry e JOIN credits_wallet w ON w.id = e.wallet_id
                 GROUP BY 1, 2, 3)
            ) AS difference
            """
        )
        differences = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM reports_ledgerhour")
        rows = cursor.fetchone()[0]
    return f"reports_ledgerhour: {rows:,} rows, {differences} differences from the ledger"


def timed(client, url, repeat: int, *, stream=False, capture=False, cold=False):
    """Median time of ``repeat`` requests, queries of one, lines streamed. The queries are
    counted in a request of their own: capturing them (Django's debug cursor) costs
    time. ``capture`` times with the capture on, as the first runs of this bench did."""
    from django.core.cache import cache

    times = []
    for _ in range(repeat):
        if cold:  # outside the timing: every request computes what it would cache
            cache.clear()
        with CaptureQueriesContext(connection) if capture else _nothing():
            start = time.perf_counter()
            response = client.get(url)
            rows = 0
            if stream:
                for chunk in response.streaming_content:
                    rows += chunk.count(b"\n")
            elif response.status_code != 200:
                raise SystemExit(f"{url}: {response.status_code}")
            times.append((time.perf_counter() - start) * 1000)
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if stream:
            for _chunk in response.streaming_content:
                pass
    return statistics.median(times), len(captured), rows


def _nothing():
    import contextlib

    return contextlib.nullcontext()


class Split:
    """SQL time (execute wrapper) and template time (the top-level render) of requests."""

    def __init__(self):
        self.sql = 0.0
        self.template = 0.0

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql += time.perf_counter() - start

    def __enter__(self):
        from django.template.backends.django import Template

        self._render = original = Template.render
        split = self

        def render(template, context=None, request=None):
            start, sql_before = time.perf_counter(), split.sql
            try:
                return original(template, context, request)
            finally:
                # The template's own time: SQL run while it renders counts as SQL.
                split.template += time.perf_counter() - start - (split.sql - sql_before)

        Template.render = render
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        from django.template.backends.django import Template

        Template.render = self._render
        self._wrapper.__exit__(*exc)


def profile(client, label, url, repeat: int) -> None:
    """Median SQL / template / other time of ``repeat`` requests, then cProfile's top."""
    import cProfile
    import pstats

    splits = []
    for _ in range(repeat):
        with Split() as split:
            start = time.perf_counter()
            client.get(url)
            total = time.perf_counter() - start
        splits.append((total * 1000, split.sql * 1000, split.template * 1000))
    total, sql, template = (statistics.median(values) for values in zip(*splits, strict=True))
    print(
        f"  {label}: total {total:.1f} ms = SQL {sql:.1f} ms + template {template:.1f} ms "
        f"+ other (middleware, session, view, test client) {total - sql - template:.1f} ms"
    )
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(12)


class _Rollback(Exception):
    pass


def trigger_cost(repeat: int = 300) -> None:
    """``credits.services.consume`` with and without the LedgerHour trigger, each inside
    one transaction rolled back at the end (so the kept data stays as it was)."""
    from django.db import transaction

    from credits import services
    from credits.models import Wallet

    organization = Wallet.objects.order_by("-balance").first().organization
    for round_ in (1, 2):
        for enabled in (True, False):
            times = []
            try:
                with transaction.atomic():
                    if not enabled:
                        with connection.cursor() as cursor:
                            cursor.execute(
                                "ALTER TABLE credits_ledgerentry "
                                "DISABLE TRIGGER reports_ledgerhour_add"
                            )
                    for n in range(repeat):
                        start = time.perf_counter()
                        services.consume(
                            organization,
                            1,
                            reason="bench",
                            idempotency_key=f"bench-trigger-{round_}-{enabled}-{n}",
                        )
                        times.append((time.perf_counter() - start) * 1000)
                    raise _Rollback
            except _Rollback:
                pass
            label = "with" if enabled else "without"
            print(
                f"consume {label} the trigger, round {round_}: median "
                f"{statistics.median(times):.2f} ms, p95 {sorted(times)[int(repeat * 0.95)]:.2f} ms"
            )


def plans(admin, client_user):
    """EXPLAIN ANALYZE of every query of the admin's dashboard and the client's usage."""
    from django.core.cache import cache

    from reports import selectors
    from reports.periods import last_months, this_month

    scope, _ = selectors.staff_scope(admin)
    cache.clear()  # the usage page's cached figures are planned too
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
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--trigger-cost", action="store_true", help="time consume with and without the trigger"
    )
    parser.add_argument(
        "--capture", action="store_true", help="time with query capture on (as runs 1-5 did)"
    )
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
        start = time.perf_counter()
        vacuum()
        print(f"VACUUM ANALYZE in {time.perf_counter() - start:.1f} s")
        print(check_ledger_hours())
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
            floor = reverse("accounts:profile")
            cases = [
                ("floor: profile page (admin)", admin, floor, False, args.repeat),
                ("staff dashboard (admin)", admin, dashboard, False, args.repeat),
                ("staff dashboard (technician)", technician, dashboard, False, args.repeat),
                ("client usage page", client_user, usage, False, args.repeat),
                ("client usage page, cache cleared each time", client_user, usage, "cold", 0),
                (
                    "movements CSV, the last 800 days (admin)",
                    admin,
                    f"{export}?start={year_ago:%Y-%m-%d}&end={today:%Y-%m-%d}",
                    True,
                    3,
                ),
            ]
            floor_ms = None
            for label, user, url, stream, repeat in cases:
                cold, stream = stream == "cold", stream is True
                repeat = repeat or args.repeat
                client.force_login(user)
                client.get(url) if not stream else None  # warm
                median, queries, rows = timed(
                    client, url, repeat, stream=stream, capture=args.capture, cold=cold
                )
                extra = f", {rows:,} lines" if stream else ""
                if floor_ms is None:
                    floor_ms = median
                elif not stream:
                    extra = f", {median / floor_ms:.1f} x the floor"
                print(f"{label:45} {median:8.1f} ms  {queries} queries{extra}")
            if args.profile:
                print("\nWhere the time goes (median of the requests):")
                for label, user, url, stream, repeat in cases:
                    if not stream:
                        client.force_login(user)
                        profile(client, label, url, repeat or args.repeat)
        if args.plans:
            plans(admin, client_user)
        if args.trigger_cost:
            trigger_cost()
            print(check_ledger_hours())
    finally:
        if not args.keep:
            creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
