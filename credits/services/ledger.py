"""Writes that move credits: grant, consume, adjust, refund a lot, expire lots.

Each one locks the organization's wallet, writes its ledger entry and the new running
balance in one transaction, and returns the entry (``entry.balance_after`` is the new
balance). The same ``idempotency_key`` twice has one effect and returns the first entry.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from credits import hooks, selectors
from credits.errors import InsufficientCredits, InvalidCredits, InvalidHold, InvalidRequest
from credits.models import EntryKind, Hold, LedgerEntry, Lot, Wallet
from credits.services import _core

# An admin's manual correction, either way (credits): ~16,000 hours of work, far beyond any
# real correction, far inside the 32-bit columns.
MAX_ADJUSTMENT = 1_000_000


@transaction.atomic
def grant(
    organization: Organization,
    credits: int,
    *,
    reason: str,
    expires_at: datetime | None = None,
    idempotency_key: str,
    kind: str = EntryKind.PURCHASE,
    reference=None,
    reference_label: str = "",
    actor: User | None = None,
    at: datetime | None = None,
) -> LedgerEntry:
    """Add a lot of ``credits`` (expiring at ``expires_at``, or never) and its entry.

    ``kind`` is purchase (default), registration (``expires_at`` defaults to the
    registration validity) or adjustment. Raises InvalidCredits, InvalidRequest,
    UnknownOrganization, IdempotencyConflict.
    """
    credits = _core.positive_credits(credits)
    reason = _core.required_text(reason, _("reason"))
    key = _core.idempotency_key(idempotency_key)
    if kind not in LedgerEntry.GRANT_KINDS:
        raise InvalidRequest(_("Credits are granted as a purchase, registration or adjustment."))
    _core.aware(expires_at, _("expiry date"))
    wallet = _core.locked_wallet(organization)
    if entry := _core.replayed_entry(key, wallet=wallet, kind=kind, amount=credits):
        return entry
    now, recorded_at = _core.moment(wallet, at)
    if kind == EntryKind.REGISTRATION and expires_at is None:
        expires_at = selectors.registration_expiry(now)
    lot = _core.add_lot(
        wallet, credits, kind=kind, reason=reason, expires_at=expires_at, created_at=recorded_at
    )
    entry = _core.append_entry(
        wallet,
        kind=kind,
        amount=credits,
        reason=reason,
        key=key,
        recorded_at=recorded_at,
        lot=lot,
        actor=actor,
        reference=reference,
        reference_label=reference_label,
    )
    hooks.send_credits_added(wallet.organization_id)
    return entry


@dataclass
class WalletLock:
    """An organization's wallet locked for a ``consume_within`` of ``key`` in the current
    transaction (``lock_wallet``): the entry a first call with the key wrote (a replay),
    and the credits of lots past their expiry not yet written off, as read under the lock."""

    wallet: Wallet
    replayed: LedgerEntry | None
    key: str
    lapsed: int

    @property
    def available(self) -> int:
        """Spendable credits (as ``selectors.balance``), after any consume of this lock."""
        return max(0, self.wallet.balance - self.wallet.held - self.lapsed)


def lock_wallet(organization: Organization, *, idempotency_key: str) -> WalletLock:
    """Lock the organization's wallet until the end of the caller's transaction and read its
    spendable balance, in one round trip: a money action that must know the balance before
    it spends (a resolution) reads the wallet once. Pass it to ``consume_within``.
    Raises TransactionManagementError (outside an atomic block), UnknownOrganization."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("lock_wallet() needs the caller's transaction")
    key = _core.idempotency_key(idempotency_key)
    wallet, replayed, lapsed = _core.locked_wallet_entry_and_lapsed(
        organization, key, now=timezone.now()
    )
    return WalletLock(wallet=wallet, replayed=replayed, key=key, lapsed=lapsed)


@transaction.atomic
def consume(
    organization: Organization,
    credits: int,
    *,
    reason: str,
    ticket=None,
    idempotency_key: str,
    hold: Hold | None = None,
    work_minutes: int | None = None,
    reference=None,
    reference_label: str = "",
    actor: User | None = None,
    at: datetime | None = None,
) -> LedgerEntry:
    """Spend ``credits``, soonest-expiring lots first, never-expiring last.

    Never spends a lot past its expiry date, nor credits held for others. With ``hold``,
    spends the held credits plus what is available, then closes the hold (the rest goes
    back to the available balance). ``ticket`` (or ``reference``) is what it refers to;
    ``work_minutes`` the real minutes of the work. Raises InsufficientCredits (nothing
    changes), InvalidCredits, InvalidHold, InvalidRequest, UnknownOrganization,
    IdempotencyConflict.
    """
    return consume_within(
        organization,
        credits,
        reason=reason,
        ticket=ticket,
        idempotency_key=idempotency_key,
        hold=hold,
        work_minutes=work_minutes,
        reference=reference,
        reference_label=reference_label,
        actor=actor,
        at=at,
    )


def consume_within(
    organization: Organization,
    credits: int,
    *,
    reason: str,
    ticket=None,
    idempotency_key: str,
    hold: Hold | None = None,
    work_minutes: int | None = None,
    reference=None,
    reference_label: str = "",
    actor: User | None = None,
    at: datetime | None = None,
    locked: WalletLock | None = None,
) -> LedgerEntry:
    """``consume`` as one step of the caller's transaction, without a savepoint: every
    refusal is raised before anything is written (the spend is one statement), so there is
    nothing of its own to roll back. ``locked``: the wallet already locked by
    ``lock_wallet`` for this key (no second read). Raises like ``consume``, and
    TransactionManagementError outside an atomic block.
    """
    if not connection.in_atomic_block:
        raise TransactionManagementError("consume_within() needs the caller's transaction")
    credits = _core.positive_credits(credits)
    reason = _core.required_text(reason, _("reason"))
    key = _core.idempotency_key(idempotency_key)
    if ticket is not None and reference is not None:
        raise InvalidRequest(_("Give the ticket or another reference, not both."))
    if work_minutes is not None and (
        isinstance(work_minutes, bool) or not isinstance(work_minutes, int) or work_minutes < 0
    ):
        raise InvalidRequest(_("Real minutes must be a whole number, zero or more."))
    # Round trips on PostgreSQL: the wallet lock with the replay lookup, then one write
    # statement (lots, entry, wallet, low-balance state); a hold adds its lock and close.
    if locked is None:
        wallet, replayed = _core.locked_wallet_and_entry(organization, key)
    elif locked.key != key or locked.wallet.organization_id != getattr(organization, "pk", None):
        raise InvalidRequest(_("The wallet was locked for another movement."))
    else:
        wallet, replayed = locked.wallet, locked.replayed
    if replayed is not None:
        return _core.checked_replay(
            replayed, wallet=wallet, kind=EntryKind.CONSUMPTION, amount=-credits
        )
    now, recorded_at = _core.moment(wallet, at)
    if hold is not None:
        hold = _locked_open_hold(hold, wallet)
    entry = _core.spend(
        wallet,
        credits,
        kind=EntryKind.CONSUMPTION,
        reason=reason,
        key=key,
        now=now,
        recorded_at=recorded_at,
        hold=hold,
        actor=actor,
        reference=ticket if ticket is not None else reference,
        reference_label=reference_label,
        work_minutes=work_minutes,
    )
    if hold is not None:
        hold.status = Hold.Status.CONSUMED
        hold.closed_at = recorded_at
        hold.close_reason = reason
        hold.consumed_entry = entry
        hold.save(update_fields=["status", "closed_at", "close_reason", "consumed_entry"])
    hooks.send_credits_consumed(wallet.organization_id)
    return entry


def _locked_open_hold(hold: Hold, wallet) -> Hold:
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    if hold.wallet_id != wallet.pk or not hold.is_open:
        raise InvalidHold()
    return hold


@transaction.atomic
def adjust(
    organization: Organization,
    credits: int,
    *,
    reason: str,
    actor: User,
    idempotency_key: str,
    expires_at: datetime | None = None,
    reference=None,
    reference_label: str = "",
) -> LedgerEntry:
    """An admin's manual correction: ``credits`` > 0 adds a lot, < 0 takes credits away.

    A negative adjustment spends like ``consume`` and cannot take the balance below zero
    nor touch held credits. Raises InvalidCredits (zero), InvalidRequest (no reason or
    actor), InsufficientCredits, UnknownOrganization, IdempotencyConflict.
    """
    if isinstance(credits, bool) or not isinstance(credits, int) or credits == 0:
        raise InvalidCredits(_("An adjustment is a whole number of credits other than zero."))
    if abs(credits) > MAX_ADJUSTMENT:
        raise InvalidCredits(
            _("An adjustment is at most %(max)s credits either way.") % {"max": MAX_ADJUSTMENT}
        )
    reason = _core.required_text(reason, _("reason"))
    key = _core.idempotency_key(idempotency_key)
    if actor is None or getattr(actor, "pk", None) is None:
        raise InvalidRequest(_("An adjustment needs the person who makes it."))
    _core.aware(expires_at, _("expiry date"))
    wallet = _core.locked_wallet(organization)
    if entry := _core.replayed_entry(key, wallet=wallet, kind=EntryKind.ADJUSTMENT, amount=credits):
        return entry
    now, recorded_at = _core.moment(wallet)
    lot = None
    if credits > 0:
        lot = _core.add_lot(
            wallet,
            credits,
            kind=EntryKind.ADJUSTMENT,
            reason=reason,
            expires_at=expires_at,
            created_at=recorded_at,
        )
    else:
        lots = _core.open_lots(wallet, now)
        available = _core.spendable(wallet, lots)
        if -credits > available:
            raise InsufficientCredits(requested=-credits, available=available)
        _core.take_from_lots(lots, -credits)
    entry = _core.append_entry(
        wallet,
        kind=EntryKind.ADJUSTMENT,
        amount=credits,
        reason=reason,
        key=key,
        recorded_at=recorded_at,
        lot=lot,
        actor=actor,
        reference=reference,
        reference_label=reference_label,
    )
    if credits > 0:
        hooks.send_credits_added(wallet.organization_id)
    return entry


@transaction.atomic
def refund_lot(
    lot: Lot,
    *,
    reason: str,
    actor: User | None = None,
    idempotency_key: str,
    reference=None,
    reference_label: str = "",
) -> LedgerEntry:
    """Take back what remains unspent of ``lot`` (billing refunds the order that bought it).

    The entry's amount is minus what remained, possibly 0: a refund of a spent or lapsed
    lot still writes a 0-credit refund entry, so the refund is on record and replays
    return it. Credits of a lapsed lot are first written off as an expiry. Open holds
    keep their amount (they may then exceed the balance until the client recharges).
    Raises InvalidRequest, IdempotencyConflict.
    """
    reason = _core.required_text(reason, _("reason"))
    key = _core.idempotency_key(idempotency_key)
    if getattr(lot, "pk", None) is None:
        raise InvalidRequest(_("Unknown lot."))
    wallet = _core.locked_wallet_by_id(lot.wallet_id)
    if entry := _core.replayed_entry(
        key, wallet=wallet, kind=EntryKind.REFUND, amount=None, lot=lot
    ):
        return entry
    lot = Lot.objects.get(pk=lot.pk)
    now, recorded_at = _core.moment(wallet)
    if lot.remaining and lot.is_lapsed(now):
        _core.expire_lot(wallet, lot, recorded_at)
    amount = lot.remaining
    if amount:
        lot.remaining = 0
        lot.save(update_fields=["remaining"])
    return _core.append_entry(
        wallet,
        kind=EntryKind.REFUND,
        amount=-amount,
        reason=reason,
        key=key,
        recorded_at=recorded_at,
        lot=lot,
        actor=actor,
        reference=reference,
        reference_label=reference_label,
    )


def expire_lots(now: datetime | None = None) -> int:
    """Write off, as expiry entries, the credits of every lot due at ``now``.

    Returns how many lots it expired; a second run finds nothing more. One transaction
    per wallet, so a long run never holds every wallet at once.
    """
    now = _core.aware(now, _("date")) or timezone.now()
    wallet_ids = (
        Lot.objects.filter(remaining__gt=0, expires_at__lte=now)
        .order_by()
        .values_list("wallet_id", flat=True)
        .distinct()
    )
    return sum(_expire_wallet(wallet_id, now) for wallet_id in list(wallet_ids))


@transaction.atomic
def _expire_wallet(wallet_id: int, now: datetime) -> int:
    wallet = _core.locked_wallet_by_id(wallet_id)
    lots = list(
        wallet.lots.filter(remaining__gt=0, expires_at__lte=now).order_by("expires_at", "id")
    )
    recorded_at = _core.moment(wallet)[1]
    for lot in lots:
        _core.expire_lot(wallet, lot, recorded_at)
    return len(lots)
