"""Server time of two API calls: a ticket list of 100 and the balance (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hd_bench .venv/bin/python bench/api_bench.py

Migrates the database it is given, adds one organization with ``--tickets`` tickets and
credits, and times each call through DRF's test client (middleware, authentication,
rate limit, view, JSON: everything but the network), ``--repeat`` times; prints the median
in milliseconds, the number of SQL queries and the ratio to the floor (``/health/live/``
through the same client and middleware, no database), measured in the same run.
"""

import argparse
import os
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import Organization, User  # noqa: E402
from api.services import create_key  # noqa: E402
from credits.services import grant  # noqa: E402
from tickets import services  # noqa: E402
from tickets.models import Contract, Product  # noqa: E402


def setup(tickets: int) -> APIClient:
    tag = uuid.uuid4().hex[:8]
    organization = Organization.objects.create(name=f"Bench {tag}")
    user = User.objects.create_user(f"bench-{tag}@example.com", organization=organization)
    product = Product.objects.create(name=f"Tienda {tag}", current_version="1")
    today = timezone.localdate()
    Contract.objects.create(
        organization=organization,
        product=product,
        version="1",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=365),
    )
    grant(organization, 600, reason="bench", idempotency_key=f"bench:{tag}")
    for number in range(tickets):
        services.open_ticket(
            user,
            product,
            kind="consultation",
            severity="minor",
            subject=f"Ticket {number}",
            description="Bench",
        )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_key(user, name='bench').plaintext}")
    return api


def bench(api: APIClient, label: str, url: str, repeat: int, floor: float | None = None) -> float:
    api.get(url)  # warm up (and record the key's last use)
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = api.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            sys.exit(f"{url}: {response.status_code} {response.content[:200]!r}")
    median = statistics.median(timings)
    ratio = f", {median / floor:.1f}x the floor" if floor else ""
    print(f"  {label}: median {median:.1f} ms, {len(captured)} queries{ratio}")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/api_bench.py needs PostgreSQL: set DATABASE_URL=postgres://...")
    call_command("migrate", verbosity=0)
    from django.conf import settings

    settings.API_RATE_LIMIT_PER_MINUTE = 10**9
    api = setup(args.tickets)
    print(f"API bench on {connection.settings_dict['NAME']} ({os.cpu_count()} CPUs)")
    # The floor: the same client and middleware on a view that reads nothing (liveness).
    floor = bench(api, "floor: GET /health/live/", "/health/live/", args.repeat)
    bench(
        api,
        f"GET /api/v1/tickets/?page_size=100 ({args.tickets} tickets)",
        "/api/v1/tickets/?page_size=100",
        args.repeat,
        floor,
    )
    bench(api, "GET /api/v1/balance/", "/api/v1/balance/", args.repeat, floor)


if __name__ == "__main__":
    main()
