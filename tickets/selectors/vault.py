"""Reads of the credential vault: which access data a user may list, who may reveal it,
and the log of reveals a client sees. Never the secret: only ``services.reveal_credential``
decrypts it."""

from django.db.models import QuerySet

from accounts.models import Organization, User
from accounts.permissions import is_org_manager
from tickets.models import ACTIVE_STATUSES, AssignmentChange, Credential, CredentialReveal, Ticket
from tickets.selectors import tickets_visible_to

# The reveal log a client sees: the most recent ones.
REVEAL_LOG_LENGTH = 100


def credentials_visible_to(user: User) -> QuerySet[Credential]:
    """A manager lists their organization's access data (labels only), a member only that
    of the tickets they may see (issue 19); staff list all."""
    if not user.is_authenticated:
        return Credential.objects.none()
    credentials = Credential.objects.select_related("ticket", "created_by")
    if user.is_support_staff:
        return credentials
    if not user.is_client or user.organization_id is None:
        return Credential.objects.none()
    credentials = credentials.filter(organization_id=user.organization_id)
    if is_org_manager(user):
        return credentials
    return credentials.filter(ticket__in=tickets_visible_to(user).values("pk"))


def organization_credentials(organization: Organization) -> list[Credential]:
    """All access data of the organization (its own and its tickets'), by label."""
    return list(
        Credential.objects.filter(organization=organization)
        .select_related("ticket", "created_by")
        .order_by("ticket_id", "label", "pk")
    )


def ticket_credentials(ticket: Ticket) -> list[Credential]:
    """The access data a technician may use on the ticket: its own and its organization's."""
    organization_level = Credential.objects.filter(
        organization_id=ticket.organization_id, ticket__isnull=True
    )
    return list(
        (organization_level | Credential.objects.filter(ticket=ticket))
        .select_related("created_by")
        .order_by("label", "pk")
    )


def reveal_ticket(credential: Credential, user: User) -> Ticket | None:
    """The ticket whose assignment lets ``user`` reveal the credential, or None.

    A ticket's access data: ``user`` assigned to that ticket. The organization's: assigned
    to any unresolved ticket of the organization. Nobody else, admins included.
    """
    if not (user.is_active and user.is_support_staff):
        return None
    if credential.ticket_id is not None:
        return Ticket.objects.filter(pk=credential.ticket_id, assignees=user).first()
    return _assigned_open_ticket(credential.organization_id, user)


def reveal_ticket_for_organization(ticket: Ticket, user: User) -> Ticket | None:
    """The open ticket of ``ticket``'s organization assigned to ``user`` (which lets them
    reveal the organization's access data), or None."""
    if not (user.is_active and user.is_support_staff):
        return None
    return _assigned_open_ticket(ticket.organization_id, user)


def _assigned_open_ticket(organization_id: int, user: User) -> Ticket | None:
    return (
        Ticket.objects.filter(
            organization_id=organization_id, status__in=ACTIVE_STATUSES, assignees=user
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def can_reveal(credential: Credential, user: User) -> bool:
    return reveal_ticket(credential, user) is not None


def reveals_for(organization: Organization, *, limit: int = REVEAL_LOG_LENGTH):
    """Who saw the organization's access data, newest first (``limit`` rows)."""
    return list(
        CredentialReveal.objects.filter(organization=organization)
        .select_related("revealed_by", "ticket")
        .order_by("-revealed_at", "-pk")[:limit]
    )


def assignments_for(organization: Organization, *, limit: int = REVEAL_LOG_LENGTH):
    """Who was assigned to or unassigned from the organization's tickets (being assigned
    opens their access data), newest first (``limit`` rows; one query)."""
    return list(
        AssignmentChange.objects.filter(organization=organization)
        .select_related("technician", "by", "ticket")
        .order_by("-created_at", "-pk")[:limit]
    )
