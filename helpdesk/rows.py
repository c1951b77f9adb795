"""The rows of the long lists, written in Python (issue 15).

The template engine resolves each ``{{ variable }}`` and runs each filter and tag through
several calls: a list of 25 rows of nine cells costs it several milliseconds, more than
the page's queries. The lists that every user opens (the queue, the client's tickets, the
credit movements) build their rows with these helpers and plain string formatting; each
value is escaped here, as the template's autoescaping would.
"""

from html import escape as _escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe


def esc(value) -> str:
    """``{{ value }}``: the text escaped for HTML ("" for None); safe strings as they are."""
    if value is None:
        return ""
    if isinstance(value, SafeString):
        return value
    return _escape(str(value), quote=True)


def short_datetime(value) -> str:
    """``{{ value|date:"SHORT_DATETIME_FORMAT" }}``: in the current time zone, day first."""
    if value is None:
        return ""
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def table_body(rows: list[str], *, columns: int, empty: str) -> SafeString:
    """The rows, each already escaped, one a line; without rows one row saying ``empty``."""
    if not rows:
        return mark_safe(  # noqa: S308 - escaped here
            f'<tr><td colspan="{columns}" class="text-body-secondary">{esc(empty)}</td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - the callers escape every value
