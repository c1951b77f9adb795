"""The charging table of SPEC.md: ``tickets.pricing.credits_for`` and ``charge_for``."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tickets import pricing
from tickets.pricing import Policy, charge_for, credits_for

DEFAULT = Policy()
KINDS = ("consultation", "intervention", "security_update")
CHANNELS = ("portal", "email", "phone", "video", "remote")
CALLS = {"phone", "video"}


@pytest.mark.parametrize(
    ("kind", "minutes", "channel", "expected"),
    [
        ("consultation", 10, "portal", 15),
        ("consultation", 16, "portal", 30),
        ("intervention", 61, "portal", 75),
        ("consultation", 10, "phone", 30),
    ],
)
def test_the_examples_of_the_spec(kind, minutes, channel, expected):
    assert credits_for(kind, minutes, channel, policy=DEFAULT) == expected


def test_without_a_database_the_default_policy_applies():
    # No database access in this test (pytest-django blocks it): SPEC's policy is used.
    assert credits_for("consultation", 10) == 15
    assert credits_for("intervention", 61, "video") == 90


# The whole table at its boundaries, over a channel without surcharge.
TABLE = {
    "consultation": {1: 15, 15: 15, 16: 30, 30: 30, 31: 45, 60: 60, 61: 75, 90: 90, 91: 105},
    "intervention": {1: 60, 15: 60, 16: 60, 59: 60, 60: 60, 61: 75, 75: 75, 76: 90, 120: 120},
    "security_update": {1: 60, 15: 60, 16: 60, 60: 60, 61: 60, 240: 60, 1440: 60},
}


@pytest.mark.parametrize("channel", CHANNELS)
@pytest.mark.parametrize(
    ("kind", "minutes", "base"),
    [(kind, minutes, base) for kind, row in TABLE.items() for minutes, base in row.items()],
)
def test_every_kind_and_channel_at_the_boundaries(kind, minutes, base, channel):
    surcharge = 15 if channel in CALLS else 0
    assert credits_for(kind, minutes, channel, policy=DEFAULT) == base + surcharge


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("channel", CHANNELS)
def test_zero_minutes_is_charged_nothing(kind, channel):
    assert credits_for(kind, 0, channel, policy=DEFAULT) == 0
    assert charge_for(kind, [], DEFAULT) == pricing.Breakdown(kind=kind)


@pytest.mark.parametrize("kind", KINDS)
def test_it_returns_an_int(kind):
    assert type(credits_for(kind, 37, "video", policy=DEFAULT)) is int
    rate = Policy(credits_per_minute=Decimal("1.5"))
    assert type(credits_for(kind, 37, policy=rate)) is int


@pytest.mark.parametrize(
    ("policy", "kind", "minutes", "channel", "expected"),
    [
        # Another minimum and block size.
        (Policy(consultation_minimum=30, block_size=10), "consultation", 31, "portal", 40),
        (Policy(consultation_minimum=30, block_size=10), "consultation", 30, "portal", 30),
        (Policy(intervention_minimum=90, block_size=30), "intervention", 91, "portal", 120),
        # A bigger surcharge; none at all.
        (Policy(call_surcharge=25), "consultation", 10, "video", 40),
        (Policy(call_surcharge=0), "intervention", 10, "phone", 60),
        # Another flat charge for security updates (calls still add their surcharge).
        (Policy(security_update_flat=90), "security_update", 5, "portal", 90),
        (Policy(security_update_flat=90), "security_update", 5, "phone", 105),
        # A rate above one credit per minute: 16 min x 1.5 = 24 credits → 15 + 1 block.
        (Policy(credits_per_minute=Decimal("1.5")), "consultation", 16, "portal", 30),
        (Policy(credits_per_minute=Decimal("1.5")), "consultation", 10, "portal", 15),
        (Policy(credits_per_minute=Decimal("1.5")), "consultation", 11, "portal", 30),
        # Fractions of a credit are rounded up: 7 min x 0.5 = 3.5 → 4 credits.
        (
            Policy(consultation_minimum=0, block_size=1, credits_per_minute=Decimal("0.5")),
            "consultation",
            7,
            "portal",
            4,
        ),
        # Blocks of one credit: exactly the minutes beyond the minimum.
        (Policy(block_size=1), "consultation", 23, "portal", 23),
    ],
)
def test_policy_variants(policy, kind, minutes, channel, expected):
    assert credits_for(kind, minutes, channel, policy=policy) == expected


def test_a_tickets_entries_combine_by_total_minutes_plus_one_surcharge_per_call():
    entries = [(10, "portal"), (10, "phone"), (10, "remote"), (5, "video")]
    result = charge_for("consultation", entries, DEFAULT)
    assert result.minutes == 35
    assert result.calls == 2
    assert (result.minimum, result.blocks, result.block_credits) == (15, 2, 30)
    assert result.surcharges == 30
    assert result.total == 15 + 30 + 30
    # Separately the entries would cost more: each would pay its own minimum.
    assert sum(credits_for("consultation", m, c, policy=DEFAULT) for m, c in entries) == 90


def test_a_security_updates_flat_charge_adds_a_surcharge_per_call():
    result = charge_for("security_update", [(200, "remote"), (10, "video")], DEFAULT)
    assert (result.flat, result.calls, result.minimum, result.blocks) == (60, 1, 0, 0)
    assert result.total == 75


def test_a_quote_fixes_the_charge_whatever_the_time():
    worked = charge_for("security_update", [(300, "phone")], DEFAULT)
    fixed = pricing.quoted(worked, 240)
    assert (fixed.total, fixed.quoted, fixed.minutes, fixed.calls) == (240, 240, 300, 1)


@pytest.mark.parametrize("kind", ["customization", "", "Consultation", None])
def test_unknown_kinds_are_refused(kind):
    with pytest.raises(ValueError, match="kind"):
        credits_for(kind, 10, policy=DEFAULT)


@pytest.mark.parametrize("channel", ["chat", "", "Phone", None])
def test_unknown_channels_are_refused(channel):
    with pytest.raises(ValueError, match="channel"):
        credits_for("consultation", 10, channel, policy=DEFAULT)


@pytest.mark.parametrize("minutes", [-1, -15, 1.5, "10", None, True, Decimal(10)])
def test_minutes_must_be_a_whole_number_zero_or_more(minutes):
    with pytest.raises(ValueError, match="minutes"):
        credits_for("consultation", minutes, policy=DEFAULT)


@pytest.mark.parametrize(
    "values",
    [
        {"block_size": 0},
        {"consultation_minimum": -1},
        {"call_surcharge": 1.5},
        {"credits_per_minute": Decimal(0)},
        {"credits_per_minute": 1.5},
    ],
)
def test_a_policy_refuses_impossible_values(values):
    with pytest.raises(ValueError, match="must be"):
        Policy(**values)


@pytest.mark.django_db
def test_no_policy_means_the_admins_current_policy(admin_user):
    from tickets.services import publish_policy

    assert credits_for("consultation", 10) == 15  # version 1, from the data migration
    publish_policy(
        by=admin_user,
        consultation_minimum=20,
        intervention_minimum=60,
        block_size=15,
        call_surcharge=10,
        security_update_flat=60,
        credits_per_minute=Decimal(1),
    )
    assert credits_for("consultation", 10) == 20
    assert credits_for("consultation", 10, "phone") == 30


@given(
    kind=st.sampled_from(KINDS),
    minutes=st.integers(min_value=1, max_value=5000),
    extra=st.integers(min_value=0, max_value=500),
    channel=st.sampled_from(CHANNELS),
)
def test_more_work_never_costs_less_and_never_less_than_the_minimum(kind, minutes, extra, channel):
    less = credits_for(kind, minutes, channel, policy=DEFAULT)
    more = credits_for(kind, minutes + extra, channel, policy=DEFAULT)
    surcharge = 15 if channel in CALLS else 0
    assert more >= less
    assert (less - surcharge) % 15 == 0  # whole blocks
    if kind == "security_update":
        assert less == 60 + surcharge
    else:
        assert less - surcharge >= max(minutes, DEFAULT.minimum_for(kind))
