"""Page times under gunicorn with production settings, as ratios to a floor view (issue 15).

Run from the repository root with PostgreSQL and Redis:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hd_pages REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/pages_bench.py --sizes 10000 100000

For each size it builds a database (``test_<name>``, the data of ``tickets_bench.py``:
200 organizations with contracts, 8 technicians, tickets with ``--messages`` messages
each, assignees, search vectors; plus a wallet for every organization and ``--entries``
ledger entries, 1,000,000 by default, a tenth of them in the logged-in client's),
collects the static files, starts gunicorn (``bench.settings``: production settings, the
floor view at ``/bench/floor/`` and an ``X-Bench-Queries`` header; 2 sync workers,
persistent database connections, the cached template loader), logs a technician in
through the real login form and second-factor form (the code computed with pyotp) and a
client through the login form, then requests every page ``--repeat`` times, round-robin
with the floor so that load changes hit every page alike. Times are measured by the
client over a new localhost connection per request (sync workers close it after each
response), so the floor and the pages pay the same connection cost. Prints each page's
median and p95, its ratio to the floor's median and its query count; then, unless
``--no-memory``, each worker's resident memory after every 1,000 further requests.
``--keep`` leaves each size's database (``test_<name>_<tickets>``) and ``--reuse`` measures
it again without building it.
"""

import argparse
import http.client
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.test")

import tickets_bench  # noqa: E402 - sets Django up with the test settings
from cryptography.fernet import Fernet  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import Organization, User  # noqa: E402
from credits import services as credits_services  # noqa: E402
from tickets.models import FINISHED_STATUSES, Ticket  # noqa: E402

PASSWORD = "bench-Password-2026"
TOTP_SECRET = "BENCHBENCHBENCHBENCHBENCHBENCH23"


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """One user's cookies over plain HTTP, sending X-Forwarded-Proto: https so the
    production settings (secure cookies, SSL redirect) behave as behind the TLS proxy."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "Accept-Language": "es",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://127.0.0.1{path}"
            headers["Origin"] = "https://127.0.0.1"
        started = time.perf_counter()
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        elapsed = (time.perf_counter() - started) * 1000
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response, text, elapsed

    def form(self, path: str, fields: dict) -> tuple[int, str]:
        response, text, _ = self.request("GET", path)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        if found is None:
            sys.exit(f"GET {path}: HTTP {response.status}, no form ({text[:300]!r})")
        token = found.group(1)
        response, text, _ = self.request("POST", path, {"csrfmiddlewaretoken": token, **fields})
        if response.status != 302:
            errors = re.findall(
                r'class="[^"]*(?:invalid-feedback|alert)[^"]*"[^>]*>(.*?)<', text, re.S
            )
            print(f"  POST {path}: HTTP {response.status} {[e.strip() for e in errors][:3]}")
        return response.status, response.headers.get("Location", "")


def prepare_users(entries: int) -> tuple[User, User, Ticket, Ticket]:
    """Passwords, the technician's TOTP device, and a wallet with entries per organization."""
    import base64

    from django_otp.plugins.otp_totp.models import TOTPDevice

    technician = User.objects.filter(role="technician").order_by("pk").first()
    client = User.objects.filter(role="client").order_by("pk").first()
    # The production hasher (the bench process runs with the test settings' MD5 one).
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    for user in (technician, client):
        user.password = PBKDF2PasswordHasher().encode(PASSWORD, f"bench{user.pk}salt")
        user.save(update_fields=["password"])
    TOTPDevice.objects.create(
        user=technician,
        name="bench",
        confirmed=True,
        key=base64.b32decode(TOTP_SECRET).hex(),
    )
    import time_machine
    from django.utils import timezone

    now = timezone.now()
    # The grants two years back, so that the bulk history below comes after them.
    with time_machine.travel(now - HISTORY, tick=False):
        for organization in Organization.objects.order_by("pk"):
            credits_services.grant(
                organization,
                GRANT,
                reason="bench",
                idempotency_key=f"bench-grant-{organization.pk}",
            )
    started = time.perf_counter()
    total = bulk_history(client.organization, entries, now)
    print(f"  ledger: {total:,} entries in {time.perf_counter() - started:.0f} s", flush=True)
    rng = random.Random(7)
    # Movements of the client's organization: consumes through the service, as in life.
    for n in range(300):
        credits_services.consume(
            client.organization,
            rng.randint(1, 30),
            reason="bench",
            idempotency_key=f"bench-consume-{n}",
        )
    return bench_users()


GRANT = 10_000_000
HISTORY = timedelta(days=730)
ENTRIES = 1_000_000  # --entries
CLIENT_SHARE = 0.1  # of the entries, in the logged-in client's organization


def bulk_history(client_organization: Organization, entries: int, now) -> int:
    """``entries`` consumption entries of 1 credit spread over every organization's wallet
    (a tenth of them in the client's), dated evenly over the last two years up to an hour
    ago, after each wallet's grant: one INSERT ... SELECT generate_series per wallet, with
    each entry's balance after it, then the wallet's balance and its grant's lot in step
    (as tests/credits/factories.bulk_movements does, in SQL: a million ORM objects would
    take minutes). Returns the number of entries in the ledger."""
    from django.db.models import F

    from credits.models import LedgerEntry, Lot, Wallet

    wallets = list(Wallet.objects.order_by("pk").values_list("pk", "organization_id", "balance"))
    mine = int(entries * CLIENT_SHARE)
    others = (entries - mine) // max(len(wallets) - 1, 1)
    start, span = now - HISTORY + timedelta(hours=1), HISTORY - timedelta(hours=2)
    with connection.cursor() as cursor:
        for wallet_id, organization_id, balance in wallets:
            count = mine if organization_id == client_organization.pk else others
            if not count:
                continue
            cursor.execute(
                """
                INSERT INTO credits_ledgerentry (wallet_id, kind, amount, balance_after, reason,
                    reference_label, work_minutes, idempotency_key, created_at)
                SELECT %(wallet)s, 'consumption', -1, %(balance)s - n, 'Consulta ' || n,
                       'Ticket #' || n, n %% 15 + 1, 'bench-bulk-' || %(wallet)s || '-' || n,
                       %(start)s + %(span)s * (n::float8 / %(count)s)
                FROM generate_series(1, %(count)s) AS n
                """,
                {
                    "wallet": wallet_id,
                    "balance": balance,
                    "count": count,
                    "start": start,
                    "span": span,
                },
            )
            grant = LedgerEntry.objects.get(idempotency_key=f"bench-grant-{organization_id}")
            Lot.objects.filter(pk=grant.lot_id).update(remaining=F("remaining") - count)
            Wallet.objects.filter(pk=wallet_id).update(
                balance=balance - count, last_entry_at=start + span
            )
        cursor.execute("VACUUM ANALYZE credits_ledgerentry")
        cursor.execute("SELECT COUNT(*) FROM credits_ledgerentry")
        return cursor.fetchone()[0]


def start_gunicorn(port: int, database: str, static_root: str, workers=2) -> subprocess.Popen:
    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "bench-" + Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://127.0.0.1",
        "DATABASE_URL": f"{base}/{database}",
        "EMAIL_URL": "smtp://127.0.0.1:2525",
        "VAULT_KEYS": Fernet.generate_key().decode(),
        "STATIC_ROOT": static_root,
        "LOG_FORMAT": "plain",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_MAX_REQUESTS": "0",
        "GUNICORN_MAX_REQUESTS_JITTER": "0",
        "HEALTH_CHECK_CELERY": "false",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "helpdesk.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(static_root).parent / "gunicorn.log", "w"),  # noqa: SIM115
        start_new_session=True,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    sys.exit("gunicorn did not start: see gunicorn.log")


def worker_rss(server: subprocess.Popen) -> list[int]:
    """Resident memory (KiB) of gunicorn's worker processes (the master's children)."""
    out = subprocess.run(  # noqa: S603
        ["ps", "-o", "rss=", "--ppid", str(server.pid)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return [int(x) for x in out.split()]


def bench_users() -> tuple[User, User, Ticket, Ticket]:
    """The measured users and tickets: the first technician and client, the newest open
    assigned ticket and the client's newest ticket (also page_profile.py's)."""
    technician = User.objects.filter(role="technician").order_by("pk").first()
    client = User.objects.filter(role="client").order_by("pk").first()
    return technician, client, *bench_tickets(client)


def bench_tickets(client: User) -> tuple[Ticket, Ticket]:
    staff_ticket = (
        Ticket.objects.exclude(status__in=FINISHED_STATUSES)
        .filter(assignees__isnull=False)
        .order_by("-pk")
        .first()
    )
    return staff_ticket, Ticket.objects.filter(requester=client).order_by("-pk").first()


def measure(
    port: int, repeat: int, memory: bool, server, entries: int, trace=False, reuse=False
) -> None:
    import pyotp

    technician, client, staff_ticket, client_ticket = (
        bench_users() if reuse else prepare_users(entries)
    )
    staff = Browser(port)
    status, location = staff.form(
        "/accounts/login/", {"username": technician.email, "password": PASSWORD}
    )
    if status != 302:
        sys.exit(f"technician login refused ({status}); see gunicorn.log")
    # The second-factor middleware sends the next page to the code form.
    response, _, _ = staff.request("GET", location)
    code_path = response.headers.get("Location", location)
    status, location = staff.form(code_path, {"code": pyotp.TOTP(TOTP_SECRET).now()})
    if status != 302:
        sys.exit(f"technician second factor refused ({status})")
    customer = Browser(port)
    status, _ = customer.form("/accounts/login/", {"username": client.email, "password": PASSWORD})
    if status != 302:
        sys.exit(f"client login refused ({status})")

    pages = [
        ("floor (technician)", staff, "/bench/floor/"),
        ("staff queue", staff, "/tickets/queue/"),
        ("queue search 'impresora'", staff, "/tickets/queue/?q=impresora"),
        ("staff ticket page", staff, f"/tickets/{staff_ticket.pk}/"),
        ("staff dashboard", staff, "/dashboard/"),
        ("floor (client)", customer, "/bench/floor/"),
        ("client ticket page", customer, f"/tickets/{client_ticket.pk}/"),
        ("client dashboard", customer, "/dashboard/"),
        ("client ticket list", customer, "/tickets/"),
        ("client balance", customer, "/credits/"),
        ("client movements", customer, "/credits/movements/"),
    ]
    times: dict[str, list[float]] = {label: [] for label, _, _ in pages}
    # The queries of every measured request: the most frequent count is printed, and the
    # largest when some request made more (a worker's first request of a page fills its
    # caches, and with two workers the last warm-up may not have reached both).
    counts: dict[str, list[str]] = {label: [] for label, _, _ in pages}
    for label, browser, path in pages:  # warm up: connections, template cache
        for _ in range(3):
            response, _, _ = browser.request("GET", path)
            if response.status != 200:
                sys.exit(f"{label} {path}: HTTP {response.status}")
    for _ in range(repeat):
        for label, browser, path in pages:
            response, _, elapsed = browser.request("GET", path)
            times[label].append(elapsed)
            counts[label].append(response.headers.get("X-Bench-Queries", "?"))
    floor = statistics.median(times["floor (technician)"] + times["floor (client)"])
    print(f"  {'page':<28} {'median':>8} {'p95':>8} {'x floor':>8} {'queries':>14}")
    queries = {}
    for label, found in counts.items():
        usual = max(set(found), key=found.count)
        most = max(found, key=lambda n: int(n) if n.isdigit() else -1)
        queries[label] = usual if most == usual else f"{usual} (max {most})"
    for label, _, _ in pages:
        values = sorted(times[label])
        p95 = values[int(len(values) * 0.95) - 1]
        median = statistics.median(values)
        print(
            f"  {label:<28} {median:7.1f}  {p95:7.1f}  {median / floor:7.2f}  {queries[label]:>14}"
        )
    if trace:
        staff.request("GET", "/bench/memory/")
    if memory:
        print("  worker RSS (MiB) after each further 1,000 requests (spread over the pages):")
        for thousand in range(1, 6):
            for _label, browser, path in pages:
                for _ in range(1000 // len(pages) + 1):
                    browser.request("GET", path)
            rss = ", ".join(f"{kib / 1024:.1f}" for kib in worker_rss(server))
            print(f"    after {thousand * 1000:>5} requests: {rss}", flush=True)
            if trace and thousand == 2:
                staff.request("GET", "/bench/memory/?mark")
        if trace:
            _, text, _ = staff.request("GET", "/bench/memory/")
            print("  tracemalloc, the 2nd to the 5th thousand:\n" + text)


def run_size(
    tickets: int,
    messages: int,
    repeat: int,
    memory: bool,
    entries: int,
    trace=False,
    keep=False,
    reuse=False,
) -> None:
    """``keep``: leave the database (``test_<name>_<tickets>``) for a later ``reuse``, which
    measures it again without building it (the data of the first run, its sessions added)."""
    creation = connection.creation
    if keep or reuse:
        settings.DATABASES["default"]["TEST"]["NAME"] = (
            f"test_{settings.DATABASES['default']['NAME']}_{tickets}"
        )
    name = creation.create_test_db(
        verbosity=0, autoclobber=not reuse, serialize=False, keepdb=reuse
    )
    workdir = tempfile.mkdtemp(prefix="pages-bench-")
    server = None
    try:
        if not reuse:
            started = time.perf_counter()
            tickets_bench.build(tickets, messages, random.Random(42))
            print(f"  data built in {time.perf_counter() - started:.0f} s")
        connection.close()
        port = _port()
        server = start_gunicorn(port, name, os.path.join(workdir, "static"), 1 if trace else 2)
        measure(port, repeat, memory, server, entries, trace, reuse)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        connection.close()
        if not (keep or reuse):
            creation.destroy_test_db(name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--entries", type=int, default=ENTRIES)
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep each size's database")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database again")
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="one worker, tracemalloc: where its memory grows from the 2nd to the 5th thousand",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL=postgres://... : this benchmark measures PostgreSQL.")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f}; {os.cpu_count()} CPUs; times in ms")
    for size in args.sizes:
        print(f"\n{size:,} tickets x {args.messages} messages")
        run_size(
            size,
            args.messages,
            args.repeat,
            not args.no_memory,
            args.entries,
            args.trace_memory,
            args.keep,
            args.reuse,
        )


if __name__ == "__main__":
    main()
