"""A Hypothesis state machine drives random grants, consumptions, holds, expiries (with the
clock moving), refunds, adjustments and replays against a simple in-memory model, and
checks every balance after each step."""

import itertools
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from accounts.models import Organization
from credits import selectors, services
from credits.models import Hold, Lot, Wallet
from tests.accounts.factories import AdminFactory

START = timezone.make_aware(timezone.datetime(2026, 1, 5, 10, 0))
credits_st = st.integers(min_value=1, max_value=150)


class LedgerMachine(RuleBasedStateMachine):
    lots = Bundle("lots")
    holds = Bundle("holds")

    def __init__(self):
        super().__init__()
        # Each run in its own savepoint, rolled back at the end; its own frozen clock.
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.clock = time_machine.travel(START, tick=False)
        self.coordinates = self.clock.start()
        self.keys = itertools.count()
        self.model_lots: dict[int, list] = {}  # lot pk -> [remaining, expires_at]
        self.model_holds: dict[int, int] = {}  # open hold pk -> credits
        self.replays: list = []  # (call, kwargs, pk of the first result)

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)
        self.clock.stop()

    @initialize()
    def organization(self):
        self.org = Organization.objects.create(name="Máquina de estados S.L.")
        self.admin = AdminFactory()

    # --- The model ---------------------------------------------------------------------
    def key(self) -> str:
        return f"machine:{next(self.keys)}"

    def open_lots(self) -> list[int]:
        now = timezone.now()
        return sorted(
            (
                pk
                for pk, (remaining, expires) in self.model_lots.items()
                if remaining > 0 and (expires is None or expires > now)
            ),
            key=lambda pk: (self.model_lots[pk][1] is None, self.model_lots[pk][1] or now, pk),
        )

    def unexpired(self) -> int:
        return sum(self.model_lots[pk][0] for pk in self.open_lots())

    def held(self) -> int:
        return sum(self.model_holds.values())

    def available(self, hold_pk=None) -> int:
        reserved = self.held() - self.model_holds.get(hold_pk, 0)
        return max(0, self.unexpired() - reserved)

    def spend(self, credits: int) -> None:
        for pk in self.open_lots():
            taken = min(self.model_lots[pk][0], credits)
            self.model_lots[pk][0] -= taken
            credits -= taken
        assert credits == 0

    def remember(self, call, kwargs, result):
        self.replays.append((call, kwargs, result.pk))

    # --- Rules ---------------------------------------------------------------------------
    @rule(target=lots, credits=credits_st, days=st.none() | st.integers(1, 60))
    def grant(self, credits, days):
        expires = timezone.now() + timedelta(days=days) if days else None
        kwargs = {"reason": "Pack", "expires_at": expires, "idempotency_key": self.key()}
        entry = services.grant(self.org, credits, **kwargs)
        self.model_lots[entry.lot_id] = [credits, expires]
        self.remember(lambda: services.grant(self.org, credits, **kwargs), kwargs, entry)
        return entry.lot_id

    @rule(credits=credits_st, minutes=st.none() | st.integers(0, 200))
    def consume(self, credits, minutes):
        expected = credits <= self.available()
        kwargs = {"reason": "Consulta", "idempotency_key": self.key(), "work_minutes": minutes}
        try:
            entry = services.consume(self.org, credits, **kwargs)
        except services.InsufficientCredits as error:
            refused = error
        else:
            refused = None
        if refused is not None:
            assert not expected
            assert refused.available == self.available()
            return
        assert expected
        self.spend(credits)
        self.remember(lambda: services.consume(self.org, credits, **kwargs), kwargs, entry)

    @rule(target=holds, credits=credits_st)
    def hold(self, credits):
        kwargs = {"reason": "Presupuesto", "idempotency_key": self.key()}
        try:
            new_hold = services.hold(self.org, credits, **kwargs)
        except services.InsufficientCredits:
            assert credits > self.available()
            return None
        assert credits <= self.available()
        self.model_holds[new_hold.pk] = credits
        self.remember(lambda: services.hold(self.org, credits, **kwargs), kwargs, new_hold)
        return new_hold.pk

    @rule(hold_pk=holds, credits=credits_st)
    def consume_against_hold(self, hold_pk, credits):
        if hold_pk is None:
            return
        hold = Hold(pk=hold_pk, wallet_id=Wallet.objects.get(organization=self.org).pk)
        key = self.key()
        if hold_pk not in self.model_holds:
            with pytest.raises(services.InvalidHold):
                services.consume(self.org, credits, reason="x", idempotency_key=key, hold=hold)
            return
        expected = credits <= self.available(hold_pk)
        try:
            services.consume(self.org, credits, reason="Cierre", idempotency_key=key, hold=hold)
        except services.InsufficientCredits:
            assert not expected
            return
        assert expected
        del self.model_holds[hold_pk]
        self.spend(credits)

    @rule(hold_pk=holds)
    def release(self, hold_pk):
        if hold_pk is None:
            return
        released = services.release_hold(Hold.objects.get(pk=hold_pk), reason="Cerrado")
        assert released.status != Hold.Status.OPEN
        self.model_holds.pop(hold_pk, None)

    @rule(days=st.integers(1, 45))
    def time_passes(self, days):
        self.coordinates.shift(timedelta(days=days))

    @rule()
    def expire(self):
        now = timezone.now()
        due = [
            pk
            for pk, (remaining, expires) in self.model_lots.items()
            if remaining > 0 and expires is not None and expires <= now
        ]
        assert services.expire_lots() == len(due)
        for pk in due:
            self.model_lots[pk][0] = 0
        assert services.expire_lots() == 0

    @rule(lot_pk=lots)
    def refund(self, lot_pk):
        remaining, expires = self.model_lots[lot_pk]
        lapsed = expires is not None and expires <= timezone.now()
        entry = services.refund_lot(
            Lot.objects.get(pk=lot_pk), reason="Devolución", idempotency_key=self.key()
        )
        assert entry.amount == (0 if lapsed else -remaining)
        self.model_lots[lot_pk][0] = 0

    @rule(credits=st.integers(-100, 100).filter(bool))
    def adjust(self, credits):
        kwargs = {"reason": "Ajuste", "actor": self.admin, "idempotency_key": self.key()}
        if credits < 0 and -credits > self.available():
            with pytest.raises(services.InsufficientCredits):
                services.adjust(self.org, credits, **kwargs)
            return
        entry = services.adjust(self.org, credits, **kwargs)
        if credits > 0:
            self.model_lots[entry.lot_id] = [credits, None]
        else:
            self.spend(-credits)

    @rule(data=st.data())
    def replay(self, data):
        if not self.replays:
            return
        call, _kwargs, first_pk = data.draw(st.sampled_from(self.replays))
        assert call().pk == first_pk

    # --- What must always hold ------------------------------------------------------------
    @invariant()
    def balances_match_the_model(self):
        if not hasattr(self, "org"):
            return
        assert selectors.balance(self.org) == self.available()
        wallet = Wallet.objects.filter(organization=self.org).first()
        if wallet is None:
            assert not self.model_lots
            return
        assert wallet.balance == sum(remaining for remaining, _ in self.model_lots.values())
        assert wallet.held == self.held()
        stored = dict(Lot.objects.filter(wallet=wallet).values_list("pk", "remaining"))
        assert stored == {pk: remaining for pk, (remaining, _) in self.model_lots.items()}


@pytest.mark.django_db
def test_the_ledger_matches_a_simple_model():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
