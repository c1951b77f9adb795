"""Credits benchmark: a 1,000,000-entry ledger on PostgreSQL. Prints figures; not in CI.

    DATABASE_URL=postgres://... .venv/bin/python bench/credits_bench.py [--entries N]

Adds (and leaves) an organization with N ledger entries, 100 small organizations and
one with 1,000 movements, all named "Bench ...": run it against a scratch database.
"""

import argparse
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization  # noqa: E402
from credits import selectors, services  # noqa: E402
from credits.models import EntryKind, LedgerEntry, Lot, Wallet  # noqa: E402
from credits.pdf import render_statement_pdf  # noqa: E402

RUN = timezone.now().strftime("%Y%m%d%H%M%S")


def timed(label: str, seconds: float, extra: str = "") -> None:
    print(f"  {label:<52} {seconds * 1000:>10.2f} ms {extra}")


def bulk_ledger(entries: int) -> Organization:
    """One grant, then entries-1 consumptions of 1 credit, one a minute up to now, inserted
    with COPY (the trigger forbids UPDATE and DELETE of entries, not INSERT)."""
    organization = Organization.objects.create(name=f"Bench ledger {RUN}")
    start = timezone.now() - timedelta(minutes=entries + 10)
    first = services.grant(
        organization,
        entries * 2,
        reason="Bench: initial grant",
        idempotency_key=f"bench:{RUN}:grant",
        at=start,
    )
    wallet_id, balance = first.wallet_id, first.balance_after
    columns = (
        "wallet_id, kind, amount, balance_after, reason, reference_label, work_minutes, "
        "idempotency_key, created_at"
    )
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY credits_ledgerentry ({columns}) FROM STDIN") as copy,
    ):
        for n in range(1, entries):
            balance -= 1
            copy.write_row(
                (
                    wallet_id,
                    EntryKind.CONSUMPTION.value,
                    -1,
                    balance,
                    "Bench consultation",
                    f"Ticket #{n}",
                    n % 15 + 1,
                    f"bench:{RUN}:{n}",
                    start + timedelta(minutes=n),
                )
            )
    last = start + timedelta(minutes=entries - 1)
    Lot.objects.filter(pk=first.lot_id).update(remaining=balance)
    Wallet.objects.filter(pk=wallet_id).update(balance=balance, last_entry_at=last)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE credits_ledgerentry; ANALYZE credits_lot; ANALYZE credits_wallet")
    return organization


def bench_balance(organization: Organization) -> None:
    now = timezone.now()
    for label, at in (
        ("balance(organization)", None),
        ("balance(organization, at=30 days ago)", now - timedelta(days=30)),
        ("balance(organization, at=600 days ago)", now - timedelta(days=600)),
    ):
        selectors.balance(organization, at=at)  # warm up
        samples = []
        for _ in range(200):
            started = time.perf_counter()
            selectors.balance(organization, at=at)
            samples.append(time.perf_counter() - started)
        timed(label, statistics.median(samples), f"(median of 200; p95 {_p95(samples):.2f} ms)")


def _p95(samples) -> float:
    return sorted(samples)[int(len(samples) * 0.95)] * 1000


def consume_many(organization, count: int, prefix: str) -> None:
    try:
        for n in range(count):
            services.consume(
                organization, 1, reason="Bench", idempotency_key=f"bench:{RUN}:{prefix}:{n}"
            )
    finally:
        connections.close_all()


def bench_consume_one_wallet(organization: Organization) -> None:
    count = 500
    started = time.perf_counter()
    consume_many(organization, count, "seq")
    elapsed = time.perf_counter() - started
    rate = count / elapsed
    print(f"  consume, one wallet, 1 thread: {rate:,.0f} /s ({count} in {elapsed:.2f} s)")
    threads, per_thread = 8, 100
    started = time.perf_counter()
    workers = [
        threading.Thread(target=consume_many, args=(organization, per_thread, f"par{t}"))
        for t in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    total = threads * per_thread
    print(
        f"  consume, one wallet, {threads} threads contending: {total / elapsed:,.0f} /s "
        f"({total} in {elapsed:.2f} s; the wallet lock serializes them)"
    )


def many_wallets(wallets: int, tag: str, credits: int = 100_000) -> list[Organization]:
    organizations = []
    for n in range(wallets):
        organization = Organization.objects.create(name=f"Bench wallet {RUN}-{tag}-{n:03d}")
        services.grant(
            organization, credits, reason="Bench", idempotency_key=f"bench:{RUN}:{tag}:w{n}"
        )
        organizations.append(organization)
    return organizations


def bench_consume_many_wallets(wallets: int = 100, threads: int = 20, each: int = 20) -> float:
    """Consumes per second over ``wallets`` wallets, ``threads`` threads (each thread takes
    whole wallets, so two threads never queue on one wallet lock). Returns the rate."""
    organizations = many_wallets(wallets, f"t{threads}")
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(
            pool.map(
                lambda pair: consume_many(pair[1], each, f"t{threads}w{pair[0]}"),
                enumerate(organizations),
            )
        )
    elapsed = time.perf_counter() - started
    total = wallets * each
    rate = total / elapsed
    print(
        f"  consume, {wallets} wallets, {threads} thread{'s' if threads > 1 else ''}: "
        f"{rate:,.0f} /s ({total} in {elapsed:.2f} s)"
    )
    return rate


def bench_consume_round_trips() -> None:
    """SQL statements of one fresh consume and of its replay (outside any test)."""
    from django.test.utils import CaptureQueriesContext

    organization = many_wallets(1, "rt")[0]
    services.consume(organization, 1, reason="Bench", idempotency_key=f"bench:{RUN}:rt:0")
    for label in ("fresh", "replay"):
        with CaptureQueriesContext(connection) as captured:
            services.consume(organization, 2, reason="Bench", idempotency_key=f"bench:{RUN}:rt:1")
        print(f"  consume round trips ({label}): {len(captured)} statements")


def bench_statement() -> None:
    organization = Organization.objects.create(name=f"Bench statement {RUN}")
    services.grant(organization, 5000, reason="Bench", idempotency_key=f"bench:{RUN}:st")
    wallet = Wallet.objects.get(organization=organization)
    now = timezone.now()
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            wallet=wallet,
            kind=EntryKind.CONSUMPTION,
            amount=-1,
            balance_after=5000 - n,
            reason="Consulta de prueba con un texto de longitud normal",
            reference_label=f"Ticket #{n}",
            work_minutes=n % 15 + 1,
            idempotency_key=f"bench:{RUN}:st:{n}",
            created_at=now,
        )
        for n in range(1, 1000)
    )
    Lot.objects.filter(wallet=wallet).update(remaining=4001)
    Wallet.objects.filter(pk=wallet.pk).update(balance=4001, last_entry_at=now)
    today = timezone.localdate()
    render_statement_pdf(selectors.statement_data(organization, today, today), language="es")
    for language in ("es", "en"):
        wall, cpu = time.perf_counter(), time.process_time()
        data = selectors.statement_data(organization, today, today)
        pdf = render_statement_pdf(data, language=language)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"  statement PDF, {len(data.movements):,} movements ({language}): {wall:.2f} s wall, "
            f"{cpu:.2f} s CPU, {len(pdf) / 1024:.0f} KiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument(
        "--consume-only",
        action="store_true",
        help="only the consume figures (round trips; 100 wallets with 4 threads and 1)",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/credits_bench.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    print(f"credits bench on {connection.settings_dict['NAME']} ({os.cpu_count()} CPUs)")
    if args.consume_only:
        bench_consume_round_trips()
        bench_consume_many_wallets(threads=4)
        bench_consume_many_wallets(threads=1)
        return
    started = time.perf_counter()
    organization = bulk_ledger(args.entries)
    count = LedgerEntry.objects.filter(wallet__organization=organization).count()
    print(f"  bulk insert of {count:,} entries: {time.perf_counter() - started:.1f} s")
    bench_balance(organization)
    started = time.perf_counter()
    mismatches = list(selectors.ledger_mismatches())
    print(
        f"  check_ledger over the whole database: {time.perf_counter() - started:.1f} s, "
        f"{len(mismatches)} mismatches"
    )
    bench_consume_one_wallet(organization)
    bench_consume_round_trips()
    bench_consume_many_wallets(threads=4)
    bench_consume_many_wallets(threads=1)
    bench_consume_many_wallets(threads=20)
    bench_statement()


if __name__ == "__main__":
    main()
