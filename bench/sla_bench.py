"""Speed of the SLA engine (tickets.sla): microseconds per call, pure Python, no database.

Run from the repository root: .venv/bin/python bench/sla_bench.py [--calls 100000]
"""

import argparse
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tickets import sla

MADRID = ZoneInfo("Europe/Madrid")
SEVERITIES = ("critical", "major", "minor")
SPAN_START = datetime(2026, 1, 1, tzinfo=MADRID)
SPAN_SECONDS = 2 * 365 * 86_400  # opened_at anywhere in 2026-2027


def random_moments(rng, count):
    return [SPAN_START + timedelta(seconds=rng.randrange(SPAN_SECONDS)) for _ in range(count)]


def timed(label, calls, function):
    """Run ``function`` once (it makes ``calls`` calls) and print microseconds per call."""
    started = time.perf_counter()
    function()
    elapsed = time.perf_counter() - started
    print(f"{label:<62} {elapsed / calls * 1e6:9.2f} µs/call  ({calls:,} calls, {elapsed:.2f} s)")


def fresh_calendar():
    """What a caller that builds its calendar per request gets: an empty day cache."""
    return sla.Calendar(
        tz=MADRID,
        weekly_hours=dict.fromkeys(range(5), ((sla.DEFAULT_OPENING, sla.DEFAULT_CLOSING),)),
        holiday_country="ES",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2026)
    calls = parser.parse_args().calls
    rng = random.Random(parser.parse_args().seed)
    print(f"Python {platform.python_version()} on {platform.machine()}")

    pairs = [(at, rng.choice(SEVERITIES)) for at in random_moments(rng, calls)]
    calendar = sla.default_calendar()

    def resolution_due_all():
        for opened_at, severity in pairs:
            sla.resolution_due(opened_at, severity)

    timed("resolution_due, default calendar, first pass (cold cache)", calls, resolution_due_all)
    timed("resolution_due, default calendar, second pass (warm cache)", calls, resolution_due_all)
    for severity in SEVERITIES:
        subset = [(at, s) for at, s in pairs if s == severity]

        def one_severity(subset=subset):
            for opened_at, chosen in subset:
                sla.resolution_due(opened_at, chosen)

        timed(f"resolution_due, {severity} only (warm)", len(subset), one_severity)

    elapsed_pairs = pairs[: calls // 10]

    def elapsed_hours():
        for opened_at, severity in elapsed_pairs:
            sla.resolution_due(opened_at, severity, business_hours=False)

    timed("resolution_due, elapsed hours", len(elapsed_pairs), elapsed_hours)

    cold = pairs[:2_000]

    def per_call():
        for opened_at, severity in cold:
            sla.resolution_due(opened_at, severity, fresh_calendar())

    timed("resolution_due, new Calendar per call (incl. building it)", len(cold), per_call)

    starts = random_moments(rng, 1_000)
    thousand_hours = timedelta(hours=1_000)

    def add_thousand_hours():
        for start in starts:
            sla.add_business_time(start, thousand_hours, calendar)

    timed("add_business_time 1,000 h (~5 months), default calendar", 1_000, add_thousand_hours)
    ends = [sla.add_business_time(start, thousand_hours, calendar) for start in starts]

    def between_thousand_hours():
        for start, end in zip(starts, ends, strict=True):
            sla.business_time_between(start, end, calendar)

    timed("business_time_between over 1,000 business hours", len(starts), between_thousand_hours)

    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    states = [(at, sla.resolution_due(at, severity)) for at, severity in pairs[:10_000]]

    def sla_states():
        for opened_at, due_at in states:
            sla.sla_state(now, opened_at, due_at, paused=False, calendar=calendar)

    timed("sla_state (ok/warning/breached + figures)", len(states), sla_states)


if __name__ == "__main__":
    main()
