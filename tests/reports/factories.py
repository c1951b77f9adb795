"""Many tickets at once (bulk inserts, fast) for the constant-query tests and the bench:
a mix of statuses, severities, assignees, time entries, charges, times and ratings."""

from datetime import timedelta

from django.utils import timezone

from reports.models import Rating, TicketTimes
from tests.credits.factories import bulk_movements
from tests.tickets.factories import ContractFactory, ProductFactory
from tickets.models import Ticket, TicketCharge, TimeEntry

STATUSES = [
    Ticket.Status.NEW,
    Ticket.Status.OPEN,
    Ticket.Status.IN_PROGRESS,
    Ticket.Status.AWAITING_CLIENT,
    Ticket.Status.AWAITING_CREDITS,
    Ticket.Status.RESOLVED,
    Ticket.Status.RESOLVED,
    Ticket.Status.CLOSED,
]
SEVERITIES = [Ticket.Severity.CRITICAL, Ticket.Severity.MAJOR, Ticket.Severity.MINOR]
RUNNING = {Ticket.Status.NEW, Ticket.Status.OPEN, Ticket.Status.IN_PROGRESS}


def bulk_tickets(
    requester, technician, count: int, *, prefix: str = "B", now=None, statuses=None, days=60
) -> list:
    """``count`` tickets of ``requester``'s organization over the last ``days`` days,
    their statuses taken in turn from ``statuses``."""
    now = now or timezone.now()
    statuses = statuses or STATUSES
    product = ProductFactory(name="Tienda online")
    contract = ContractFactory(organization=requester.organization, product=product)
    tickets = []
    for n in range(count):
        opened = now - timedelta(hours=(n * 7) % (days * 24) + 1)
        status = statuses[n % len(statuses)]
        finished = status in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)
        due = opened + timedelta(hours=8 + n % 40)
        stopped = None if status in RUNNING else min(opened + timedelta(hours=n % 30), now)
        tickets.append(
            Ticket(
                reference=f"{prefix}-{n:06d}",
                organization=requester.organization,
                requester=requester,
                product=product,
                contract=contract,
                kind=Ticket.Kind.CONSULTATION if n % 3 else Ticket.Kind.INTERVENTION,
                severity=SEVERITIES[n % 3],
                subject=f"Incidencia {n}",
                description="Texto de la incidencia.",
                status=status,
                created_at=opened,
                sla_target_hours=8,
                sla_started_at=opened,
                due_at=due,
                sla_warning_at=opened + timedelta(hours=6),
                sla_paused_at=stopped,
                resolved_at=stopped if finished else None,
            )
        )
    Ticket.objects.bulk_create(tickets, batch_size=1000)
    through = Ticket.assignees.through
    through.objects.bulk_create(
        [through(ticket_id=t.pk, user_id=technician.pk) for t in tickets[::2]], batch_size=1000
    )
    TimeEntry.objects.bulk_create(
        [
            TimeEntry(ticket=t, technician=technician, minutes=10 + i % 50, work_date=now.date())
            for i, t in enumerate(tickets)
        ],
        batch_size=1000,
    )
    finished = [t for t in tickets if t.resolved_at]
    TicketCharge.objects.bulk_create(
        [
            TicketCharge(
                ticket=t,
                number=1,
                kind=t.kind,
                outcome=TicketCharge.Outcome.NOTHING,
                minutes=20,
                created_by=technician,
                created_at=t.resolved_at,
            )
            for t in finished
        ],
        batch_size=1000,
    )
    TicketTimes.objects.bulk_create(
        [
            TicketTimes(
                ticket=t,
                severity=t.severity,
                opened_at=t.created_at,
                first_response_seconds=600 + i * 13 % 7200,
                resolution_seconds=3600 + i * 17 % 90000,
                resolved_at=t.resolved_at,
            )
            for i, t in enumerate(finished)
        ],
        batch_size=1000,
    )
    Rating.objects.bulk_create(
        [
            Rating(ticket=t, score=1 + i % 5, rated_by=requester, technician=technician)
            for i, t in enumerate(finished[::3])
        ],
        batch_size=1000,
    )
    bulk_movements(requester.organization, count)
    return tickets
