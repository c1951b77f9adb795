"""Request ids in every log line, from the web request to the Celery tasks it queued.

- ``RequestIdMiddleware`` takes the proxy's ``X-Request-ID`` (when it is a sane token) or
  makes one, keeps it in a context variable and returns it in the response header.
- A log record factory copies the current id into every record as ``request_id`` ("-"
  outside a request), so every handler and formatter (plain or JSON) can print it.
- Celery: ``before_task_publish`` puts the id in the task message's headers; the worker
  restores it while the task runs (``task_prerun``/``task_postrun``). The worker logs
  through Django's ``LOGGING`` (``setup_logging``), so its lines are JSON in production too.
"""

import logging
import logging.config
import re
import uuid
from contextvars import ContextVar

from celery import signals

request_id: ContextVar[str] = ContextVar("request_id", default="-")
HEADER = "request_id"  # the Celery message header
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")  # a proxy's id is used only if it looks sane

logger = logging.getLogger("helpdesk.tasks")


def _install_record_factory() -> None:
    previous = logging.getLogRecordFactory()
    if getattr(previous, "adds_request_id", False):
        return

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = request_id.get()
        return record

    factory.adds_request_id = True
    logging.setLogRecordFactory(factory)


_install_record_factory()


class RequestIdMiddleware:
    """Gives each request an id (``X-Request-ID``) that its log lines and tasks carry.

    The id stays set after the response so Django's own ``django.request`` line (written
    after the middleware returns) carries it too; the next request replaces it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        current = given if _VALID.match(given) else uuid.uuid4().hex
        request_id.set(current)
        request.request_id = current
        response = self.get_response(request)
        response["X-Request-ID"] = current
        return response


@signals.before_task_publish.connect
def _add_request_id_header(headers=None, **kwargs):
    current = request_id.get()
    if headers is not None and current != "-":
        headers.setdefault(HEADER, current)


_task_tokens: dict[str, object] = {}


@signals.task_prerun.connect
def _restore_request_id(task_id=None, task=None, **kwargs):
    current = getattr(task.request, HEADER, None) or "-"
    _task_tokens[task_id] = request_id.set(current)
    logger.info("Task %s[%s] started", task.name, task_id)


@signals.task_postrun.connect
def _forget_request_id(task_id=None, **kwargs):
    if (token := _task_tokens.pop(task_id, None)) is not None:
        request_id.reset(token)


@signals.setup_logging.connect
def _use_django_logging(**kwargs):
    """The worker and beat log with Django's LOGGING (JSON in production), not Celery's."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
