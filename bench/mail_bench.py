"""Inbound email: 1,000 messages through receive_email, and an empty IMAP poll (PostgreSQL,
dovecot-imapd installed).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hd_bench .venv/bin/python bench/mail_bench.py

Migrates the database it is given and adds one organization with a client user and a
contract. Sends ``--messages`` messages: 40 % new tickets, 40 % replies to them (by
In-Reply-To of the reply email and by the subject's reference), 10 % automatic mail and
10 % duplicates; prints the time per message (median, p95, mean) per outcome. Then starts
a throw-away dovecot on ``--port``, and polls its empty INBOX ``--polls`` times: prints the
time per empty poll and the IMAP commands each sends.
"""

import argparse
import imaplib
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Organization, User  # noqa: E402
from mailchannel import polling, testing  # noqa: E402
from mailchannel.models import Mailbox  # noqa: E402
from tickets.inbound import receive_email  # noqa: E402
from tickets.models import Contract, Product  # noqa: E402


def message(tag, n, sender, *, subject, extra="", body="La tienda no carga desde esta mañana."):
    return (
        f"From: Cliente <{sender}>\r\nTo: soporte@example.com\r\nSubject: {subject}\r\n"
        f"Message-ID: <bench-{tag}-{n}@cliente.example>\r\n{extra}"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n\r\nOn Tue, 1 Dec 2026, Soporte <soporte@example.com> wrote:\r\n> antes\r\n"
    ).encode()


def setup():
    tag = uuid.uuid4().hex[:8]
    organization = Organization.objects.create(name=f"Bench {tag}")
    user = User.objects.create_user(f"bench-{tag}@cliente.example", organization=organization)
    product = Product.objects.create(name=f"Tienda {tag}", current_version="1")
    today = timezone.localdate()
    Contract.objects.create(
        organization=organization,
        product=product,
        version="1",
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=300),
    )
    return tag, user


def bench_receive(count: int) -> None:
    tag, user = setup()
    times = defaultdict(list)
    tickets = []
    for n in range(count):
        kind = n % 10
        if kind < 4 or not tickets:
            raw = message(tag, n, user.email, subject=f"Incidencia {n}")
        elif kind < 8:
            ticket = tickets[n % len(tickets)]
            raw = message(tag, n, user.email, subject=f"Re: [{ticket.reference}] Incidencia")
        elif kind == 8:
            raw = message(
                tag,
                n,
                user.email,
                subject="Fuera de la oficina",
                extra="Auto-Submitted: auto-replied\r\n",
            )
        else:
            raw = message(tag, n - 9, user.email, subject="dup")  # an earlier Message-ID
        started = time.perf_counter()
        result = receive_email(raw)
        times[result.outcome].append((time.perf_counter() - started) * 1000)
        if result.outcome == "created":
            tickets.append(result.ticket)
    every = [t for values in times.values() for t in values]
    print(f"receive_email, {len(every)} messages")
    for outcome, values in [*sorted(times.items()), ("all", every)]:
        values = sorted(values)
        p95 = values[int(len(values) * 0.95) - 1] if len(values) > 1 else values[0]
        print(
            f"  {outcome:10} n={len(values):4}  median {statistics.median(values):6.1f} ms  "
            f"p95 {p95:6.1f} ms  mean {statistics.fmean(values):6.1f} ms"
        )


def bench_empty_poll(port: int, polls: int) -> None:
    if testing.available() is None:
        print("dovecot is not installed: no poll figures")
        return
    server = testing.start(Path(tempfile.mkdtemp(prefix="mail-bench-")), port)
    try:
        mailbox = Mailbox(
            name="bench", host="127.0.0.1", port=port, use_ssl=False, username=server.user
        )
        polling.set_password(mailbox, server.password)
        mailbox.save()
        sent = []
        original = imaplib.IMAP4._command

        def spy(self, name, *args):
            sent.append(name)
            return original(self, name, *args)

        imaplib.IMAP4._command = spy
        times = []
        for _ in range(polls):
            sent.clear()
            started = time.perf_counter()
            polling.poll(mailbox)
            times.append((time.perf_counter() - started) * 1000)
        imaplib.IMAP4._command = original
        print(
            f"empty poll, {polls} polls: median {statistics.median(times):.1f} ms; "
            f"commands {sent} (one check after login: UID SEARCH UNSEEN)"
        )
        mailbox.delete()
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--polls", type=int, default=20)
    parser.add_argument("--port", type=int, default=8647)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    bench_receive(args.messages)
    bench_empty_poll(args.port, args.polls)


if __name__ == "__main__":
    main()
