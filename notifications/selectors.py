"""Reads for the outbox: who receives an email, and what admins see."""

from django.db.models import QuerySet

from accounts.models import Organization, User


def organization_recipients(organization: Organization) -> QuerySet[User]:
    """The organization's active client users, by id."""
    return User.objects.filter(
        organization=organization, role=User.Role.CLIENT, is_active=True
    ).order_by("pk")


def staff_recipients() -> QuerySet[User]:
    """Active technicians and admins: the people warned about SLA targets."""
    return User.objects.filter(
        role__in=[User.Role.TECHNICIAN, User.Role.ADMIN], is_active=True
    ).order_by("pk")
