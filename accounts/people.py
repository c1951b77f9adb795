"""People of a client organization (issue 19): a manager changes roles and removes
people. The last active manager can be neither demoted nor removed."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.errors import PeopleError
from accounts.models import User
from accounts.permissions import is_org_manager


def _check(person: User, by: User) -> None:
    if not person.is_client or person.organization_id is None:
        raise PeopleError(_("Only people of a client organization have these roles."))
    if by.is_admin:
        return
    if not (is_org_manager(by) and by.organization_id == person.organization_id):
        raise PeopleError(_("Only a manager of the organization can change its people."))


def _lock_managers(organization_id: int) -> list[int]:
    """Lock the organization's active managers (in id order, so two requests never
    deadlock) and return their ids: "the last manager" is decided on locked rows."""
    return list(
        User.objects.select_for_update()
        .filter(
            organization_id=organization_id,
            role=User.Role.CLIENT,
            org_role=User.OrgRole.MANAGER,
            is_active=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _locked_check(person: User, by: User) -> list[int]:
    """The organization's managers, locked; ``by`` must still be one of them (a manager
    demoted a moment ago by another request can no longer act). Raises PeopleError."""
    managers = _lock_managers(person.organization_id)
    if not by.is_admin and by.pk not in managers:
        raise PeopleError(_("Only a manager of the organization can change its people."))
    return managers


@transaction.atomic
def change_role(person: User, *, org_role: str, by: User) -> User:
    """Make ``person`` a manager or a member. Raises PeopleError (not allowed, unknown
    role, or the organization's last manager being demoted)."""
    _check(person, by)
    if org_role not in User.OrgRole.values:
        raise PeopleError(_("Choose a role: manager or member."))
    managers = _locked_check(person, by)
    # Read again under the lock (after the managers', always in that order).
    person = User.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        raise PeopleError(_("This person has been removed from the organization."))
    if org_role == User.OrgRole.MEMBER and managers == [person.pk]:
        raise PeopleError(
            _("%(name)s is the organization's last manager. Make someone else a manager first.")
            % {"name": person.get_full_name()}
        )
    person.org_role = org_role
    person.save(update_fields=["org_role"])
    return person


@transaction.atomic
def remove(person: User, *, by: User) -> User:
    """Take ``person`` out of the organization: deactivated, their sessions ended; their
    tickets stay with the organization. Raises PeopleError (not allowed, already
    removed, or the last manager)."""
    _check(person, by)
    managers = _locked_check(person, by)
    person = User.objects.select_for_update().get(pk=person.pk)
    if not person.is_active:
        raise PeopleError(_("This person has already been removed."))
    if managers == [person.pk]:
        raise PeopleError(
            _("%(name)s is the organization's last manager. Make someone else a manager first.")
            % {"name": person.get_full_name()}
        )
    # The epoch is part of the session hash: every session of theirs ends now.
    User.objects.filter(pk=person.pk).update(is_active=False, session_epoch=F("session_epoch") + 1)
    person.refresh_from_db(fields=["is_active", "session_epoch"])
    return person


def leaves_a_manager(person: User, *, org_role: str, is_active: bool) -> bool:
    """Whether saving ``person`` with these values (Django admin's form) keeps at least
    one active manager in their organization. Reads without locking: admin's check."""
    if not person.pk or not person.is_client or person.organization_id is None:
        return True
    if org_role == User.OrgRole.MANAGER and is_active:
        return True
    others = User.objects.filter(
        organization_id=person.organization_id,
        role=User.Role.CLIENT,
        org_role=User.OrgRole.MANAGER,
        is_active=True,
    ).exclude(pk=person.pk)
    was_manager = (
        User.objects.filter(pk=person.pk, org_role=User.OrgRole.MANAGER, is_active=True)
        .exclude(organization_id=None)
        .exists()
    )
    return others.exists() or not was_manager
