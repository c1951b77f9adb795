"""Several workers sending at once (threads on PostgreSQL): each record reaches the agency
exactly once (the batch's rows are locked while sent; others skip them)."""

import pytest
from django.core.cache import cache

from accounts.models import Organization
from billing.models import RecordSubmission
from billing.verifactu.submission import submit_pending
from tests.billing.factories import paid_order
from tests.billing.verifactu_stub import Agency, make_certificate
from tests.credits.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_workers_send_each_record_once(settings, tmp_path):
    cache.clear()
    agency = Agency()
    agency.wait = 0
    endpoint = agency.start()
    settings.VERIFACTU = {
        **settings.VERIFACTU,
        "SUBMIT": True,
        "ENDPOINT": endpoint,
        "CERT_FILE": make_certificate(tmp_path / "cert.p12"),
        "CERT_PASSWORD": "secreto",
        "TIMEOUT": 5,
        "BATCH_SIZE": 3,
    }
    try:
        organization = Organization.objects.create(name="Cliente", tax_id="B12345674")
        for _ in range(9):
            paid_order(organization, 15)
        for _round in range(3):
            race(6, lambda i: submit_pending())
            cache.clear()
        sent = [number for request in agency.requests for number in request]
        assert sorted(sent) == sorted(set(sent))
        assert len(sent) == 9
        assert set(RecordSubmission.objects.values_list("status", flat=True)) == {"accepted"}
    finally:
        agency.stop()
        cache.clear()
