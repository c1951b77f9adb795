"""The accounts emails, written to the outbox (sent once by the worker): the password reset
link (in the language of the user's profile), a team invitation (in the invitation's
language) and an approval request to each manager."""

import time

from django.conf import settings
from django.urls import reverse

from accounts.models import Approval, Invitation, User


def password_reset(user: User, *, uidb64: str, token: str) -> None:
    """Queue the reset link for ``user``. A double click queues one email (one per user and
    minute)."""
    # notifications sits above accounts; the import is here, at the one call.
    from notifications import services as notifications
    from notifications.models import Kind

    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    notifications.queue_email(
        user,
        Kind.PASSWORD_RESET,
        {
            "reset_url": path,
            "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
        },
        dedupe_key=f"password_reset:{user.pk}:{int(time.time()) // 60}",
    )


def team_invitation(invitation: Invitation, *, inviter: User, accept_url: str) -> None:
    """Queue the invitation link to the invited address (one email per invitation)."""
    # notifications sits above accounts; the import is here, at the one call.
    from notifications import services as notifications
    from notifications.models import Kind

    notifications.queue_email_to_address(
        invitation.email,
        invitation.language,
        Kind.TEAM_INVITATION,
        {
            "organization_name": invitation.organization.name,
            "inviter_name": inviter.get_full_name(),
            "accept_url": accept_url,
            "expires_at": invitation.expires_at,
        },
        dedupe_key=f"team_invitation:{invitation.pk}",
    )


def approval_requested(
    approval: Approval, manager: User, *, approve_url: str, refuse_url: str
) -> None:
    """Queue a manager's decision links for ``approval`` (one email per approval and
    manager)."""
    # notifications sits above accounts; the import is here, at the one call.
    from notifications import services as notifications
    from notifications.models import Kind

    notifications.queue_email(
        manager,
        Kind.APPROVAL_REQUESTED,
        {
            "organization_name": approval.organization.name,
            "requester_name": approval.requested_by.get_full_name(),
            "approval_kind": approval.kind,
            "what": approval.what,
            "credits": approval.credits,
            "approve_url": approve_url,
            "refuse_url": refuse_url,
        },
        dedupe_key=f"approval_requested:{approval.pk}:{manager.pk}",
    )
