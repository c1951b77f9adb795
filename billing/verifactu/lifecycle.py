"""The event log's start and stop of the invoicing system: the Celery worker that submits
the records is the system's running part, so its start and stop are logged (the
regulation's "inicio y parada"). Failures and anomalies are logged where they happen."""

import logging

from celery.signals import worker_ready, worker_shutdown
from django.db import DatabaseError

from billing.models import SystemEvent
from billing.verifactu.chain import log_event

log = logging.getLogger(__name__)


def _log(kind: str, message: str) -> None:
    try:
        log_event(kind, message)
    except DatabaseError:  # the database being down must not stop the worker itself
        log.exception("could not write the invoicing system event %s", kind)


@worker_ready.connect
def on_worker_ready(sender=None, **kwargs):
    _log(SystemEvent.Kind.START, f"Invoicing system started ({getattr(sender, 'hostname', '')}).")


@worker_shutdown.connect
def on_worker_shutdown(sender=None, **kwargs):
    _log(SystemEvent.Kind.STOP, f"Invoicing system stopped ({getattr(sender, 'hostname', '')}).")
