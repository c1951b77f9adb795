"""Submission to the agency through zeep against a local stub of its test service: batches
of at most 1,000, the waiting time, never twice, rejected records with the agency's code,
retries after a timeout, and a missing or expired certificate."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from billing.models import RecordSubmission, SystemEvent
from billing.verifactu.submission import submit_pending
from tests.billing.factories import order, paid_order
from tests.billing.verifactu_stub import Agency, make_certificate

pytestmark = pytest.mark.django_db

Status = RecordSubmission.Status


@pytest.fixture
def agency(settings, tmp_path):
    cache.clear()
    stub = Agency()
    endpoint = stub.start()
    settings.VERIFACTU = {
        **settings.VERIFACTU,
        "SUBMIT": True,
        "ENDPOINT": endpoint,
        "CERT_FILE": make_certificate(tmp_path / "cert.p12"),
        "CERT_PASSWORD": "secreto",
        "TIMEOUT": 1,
    }
    yield stub
    stub.stop()
    cache.clear()


@pytest.fixture
def valid_buyer(organization):
    organization.tax_id = "B12345674"
    organization.save()
    return organization


def _statuses():
    return list(
        RecordSubmission.objects.order_by("record__position").values_list("status", flat=True)
    )


def test_pending_records_are_sent_once_and_accepted(agency, valid_buyer):
    invoices = [paid_order(valid_buyer, 15).invoices.get() for _ in range(3)]
    assert submit_pending() == 3
    assert agency.invalid == []  # the stub validated the request against the XSD
    assert agency.requests == [[i.number for i in invoices]]
    assert _statuses() == [Status.ACCEPTED] * 3
    assert set(RecordSubmission.objects.values_list("csv", flat=True)) == {"A-YDSW8NLFLANWPM"}
    # Nothing more to send, and an accepted record is never sent again.
    cache.clear()
    assert submit_pending() == 0
    assert len(agency.requests) == 1
    assert SystemEvent.objects.filter(kind=SystemEvent.Kind.SUBMISSION).count() == 1


def test_the_agencys_waiting_time_is_honoured(agency, valid_buyer):
    paid_order(valid_buyer, 15)
    assert submit_pending() == 1
    paid_order(valid_buyer, 15)
    assert submit_pending() == 0  # TiempoEsperaEnvio = 60 s not over
    assert submit_pending(now=timezone.now() + timezone.timedelta(seconds=61)) == 1
    assert len(agency.requests) == 2


def test_batches_carry_at_most_the_batch_size(agency, valid_buyer, settings):
    settings.VERIFACTU = {**settings.VERIFACTU, "BATCH_SIZE": 2}
    agency.wait = 0
    for _ in range(3):
        paid_order(valid_buyer, 15)
    assert submit_pending() == 2
    cache.clear()
    assert submit_pending() == 1
    assert [len(r) for r in agency.requests] == [2, 1]


def test_a_rejected_record_keeps_the_agencys_error_code(agency, valid_buyer):
    first = paid_order(valid_buyer, 15).invoices.get()
    second = paid_order(valid_buyer, 15).invoices.get()
    agency.reject = {second.number}
    submit_pending()
    rows = {s.record.invoice_number: s for s in RecordSubmission.objects.select_related("record")}
    assert rows[first.number].status == Status.ACCEPTED
    rejected = rows[second.number]
    assert (rejected.status, rejected.error_code) == (Status.REJECTED, "1100")
    assert "IDDestinatario" in rejected.error_message


def test_an_incorrecto_answer_rejects_every_record(agency, valid_buyer):
    agency.mode = "incorrecto"
    paid_order(valid_buyer, 15)
    paid_order(valid_buyer, 15)
    submit_pending()
    assert _statuses() == [Status.REJECTED] * 2
    assert "0 rejected" not in SystemEvent.objects.get(kind="submission").message


def test_a_timeout_leaves_the_records_pending_and_retries_later(agency, valid_buyer):
    agency.mode = "timeout"
    paid_order(valid_buyer, 15)
    assert submit_pending() == 0
    row = RecordSubmission.objects.get()
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert "La AEAT no respondió" in row.error_message
    assert row.next_attempt_at > timezone.now()
    assert SystemEvent.objects.filter(kind=SystemEvent.Kind.FAILURE).count() == 1
    agency.mode = "correcto"
    assert submit_pending() == 0  # not due yet
    assert submit_pending(now=row.next_attempt_at) == 1
    assert _statuses() == [Status.ACCEPTED]


def test_a_soap_fault_is_a_failure_retried_later(agency, valid_buyer):
    agency.mode = "fault"
    paid_order(valid_buyer, 15)
    assert submit_pending() == 0
    row = RecordSubmission.objects.get()
    assert row.status == Status.PENDING
    assert "4102" in row.error_message


@pytest.mark.parametrize(
    ("cert", "message"),
    [("missing", "No hay ningún certificado"), ("expired", "caducó el"), ("badpass", "contraseña")],
)
def test_a_missing_or_expired_certificate_keeps_records_pending_with_a_message(
    agency, valid_buyer, settings, tmp_path, cert, message
):
    conf = dict(settings.VERIFACTU)
    if cert == "missing":
        conf["CERT_FILE"] = ""
    elif cert == "expired":
        conf["CERT_FILE"] = make_certificate(tmp_path / "old.p12", days=-1)
    else:
        conf["CERT_PASSWORD"] = "otra"
    settings.VERIFACTU = conf
    paid_order(valid_buyer, 15)
    assert submit_pending() == 0
    row = RecordSubmission.objects.get()
    assert row.status == Status.PENDING
    assert message in row.error_message
    assert agency.requests == []


def test_submission_never_blocks_a_payment(agency, valid_buyer):
    """The agency being down changes nothing for the client: payment is a separate step."""
    agency.mode = "timeout"
    new = order(valid_buyer, 15)
    from billing import services

    invoice = services.confirm_payment(new, provider_reference="x")
    assert invoice.records.get().submission.status == Status.PENDING
    assert agency.requests == []


def test_a_record_whose_previous_fingerprint_does_not_match_is_held(agency, valid_buyer):
    from django.db import connection

    paid_order(valid_buyer, 15)
    paid_order(valid_buyer, 15)
    if connection.vendor != "postgresql":
        pytest.skip("bypassing the append-only trigger needs PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE billing_billingrecord SET previous_fingerprint = 'X' WHERE position = 2"
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert submit_pending() == 1
    held = RecordSubmission.objects.get(status=Status.HELD)
    assert "previous fingerprint" in held.error_message
    assert agency.requests[0] == [held.record.previous.invoice_number]


def test_nothing_is_sent_when_submission_is_off(agency, valid_buyer, settings):
    settings.VERIFACTU = {**settings.VERIFACTU, "SUBMIT": False}
    paid_order(valid_buyer, 15)
    assert submit_pending() == 0
    assert agency.requests == []
