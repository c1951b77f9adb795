"""The SLA sweep (``tickets.notify.sweep_sla``) over 100,000 open tickets (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hd_bench \
        .venv/bin/python bench/sla_sweep_bench.py
    .venv/bin/python bench/sla_sweep_bench.py --open 20000 --finished 0 --due 200 --repeat 5

Builds its own database (Django's test database, ``test_<name>``, dropped at the end) with
bulk inserts: 200 organizations, 8 technicians and an admin, ``--open`` running tickets
(70 % assigned) whose warning and due dates are still ahead, and ``--finished`` resolved or
closed tickets of the past two years (history the sweep must not read). Then it times:

1. a sweep when nothing is due (median and fastest of ``--repeat``), with its SQL queries
   and the plan of the select;
2. a sweep when ``--due`` tickets are due (half past their warning, half past their due
   date), which writes the notices and queues the emails (publishing to kombu's in-memory
   broker, or to Redis on a queue of its own when REDIS_URL is set); repeated after
   deleting what it wrote;
3. the worst case: every open ticket already breached and told, still open (a backlog the
   select reads through without finding anything to say).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization, User  # noqa: E402
from notifications.models import OutboxEmail  # noqa: E402
from tickets import notify  # noqa: E402
from tickets.models import (  # noqa: E402
    FINISHED_STATUSES,
    RUNNING_STATUSES,
    Contract,
    Product,
    SlaNotice,
    Ticket,
)

BATCH = 5000


def build(open_count: int, finished_count: int, rng: random.Random, now) -> None:
    started = time.perf_counter()
    product = Product.objects.create(name="Tienda online", current_version="4.2")
    organizations = Organization.objects.bulk_create(
        Organization(name=f"Empresa {n:03d} S.L.") for n in range(200)
    )
    clients = User.objects.bulk_create(
        User(email=f"cliente{n}@bench.example", role="client", organization=org)
        for n, org in enumerate(organizations)
    )
    technicians = User.objects.bulk_create(
        User(email=f"tecnico{n}@bench.example", role="technician", language=("es", "en")[n % 2])
        for n in range(8)
    )
    User.objects.create(email="admin@bench.example", role="admin", is_superuser=True)
    contracts = {
        org.pk: Contract(
            organization=org,
            product=product,
            version="4.2",
            starts_on=(now - timedelta(days=800)).date(),
            ends_on=(now + timedelta(days=400)).date(),
        )
        for org in organizations
    }
    Contract.objects.bulk_create(contracts.values())
    through = Ticket.assignees.through
    number = 0
    total = open_count + finished_count
    for first in range(0, total, BATCH):
        rows = []
        for index in range(first, min(first + BATCH, total)):
            number += 1
            client = rng.choice(clients)
            if index < open_count:  # running; warning 1 h to 30 days ahead
                opened = now - timedelta(minutes=rng.randrange(60 * 24))
                warning = now + timedelta(minutes=rng.randrange(60, 60 * 24 * 30))
                status, paused, finished_at = rng.choice(RUNNING_STATUSES), None, None
            else:  # finished long ago: past every date
                opened = now - timedelta(minutes=rng.randrange(60 * 24 * 730))
                warning = opened + timedelta(hours=6)
                finished_at = opened + timedelta(hours=3)
                status, paused = rng.choice(FINISHED_STATUSES[:2]), finished_at
            rows.append(
                Ticket(
                    reference=f"T-B-{number:07d}",
                    organization_id=client.organization_id,
                    requester=client,
                    product=product,
                    contract=contracts[client.organization_id],
                    kind="consultation",
                    severity=rng.choice(["critical", "major", "minor"]),
                    subject=f"Incidencia {number}",
                    description="La tienda va lenta desde ayer.",
                    status=status,
                    created_at=opened,
                    last_activity_at=opened,
                    resolved_at=finished_at,
                    closed_at=finished_at,
                    sla_target_hours=8,
                    sla_business_hours=False,
                    sla_started_at=opened,
                    sla_warning_at=warning,
                    due_at=warning + timedelta(hours=2),
                    sla_paused_at=paused,
                )
            )
        Ticket.objects.bulk_create(rows)
        assignments = [
            through(ticket_id=ticket.pk, user_id=technician.pk)
            for ticket in rows
            if rng.random() < 0.7
            for technician in rng.sample(technicians, rng.choice((1, 1, 2)))
        ]
        through.objects.bulk_create(assignments)
        # History: a third of the finished tickets had their warning, half of those a breach.
        SlaNotice.objects.bulk_create(
            SlaNotice(
                ticket=ticket,
                kind=kind,
                judged_on=ticket.sla_warning_at,
                emails=2,
                created_at=ticket.sla_warning_at,
            )
            for ticket in rows
            if ticket.status in FINISHED_STATUSES and ticket.pk % 3 == 0
            for kind in (("warning", "breach") if ticket.pk % 2 else ("warning",))
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  built in {time.perf_counter() - started:.0f} s")


def timed(func, repeat: int) -> tuple[list[float], object]:
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        timings.append((time.perf_counter() - started) * 1000)
    return timings, result


def plan(now) -> str:
    with transaction.atomic():
        queryset = (
            notify.sla_due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("sla_warning_at", "pk")[: notify.SWEEP_BATCH]
        )
        sql, params = queryset.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF) {sql}", params)
            lines = [row[0] for row in cursor.fetchall()]
    return "\n".join(f"    {line}" for line in lines)


def forget_what_the_sweep_wrote(since) -> None:
    """Delete the notices and emails written after ``since`` (the history stays)."""
    SlaNotice.objects.filter(created_at__gte=since).delete()
    OutboxEmail.objects.all().delete()


def report(label: str, timings: list[float], extra: str = "") -> None:
    print(
        f"  {label:<44} median {statistics.median(timings):8.1f} ms"
        f"  fastest {min(timings):8.1f} ms  {extra}"
    )


def measure(args, now) -> None:
    rng = random.Random(args.seed + 1)
    open_ids = list(Ticket.objects.filter(status__in=RUNNING_STATUSES).values_list("pk", flat=True))

    # 1. Nothing due.
    notify.sweep_sla(now)  # warm up
    timings, told = timed(lambda: notify.sweep_sla(now), args.repeat)
    with CaptureQueriesContext(connection) as queries:
        notify.sweep_sla(now)
    report("nothing due", timings, f"{told} told, {len(queries)} queries")
    for query in queries:
        print(f"    SQL: {query['sql'][:90]}…")
    print(plan(now))

    # 2. --due tickets due: half past their warning, half past their due date.
    due = rng.sample(open_ids, args.due)
    warned, breached = due[: args.due // 2], due[args.due // 2 :]
    Ticket.objects.filter(pk__in=warned).update(
        sla_warning_at=now - timedelta(minutes=1), due_at=now + timedelta(hours=1)
    )
    Ticket.objects.filter(pk__in=breached).update(
        sla_warning_at=now - timedelta(hours=2), due_at=now - timedelta(minutes=1)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")
    timings, emails = [], 0
    for _ in range(args.repeat_due):
        forget_what_the_sweep_wrote(now)
        started = time.perf_counter()
        told = notify.sweep_sla(now)
        timings.append((time.perf_counter() - started) * 1000)
        emails = OutboxEmail.objects.count()
    per_second = emails / (statistics.median(timings) / 1000)
    report(
        f"{args.due:,} due ({len(warned)} warnings, {len(breached)} breaches)",
        timings,
        f"{told} told, {emails:,} emails queued ({per_second:,.0f} emails/s)",
    )
    timings, told = timed(lambda: notify.sweep_sla(now), args.repeat)
    report("the next sweep (all told already)", timings, f"{told} told")

    # 3. Worst case: every open ticket breached and told, none finished.
    forget_what_the_sweep_wrote(now)
    Ticket.objects.filter(pk__in=open_ids).update(
        sla_warning_at=now - timedelta(hours=2), due_at=now - timedelta(minutes=1)
    )
    with connection.cursor() as cursor:
        for kind in ("warning", "breach"):
            cursor.execute(
                f"INSERT INTO {SlaNotice._meta.db_table}"  # noqa: S608
                " (ticket_id, kind, judged_on, emails, created_at)"
                " SELECT id, %s, due_at, 0, %s FROM tickets_ticket WHERE status = ANY(%s)",
                [kind, now, list(RUNNING_STATUSES)],
            )
        cursor.execute("VACUUM ANALYZE")
    timings, told = timed(lambda: notify.sweep_sla(now), args.repeat)
    report(f"{len(open_ids):,} open, all breached and told", timings, f"{told} told")
    print(plan(now))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000)
    parser.add_argument("--finished", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--repeat-due", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL=postgres://... : this benchmark measures PostgreSQL.")
    broker = os.environ.get("REDIS_URL") or "memory://"
    creation = connection.creation
    name = creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(
        f"database {name}; PostgreSQL {connection.pg_version // 10000}; "
        f"broker {broker.split('://')[0]}"
    )
    from helpdesk.celery import app

    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=broker):
            # Publish only: the emails are sent by workers, not timed here.
            app.conf.broker_url, app.conf.task_always_eager = broker, False
            now = timezone.now()
            print(f"building {args.open:,} open and {args.finished:,} finished tickets…")
            build(args.open, args.finished, random.Random(args.seed), now)
            measure(args, now)
    finally:
        creation.destroy_test_db(name, verbosity=0)
        if broker.startswith("redis"):
            import redis

            queue = settings.CELERY_TASK_DEFAULT_QUEUE
            redis.Redis.from_url(broker).delete(
                queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
            )


if __name__ == "__main__":
    main()
