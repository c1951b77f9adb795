"""Reads on users and organizations, scoped to what the asking user may see."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Approval, Invitation, Organization, User


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    """Staff see every organization; a client only their own."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_support_staff:
        return Organization.objects.all()
    return Organization.objects.filter(pk=user.organization_id)


def members_of(organization: Organization) -> QuerySet[User]:
    """The organization's active users, by name."""
    return organization.users.filter(is_active=True).order_by("full_name", "email")


# --- Team pages (accounts.team_views) --------------------------------------------------


def organization_people(organization: Organization) -> QuerySet[User]:
    """The organization's client users, active first, then by name (the people page)."""
    return organization.users.filter(role=User.Role.CLIENT).order_by(
        "-is_active", "full_name", "email"
    )


def client_person(organization_id: int | None, pk) -> User | None:
    """The client user ``pk`` of that organization, or None (another organization's user,
    a staff user, no such user)."""
    if organization_id is None:
        return None
    return User.objects.filter(
        organization_id=organization_id, role=User.Role.CLIENT, pk=pk
    ).first()


def open_invitations(organization: Organization, *, limit: int, now=None) -> list[Invitation]:
    """Invitations still waiting for an answer: neither accepted, withdrawn nor expired."""
    now = now or timezone.now()
    return list(
        Invitation.objects.filter(
            organization=organization,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        ).select_related("invited_by")[:limit]
    )


def invitation_of(organization_id: int | None, pk) -> Invitation | None:
    """The organization's invitation ``pk`` (in any state), or None."""
    if organization_id is None:
        return None
    return Invitation.objects.filter(organization_id=organization_id, pk=pk).first()


def recent_approvals(organization: Organization, *, limit: int) -> list[Approval]:
    """The organization's latest approvals, newest first, with who asked and decided."""
    return list(
        Approval.objects.filter(organization=organization)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-pk")[:limit]
    )
