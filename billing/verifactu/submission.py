"""Sending pending records to the agency: the outbox of RecordSubmission rows.

- never lost: the row is written with the record, in the invoice's transaction;
- never twice: a batch's rows are locked (FOR UPDATE SKIP LOCKED) from the moment they
  are picked until their answer is stored, so a second worker skips them, and only
  PENDING rows are picked;
- at most 1,000 records per call, one issuer per call, in chain order;
- the waiting time the agency answers with (TiempoEsperaEnvio) is honoured before the
  next call; a timeout or a missing certificate leaves the rows pending, retried later
  with a growing delay, and never touches payments (this runs in a Celery task).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from billing.errors import AgencyUnavailable, CertificateProblem
from billing.models import BillingRecord, RecordSubmission, SystemEvent
from billing.verifactu import client
from billing.verifactu.chain import log_event
from billing.verifactu.records import expected_fingerprint
from billing.verifactu.xml import MAX_RECORDS, submission_document, validate

WAIT_KEY = "billing:verifactu:next-send-at"
STATUS_OF_LINE = {
    client.CORRECT: RecordSubmission.Status.ACCEPTED,
    client.ACCEPTED_WITH_ERRORS: RecordSubmission.Status.ACCEPTED_WITH_ERRORS,
    client.INCORRECT: RecordSubmission.Status.REJECTED,
}


def _retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _wait_until() -> datetime | None:
    return cache.get(WAIT_KEY)


def _hold(submission: RecordSubmission, message: str) -> None:
    submission.status = RecordSubmission.Status.HELD
    submission.error_message = str(message)[:500]
    submission.save(update_fields=["status", "error_message"])
    log_event(SystemEvent.Kind.ANOMALY, message, record=submission.record_id)


def _sound(submission: RecordSubmission) -> bool:
    """The record still matches its fingerprint and its previous record's: else HELD."""
    record = submission.record
    previous = record.previous
    wanted = previous.fingerprint if previous else ""
    if record.previous_fingerprint != wanted or record.fingerprint != expected_fingerprint(record):
        _hold(
            submission,
            f"Record {record.invoice_number} (#{record.position}): its previous fingerprint "
            "or its own does not match the chain; not sent. Run check_billing_records.",
        )
        return False
    return True


def _due(now: datetime):
    return (
        RecordSubmission.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("record", "record__previous")
        .filter(status=RecordSubmission.Status.PENDING)
        .exclude(next_attempt_at__gt=now)
        .order_by("record__issuer_tax_id", "record__position")
    )


def submit_pending(*, now: datetime | None = None) -> int:
    """Send one batch of due records (one issuer, at most BATCH_SIZE ≤ 1,000). Returns how
    many records got an answer. Nothing happens when VERIFACTU_SUBMIT is off or while the
    agency's waiting time runs."""
    conf = settings.VERIFACTU
    now = now or timezone.now()
    if not conf["SUBMIT"]:
        return 0
    wait = _wait_until()
    if wait and wait > now:
        return 0
    with transaction.atomic():
        due = list(_due(now)[: min(conf["BATCH_SIZE"], MAX_RECORDS)])
        if not due:
            return 0
        issuer = due[0].record.issuer_tax_id
        batch = [s for s in due if s.record.issuer_tax_id == issuer and _sound(s)]
        if not batch:
            return 0
        records = [s.record for s in batch]
        document = submission_document(records)
        problems = validate(document)
        if problems:
            for submission in batch:
                _hold(submission, "The record's XML fails the agency's XSD: " + problems[0])
            return 0
        try:
            answer = client.send(document)
        except (CertificateProblem, AgencyUnavailable) as exc:
            _failed(batch, str(exc.message), now=now)
            return 0
        _store(batch, answer, now=now)
    cache.set(WAIT_KEY, now + timedelta(seconds=answer.wait_seconds), answer.wait_seconds + 60)
    return len(batch)


def _failed(batch: list[RecordSubmission], message: str, *, now: datetime) -> None:
    for submission in batch:
        submission.attempts += 1
        submission.next_attempt_at = now + _retry_delay(submission.attempts)
        submission.error_message = message[:500]
        submission.save(update_fields=["attempts", "next_attempt_at", "error_message"])
    log_event(SystemEvent.Kind.FAILURE, message, records=len(batch))


def _store(batch: list[RecordSubmission], answer: client.Answer, *, now: datetime) -> None:
    by_key = {(line.number, line.operation): line for line in answer.lines}
    rejected = 0
    for submission in batch:
        record = submission.record
        operation = (
            client.OPERATION_ANULACION
            if record.kind == BillingRecord.Kind.ANULACION
            else client.OPERATION_ALTA
        )
        line = by_key.get((record.invoice_number, operation))
        submission.attempts += 1
        submission.sent_at = now
        submission.csv = answer.csv[:64]
        if line is None and answer.status == client.CORRECT:
            submission.status = RecordSubmission.Status.ACCEPTED
        elif line is None:
            submission.status = RecordSubmission.Status.REJECTED
            submission.error_message = f"EstadoEnvio {answer.status}: no answer for this record."
        else:
            submission.status = STATUS_OF_LINE.get(line.status, RecordSubmission.Status.REJECTED)
            submission.error_code = line.code[:16]
            submission.error_message = line.description[:500]
        rejected += submission.status == RecordSubmission.Status.REJECTED
        submission.save()
    log_event(
        SystemEvent.Kind.SUBMISSION,
        f"{len(batch)} records sent: {answer.status}, {rejected} rejected.",
        csv=answer.csv,
        wait_seconds=answer.wait_seconds,
    )
