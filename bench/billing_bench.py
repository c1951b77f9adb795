"""Billing benchmark: confirmations (sequential and concurrent) and invoice PDFs.

    DATABASE_URL=postgres://... .venv/bin/python bench/billing_bench.py [--orders N] [--threads T]

Adds (and leaves) organizations named "Bench billing ..." with their paid orders, and
invoices in a series of their own ("BENCH"), so that real series keep their numbers: run
it against a scratch database. The organizations have no users, so no email is queued.
"""

import argparse
import logging
import os
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization  # noqa: E402
from billing import services  # noqa: E402
from billing.models import Invoice, InvoiceCounter  # noqa: E402
from billing.pdf import render_invoice_pdf  # noqa: E402
from credits.models import Pack  # noqa: E402

RUN = timezone.now().strftime("%Y%m%d%H%M%S")
SERIES = "BENCH"


def timed(label: str, seconds: float, extra: str = "") -> None:
    print(f"  {label:<56} {seconds * 1000:>10.2f} ms {extra}")


def make_orders(count: int, organizations: int) -> list:
    pack = Pack.objects.filter(active=True).order_by("credits").first()
    orgs = [
        Organization.objects.create(name=f"Bench billing {RUN} {n}") for n in range(organizations)
    ]
    return [services.create_order(orgs[n % organizations], pack) for n in range(count)]


def sequential(count: int) -> None:
    orders = make_orders(count, 20)
    start = time.perf_counter()
    for n, order in enumerate(orders):
        services.confirm_payment(order, provider_reference=f"bench:{RUN}:s{n}")
    elapsed = time.perf_counter() - start
    timed(f"confirm_payment, {count} orders one after another", elapsed / count, "per order")
    start = time.perf_counter()
    for n, order in enumerate(orders):
        services.confirm_payment(order, provider_reference=f"bench:{RUN}:s{n}")
    timed("confirm_payment again (replays)", (time.perf_counter() - start) / count, "per call")


def concurrent(count: int, threads: int) -> None:
    orders = make_orders(count, threads * 2)
    year = timezone.localdate().year
    before = InvoiceCounter.objects.filter(series=SERIES, year=year).values_list("last", flat=True)
    first = (before.first() or 0) + 1
    chunks = [orders[i::threads] for i in range(threads)]
    barrier = threading.Barrier(threads)

    def work(chunk):
        barrier.wait()
        try:
            for order in chunk:
                services.confirm_payment(order, provider_reference=f"bench:{RUN}:c{order.pk}")
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(chunk,)) for chunk in chunks]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    numbers = sorted(
        Invoice.objects.filter(series=SERIES, year=year, sequence__gte=first).values_list(
            "sequence", flat=True
        )
    )
    gap_free = numbers == list(range(first, first + count))
    timed(
        f"confirm_payment, {count} orders in {threads} threads",
        elapsed,
        f"total: {count / elapsed:.0f} orders/s; numbers {first}..{numbers[-1]} "
        f"{'without gaps' if gap_free else 'WITH GAPS'}",
    )


def pdfs(repeat: int = 5) -> None:
    invoice = Invoice.objects.filter(series=SERIES).order_by("-pk").first()
    render_invoice_pdf(invoice, language="es")  # imports WeasyPrint, loads fonts
    for language in ("es", "en"):
        start = time.perf_counter()
        for _ in range(repeat):
            size = len(render_invoice_pdf(invoice, language=language))
        timed(
            f"invoice PDF ({language}), mean of {repeat} runs",
            (time.perf_counter() - start) / repeat,
            f"{size / 1024:.0f} KiB",
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    logging.getLogger("billing").setLevel(logging.WARNING)  # one INFO line per event
    settings.BILLING_INVOICE_SERIES = SERIES
    print(f"billing bench on {connection.vendor} ({args.orders} orders)")
    sequential(args.orders)
    if connection.vendor == "postgresql":
        concurrent(args.orders, args.threads)
    else:
        print("  (concurrent confirmations: PostgreSQL only)")
    pdfs()


if __name__ == "__main__":
    main()
