"""What the automatic recharge adds to every deduction: one indexed query after the
commit when the organization has none switched on; the task only when it has one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans import receivers, services
from plans.models import AutoPurchase
from tests.billing.factories import pack, registered
from tests.credits.factories import consume, grant
from tests.plans.factories import card

pytestmark = pytest.mark.django_db


def _hook_callbacks(callbacks):
    return [cb for cb in callbacks if getattr(cb, "func", None) is receivers.queue_auto_recharge]


def test_a_deduction_without_automatic_recharge_costs_one_query_more(
    organization, django_capture_on_commit_callbacks
):
    grant(organization, 100)
    with django_capture_on_commit_callbacks() as callbacks:
        consume(organization, 15)
    (hook,) = _hook_callbacks(callbacks)
    with CaptureQueriesContext(connection) as queries:
        hook()
    assert len(queries) == 1
    assert not AutoPurchase.objects.exists()


def test_a_deduction_with_automatic_recharge_runs_it(
    organization, client_user, django_capture_on_commit_callbacks
):
    registered(organization)
    grant(organization, 20)
    card(organization)
    services.configure_auto_recharge(
        organization, enabled=True, threshold=30, pack=pack(60), monthly_cap=2
    )
    with django_capture_on_commit_callbacks() as callbacks:
        consume(organization, 15)
    (hook,) = _hook_callbacks(callbacks)
    with CaptureQueriesContext(connection) as queries:
        hook()  # eager Celery: the task runs here
    print(f"automatic purchase: {len(queries)} queries")  # noqa: T201
    assert AutoPurchase.objects.get().status == AutoPurchase.Status.PAID
