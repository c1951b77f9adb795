"""The issuer's chain under concurrent payments and refunds, on PostgreSQL (threads, one
connection each): one line, positions 1..n, each record pointing at the one before."""

import pytest

from billing import services
from billing.models import BillingRecord, ChainHead, Invoice
from billing.verifactu.records import expected_fingerprint
from tests.accounts.factories import OrganizationFactory
from tests.billing.factories import order
from tests.credits.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 16


def _assert_one_unbroken_chain(count):
    records = list(BillingRecord.objects.order_by("position"))
    assert [r.position for r in records] == list(range(1, count + 1))
    previous = None
    for record in records:
        assert record.previous_id == (previous.pk if previous else None)
        assert record.previous_fingerprint == (previous.fingerprint if previous else "")
        assert record.fingerprint == expected_fingerprint(record)
        previous = record
    head = ChainHead.objects.get()
    assert (head.length, head.last_record_id) == (count, records[-1].pk)


def test_concurrent_payments_and_refunds_never_fork_nor_skip_the_chain(admin_user):
    organizations = [OrganizationFactory() for _ in range(4)]
    paid = [order(organizations[i % 4], 15) for i in range(4)]
    for i, done in enumerate(paid):
        services.confirm_payment(done, provider_reference=f"pre-{i}")
    orders = [order(organizations[i % 4], 15) for i in range(THREADS)]

    def work(i):
        if i < 4:  # refunds (series R) race payments (series A) on the same chain
            return services.refund_order(paid[i], reason="r", actor=admin_user)
        return services.confirm_payment(orders[i], provider_reference=f"ref-{i}")

    results = race(THREADS, work)
    assert all(isinstance(r, Invoice) for r in results), results
    assert BillingRecord.objects.count() == Invoice.objects.count() == 4 + THREADS
    _assert_one_unbroken_chain(4 + THREADS)
