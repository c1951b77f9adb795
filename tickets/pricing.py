"""From work to credits: the charging table of SPEC.md, as plain functions of plain values.

Every rule here takes the policy as an argument and never touches the database:
``charge_for(kind, entries, policy)`` over the several time entries of one ticket, and
``credits_at(kind, minutes, channel, policy)`` for one. The public
``tickets.pricing.credits_for(kind, minutes, channel="portal", policy=None)`` of SPEC.md
(``policy=None``: the admin's current policy) is ``tickets.selectors.charging.credits_for``,
which reads that policy; it is importable from here, by name, without this module
importing the database layer (``__getattr__`` below).

How a ticket's entries combine (one rule, also for a single entry):

- the **total real minutes** of the ticket, times the policy's credits per minute
  (rounded up to a whole credit), are charged against the kind's **minimum**; beyond the
  minimum, in **blocks** (15 credits by default), the last block rounded up;
- a **security update** is a flat charge whatever its minutes;
- every **phone or video entry** is one call and adds one surcharge (15 by default), to
  consultations, interventions and security updates alike;
- **zero minutes** (nothing logged) is charged nothing, whatever the channel.

Examples (default policy): consultation 10 min → 15; 16 min → 30; intervention 61 min →
75; consultation 10 min by phone → 30; security update of 200 min with one video call → 75.
A customization is charged only by its accepted quote (``quoted``), never by this table.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, Decimal

from tickets.kinds import CALL_CHANNELS, TABLE_KINDS, TicketChannel, TicketKind

CONSULTATION = TicketKind.CONSULTATION
INTERVENTION = TicketKind.INTERVENTION
SECURITY_UPDATE = TicketKind.SECURITY_UPDATE
KINDS = TABLE_KINDS
CHANNELS = tuple(TicketChannel.values)

__all__ = [
    "CALL_CHANNELS",
    "CHANNELS",
    "KINDS",
    "Breakdown",
    "Policy",
    "charge_for",
    "credits_at",
    "credits_for",  # noqa: F822 (module __getattr__)
    "quoted",
]


@dataclass(frozen=True)
class Policy:
    """The admin's charging policy (credits; ``credits_per_minute`` may be a fraction)."""

    consultation_minimum: int = 15
    intervention_minimum: int = 60
    block_size: int = 15
    call_surcharge: int = 15
    security_update_flat: int = 60
    credits_per_minute: Decimal = Decimal(1)
    # The admin's version number (None for a policy built in code).
    version: int | None = None

    def __post_init__(self):
        for name in (
            "consultation_minimum",
            "intervention_minimum",
            "call_surcharge",
            "security_update_flat",
        ):
            _whole(getattr(self, name), name, minimum=0)
        _whole(self.block_size, "block_size", minimum=1)
        rate = self.credits_per_minute
        if isinstance(rate, bool) or not isinstance(rate, int | Decimal) or rate <= 0:
            raise ValueError("credits_per_minute must be a Decimal (or int) above zero")

    def minimum_for(self, kind: str) -> int:
        return self.intervention_minimum if kind == INTERVENTION else self.consultation_minimum


@dataclass(frozen=True)
class Breakdown:
    """How a charge is made up (credits, except ``minutes`` and ``calls``)."""

    kind: str
    minutes: int = 0  # real minutes of the work
    calls: int = 0  # phone or video entries
    work_credits: int = 0  # minutes times credits per minute, rounded up
    minimum: int = 0  # the kind's minimum (0 for a security update or no work)
    blocks: int = 0  # blocks beyond the minimum
    block_size: int = 0
    flat: int = 0  # a security update's flat charge
    surcharge_per_call: int = 0
    quoted: int | None = None  # an accepted quote fixes the charge
    total: int = 0

    @property
    def block_credits(self) -> int:
        return self.blocks * self.block_size

    @property
    def surcharges(self) -> int:
        return self.calls * self.surcharge_per_call


def charge_for(kind: str, entries: Iterable[tuple[int, str]], policy: Policy) -> Breakdown:
    """The charge of a ticket's work under ``policy``: ``entries`` are (minutes, channel)
    pairs.

    Raises ValueError for an unknown kind or channel, or minutes that are not a whole
    number zero or more; TypeError without a policy.
    """
    if not isinstance(policy, Policy):
        raise TypeError("charge_for needs the policy (selectors.charging.current_policy())")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    minutes = calls = 0
    for entry_minutes, channel in entries:
        _whole(entry_minutes, "minutes", minimum=0)
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {', '.join(CHANNELS)}, not {channel!r}")
        minutes += entry_minutes
        if entry_minutes and channel in CALL_CHANNELS:
            calls += 1
    if minutes == 0:
        return Breakdown(kind=kind)
    work_credits = _ceil(minutes * Decimal(policy.credits_per_minute))
    surcharge = {"calls": calls, "surcharge_per_call": policy.call_surcharge}
    if kind == SECURITY_UPDATE:
        flat = policy.security_update_flat
        total = flat + calls * policy.call_surcharge
        return Breakdown(
            kind, minutes, work_credits=work_credits, flat=flat, total=total, **surcharge
        )
    minimum = policy.minimum_for(kind)
    blocks = _ceil(Decimal(max(0, work_credits - minimum)) / policy.block_size)
    total = minimum + blocks * policy.block_size + calls * policy.call_surcharge
    return Breakdown(
        kind,
        minutes,
        work_credits=work_credits,
        minimum=minimum,
        blocks=blocks,
        block_size=policy.block_size,
        total=total,
        **surcharge,
    )


def quoted(breakdown: Breakdown, credits: int) -> Breakdown:
    """The same work charged at an accepted quote's ``credits`` instead of the table."""
    _whole(credits, "credits", minimum=0)
    return replace(breakdown, quoted=credits, total=credits)


def credits_at(kind: str, minutes: int, channel: str, policy: Policy) -> int:
    """Credits for ``minutes`` of work of ``kind`` over ``channel`` under ``policy``.
    Raises ValueError like ``charge_for``."""
    return charge_for(kind, [(minutes, channel)], policy).total


def __getattr__(name: str):
    # ``credits_for`` reads the admin's policy: it lives with the selectors, and is
    # imported only when asked for (the selectors import this module).
    if name == "credits_for":
        from tickets.selectors.charging import credits_for

        return credits_for
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _whole(value, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, not {value!r}")
    return value


def _ceil(value: Decimal) -> int:
    return int(Decimal(value).to_integral_value(rounding=ROUND_CEILING))
