"""Holds: credits reserved for an accepted estimate, that nobody else may spend.

The charging flow: accept an estimate → ``hold``; resolve → ``consume(..., hold=hold)``
charges the real amount and frees the rest; close without charge → ``release_hold``.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from credits import notify
from credits.errors import InsufficientCredits
from credits.models import Hold
from credits.services import _core


@transaction.atomic
def hold(
    organization: Organization,
    credits: int,
    *,
    reason: str,
    reference=None,
    reference_label: str = "",
    idempotency_key: str,
    actor: User | None = None,
) -> Hold:
    """Reserve ``credits`` of the available balance. The same key twice holds once.

    Raises InsufficientCredits, InvalidCredits, InvalidRequest, UnknownOrganization,
    IdempotencyConflict.
    """
    credits = _core.positive_credits(credits)
    reason = _core.required_text(reason, _("reason"))
    key = _core.idempotency_key(idempotency_key)
    wallet = _core.locked_wallet(organization)
    if existing := _core.replayed_hold(key, wallet=wallet, amount=credits):
        return existing
    now, recorded_at = _core.moment(wallet)
    available = _core.spendable(wallet, _core.open_lots(wallet, now))
    if credits > available:
        raise InsufficientCredits(requested=credits, available=available)
    new_hold = Hold(
        wallet=wallet,
        amount=credits,
        reason=reason,
        actor=actor,
        idempotency_key=key,
        created_at=recorded_at,
        **_core.reference_fields(reference, reference_label),
    )
    _core.save_with_key(new_hold, key)
    wallet.held += credits
    wallet.save(update_fields=["held"])
    notify.check_low_balance(wallet, cause=f"hold:{new_hold.pk}")
    return new_hold


@transaction.atomic
def release_hold(hold: Hold, *, reason: str, actor: User | None = None) -> Hold:
    """Give the held credits back to the available balance.

    A hold already charged or released is returned unchanged (safe to call twice).
    Raises InvalidRequest (no reason).
    """
    reason = _core.required_text(reason, _("reason"))
    wallet = _core.locked_wallet_by_id(hold.wallet_id)
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if not hold.is_open:
        return hold
    recorded_at = _core.moment(wallet)[1]
    wallet.held -= hold.amount
    wallet.save(update_fields=["held"])
    hold.status = Hold.Status.RELEASED
    hold.closed_at = recorded_at
    hold.close_reason = reason
    hold.save(update_fields=["status", "closed_at", "close_reason"])
    notify.check_low_balance(wallet, cause=f"release:{hold.pk}")  # may re-arm the warning
    return hold
