"""Reads for the outbox: who receives an email, and what admins see."""

from django.db.models import QuerySet

from accounts.models import Organization, User


def organization_recipients(
    organization: Organization, *, managers_only: bool = False
) -> QuerySet[User]:
    """The organization's active client users, by id; ``managers_only``: its managers
    (issue 19: the people who buy and see the money)."""
    users = User.objects.filter(organization=organization, role=User.Role.CLIENT, is_active=True)
    if managers_only:
        users = users.filter(org_role=User.OrgRole.MANAGER)
    return users.order_by("pk")


def staff_recipients() -> QuerySet[User]:
    """Active technicians and admins: the people warned about SLA targets."""
    return User.objects.filter(
        role__in=[User.Role.TECHNICIAN, User.Role.ADMIN], is_active=True
    ).order_by("pk")
