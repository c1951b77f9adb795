"""Writes of the reports app: per-ticket SLA times and CSAT ratings."""

from datetime import UTC, datetime

from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import User
from reports.errors import InvalidRating
from reports.models import Rating, TicketTimes
from tickets import calendars, sla
from tickets.models import FINISHED_STATUSES, Message, StatusChange, Ticket

RATING_SALT = "reports.csat"
# A rating link from the resolution email stays valid this long (seconds): 60 days.
RATING_MAX_AGE = 60 * 24 * 3600
COMMENT_MAX = 1000
REFRESH_BATCH = 500


def _sla_seconds(start: datetime, end: datetime, *, business_hours: bool, calendar) -> int:
    """SLA time between two moments, counted by tickets.sla like the ticket's clock."""
    if end <= start:
        return 0
    if business_hours:
        return int(sla.business_time_between(start, end, calendar).total_seconds())
    return int((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds())


def _first_staff_reply(ticket: Ticket) -> datetime | None:
    return (
        Message.objects.filter(
            ticket=ticket,
            is_internal=False,
            author__role__in=[User.Role.TECHNICIAN, User.Role.ADMIN],
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def record_times(ticket: Ticket, *, calendar=None) -> TicketTimes:
    """Compute and store ``ticket``'s first-response and resolution times in SLA time.

    The resolution time is the clock's running time until it stopped for good: the
    ticket's ``sla_started_at`` has already been moved later by every pause, so the
    time from it to ``sla_paused_at`` is the time the clock ran (waits excluded).
    """
    calendar = calendar or calendars.default_calendar()
    business = ticket.sla_business_hours
    replied_at = _first_staff_reply(ticket)
    first = (
        _sla_seconds(ticket.created_at, replied_at, business_hours=business, calendar=calendar)
        if replied_at
        else None
    )
    resolution = None
    resolved_at = None
    if ticket.status in FINISHED_STATUSES and ticket.status != Ticket.Status.OUT_OF_SCOPE:
        stopped = ticket.sla_paused_at or ticket.resolved_at
        resolved_at = ticket.resolved_at or ticket.closed_at or stopped
        resolution = _sla_seconds(
            ticket.sla_started_at, stopped, business_hours=business, calendar=calendar
        )
    times, _ = TicketTimes.objects.update_or_create(
        ticket=ticket,
        defaults={
            "severity": ticket.severity,
            "opened_at": ticket.created_at,
            "first_response_seconds": first,
            "resolution_seconds": resolution,
            "resolved_at": resolved_at,
            "computed_at": timezone.now(),
        },
    )
    return times


def refresh_times(*, batch_size: int = REFRESH_BATCH) -> int:
    """Record the times of tickets changed since their times were computed (or never
    computed), at most ``batch_size`` a call. Safe to run twice; returns how many."""
    stale = TicketTimes.objects.filter(
        ticket=OuterRef("pk"), computed_at__gte=OuterRef("updated_at")
    )
    replied = Message.objects.filter(ticket=OuterRef("pk"), is_internal=False).exclude(
        author__role=User.Role.CLIENT
    )
    tickets = (
        Ticket.objects.filter(~Exists(stale))
        .filter(Q(status__in=FINISHED_STATUSES) | Exists(replied))
        .order_by("updated_at", "pk")[:batch_size]
    )
    calendar = calendars.default_calendar()
    count = 0
    for ticket in tickets:
        record_times(ticket, calendar=calendar)
        count += 1
    return count


# --- CSAT ------------------------------------------------------------------------------


def rating_token(ticket: Ticket | str) -> str:
    """The signed token of the rating links of a ticket (or of its reference), in the
    email and on the page. It names the ticket by reference, so an email can carry it
    without reading the database; who may rate, and when, is checked at the click."""
    reference = ticket if isinstance(ticket, str) else ticket.reference
    return signing.TimestampSigner(salt=RATING_SALT).sign_object({"r": reference})


def ticket_reference_from_token(token: str) -> str:
    """The ticket reference a token was made for. Raises InvalidRating (bad or expired)."""
    try:
        data = signing.TimestampSigner(salt=RATING_SALT).unsign_object(
            token[:500], max_age=RATING_MAX_AGE
        )
    except signing.BadSignature:
        raise InvalidRating() from None
    if not isinstance(data, dict) or not isinstance(data.get("r"), str):
        raise InvalidRating()
    return data["r"][:32]


def _resolver(ticket: Ticket) -> User | None:
    change = (
        StatusChange.objects.filter(ticket=ticket, to_status=Ticket.Status.RESOLVED)
        .select_related("by")
        .order_by("-created_at", "-pk")
        .first()
    )
    if change and change.by.is_support_staff:
        return change.by
    return None


@transaction.atomic
def rate(ticket: Ticket, *, by: User, score: int, comment: str | None = None) -> Rating:
    """Record (or change) the client's rating of a resolved ticket. Raises InvalidRating
    when the ticket is not resolved or closed, or the score is not 1 to 5."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidRating()
    if ticket.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        raise InvalidRating()
    rating = Rating.objects.select_for_update().filter(ticket=ticket).first()
    if rating is None:
        rating = Rating(ticket=ticket, technician=_resolver(ticket), created_at=timezone.now())
    rating.score = score
    rating.rated_by = by
    if comment is not None:
        rating.comment = comment.strip()[:COMMENT_MAX]
    rating.save()
    return rating
