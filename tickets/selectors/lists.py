"""The rows of the technicians' queue and of the client's ticket list: only the columns
the rows show (``ticket_tags.queue_rows``, ``ticket_tags.client_ticket_rows``), and what
each row adds in the same query (issue 15: a ticket has eleven dates, the description
and the search vector; its requester, product and organization as many again)."""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Case, F, OuterRef, Prefetch, QuerySet, When

from accounts.models import User
from tickets.models import Ticket
from tickets.selectors import QueueFilters, client_tickets, queue_for
from tickets.selectors.charging import with_charge_totals

QUEUE_ROW_FIELDS = (
    "reference",
    "subject",
    "severity",
    "status",
    "public_message_count",
    "created_at",
    "queue_rank",
    "due_at",
    "sla_target_hours",
    "sla_business_hours",
    "sla_started_at",
    "sla_warning_at",
    "sla_paused_at",
    "organization__name",
    "product__name",
)
CLIENT_ROW_FIELDS = (
    "reference",
    "subject",
    "severity",
    "status",
    "public_message_count",
    "last_activity_at",
    "created_at",
    "product__name",
    "requester__full_name",
    "requester__email",
)


def queue_rows(technician: User, filters: QueueFilters) -> QuerySet[Ticket]:
    """``queue_for`` with the rows' columns and each ticket's assignees' names."""
    return with_assignee_names(queue_for(technician, filters).only(*QUEUE_ROW_FIELDS))


def with_assignee_names(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Each ticket's assignees' names (``assignee_names``: the full name, or the email when
    there is none), by name: on PostgreSQL an ``ARRAY(...)`` column of the rows' own query,
    elsewhere a prefetch of the assignees' names and emails. Not ``rows.rows`` (the ticket
    page's JSON lists, which rebuild a User per assignee): measured 2-3 ms slower on a queue
    page of 25 rows (issue 15)."""
    tickets = tickets.prefetch_related(None)
    if connection.vendor != "postgresql":
        return tickets.prefetch_related(
            Prefetch(
                "assignees",
                queryset=User.objects.only("full_name", "email").order_by("full_name", "email"),
            )
        )
    names = (
        User.objects.filter(assigned_tickets=OuterRef("pk"))
        .order_by("full_name", "email")
        .annotate(
            label=Case(When(full_name__regex=r"^\s*$", then=F("email")), default=F("full_name"))
        )
        .values("label")
    )
    return tickets.annotate(assignee_names=ArraySubquery(names))


def client_rows(user: User, *, status: str = "") -> QuerySet[Ticket]:
    """``client_tickets`` with the rows' columns and their minutes and credits charged."""
    return with_charge_totals(client_tickets(user, status=status).only(*CLIENT_ROW_FIELDS))
