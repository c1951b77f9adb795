"""Steps the credit services share: validation, the wallet lock, replays, lots, entries.

Every function here runs inside the caller's transaction, after the wallet row is locked
(``locked_wallet``), so that two writers of one wallet queue one behind the other.
"""

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Organization
from credits import notify
from credits.errors import (
    IdempotencyConflict,
    InsufficientCredits,
    InvalidCredits,
    InvalidRequest,
    UnknownOrganization,
)
from credits.models import EntryKind, Hold, LedgerEntry, Lot, Wallet

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


# One statement: lock the organization's wallet and fetch the entry a first call with the
# idempotency key wrote, if any. FOR UPDATE OF w locks the wallet only (never the entry).
_ENTRY_COLUMNS = [f.column for f in LedgerEntry._meta.concrete_fields]
_ENTRY_NAMES = [f.attname for f in LedgerEntry._meta.concrete_fields]
_WALLET_COLUMNS = [f.column for f in Wallet._meta.concrete_fields]
_LOCK_AND_REPLAY_SQL = (  # column names from the models only; values are parameters
    "SELECT "  # noqa: S608
    + ", ".join(f"w.{c}" for c in _WALLET_COLUMNS)
    + ", "
    + ", ".join(f"e.{c}" for c in _ENTRY_COLUMNS)
    + " FROM credits_wallet w LEFT JOIN credits_ledgerentry e ON e.idempotency_key = %s"
    " WHERE w.organization_id = %s FOR UPDATE OF w"
)
# The same, with the credits of the wallet's lots past their expiry not yet written off
# (what ``selectors.balance`` subtracts): the spendable balance read under the lock.
_LOCK_REPLAY_AND_LAPSED_SQL = _LOCK_AND_REPLAY_SQL.replace(
    " FROM credits_wallet w",
    ", COALESCE((SELECT SUM(l.remaining) FROM credits_lot l WHERE l.wallet_id = w.id"
    " AND l.remaining > 0 AND l.expires_at <= %s), 0) FROM credits_wallet w",
    1,
)


def locked_wallet_and_entry(organization: Organization, key: str):
    """(the organization's locked wallet, the entry written with ``key`` or None).

    On PostgreSQL one round trip. The entry is read in the snapshot taken before the lock
    was granted: a first call with the same key that committed while this one waited is
    not seen here, and the write (``spend``) checks the key again. Raises
    UnknownOrganization.
    """
    wallet, entry, _lapsed = locked_wallet_entry_and_lapsed(organization, key)
    return wallet, entry


def locked_wallet_entry_and_lapsed(organization: Organization, key: str, now=None):
    """``locked_wallet_and_entry`` and, with ``now``, the credits of the wallet's lots past
    their expiry at ``now`` not yet written off (else 0), in the same round trip."""
    pk = getattr(organization, "pk", None)
    if not isinstance(organization, Organization) or pk is None:
        raise UnknownOrganization()
    if connection.vendor != "postgresql":
        wallet = locked_wallet(organization)
        lapsed = 0
        if now is not None:
            lots = Lot.objects.filter(wallet=wallet, remaining__gt=0, expires_at__lte=now)
            lapsed = lots.aggregate(total=Sum("remaining"))["total"] or 0
        return wallet, LedgerEntry.objects.filter(idempotency_key=key).first(), lapsed
    with connection.cursor() as cursor:
        if now is None:
            cursor.execute(_LOCK_AND_REPLAY_SQL, [key, pk])
        else:
            cursor.execute(_LOCK_REPLAY_AND_LAPSED_SQL, [now, key, pk])
        row = cursor.fetchone()
    if row is None:  # first use: create the wallet (a new wallet has no entries)
        return locked_wallet(organization), None, 0
    lapsed = int(row[-1]) if now is not None else 0
    if now is not None:
        row = row[:-1]
    split = len(_WALLET_COLUMNS)
    wallet = Wallet.from_db(connection.alias, None, row[:split])
    entry = None
    if row[split] is not None:
        entry = LedgerEntry.from_db(connection.alias, _ENTRY_NAMES, row[split:])
    return wallet, entry, lapsed


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


def checked_replay(entry: LedgerEntry, *, wallet: Wallet, kind: str, amount: int) -> LedgerEntry:
    """``entry`` when it is the same movement (wallet, kind, amount). Raises
    IdempotencyConflict otherwise."""
    if entry.wallet_id != wallet.pk or entry.kind != kind or entry.amount != amount:
        raise IdempotencyConflict()
    return entry


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


# Spending in one statement (PostgreSQL), run with the wallet locked: it reads the open
# lots in spending order with a running total, inserts the entry only when the key is
# free (neither an entry nor a hold has it, seen after the lock was granted) and the lots
# cover the credits, and only then takes the credits from the lots (each lot gives what
# remains to take after the lots before it) and writes the wallet's new totals. It
# returns what the caller needs to decide and the low-balance state after the movement.
# All sub-statements see one snapshot; ``taken`` and ``totals`` depend on ``entry``, so
# nothing changes unless the entry is written.
_SPEND_SQL = """
WITH open_lots AS (
    SELECT id, remaining,
           SUM(remaining) OVER (
               ORDER BY expires_at ASC NULLS LAST, created_at, id
           ) - remaining AS before
    FROM credits_lot
    WHERE wallet_id = %(wallet)s AND remaining > 0
      AND (expires_at IS NULL OR expires_at > %(now)s)
), state AS (
    SELECT COALESCE((SELECT SUM(remaining) FROM open_lots), 0) AS open_credits,
           (SELECT id FROM credits_ledgerentry WHERE idempotency_key = %(key)s) AS prior,
           EXISTS (SELECT 1 FROM credits_hold WHERE idempotency_key = %(key)s) AS hold_key
), entry AS (
    INSERT INTO credits_ledgerentry (
        wallet_id, kind, amount, balance_after, lot_id, reason, actor_id,
        reference_type_id, reference_id, reference_label, work_minutes,
        idempotency_key, created_at
    )
    SELECT %(wallet)s, %(kind)s, -%(credits)s, %(balance_after)s, NULL, %(reason)s,
           %(actor)s, %(reference_type)s, %(reference_id)s, %(reference_label)s,
           %(work_minutes)s, %(key)s, %(recorded_at)s
    FROM state
    WHERE state.prior IS NULL AND NOT state.hold_key
      AND state.open_credits - %(reserved)s >= %(credits)s
    ON CONFLICT (idempotency_key) DO NOTHING
    RETURNING id
), taken AS (
    UPDATE credits_lot AS lot
    SET remaining = lot.remaining - LEAST(o.remaining, %(credits)s - o.before)
    FROM open_lots o, entry
    WHERE lot.id = o.id AND o.before < %(credits)s
    RETURNING lot.id
), totals AS (
    UPDATE credits_wallet AS w
    SET balance = w.balance - %(credits)s, held = w.held - %(release)s,
        last_entry_at = %(recorded_at)s
    FROM entry
    WHERE w.id = %(wallet)s
    RETURNING w.balance
)
SELECT state.open_credits, state.prior, state.hold_key,
       (SELECT id FROM entry), (SELECT balance FROM totals),
       {state_columns}
FROM state, accounts_organization o
WHERE o.id = %(organization)s
"""


def spend(
    wallet: Wallet,
    credits: int,
    *,
    kind: str,
    reason: str,
    key: str,
    now: datetime,
    recorded_at: datetime,
    hold: Hold | None = None,
    actor=None,
    reference=None,
    reference_label: str = "",
    work_minutes: int | None = None,
) -> LedgerEntry:
    """Take ``credits`` from the open lots of the locked ``wallet`` (soonest expiry first,
    never-expiring last), write the entry and the wallet's totals, then the low-balance
    warning. With ``hold`` (locked, open, of this wallet) its credits are spent too and
    leave ``held``. A key a first call used meanwhile returns that entry.

    PostgreSQL: one statement. Elsewhere: the ORM, a few statements. Raises
    InsufficientCredits (nothing written), IdempotencyConflict.
    """
    reserved = wallet.held - (hold.amount if hold is not None else 0)
    if connection.vendor != "postgresql":
        if entry := replayed_entry(key, wallet=wallet, kind=kind, amount=-credits):
            return entry
        lots = open_lots(wallet, now)
        available = spendable(wallet, lots, hold=hold)
        if credits > available:
            raise InsufficientCredits(requested=credits, available=available)
        take_from_lots(lots, credits)
        if hold is not None:
            wallet.held -= hold.amount
        return append_entry(
            wallet,
            kind=kind,
            amount=-credits,
            reason=reason,
            key=key,
            recorded_at=recorded_at,
            actor=actor,
            reference=reference,
            reference_label=reference_label,
            work_minutes=work_minutes,
        )
    references = reference_fields(reference, reference_label)
    reference_type = references["reference_type"]
    balance_after = wallet.balance - credits
    notify_now = timezone.now()
    params = {
        "wallet": wallet.pk,
        "organization": wallet.organization_id,
        "now": now,
        "key": key,
        "kind": kind,
        "credits": credits,
        "reserved": reserved,
        "release": hold.amount if hold is not None else 0,
        "balance_after": balance_after,
        "reason": reason,
        "actor": getattr(actor, "pk", None),
        "reference_type": reference_type.pk if reference_type is not None else None,
        "reference_id": references["reference_id"],
        "reference_label": references["reference_label"],
        "work_minutes": work_minutes,
        "recorded_at": recorded_at,
    }
    sql = _SPEND_SQL.format(state_columns=notify.STATE_COLUMNS.replace("%(now)s", "%(notify_now)s"))
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "notify_now": notify_now})
        open_credits, prior, hold_key, entry_id, balance_now, *state = cursor.fetchone()
    if hold_key:
        raise IdempotencyConflict()
    if entry_id is None:
        if prior is not None or open_credits - reserved >= credits:
            # The key was used first: by a call this one queued behind (a replay), or, on
            # the unique index, by a concurrent call of another wallet (a conflict).
            entry = LedgerEntry.objects.filter(idempotency_key=key).first()
            if entry is None:
                raise IdempotencyConflict()
            return checked_replay(entry, wallet=wallet, kind=kind, amount=-credits)
        raise InsufficientCredits(requested=credits, available=max(0, open_credits - reserved))
    if balance_now != balance_after:  # never: the wallet is locked since it was read
        raise IntegrityError("wallet balance changed under its lock")
    wallet.balance = balance_after
    wallet.held -= params["release"]
    wallet.last_entry_at = recorded_at
    entry = LedgerEntry(
        pk=entry_id,
        wallet=wallet,
        kind=kind,
        amount=-credits,
        balance_after=balance_after,
        lot=None,
        reason=reason,
        actor=actor,
        work_minutes=work_minutes,
        idempotency_key=key,
        created_at=recorded_at,
        **references,
    )
    entry._state.adding = False
    entry._state.db = connection.alias
    notify.check_low_balance(wallet, cause=f"entry:{entry.pk}", now=notify_now, state=state)
    return entry


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
