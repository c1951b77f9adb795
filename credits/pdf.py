"""The balance statement as a PDF (WeasyPrint), in the reader's language.

Movements are set as fixed-width (monospace) lines, five movements per block: WeasyPrint
lays out and draws a six-cell table row about six times slower than one line of text,
and a statement of 1,000 movements must be ready in well under 3 seconds (measured:
about 10 s as a table, 1.3 s as these blocks; see bench/credits_bench.py).
"""

import textwrap

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from helpdesk.formatting import format_credits

from .models import LedgerEntry
from .selectors import StatementData

# Characters per column of a movement line (DejaVu Sans Mono 7.5 pt on A4 fits ~110).
COLUMNS = (("date", 10), ("kind", 17), ("text", 44), ("minutes", 5), ("credits", 8), ("after", 8))
MOVEMENTS_PER_BLOCK = 5
GAP = "  "


def signed_credits(amount: int) -> str:
    """ "+120" / "-15" / "0", grouped per locale."""
    sign = "+" if amount > 0 else "-" if amount < 0 else ""
    return f"{sign}{format_credits(abs(amount))}"


def entry_text(entry: LedgerEntry) -> str:
    """What a movement refers to and why: "Ticket #12 · Mail server down"."""
    reason = _(entry.reason) if entry.reason else ""
    parts = [p for p in (entry.reference_label, reason) if p]
    return " · ".join(dict.fromkeys(parts))


def _fit(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def _line(cells: dict[str, str]) -> str:
    out = []
    for name, width in COLUMNS:
        value = _fit(cells.get(name, ""), width)
        numeric = name in ("minutes", "credits", "after")
        out.append(value.rjust(width) if numeric else value.ljust(width))
    return GAP.join(out).rstrip()


def header_line() -> str:
    return _line(
        {
            "date": _("Date"),
            "kind": _("Movement"),
            "text": _("Reference and reason"),
            "minutes": _("Min."),
            "credits": _("Credits"),
            "after": _("Balance"),
        }
    )


def movement_block(entry: LedgerEntry) -> str:
    """One movement: its line, and one continuation line when the text is long (longer
    texts end in "…"; every line costs layout time)."""
    text_width = dict(COLUMNS)["text"]
    text_lines = textwrap.wrap(entry_text(entry), text_width, max_lines=2, placeholder=" …")
    text_lines = text_lines or [""]
    first = _line(
        {
            "date": date_format(timezone.localtime(entry.created_at), "SHORT_DATE_FORMAT"),
            "kind": entry.get_kind_display(),
            "text": text_lines[0],
            "minutes": "" if entry.work_minutes is None else format_credits(entry.work_minutes),
            "credits": signed_credits(entry.amount),
            "after": format_credits(entry.balance_after),
        }
    )
    indent = " " * (dict(COLUMNS)["date"] + dict(COLUMNS)["kind"] + 2 * len(GAP))
    rest = [indent + line for line in text_lines[1:]]
    return "\n".join([first, *rest])


def movement_blocks(entries: list[LedgerEntry]) -> list[str]:
    """The movement lines, grouped MOVEMENTS_PER_BLOCK to a block (one rule under each)."""
    lines = [movement_block(entry) for entry in entries]
    return [
        "\n".join(lines[i : i + MOVEMENTS_PER_BLOCK])
        for i in range(0, len(lines), MOVEMENTS_PER_BLOCK)
    ]


def render_statement_html(data: StatementData, *, language: str) -> str:
    with translation.override(language):
        context = {
            "data": data,
            "organization": data.organization,
            "seller": settings.SELLER,
            "header": header_line(),
            "blocks": movement_blocks(data.movements),
            "movement_count": len(data.movements),
            "language": language,
        }
        return render_to_string("credits/statement_pdf.html", context)


def render_statement_pdf(data: StatementData, *, language: str) -> bytes:
    """The PDF bytes of a balance statement, with texts in ``language`` (es or en)."""
    from weasyprint import HTML  # imported on use: it is slow to import

    html = render_statement_html(data, language=language)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
