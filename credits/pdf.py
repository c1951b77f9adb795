"""The balance statement as a PDF (WeasyPrint), in the reader's language.

Movements are set as fixed-width (monospace) lines, one line per movement and five
movements per block, with the free text last: WeasyPrint lays out and draws a six-cell
table row about six times slower than one line of text, its cost grows with every line
and every glyph, and a statement of 1,000 movements must be ready in under 3 seconds
(a table took about 10 s; see bench/credits_bench.py for the figures of these lines).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from helpdesk.formatting import format_credits

from .models import EntryKind, LedgerEntry
from .selectors import StatementData

# Characters per column (DejaVu Sans Mono 7.5 pt: 112 fit across A4 portrait).
COLUMNS = (("date", 10), ("kind", 12), ("minutes", 5), ("credits", 8), ("after", 8), ("text", 56))
NUMERIC = {"minutes", "credits", "after"}
MOVEMENTS_PER_BLOCK = 5
GAP = "  "
# Kinds in at most 12 characters, for the statement's column.
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


def entry_text(entry: LedgerEntry) -> str:
    """What a movement refers to and why: "Ticket #12 · Mail server down"."""
    reason = _(entry.reason) if entry.reason else ""
    parts = [p for p in (entry.reference_label, reason) if p]
    return " · ".join(dict.fromkeys(parts))


def _fit(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1].rstrip() + "…"


def _line(cells: dict[str, str]) -> str:
    out = []
    for name, width in COLUMNS:
        value = _fit(cells.get(name, ""), width)
        out.append(value.rjust(width) if name in NUMERIC else value.ljust(width))
    return GAP.join(out).rstrip()


def header_line() -> str:
    return _line(
        {
            "date": _("Date"),
            "kind": _("Movement"),
            "minutes": _("Min."),
            "credits": _("Credits"),
            "after": _("Balance"),
            "text": _("Reference and reason"),
        }
    )


def movement_line(entry: LedgerEntry) -> str:
    """One movement on one line; a text longer than its column ends in "…"."""
    return _line(
        {
            "date": date_format(timezone.localtime(entry.created_at), "SHORT_DATE_FORMAT"),
            "kind": str(SHORT_KINDS.get(entry.kind, entry.get_kind_display())),
            "minutes": "" if entry.work_minutes is None else format_credits(entry.work_minutes),
            "credits": signed_credits(entry.amount),
            "after": format_credits(entry.balance_after),
            "text": entry_text(entry),
        }
    )


def movement_blocks(entries: list[LedgerEntry]) -> list[str]:
    """The movement lines, grouped MOVEMENTS_PER_BLOCK to a block (one rule under each)."""
    lines = [movement_line(entry) for entry in entries]
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
