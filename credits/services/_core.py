"""Steps the credit services share: validation, the wallet lock, replays, lots, entries.

Every function here runs inside the caller's transaction, after the wallet row is locked
(``locked_wallet``), so that two writers of one wallet queue one behind the other.
"""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organization
from credits import notify
from credits.models import EntryKind, Hold, LedgerEntry, Lot, Wallet

from .errors import (
    IdempotencyConflict,
    InsufficientCredits,
    InvalidCredits,
    InvalidRequest,
    UnknownOrganization,
)

MAX_KEY_LENGTH = LedgerEntry._meta.get_field("idempotency_key").max_length
# Balances and lots are 32-bit integer columns (PostgreSQL ``integer``): a grant that would
# take a wallet past this is refused before it reaches the database.
MAX_BALANCE = 2**31 - 1


# --- Validation ------------------------------------------------------------------
def positive_credits(credits) -> int:
    """Whole credits above zero. Raises InvalidCredits."""
    if isinstance(credits, bool) or not isinstance(credits, int) or credits <= 0:
        raise InvalidCredits()
    return credits


def required_text(value, what: str, max_length: int = 255) -> str:
    """A non-empty text, stripped. Raises InvalidRequest."""
    text = str(value or "").strip()
    if not text:
        raise InvalidRequest(_("A %(what)s is required.") % {"what": what})
    if len(text) > max_length:
        raise InvalidRequest(
            _("The %(what)s is longer than %(max)s characters.") % {"what": what, "max": max_length}
        )
    return text


def idempotency_key(value) -> str:
    return required_text(value, _("idempotency key"), MAX_KEY_LENGTH)


def aware(moment: datetime | None, what: str) -> datetime | None:
    if moment is not None and timezone.is_naive(moment):
        raise InvalidRequest(_("The %(what)s must be timezone-aware.") % {"what": what})
    return moment


def reference_fields(reference, label: str = "") -> dict:
    """The lazy (generic) reference to a ticket, order or invoice, and its label."""
    label = str(label or "").strip()
    if reference is None:
        return {"reference_type": None, "reference_id": None, "reference_label": label[:200]}
    if getattr(reference, "pk", None) is None:
        raise InvalidRequest(_("The referenced object must be saved first."))
    return {
        "reference_type": ContentType.objects.get_for_model(reference),
        "reference_id": reference.pk,
        "reference_label": (label or str(reference))[:200],
    }


# --- The wallet --------------------------------------------------------------------
def locked_wallet(organization: Organization) -> Wallet:
    """The organization's wallet, created on first use, locked until the transaction ends.

    Raises UnknownOrganization when the organization is not in the database.
    """
    pk = getattr(organization, "pk", None)
    if not isinstance(organization, Organization) or pk is None:
        raise UnknownOrganization()
    wallet = Wallet.objects.select_for_update().filter(organization_id=pk).first()
    if wallet is None:
        if not Organization.objects.filter(pk=pk).exists():
            raise UnknownOrganization()
        Wallet.objects.get_or_create(organization_id=pk)
        wallet = Wallet.objects.select_for_update().get(organization_id=pk)
    return wallet


def locked_wallet_by_id(wallet_id: int) -> Wallet:
    return Wallet.objects.select_for_update().get(pk=wallet_id)


def moment(wallet: Wallet, at: datetime | None = None) -> tuple[datetime, datetime]:
    """(now for the rules, the time recorded on the entry).

    ``at`` back-dates a movement (imports, demo data): never in the future, never before
    the wallet's last movement, so that ``balance_after`` stays in time order.
    """
    real_now = timezone.now()
    if at is None:
        last = wallet.last_entry_at
        return real_now, max(real_now, last) if last else real_now
    aware(at, _("date"))
    if at > real_now:
        raise InvalidRequest(_("A movement cannot be dated in the future."))
    if wallet.last_entry_at and at < wallet.last_entry_at:
        raise InvalidRequest(_("A movement cannot be dated before the last movement."))
    return at, at


# --- Replays ---------------------------------------------------------------------------
def replayed_entry(key: str, *, wallet: Wallet, kind: str, amount: int | None, lot=None):
    """The entry a first call with ``key`` wrote, or None.

    Raises IdempotencyConflict when the key was used for something else (another amount,
    kind, organization or lot, or a hold).
    """
    entry = LedgerEntry.objects.filter(idempotency_key=key).first()
    if entry is None:
        if Hold.objects.filter(idempotency_key=key).exists():
            raise IdempotencyConflict()
        return None
    if (
        entry.wallet_id != wallet.pk
        or entry.kind != kind
        or (amount is not None and entry.amount != amount)
        or (lot is not None and entry.lot_id != lot.pk)
    ):
        raise IdempotencyConflict()
    return entry


def replayed_hold(key: str, *, wallet: Wallet, amount: int) -> Hold | None:
    """The hold a first call with ``key`` made, or None. Raises IdempotencyConflict."""
    existing = Hold.objects.filter(idempotency_key=key).first()
    if existing is None:
        if LedgerEntry.objects.filter(idempotency_key=key).exists():
            raise IdempotencyConflict()
        return None
    if existing.wallet_id != wallet.pk or existing.amount != amount:
        raise IdempotencyConflict()
    return existing


def save_with_key(obj, key: str) -> None:
    """Insert ``obj``; a concurrent first use of its unique key becomes IdempotencyConflict."""
    try:
        with transaction.atomic():
            obj.save(force_insert=True)
    except IntegrityError:
        taken = (
            LedgerEntry.objects.filter(idempotency_key=key).exists()
            or Hold.objects.filter(idempotency_key=key).exists()
        )
        if taken:
            raise IdempotencyConflict() from None
        raise


# --- Lots --------------------------------------------------------------------------
def open_lots(wallet: Wallet, now: datetime) -> list[Lot]:
    """Lots that may still give credits at ``now``, in spending order: soonest expiry first,
    never-expiring last."""
    return list(
        wallet.lots.filter(remaining__gt=0)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by(F("expires_at").asc(nulls_last=True), "created_at", "id")
    )


def lapsed_credits(wallet: Wallet, now: datetime) -> int:
    """Credits of lots past their expiry date that expire_lots has not written off yet."""
    total = wallet.lots.filter(remaining__gt=0, expires_at__lte=now).aggregate(
        total=Sum("remaining")
    )["total"]
    return total or 0


def spendable(wallet: Wallet, lots: list[Lot], *, hold: Hold | None = None) -> int:
    """Credits of ``lots`` not reserved by holds (other than ``hold``, which we spend)."""
    reserved = wallet.held - (hold.amount if hold is not None else 0)
    return max(0, sum(lot.remaining for lot in lots) - reserved)


def take_from_lots(lots: list[Lot], credits: int) -> None:
    """Spend ``credits`` from ``lots`` in their order. The caller checked there are enough."""
    changed = []
    for lot in lots:
        if credits == 0:
            break
        taken = min(lot.remaining, credits)
        lot.remaining -= taken
        credits -= taken
        changed.append(lot)
    if credits:
        raise InsufficientCredits(requested=credits, available=0)  # never reached: checked
    Lot.objects.bulk_update(changed, ["remaining"])


def add_lot(wallet: Wallet, credits: int, *, kind: str, reason: str, expires_at, created_at):
    if expires_at is not None and expires_at <= created_at:
        raise InvalidRequest(_("The expiry date must be after the date of the grant."))
    if credits > MAX_BALANCE - max(wallet.balance, 0):
        raise InvalidCredits(
            _("The balance cannot exceed %(max)s credits.") % {"max": f"{MAX_BALANCE:,}"}
        )
    return Lot.objects.create(
        wallet=wallet,
        kind=kind,
        granted=credits,
        remaining=credits,
        expires_at=expires_at,
        reason=reason,
        created_at=created_at,
    )


# --- Entries ---------------------------------------------------------------------------
def append_entry(
    wallet: Wallet,
    *,
    kind: str,
    amount: int,
    reason: str,
    key: str,
    recorded_at: datetime,
    lot: Lot | None = None,
    actor=None,
    reference=None,
    reference_label: str = "",
    work_minutes: int | None = None,
) -> LedgerEntry:
    """Write one entry and the wallet's new running balance (same transaction), then the
    low-balance warning if this movement crossed the threshold."""
    wallet.balance += amount
    wallet.last_entry_at = recorded_at
    entry = LedgerEntry(
        wallet=wallet,
        kind=kind,
        amount=amount,
        balance_after=wallet.balance,
        lot=lot,
        reason=reason,
        actor=actor,
        work_minutes=work_minutes,
        idempotency_key=key,
        created_at=recorded_at,
        **reference_fields(reference, reference_label),
    )
    save_with_key(entry, key)
    wallet.save(update_fields=["balance", "held", "last_entry_at"])
    notify.check_low_balance(wallet, cause=f"entry:{entry.pk}")
    return entry


def expire_lot(wallet: Wallet, lot: Lot, recorded_at: datetime) -> LedgerEntry:
    """Write off what remains of a lapsed lot as an expiry entry."""
    amount = lot.remaining
    lot.remaining = 0
    lot.expired_at = recorded_at
    lot.save(update_fields=["remaining", "expired_at"])
    return append_entry(
        wallet,
        kind=EntryKind.EXPIRY,
        amount=-amount,
        # Stored in English, shown translated (see credits.templatetags.credits_tags).
        reason=gettext_noop("Credits expired"),
        key=f"expiry:lot:{lot.pk}",
        recorded_at=recorded_at,
        lot=lot,
    )
