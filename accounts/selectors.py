"""Reads on users and organizations, scoped to what the asking user may see."""

from django.db.models import QuerySet

from accounts.models import Organization, User


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
