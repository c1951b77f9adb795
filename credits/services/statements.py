"""Balance statements kept as files: requested by a user, built in the background."""

import logging
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Language, Organization, User
from credits import selectors
from credits.errors import InvalidRequest, UnknownOrganization
from credits.models import Statement

logger = logging.getLogger(__name__)


def inline_limit() -> int:
    """Statements with more movements than this are built in the background."""
    return getattr(settings, "CREDITS_STATEMENT_INLINE_MOVEMENTS", 1000)


# The days a statement or a movement filter may name (both included).
PERIOD_LIMITS = (date(2000, 1, 1), date(2099, 12, 31))


def check_period(start: date, end: date) -> None:
    """Raises InvalidRequest unless start <= end, both within PERIOD_LIMITS."""
    if start is None or end is None or start > end:
        raise InvalidRequest(_("The period must start on or before the day it ends."))
    if start < PERIOD_LIMITS[0] or end > PERIOD_LIMITS[1]:
        raise InvalidRequest(_("The period must fall between the years 2000 and 2099."))


@transaction.atomic
def request_statement(
    organization: Organization,
    start: date,
    end: date,
    *,
    requested_by: User | None = None,
    language: str = Language.SPANISH,
) -> Statement:
    """A pending statement of [start, end]; a Celery task builds its PDF after commit.

    Raises InvalidRequest (period, language), UnknownOrganization.
    """
    from credits.tasks import build_statement_task

    check_period(start, end)
    if language not in Language.values:
        raise InvalidRequest(_("Unknown language."))
    if getattr(organization, "pk", None) is None:
        raise UnknownOrganization()
    statement = Statement.objects.create(
        organization=organization,
        requested_by=requested_by,
        start=start,
        end=end,
        language=language,
        movement_count=selectors.movement_count(organization, start, end),
    )
    transaction.on_commit(lambda: build_statement_task.delay(statement.pk))
    return statement


@transaction.atomic
def build_statement(statement: Statement) -> Statement:
    """Render the statement's PDF into its private file and mark it ready.

    A statement already built is returned unchanged (safe to run twice). A failure marks
    it failed with the error, and is logged.
    """
    from credits.pdf import render_statement_pdf

    statement = (
        Statement.objects.select_for_update().select_related("organization").get(pk=statement.pk)
    )
    if statement.status == Statement.Status.READY:
        return statement
    try:
        data = selectors.statement_data(statement.organization, statement.start, statement.end)
        pdf = render_statement_pdf(data, language=statement.language)
    except Exception as exc:
        logger.exception("balance statement %s failed", statement.pk)
        statement.status = Statement.Status.FAILED
        statement.error = f"{type(exc).__name__}: {exc}"[:2000]
        statement.finished_at = timezone.now()
        statement.save(update_fields=["status", "error", "finished_at"])
        return statement
    statement.file.save(statement.filename, ContentFile(pdf), save=False)
    statement.movement_count = len(data.movements)
    statement.status = Statement.Status.READY
    statement.error = ""
    statement.finished_at = timezone.now()
    statement.save(update_fields=["file", "movement_count", "status", "error", "finished_at"])
    return statement
