"""Profile one page in-process (Django's test client, the cached template loader, no network).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hd_pages \\
        .venv/bin/python bench/page_profile.py --tickets 10000 --keep
    .venv/bin/python bench/page_profile.py --reuse --page staff_ticket --profile

Builds ``test_<name>_profile`` with ``tickets_bench.build`` and the wallets of
``pages_bench.prepare_users`` (``--reuse`` keeps an earlier build), then requests each page
``--repeat`` times and prints the median server time and the queries; with ``--profile``
the cProfile of those requests (cumulative time, the top ``--top`` entries).
"""

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.test")

import tickets_bench  # noqa: E402 - sets Django up with the test settings
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import User  # noqa: E402


def pages(technician, client):
    import pages_bench

    staff_ticket, client_ticket = pages_bench.bench_tickets(client)
    return {
        "floor": (technician, "/bench/floor/"),
        "staff_queue": (technician, "/tickets/queue/"),
        "queue_search": (technician, "/tickets/queue/?q=impresora"),
        "staff_ticket": (technician, f"/tickets/{staff_ticket.pk}/"),
        "staff_dashboard": (technician, "/dashboard/"),
        "client_ticket": (client, f"/tickets/{client_ticket.pk}/"),
        "client_dashboard": (client, "/dashboard/"),
        "client_list": (client, "/tickets/"),
        "client_balance": (client, "/credits/"),
        "client_movements": (client, "/credits/movements/"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--page", nargs="*")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--callers", nargs="*", default=[], help="print the callers of these")
    parser.add_argument("--sql", action="store_true", help="print each query of one request")
    parser.add_argument("--templates", help="a directory of templates searched first (A/B)")
    args = parser.parse_args()
    if args.templates:
        settings.TEMPLATES[0]["DIRS"].insert(0, args.templates)
    settings.DATABASES["default"]["TEST"]["NAME"] = (
        "test_" + settings.DATABASES["default"]["NAME"] + "_profile"
    )
    settings.ROOT_URLCONF = "bench.urls"
    creation = connection.creation
    name = creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=True)
    if not args.reuse:
        tickets_bench.build(args.tickets, 3, random.Random(42))
        import pages_bench

        pages_bench.prepare_users(args.entries)
    from tests.accounts.mfa import SecondFactorClient

    technician = User.objects.filter(role="technician").order_by("pk").first()
    client = User.objects.filter(role="client").order_by("pk").first()
    browsers = {}
    for user in (technician, client):
        browser = SecondFactorClient(HTTP_ACCEPT_LANGUAGE="es")
        browser.force_login(user)
        browsers[user.pk] = browser
    chosen = pages(technician, client)
    for label in args.page or list(chosen):
        user, path = chosen[label]
        browser = browsers[user.pk]
        for _ in range(3):
            response = browser.get(path)
            if response.status_code != 200:
                sys.exit(f"{label} {path}: HTTP {response.status_code}")
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            result = execute(sql, params, many, context)
            queries.append(connection.ops.last_executed_query(context["cursor"], sql, params))
            return result

        with connection.execute_wrapper(count):
            browser.get(path)
        if args.sql:
            for sql in queries:
                print(f"    {sql};")
        profiler = cProfile.Profile() if args.profile else None
        times, cpu = [], []
        for _ in range(args.repeat):
            started, cpu_started = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            browser.get(path)
            if profiler:
                profiler.disable()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        print(
            f"{label:<18} {statistics.median(times):7.2f} ms (CPU {statistics.median(cpu):6.2f} ms)"
            f"  {len(queries)} queries  {path}"
        )
        if profiler:
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(25)
            for pattern in args.callers:
                stats.print_callers(pattern)
                stats.print_callees(pattern)
    connection.close()
    if not args.keep:
        creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
