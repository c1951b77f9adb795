"""The balance statement as a PDF (WeasyPrint), in the reader's language.

The movements read as a bank statement's table: date, reference, reason, in, out and
balance, in aligned columns. They are set as fixed-width (monospace) block rows, one block
per movement with a rule under it; a reference or reason longer than its column wraps onto
more lines in that column, complete (never cut). Not an HTML table: a statement of 1,000
movements must be ready in under 3 seconds, and WeasyPrint took 3.9 to 6.6 s for a
<table> of them in every variant tried (fixed layout, no borders, chunks, repeated thead),
these rows 1.65 s (bench/statement_table_bench.py, figures in bench/README.md). The
movements page (templates/credits/movements.html) is a real table.
"""

import textwrap
from datetime import datetime, time, timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from credits.models import EntryKind, LedgerEntry
from credits.selectors import StatementData
from helpdesk.formatting import format_credits

# Characters per column (DejaVu Sans Mono 7.5 pt: 112 fit across A4 portrait).
COLUMNS = (
    ("date", 10),
    ("reference", 22),
    ("reason", 43),
    ("in", 8),
    ("out", 8),
    ("after", 9),
)
NUMERIC = {"in", "out", "after"}
WRAPPED = ("reference", "reason")
GAP = "  "
# Kinds in at most 12 characters, for the reason column.
SHORT_KINDS = {
    EntryKind.PURCHASE: pgettext_lazy("short movement kind", "Purchase"),
    EntryKind.REGISTRATION: pgettext_lazy("short movement kind", "Registration"),
    EntryKind.CONSUMPTION: pgettext_lazy("short movement kind", "Consumption"),
    EntryKind.EXPIRY: pgettext_lazy("short movement kind", "Expiry"),
    EntryKind.ADJUSTMENT: pgettext_lazy("short movement kind", "Adjustment"),
    EntryKind.REFUND: pgettext_lazy("short movement kind", "Refund"),
}


def signed_credits(amount: int) -> str:
    """ "+120" / "-15" / "0", grouped per locale."""
    sign = "+" if amount > 0 else "-" if amount < 0 else ""
    return f"{sign}{format_credits(abs(amount))}"


def entry_reason(entry: LedgerEntry) -> str:
    """The reason column: the kind, the reason and the real minutes of the work,
    "Consumption · Mail server down · 22 min"."""
    parts = [str(SHORT_KINDS.get(entry.kind, entry.get_kind_display()))]
    if entry.reason:
        parts.append(_(entry.reason))
    if entry.work_minutes is not None:
        parts.append(_("%(minutes)s min") % {"minutes": format_credits(entry.work_minutes)})
    return " · ".join(dict.fromkeys(parts))


def _wrap(value: str, width: int) -> list[str]:
    return textwrap.wrap(value, width, break_long_words=True, break_on_hyphens=False) or [""]


def _line(cells: dict[str, str]) -> str:
    out = []
    for name, width in COLUMNS:
        value = cells.get(name, "")
        out.append(value.rjust(width) if name in NUMERIC else value.ljust(width))
    return GAP.join(out).rstrip()


def header_line() -> str:
    return _line(
        {
            "date": _("Date"),
            "reference": _("Reference"),
            "reason": _("Reason"),
            "in": pgettext("statement column: credits added", "In"),
            "out": pgettext("statement column: credits taken", "Out"),
            "after": _("Balance"),
        }
    )


def movement_line(entry: LedgerEntry) -> str:
    """One movement as its block row: the first line holds every column; a reference or
    reason longer than its column goes on under it, in the same column, complete."""
    widths = dict(COLUMNS)
    wrapped = {
        name: _wrap(text, widths[name])
        for name, text in (
            ("reference", entry.reference_label),
            ("reason", entry_reason(entry)),
        )
    }
    first = {
        "date": date_format(timezone.localtime(entry.created_at), "SHORT_DATE_FORMAT"),
        "in": format_credits(entry.amount) if entry.amount > 0 else "",
        "out": format_credits(-entry.amount) if entry.amount < 0 else "",
        "after": format_credits(entry.balance_after),
    }
    height = max(len(lines) for lines in wrapped.values())
    lines = []
    for k in range(height):
        cells = first if k == 0 else {}
        cells = {**cells, **{n: wrapped[n][k] if k < len(wrapped[n]) else "" for n in WRAPPED}}
        lines.append(_line(cells))
    return "\n".join(lines)


# The balance chart: an inline SVG (no JavaScript, drawn by WeasyPrint), at most this many
# points however many movements (a polyline of 1,000 points costs nothing visible more).
CHART_POINTS = 200
CHART_W, CHART_H = 600, 110


def balance_points(data: StatementData) -> list[tuple[float, int]]:
    """(seconds since the period's start, balance in credits) at the start and after each
    movement, thinned to CHART_POINTS."""
    start = timezone.make_aware(datetime.combine(data.start, time.min))
    end = timezone.make_aware(datetime.combine(data.end + timedelta(days=1), time.min))
    points = [(0.0, data.opening_balance)]
    points += [((e.created_at - start).total_seconds(), e.balance_after) for e in data.movements]
    points.append(((end - start).total_seconds(), data.closing_balance))
    if len(points) > CHART_POINTS:
        step = len(points) / CHART_POINTS
        points = [points[int(i * step)] for i in range(CHART_POINTS)] + [points[-1]]
    return points


def balance_chart_svg(data: StatementData) -> str:
    """A small line chart of the balance over the period, as SVG markup."""
    points = balance_points(data)
    span = max(points[-1][0], 1.0)
    top = max(max(b for _, b in points), 1)
    left, right, bottom, height = 46, CHART_W - 6, CHART_H - 16, CHART_H - 24
    coords = " ".join(
        f"{left + (right - left) * x / span:.1f},{bottom - height * b / top:.1f}" for x, b in points
    )
    first = date_format(data.start, "SHORT_DATE_FORMAT")
    last = date_format(data.end, "SHORT_DATE_FORMAT")
    label = escape(_("Balance over the period (credits)"))
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {CHART_W} {CHART_H}"'
        f' role="img" aria-label="{label}">'
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#999" '
        'stroke-width="0.8"/>'
        f'<line x1="{left}" y1="{bottom - height}" x2="{left}" y2="{bottom}" stroke="#999" '
        'stroke-width="0.8"/>'
        f'<polyline points="{coords}" fill="none" stroke="#0d6efd" stroke-width="1.6"/>'
        f'<text x="{left - 4}" y="{bottom - height + 4}" text-anchor="end" font-size="9">'
        f"{escape(format_credits(top))}</text>"
        f'<text x="{left - 4}" y="{bottom}" text-anchor="end" font-size="9">0</text>'
        f'<text x="{left}" y="{CHART_H - 3}" font-size="9">{first}</text>'
        f'<text x="{right}" y="{CHART_H - 3}" text-anchor="end" font-size="9">{last}</text>'
        "</svg>"
    )


def movement_rows(entries: list[LedgerEntry]) -> list[str]:
    """The block rows of the movements, one per movement (a rule under each)."""
    return [movement_line(entry) for entry in entries]


def render_statement_html(data: StatementData, *, language: str) -> str:
    with translation.override(language):
        context = {
            "data": data,
            "organization": data.organization,
            "seller": settings.SELLER,
            "header": header_line(),
            "rows": movement_rows(data.movements),
            "movement_count": len(data.movements),
            "chart": mark_safe(balance_chart_svg(data)),  # noqa: S308 - built here, escaped
            "language": language,
        }
        return render_to_string("credits/statement_pdf.html", context)


def render_statement_pdf(data: StatementData, *, language: str) -> bytes:
    """The PDF bytes of a balance statement, with texts in ``language`` (es or en)."""
    from weasyprint import HTML  # imported on use: it is slow to import

    html = render_statement_html(data, language=language)
    # Tagged PDF/UA-1 (issue 21): structure tree, /Lang from <html lang>, title shown.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
