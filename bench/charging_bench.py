"""Charging: the pure table, resolving tickets (charge + ledger + outbox in one transaction),
the technician's ticket page with many time entries, and concurrent resolutions.

    .venv/bin/python bench/charging_bench.py [--calls 100000] [--tickets 50] [--threads 24]

Runs on a scratch database that it creates and drops: PostgreSQL when DATABASE_URL is set,
otherwise a temporary SQLite file (then the concurrent part is skipped).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings.test"
SCRATCH = Path(tempfile.mkdtemp(prefix="charging-bench-"))
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

KINDS = ("consultation", "intervention", "security_update")
CHANNELS = ("portal", "email", "phone", "video", "remote")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=50, help="tickets resolved per size")
    parser.add_argument("--threads", type=int, default=24)
    args = parser.parse_args()
    pure(args.calls)
    setup_test_environment()
    db = settings.DATABASES["default"]
    db["TEST"]["NAME"] = f"{db['NAME']}_charging_bench"
    if db["ENGINE"].endswith("sqlite3"):
        db["TEST"]["NAME"] = str(SCRATCH / "bench-test.sqlite3")
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        resolutions(args.tickets)
        ticket_page()
        if connection.vendor == "postgresql":
            concurrent(args.threads)
        else:
            print("concurrent resolutions: skipped (needs PostgreSQL)")
    finally:
        connection.creation.destroy_test_db(db["NAME"], verbosity=0)


def pure(calls: int) -> None:
    from tickets.pricing import Policy, charge_for, credits_for

    policy = Policy()
    rng = random.Random(5)
    cases = [(rng.choice(KINDS), rng.randint(0, 600), rng.choice(CHANNELS)) for _ in range(calls)]
    start = time.perf_counter()
    for kind, minutes, channel in cases:
        credits_for(kind, minutes, channel, policy)
    elapsed = time.perf_counter() - start
    print(f"credits_for: {calls:,} calls in {elapsed:.2f} s, {elapsed / calls * 1e6:.2f} µs/call")
    entries = [(rng.randint(1, 60), rng.choice(CHANNELS)) for _ in range(1000)]
    start = time.perf_counter()
    for _ in range(100):
        charge_for("intervention", entries, policy)
    per = (time.perf_counter() - start) / 100
    print(f"charge_for over 1,000 entries: {per * 1e3:.2f} ms")


def _people():
    from tests.accounts.factories import TechnicianFactory, UserFactory
    from tests.tickets.factories import grant_credits

    client = UserFactory()
    grant_credits(client.organization, 10_000_000)
    return client, TechnicianFactory()


def resolutions(count: int) -> None:
    from tests.tickets.factories import open_ticket
    from tickets import services

    client, technician = _people()
    for entries in (1, 10, 100):
        timings, queries = [], []
        for _ in range(count):
            ticket = open_ticket(client, kind="intervention")
            services.assign(ticket, technician, by=technician)
            for number in range(entries):
                services.log_time(
                    ticket, by=technician, minutes=5 + number % 40, channel=CHANNELS[number % 5]
                )
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                services.resolve(ticket, by=technician)
                timings.append(time.perf_counter() - start)
            queries.append(len(captured.captured_queries))
        print(
            f"resolve with {entries:>3} time entries: median {statistics.median(timings) * 1e3:.1f}"
            f" ms, p95 {sorted(timings)[int(len(timings) * 0.95) - 1] * 1e3:.1f} ms,"
            f" {statistics.median(queries):.0f} queries ({count} tickets)"
        )


def ticket_page() -> None:
    from django.test import Client

    from tests.tickets.factories import open_ticket, store_credential
    from tickets import services

    client_user, technician = _people()
    browser = Client()
    browser.force_login(technician)
    for entries in (1, 200):
        ticket = open_ticket(client_user, kind="intervention")
        services.assign(ticket, technician, by=technician)
        for number in range(entries):
            services.log_time(ticket, by=technician, minutes=10, channel=CHANNELS[number % 5])
        store_credential(client_user, ticket=ticket)
        browser.get(ticket.get_absolute_url())  # warm the template cache
        timings = []
        with CaptureQueriesContext(connection) as captured:
            for _ in range(10):
                start = time.perf_counter()
                browser.get(ticket.get_absolute_url())
                timings.append(time.perf_counter() - start)
        print(
            f"technician's ticket page with {entries:>3} time entries: median "
            f"{statistics.median(timings) * 1e3:.1f} ms, {len(captured.captured_queries) // 10} "
            "queries"
        )


def concurrent(threads: int) -> None:
    from credits.models import EntryKind, LedgerEntry
    from tests.accounts.factories import TechnicianFactory
    from tests.tickets.factories import open_ticket
    from tickets import services
    from tickets.models import Ticket

    client, technician = _people()
    ticket = open_ticket(client, kind="intervention")
    services.assign(ticket, technician, by=technician)
    services.log_time(ticket, by=technician, minutes=75, channel="remote")
    people = [TechnicianFactory() for _ in range(threads)]
    barrier = threading.Barrier(threads)
    outcomes = []

    def resolve(number):
        try:
            barrier.wait()
            services.resolve(Ticket.objects.get(pk=ticket.pk), by=people[number])
            outcomes.append("resolved")
        except services.TicketError:
            outcomes.append("refused")
        finally:
            connection.close()

    start = time.perf_counter()
    workers = [threading.Thread(target=resolve, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    charged = LedgerEntry.objects.filter(kind=EntryKind.CONSUMPTION, reference_id=ticket.pk).count()
    print(
        f"{threads} concurrent resolutions of one ticket: {outcomes.count('resolved')} resolved, "
        f"{outcomes.count('refused')} refused, {charged} ledger entry, {elapsed * 1e3:.0f} ms"
    )


if __name__ == "__main__":
    main()
