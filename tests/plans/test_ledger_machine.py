"""The credits ledger's Hypothesis state machine (tests/credits/test_ledger_machine.py),
extended with monthly-plan renewals and automatic recharges: the same simple model of
lots, now also fed by plan periods (expiring by the plan's rollover rule) and by packs
bought automatically below the threshold (at most the monthly cap), stays equal to the
database after every step."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import multiple, rule, run_state_machine_as_test

from billing.models import Order
from credits.models import LedgerEntry
from plans import services
from plans.models import AutoPurchase, Plan, PlanPeriod
from plans.services.recharge import month_start
from plans.services.subscriptions import credits_expiry, period_bounds
from tests.billing.factories import pack
from tests.credits.test_ledger_machine import LedgerMachine
from tests.plans.factories import card, plan

THRESHOLD = 30
PACK_CREDITS = 60
CAP = 2
ROLLOVERS = st.sampled_from([r.value for r in Plan.Rollover])


class PlansLedgerMachine(LedgerMachine):
    subscription = None
    recharge_on = False

    def ensure_card(self):
        if not getattr(self, "has_card", False):
            card(self.org)
            self.has_card = True

    def paid_orders(self) -> int:
        """Paid pack orders: a plan's orders are not the registration pack (issue 19)."""
        return Order.objects.filter(
            organization=self.org, paid_at__isnull=False, pack__isnull=False
        ).count()

    # --- Plan renewals ---------------------------------------------------------------------
    @rule(
        target=LedgerMachine.lots,
        credits=st.integers(1, 150),
        rollover=ROLLOVERS,
        wait=st.booleans(),
    )
    def plan_period(self, credits, rollover, wait):
        """Subscribe (first time), or renew: a period is granted only when one is due.
        ``wait``: the clock first moves to just after the end of the period in force."""
        self.ensure_card()
        if wait and self.subscription is not None:
            started, number, _plan = self.model_period
            end = period_bounds(started, number)[1]
            if end > timezone.now():
                self.coordinates.move_to(end + timedelta(hours=1))
        now = timezone.now()
        if self.subscription is None:
            period = services.subscribe(self.org, plan(credits, rollover=rollover))
            self.subscription = period.subscription
            self.model_period = (now, 0, period.plan)
            expected_number = 0
        else:
            started, number, current_plan = self.model_period
            end = period_bounds(started, number)[1]
            period = services.renew_period(self.subscription)
            if end > now:
                assert period is None  # not due: nothing granted, however often asked
                return multiple()
            expected_number = number + 1
            while period_bounds(started, expected_number)[1] <= now:
                expected_number += 1
            assert period.number == expected_number
            self.model_period = (started, expected_number, current_plan)
        started, _number, current_plan = self.model_period
        assert period.status == PlanPeriod.Status.PAID
        expires = credits_expiry(current_plan, started, expected_number)
        entry = LedgerEntry.objects.get(pk=period.order.grant_entry_id)
        assert entry.lot.expires_at == expires
        self.model_lots[entry.lot_id] = [current_plan.credits, expires]
        # Asking again for the same period grants nothing more.
        assert services.renew_period(self.subscription) is None
        return entry.lot_id

    # --- Automatic recharges ---------------------------------------------------------------
    @rule(declined=st.booleans())
    def auto_recharge(self, declined):
        self.ensure_card()
        if not self.recharge_on:
            services.configure_auto_recharge(
                self.org,
                enabled=True,
                threshold=THRESHOLD,
                pack=pack(PACK_CREDITS),
                monthly_cap=CAP,
            )
            self.recharge_on = True
        if declined:
            card(self.org, "declined")
        now = timezone.now()
        this_month = AutoPurchase.objects.filter(
            setting__organization=self.org,
            created_at__gte=month_start(now),
            status=AutoPurchase.Status.PAID,
        ).count()
        due = self.available() < THRESHOLD and this_month < CAP
        registration = self.paid_orders() == 0
        purchase = services.run_auto_recharge(self.org.pk)
        if not due:
            assert purchase is None
        elif declined:
            assert purchase.status == AutoPurchase.Status.DECLINED
            assert purchase.order.grant_entry_id is None  # never credits without payment
            self.recharge_on = False  # a declined card turns it off
        else:
            assert purchase.status == AutoPurchase.Status.PAID
            lot = LedgerEntry.objects.get(pk=purchase.order.grant_entry_id).lot
            expires = now + timedelta(days=365) if registration else None
            assert lot.expires_at == expires
            self.model_lots[lot.pk] = [PACK_CREDITS, expires]
        if declined:
            card(self.org, "ok")


@pytest.mark.django_db
def test_the_ledger_with_plans_and_recharges_matches_a_simple_model():
    run_state_machine_as_test(
        PlansLedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
