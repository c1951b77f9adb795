"""Approvals inside a client organization (issue 19): the settings that say when a
manager must approve, and the request and decision of one approval, decided once.

The manager's email carries one signed link per decision (approve, refuse) for that
manager; it opens a confirm page and the decision is a POST (accounts.team_views).
Estimates and charging (tickets/services/approvals.py) call ``needs_approval`` /
``exceeds_member_limit`` and ``request_approval``, and carry out a decision through
``approval_deciding``.
"""

from dataclasses import dataclass

from django.core import signing
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts import notify
from accounts.errors import AlreadyDecided, ApprovalError, BadLink
from accounts.models import MAX_TEAM_CREDITS, Approval, Organization, User
from accounts.permissions import is_org_manager

# How long a decision link works (seconds): two weeks.
LINK_MAX_AGE = 14 * 24 * 3600
LINK_SALT = "accounts.approvals.decision"
DECISIONS = {"approve": Approval.Outcome.APPROVED, "refuse": Approval.Outcome.REFUSED}


# Sent once per approval, after the decision commits: ``approval`` (outcome approved or
# refused).
approval_decided = Signal()

# Sent inside the decision's transaction, the approval row locked, before it commits:
# ``approval``. tickets/ connects to it to accept or decline the estimate that waited, or
# charge the resolution that waited, in the same transaction as the decision (the hold or
# the ledger entry commits with its cause, or not at all). A receiver returns a text for
# the manager (what the decision did) or None; raising ApprovalError undoes the decision.
approval_deciding = Signal()


# --- Settings -------------------------------------------------------------------------


def _bounded(value, label: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApprovalError(_("%(field)s must be a whole number of credits.") % {"field": label})
    if value < 0:
        raise ApprovalError(_("%(field)s cannot be negative.") % {"field": label})
    if value > MAX_TEAM_CREDITS:
        raise ApprovalError(
            _("%(field)s can be at most %(max)s credits.")
            % {"field": label, "max": MAX_TEAM_CREDITS}
        )
    return value


@transaction.atomic
def update_team_settings(
    organization: Organization,
    *,
    by: User,
    members_see_all_tickets: bool,
    approval_threshold_credits: int | None,
    member_monthly_credit_limit: int | None,
) -> Organization:
    """A manager sets who sees what and when approval is needed (credits; None: never).
    Raises ApprovalError (not a manager of it, a negative or absurd number); nothing
    changes then."""
    if not (by.is_admin or (is_org_manager(by) and by.organization_id == organization.pk)):
        raise ApprovalError(_("Only a manager of the organization can change its settings."))
    threshold = _bounded(approval_threshold_credits, _("The approval threshold"))
    limit = _bounded(member_monthly_credit_limit, _("The monthly limit per member"))
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    organization.members_see_all_tickets = bool(members_see_all_tickets)
    organization.approval_threshold_credits = threshold
    organization.member_monthly_credit_limit = limit
    organization.save(
        update_fields=[
            "members_see_all_tickets",
            "approval_threshold_credits",
            "member_monthly_credit_limit",
        ]
    )
    return organization


def needs_approval(organization: Organization, estimated_credits: int, *, by: User) -> bool:
    """Whether an estimate of ``estimated_credits`` asked by ``by`` waits for a manager:
    above the organization's threshold, and ``by`` is not a manager themselves."""
    threshold = organization.approval_threshold_credits
    return threshold is not None and estimated_credits > threshold and not is_org_manager(by)


def exceeds_member_limit(member: User, *, spent_this_month: int, credits: int) -> bool:
    """Whether charging ``credits`` more to a member who already spent
    ``spent_this_month`` (credits, their tickets, this calendar month: the caller reads
    it from the ledger) goes beyond their organization's monthly limit."""
    limit = member.organization.member_monthly_credit_limit if member.organization_id else None
    if limit is None or is_org_manager(member):
        return False
    return spent_this_month + credits > limit


# --- Requesting -----------------------------------------------------------------------


def decision_token(approval: Approval, manager: User, decision: str) -> str:
    """The signed part of a decision link: this approval, this manager, this decision."""
    return signing.dumps({"a": approval.pk, "m": manager.pk, "d": decision}, salt=LINK_SALT)


def decision_path(approval: Approval, manager: User, decision: str) -> str:
    return reverse(
        "accounts:approval_decide", kwargs={"token": decision_token(approval, manager, decision)}
    )


@dataclass(frozen=True)
class Link:
    approval: Approval
    decision: str  # "approve" or "refuse"


def read_link(token: str, *, user: User) -> Link:
    """The approval and decision of a link, if it is ``user``'s and still valid.
    Raises BadLink."""
    try:
        data = signing.loads((token or "")[:500], salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise BadLink(_("This link has expired. Decide from the approvals page.")) from None
    except signing.BadSignature:
        raise BadLink(_("This link is not valid.")) from None
    if not isinstance(data, dict) or data.get("d") not in DECISIONS:
        raise BadLink(_("This link is not valid."))
    if data.get("m") != user.pk or not is_org_manager(user):
        raise BadLink(_("This link is not valid."))
    approval = (
        Approval.objects.select_related("requested_by", "decided_by")
        .filter(pk=data.get("a"), organization_id=user.organization_id)
        .first()
    )
    if approval is None:
        raise BadLink(_("This link is not valid."))
    return Link(approval, data["d"])


def request_approval(
    organization: Organization,
    *,
    requested_by: User,
    kind: str,
    what: str,
    credits: int,
    reference: str,
) -> Approval:
    """Ask the organization's managers to approve; each gets an email with a signed
    approve and a refuse link. The same kind and reference again returns the first
    request and sends nothing more. Raises ApprovalError (bad kind, credits or text)."""
    if kind not in Approval.Kind.values:
        raise ApprovalError(_("Unknown kind of approval."))
    if isinstance(credits, bool) or not isinstance(credits, int) or credits < 0:
        raise ApprovalError(_("Credits must be a whole number, not negative."))
    what = " ".join((what or "").split())[:300]
    reference = (reference or "")[:100]
    if not what or not reference:
        raise ApprovalError(_("Say what needs approving."))
    if requested_by.organization_id != organization.pk:
        raise ApprovalError(_("Only the organization's people can ask for its approval."))
    existing = Approval.objects.filter(
        organization=organization, kind=kind, reference=reference
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            approval = Approval.objects.create(
                organization=organization,
                kind=kind,
                what=what,
                credits=credits,
                reference=reference,
                requested_by=requested_by,
            )
            _email_managers(approval)
    except IntegrityError:  # a concurrent twin created it first
        return Approval.objects.get(organization=organization, kind=kind, reference=reference)
    return approval


def _email_managers(approval: Approval) -> None:
    managers = User.objects.filter(
        organization_id=approval.organization_id,
        role=User.Role.CLIENT,
        org_role=User.OrgRole.MANAGER,
        is_active=True,
    ).order_by("pk")
    for manager in managers:
        notify.approval_requested(
            approval,
            manager,
            approve_url=decision_path(approval, manager, "approve"),
            refuse_url=decision_path(approval, manager, "refuse"),
        )


# --- Deciding -------------------------------------------------------------------------


def _already(approval: Approval) -> AlreadyDecided:
    when = date_format(timezone.localtime(approval.decided_at), "SHORT_DATETIME_FORMAT")
    name = approval.decided_by.get_full_name() if approval.decided_by else "-"
    if approval.outcome == Approval.Outcome.APPROVED:
        text = _("This request was already approved by %(name)s on %(when)s.")
    else:
        text = _("This request was already refused by %(name)s on %(when)s.")
    return AlreadyDecided(text % {"name": name, "when": when})


@transaction.atomic
def decide(approval: Approval, *, by: User, approve: bool) -> Approval:
    """Approve or refuse, once: the row is locked, so of two decisions at once the
    second finds it decided. What follows from it (``approval_deciding``'s receivers)
    runs in the same transaction; ``approval.consequences`` says what it did. Raises
    AlreadyDecided (with who and when), ApprovalError (``by`` is not a manager of the
    organization, or a receiver could not carry the decision out: nothing changed)."""
    if not (is_org_manager(by) and by.organization_id == approval.organization_id):
        raise ApprovalError(_("Only a manager of the organization can decide."))
    approval = (
        Approval.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=approval.pk)
    )
    if approval.outcome != Approval.Outcome.PENDING:
        approval.decided_by = User.objects.get(pk=approval.decided_by_id)
        raise _already(approval)
    approval.outcome = Approval.Outcome.APPROVED if approve else Approval.Outcome.REFUSED
    approval.decided_by = by
    approval.decided_at = timezone.now()
    approval.save(update_fields=["outcome", "decided_by", "decided_at"])
    # What the decision did (texts of approval_deciding's receivers), for the manager.
    approval.consequences = [
        text
        for _receiver, text in approval_deciding.send(sender=Approval, approval=approval)
        if text
    ]
    transaction.on_commit(
        lambda: approval_decided.send(sender=Approval, approval=approval), robust=True
    )
    return approval
