"""Invitations to a client organization (issue 19): a manager invites an address, the
invitee opens the emailed link once, before it expires, and chooses a password.

The link carries a random token; only its SHA-256 is stored (``Invitation.token_hash``).
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import notify
from accounts.errors import InvitationError, InvitationNotFound
from accounts.models import Invitation, Language, Organization, User
from accounts.permissions import is_org_manager
from accounts.services import create_client_user

# Days an invitation link works (settings.TEAM_INVITATION_DAYS overrides it).
INVITATION_DAYS = 7
# At most this many open invitations per organization (a manager cannot flood the outbox).
MAX_OPEN_INVITATIONS = 50


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def accept_path(token: str) -> str:
    return reverse("accounts:invitation_accept", kwargs={"token": token})


def valid_days() -> int:
    return int(getattr(settings, "TEAM_INVITATION_DAYS", INVITATION_DAYS))


def _check_manager(organization: Organization, by: User) -> None:
    if by.is_admin:
        return
    if not (is_org_manager(by) and by.organization_id == organization.pk):
        raise InvitationError(_("Only a manager of the organization can invite people."))


@transaction.atomic
def invite(
    organization: Organization,
    email: str,
    *,
    by: User,
    org_role: str = User.OrgRole.MEMBER,
    language: str | None = None,
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``organization`` and queue the email with the link; returns the
    invitation and the token (shown nowhere else). A new invitation to the same address
    replaces the open one. Raises InvitationError (not a manager, an address that already
    has an account, a bad role or language, too many open invitations)."""
    _check_manager(organization, by)
    email = User.objects.normalize_email((email or "").strip()).lower()
    if not email or len(email) > 254:
        raise InvitationError(_("Enter an email address."))
    if org_role not in User.OrgRole.values:
        raise InvitationError(_("Choose a role: manager or member."))
    language = language or organization.language
    if language not in Language.values:
        raise InvitationError(_("Choose a language: Spanish or English."))
    # Lock the organization: two managers inviting at once are counted one after the other.
    Organization.objects.select_for_update().get(pk=organization.pk)
    if User.objects.filter(email__iexact=email).exists():
        raise InvitationError(
            _("%(email)s already has an account. Ask support to move it to your organization.")
            % {"email": email}
        )
    now = timezone.now()
    open_ones = Invitation.objects.filter(
        organization=organization, accepted_at__isnull=True, revoked_at__isnull=True
    ).filter(expires_at__gt=now)
    open_ones.filter(email__iexact=email).update(revoked_at=now)
    if open_ones.count() >= MAX_OPEN_INVITATIONS:
        raise InvitationError(
            _("Your organization has %(count)d invitations waiting. Withdraw some first.")
            % {"count": MAX_OPEN_INVITATIONS}
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        org_role=org_role,
        language=language,
        token_hash=token_hash(token),
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(days=valid_days()),
    )
    notify.team_invitation(invitation, inviter=by, accept_url=accept_path(token))
    return invitation, token


def open_invitation(token: str) -> Invitation:
    """The invitation of a link that still works. Raises InvitationNotFound (unknown
    token) or InvitationError (expired, withdrawn or already used)."""
    invitation = (
        Invitation.objects.select_related("organization")
        .filter(token_hash=token_hash((token or "")[:200]))
        .first()
    )
    if invitation is None:
        raise InvitationNotFound(_("This invitation link is not valid."))
    _check_open(invitation)
    return invitation


def _check_open(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise InvitationError(
            _("This invitation has already been used. Log in with your email and password.")
        )
    if invitation.revoked_at is not None:
        raise InvitationError(_("This invitation has been withdrawn. Ask your manager again."))
    if invitation.expires_at <= timezone.now():
        raise InvitationError(
            _("This invitation has expired. Ask your manager to send you a new one.")
        )
    if not invitation.organization.is_active:
        raise InvitationError(_("This organization is no longer active."))


def accept(token: str, *, password: str, full_name: str = "") -> User:
    """Use the invitation once: the invitee's user, a member (or manager) of the
    organization, with ``password`` (already checked by Django's validators in the
    form). Raises InvitationNotFound, InvitationError (expired, used, withdrawn, or the
    address got an account meanwhile); nothing is created then."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("organization")
            .filter(token_hash=token_hash((token or "")[:200]))
            .first()
        )
        if invitation is None:
            raise InvitationNotFound(_("This invitation link is not valid."))
        _check_open(invitation)
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError(
                _("%(email)s already has an account. Log in with it.") % {"email": invitation.email}
            )
        try:
            with transaction.atomic():
                user = create_client_user(
                    invitation.organization,
                    invitation.email,
                    password=password,
                    full_name=(full_name or "").strip()[:150],
                    language=invitation.language,
                    org_role=invitation.org_role,
                )
        except IntegrityError:  # the same address registered a moment ago
            raise InvitationError(
                _("%(email)s already has an account. Log in with it.") % {"email": invitation.email}
            ) from None
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        invitation.save(update_fields=["accepted_at", "accepted_user"])
    return user


@transaction.atomic
def withdraw(invitation: Invitation, *, by: User) -> Invitation:
    """A manager withdraws an open invitation: its link stops working. Raises
    InvitationError (not a manager of that organization, or no longer open)."""
    _check_manager(invitation.organization, by)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open():
        raise InvitationError(_("This invitation is no longer waiting."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    return invitation
