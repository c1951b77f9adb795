"""Writes on users and organizations."""

from django.db import transaction

from accounts.errors import AccountError
from accounts.models import Language, Organization, User


@transaction.atomic
def update_profile(user: User, *, full_name: str, phone: str, language: str) -> User:
    """Save what a user may change about themselves. Raises AccountError on a bad language."""
    if language not in Language.values:
        raise AccountError(f"Unknown language: {language!r}")
    user.full_name = full_name.strip()
    user.phone = phone.strip()
    user.language = language
    user.save(update_fields=["full_name", "phone", "language"])
    return user


@transaction.atomic
def set_language(user: User, language: str) -> None:
    """Remember the language a logged-in user picked in the switcher."""
    if language not in Language.values:
        raise AccountError(f"Unknown language: {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


BILLING_FIELDS = (
    "tax_id",
    "email",
    "phone",
    "address",
    "postal_code",
    "city",
    "province",
    "country",
    "language",
)


@transaction.atomic
def update_billing_details(organization: Organization, *, by: User, **fields) -> Organization:
    """A client manager corrects their organization's billing data (printed on invoices).

    Raises AccountError if ``by`` is not a manager of that organization (or staff) or a
    field is unknown.
    """
    from accounts.permissions import is_org_manager  # permissions imports models only

    if not (by.is_support_staff or (is_org_manager(by) and by.organization_id == organization.pk)):
        raise AccountError("Only the organization's managers may change its billing details.")
    unknown = set(fields) - set(BILLING_FIELDS)
    if unknown:
        raise AccountError(f"Unknown fields: {', '.join(sorted(unknown))}")
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    for name, value in fields.items():
        setattr(organization, name, value)
    organization.full_clean()
    organization.save(update_fields=list(fields))
    return organization


def create_client_user(
    organization: Organization, email: str, *, password: str | None = None, **fields
) -> User:
    """A new client user of ``organization``, with the organization's language by default.

    The organization's first user is its manager (the one who registered it); later
    ones are members unless ``org_role`` says otherwise."""
    fields.setdefault("language", organization.language)
    if "org_role" not in fields:
        first = not organization.users.filter(role=User.Role.CLIENT).exists()
        fields["org_role"] = User.OrgRole.MANAGER if first else User.OrgRole.MEMBER
    return User.objects.create_user(
        email, password, role=User.Role.CLIENT, organization=organization, **fields
    )


def create_staff_user(email: str, *, role: str, password: str | None = None, **fields) -> User:
    """A technician or an admin (who also gets Django admin)."""
    if role not in (User.Role.TECHNICIAN, User.Role.ADMIN):
        raise AccountError(f"Not a staff role: {role!r}")
    if role == User.Role.ADMIN:
        return User.objects.create_superuser(email, password, **fields)
    return User.objects.create_user(email, password, role=role, **fields)
