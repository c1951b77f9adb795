"""Server time of the technicians' queue with 100,000 tickets (PostgreSQL).

Run from the repository root with PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hd_bench .venv/bin/python bench/tickets_bench.py

Builds its own database (Django's test database, ``test_<name>``) with bulk inserts:
organizations, contracts, technicians, ``--tickets`` tickets (most of them finished, as in a
help desk with two years of history) with ``--messages`` messages each, assignees, and the
full-text search vectors filled. Then it times the queue page through Django's test client
(middleware, view, template: everything but the network), ``--repeat`` times per case,
and prints the median in milliseconds with the number of SQL queries. ``--keep`` keeps
the database for the next run (reused when it holds the same number of tickets).
"""

import argparse
import itertools
import os
import random
import re
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
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization, User  # noqa: E402
from tickets import calendars, clock, search  # noqa: E402
from tickets.models import (  # noqa: E402
    FINISHED_STATUSES,
    RUNNING_STATUSES,
    WAITING_STATUSES,
    Contract,
    Message,
    Product,
    Ticket,
    TicketSequence,
)

# Support vocabulary, spread through a Zipf-distributed vocabulary of 20,000 made-up
# words (rank r is used with probability ~1/r), so that a word like "factura" is in about a
# third of the tickets and "impresora" in one or two per cent, as in a real help desk.
SUPPORT_WORDS = (
    "factura",
    "pedido",
    "pago",
    "tarjeta",
    "error",
    "servidor",
    "correo",
    "cliente",
    "producto",
    "carrito",
    "página",
    "acceso",
    "contraseña",
    "usuario",
    "copia",
    "seguridad",
    "módulo",
    "actualización",
    "plantilla",
    "cabecera",
    "imagen",
    "catálogo",
    "stock",
    "envío",
    "transportista",
    "informe",
    "exportar",
    "permiso",
    "administrador",
    "navegador",
    "móvil",
    "caché",
    "certificado",
    "dominio",
    "order",
    "payment",
    "checkout",
    "invoice",
    "customer",
    "login",
    "password",
    "backup",
    "database",
    "update",
    "theme",
    "mobile",
    "browser",
    "cache",
    "certificate",
    "report",
    "export",
    "shipping",
    "timeout",
    "discount",
    "coupon",
    "newsletter",
    "category",
    "impresora",
    "printer",
    "printing",
    "invoices",
    "cortafuegos",
    "firewall",
)
SYLLABLES = "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo la le li lo lu ma me mi "
SYLLABLES += "mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu"


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    syllables = SYLLABLES.split()
    words: list[str] = []
    seen = set(SUPPORT_WORDS)
    while len(words) < 20_000:
        word = "".join(rng.choices(syllables, k=rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    for index, word in enumerate(SUPPORT_WORDS):  # ranks 30, 55, 80, … about 1,900
        words.insert(30 + 25 * index, word)
    weights = [1 / rank for rank in range(1, len(words) + 1)]
    return words, weights


class Text:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words, weights = vocabulary(rng)
        self.cumulative = list(itertools.accumulate(weights))

    def __call__(self, count: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.cumulative, k=count))


BATCH = 5000


def build(tickets: int, messages: int, rng: random.Random) -> None:
    """Bulk-insert the data set (no services: 100,000 tickets must load in minutes)."""
    started = time.perf_counter()
    now = timezone.now()
    shop = Product.objects.create(name="Tienda online", current_version="4.2")
    erp = Product.objects.create(name="ERP Gestión", current_version="2025.1")
    organizations = Organization.objects.bulk_create(
        Organization(name=f"Empresa {n:03d} S.L.") for n in range(200)
    )
    clients = User.objects.bulk_create(
        User(email=f"cliente{n}@bench.example", role="client", org_role="manager", organization=org)
        for n, org in enumerate(organizations)
    )
    technicians = User.objects.bulk_create(
        User(email=f"tecnico{n}@bench.example", role="technician", full_name=f"Técnico {n}")
        for n in range(8)
    )
    contracts = {}
    for org in organizations:
        for product in (shop, erp):
            contracts[org.pk, product.pk] = Contract(
                organization=org,
                product=product,
                version=product.current_version,
                starts_on=(now - timedelta(days=800)).date(),
                ends_on=(now + timedelta(days=400)).date(),
            )
    Contract.objects.bulk_create(contracts.values())

    text = Text(rng)
    # SLA fields per (severity, opening hour): computed once per distinct hour.
    sla_cache = {}
    severities = ["critical"] * 10 + ["major"] * 30 + ["minor"] * 60
    counters: dict[int, int] = {}
    assignments = []
    Through = Ticket.assignees.through
    created = 0
    for first in range(0, tickets, BATCH):
        rows = []
        for _ in range(min(BATCH, tickets - first)):
            client = rng.choice(clients)
            product = shop if rng.random() < 0.7 else erp
            recent = rng.random() < 0.03
            age = timedelta(seconds=rng.randrange(14 * 86_400 if recent else 730 * 86_400))
            opened = (now - age).replace(minute=0, second=0, microsecond=0)
            severity = rng.choice(severities)
            key = (severity, opened)
            if key not in sla_cache:
                sla_cache[key] = clock.start(opened, severity)
            fields = sla_cache[key]
            active_share = 0.6 if recent else 0.01
            if rng.random() < active_share:
                status = rng.choice([*RUNNING_STATUSES, *RUNNING_STATUSES, *WAITING_STATUSES])
            else:
                status = rng.choice(FINISHED_STATUSES[:2] * 8 + (FINISHED_STATUSES[2],))
            finished = status in FINISHED_STATUSES
            stopped = None if status in RUNNING_STATUSES else opened + timedelta(hours=3)
            year = timezone.localtime(opened).year
            counters[year] = counters.get(year, 0) + 1
            rows.append(
                Ticket(
                    reference=f"T-{year}-{counters[year]:05d}",
                    organization_id=client.organization_id,
                    requester=client,
                    product=product,
                    contract=contracts[client.organization_id, product.pk],
                    kind=rng.choice(Ticket.Kind.values),
                    severity=severity,
                    subject=text(rng.randint(4, 8)).capitalize(),
                    description=text(30),
                    status=status,
                    out_of_scope_reason="virus" if status == Ticket.Status.OUT_OF_SCOPE else "",
                    created_at=opened,
                    last_activity_at=opened + timedelta(hours=2),
                    resolved_at=opened + timedelta(hours=3) if finished else None,
                    closed_at=opened + timedelta(hours=3) if finished else None,
                    public_message_count=messages - 1,
                    sla_paused_at=stopped,
                    **fields,
                )
            )
        Ticket.objects.bulk_create(rows)
        notes = []
        for ticket in rows:
            for n in range(messages):
                notes.append(
                    Message(
                        ticket=ticket,
                        author=rng.choice(technicians) if n % 2 else ticket.requester,
                        body=text(rng.randint(15, 40)),
                        is_internal=n == messages - 1,
                        created_at=ticket.created_at + timedelta(minutes=10 * (n + 1)),
                    )
                )
            if rng.random() < 0.7:
                for technician in rng.sample(technicians, rng.choice((1, 1, 2))):
                    assignments.append(Through(ticket_id=ticket.pk, user_id=technician.pk))
        Message.objects.bulk_create(notes, batch_size=BATCH)
        created += len(rows)
        print(f"  {created:>7,} tickets, {created * messages:>9,} messages", flush=True)
    Through.objects.bulk_create(assignments, batch_size=BATCH)
    for year, last in counters.items():
        TicketSequence.objects.create(year=year, last_number=last)
    print(f"  inserted in {time.perf_counter() - started:.0f} s; filling search vectors…")
    vectors = time.perf_counter()
    search.refresh_all()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"  search vectors and ANALYZE in {time.perf_counter() - vectors:.0f} s")


CASES = (
    ("unfiltered (default: not finished, most urgent first)", {}),
    ("all statuses, most urgent first", {"status": "all"}),
    ("all statuses, newest first", {"status": "all", "sort": "newest"}),
    ("filtered: mine", {"assignee": "mine"}),
    ("filtered: unassigned + critical", {"assignee": "unassigned", "severity": "critical"}),
    ("filtered: breached", {"breached": "on"}),
    ("filtered: due within 24 h", {"due_within_hours": "24"}),
    ("filtered: one organization, all statuses", {"organization": "ORG", "status": "all"}),
    ("searched: 'impresora' (not finished)", {"q": "impresora"}),
    ("searched: 'impresora', all statuses", {"q": "impresora", "status": "all"}),
    ("searched: 'factura' (common word), all statuses", {"q": "factura", "status": "all"}),
    ("searched: 'invoices printing', all statuses", {"q": "invoices printing", "status": "all"}),
    ("searched: a word in no ticket, all statuses", {"q": "zzyzx", "status": "all"}),
    ("searched: a reference", {"q": "REF", "status": "all"}),
    (
        "searched + filtered: 'pago' critical mine",
        {"q": "pago", "severity": "critical", "assignee": "mine"},
    ),
)


def measure(repeat: int) -> None:
    technician = User.objects.filter(role="technician").order_by("pk").first()
    organization = Organization.objects.order_by("pk").first()
    reference = Ticket.objects.order_by("-pk").values_list("reference", flat=True).first()
    client = Client()
    client.force_login(technician)
    calendars.default_calendar()  # built once per process, as in a server
    print(f"\nqueue page, median of {repeat} requests (ms), SQL queries, rows found")
    for label, params in CASES:
        params = {
            k: str(organization.pk) if v == "ORG" else reference if v == "REF" else v
            for k, v in params.items()
        }
        for _ in range(2):  # warm up (connection, template cache)
            response = client.get("/tickets/queue/", params)
            if response.status_code != 200:
                sys.exit(f"{label}: HTTP {response.status_code}")
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get("/tickets/queue/", params)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/tickets/queue/", params)
        found = re.search(r'data-testid="queue-count">([^<]+)<', response.text).group(1)
        found = found.replace(" tickets", "").replace("más de", ">").replace("more than", ">")
        print(
            f"  {label:<50} {statistics.median(timings):7.1f} ms"
            f"  (min {min(timings):6.1f})  {len(queries):2d} queries  {found:>7} rows"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", action="store_true", help="keep the database for next time")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL=postgres://... : this benchmark measures PostgreSQL.")
    creation = connection.creation
    name = creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False)
    print(f"database {name}; PostgreSQL {connection.pg_version // 10000}")
    try:
        if Ticket.objects.count() != args.tickets:
            if Ticket.objects.exists():
                sys.exit(f"{name} holds another data set: drop it or run without --keep")
            print(f"building {args.tickets:,} tickets x {args.messages} messages…")
            build(args.tickets, args.messages, random.Random(args.seed))
        active = Ticket.objects.exclude(status__in=FINISHED_STATUSES).count()
        print(
            f"{Ticket.objects.count():,} tickets ({active:,} not finished), "
            f"{Message.objects.count():,} messages"
        )
        measure(args.repeat)
    finally:
        if not args.keep:
            creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
