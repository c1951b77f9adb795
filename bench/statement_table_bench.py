"""Why the balance statement PDF sets its table as fixed-width block rows: WeasyPrint renders
1,000 movements as six-column HTML tables (every variant the issue suggested: fixed layout,
no borders per cell, plain text cells, a repeated thead, one table split in chunks, several
movements per row), as positioned or inline-block rows, and as the monospace block rows of
credits/pdf.py; then the real statement (credits.pdf.render_statement_pdf, chart included)
of 1,000 movements in Spanish and English. Prints wall seconds per layout. Needs no
database (the movements are unsaved ledger entries).

    .venv/bin/python bench/statement_table_bench.py            # every layout, about a minute
    .venv/bin/python bench/statement_table_bench.py --only statement
"""

import argparse
import os
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

from weasyprint import HTML

REASON = "Consumo · Servidor de correo caído y una razón larga que se envuelve en dos líneas"
PAGE = '@page{size:A4;margin:15mm} body{font:7.5pt/1.3 "DejaVu Sans"}'
FIXED = " table{table-layout:fixed;width:100%;border-collapse:collapse} .n{text-align:right}"
CELL = " td{padding:0.6pt 2pt;vertical-align:top}"
RULE = " td{border-bottom:0.3pt solid #ccc}"
COLS = (
    '<colgroup><col style="width:16mm"><col style="width:24mm"><col><col style="width:13mm">'
    '<col style="width:13mm"><col style="width:15mm"></colgroup>'
)
THEAD = (
    "<thead><tr><th>Fecha</th><th>Referencia</th><th>Motivo</th><th class=n>Entrada</th>"
    "<th class=n>Salida</th><th class=n>Saldo</th></tr></thead>"
)


def _cells(i: int) -> list[str]:
    return ["01/12/2026", f"T-2026-{i:05d}", f"{REASON} {i}", "", "15", f"{1000 + i}"]


def _rows(start: int, stop: int) -> str:
    return "".join(
        "<tr>"
        + "".join(f"<td{' class=n' if c >= 3 else ''}>{v}</td>" for c, v in enumerate(_cells(i)))
        + "</tr>"
        for i in range(start, stop)
    )


def table(n: int, *, style: str, thead: bool = False, chunk: int = 0) -> str:
    head = THEAD if thead else ""
    size = chunk or n
    tables = "".join(
        f"<table>{COLS}{head}<tbody>{_rows(b, min(n, b + size))}</tbody></table>"
        for b in range(0, n, size)
    )
    return f"<style>{PAGE}{style}</style>{tables}"


def per_row(n: int, per: int) -> str:
    """``per`` movements in one table row: each cell holds their lines (white-space: pre)."""
    rows = []
    for b in range(0, n, per):
        cols = [[] for _ in range(6)]
        for i in range(b, min(n, b + per)):
            values = [[v] for v in _cells(i)]
            values[2] = textwrap.wrap(values[2][0], 48)
            height = max(len(v) for v in values)
            for c, v in enumerate(values):
                cols[c].append("\n".join(v + [""] * (height - len(v))))
        cells = "".join(
            f'<td class="pre{" n" if c >= 3 else ""}">' + "\n".join(cols[c]) + "</td>"
            for c in range(6)
        )
        rows.append(f"<tr>{cells}</tr>")
    style = FIXED + CELL + RULE + " td.pre{white-space:pre}"
    return f"<style>{PAGE}{style}</style><table>{COLS}{THEAD}<tbody>{''.join(rows)}</tbody></table>"


def _spans(n: int, style: str, row: str, cell: str) -> str:
    names = "abcdef"
    body = "".join(
        f"<{row}>"
        + "".join(f"<{cell} class={names[c]}>{v}</{cell}>" for c, v in enumerate(_cells(i)))
        + f"</{row}>"
        for i in range(n)
    )
    return f"<style>{PAGE}{style}</style>{body}"


def inline_blocks(n: int) -> str:
    style = (
        " p{margin:0} p span{display:inline-block;vertical-align:top;padding:0 2pt}"
        " .a{width:16mm}.b{width:24mm}.c{width:88mm}.d,.e,.f{width:13mm;text-align:right}"
    )
    return _spans(n, style, "p", "span")


def absolute(n: int) -> str:
    style = (
        " p{position:relative;height:19pt;margin:0} p span{position:absolute;top:0}"
        " .a{left:0}.b{left:17mm}.c{left:42mm;width:88mm}.d{left:131mm}.e{left:145mm}"
        " .f{left:159mm}"
    )
    return _spans(n, style, "p", "span")


def block_rows(n: int) -> str:
    """credits/pdf.py's layout: one monospace <p> per movement, columns padded."""
    line = (
        "01/12/2026  T-2026-00001            Consumo · Servidor de correo caído y una"
        "                   15      1.000"
    )
    more = " " * 34 + "razón larga que se envuelve en dos líneas"
    rows = "".join(f"<p>{line}\n{more}</p>" for _ in range(n))
    style = (
        " p{font-kerning:none;font-variant-ligatures:none;margin:0;padding:0.9pt 0;"
        'white-space:pre;font:7.5pt/1.3 "DejaVu Sans Mono";border-bottom:0.3pt solid #ddd}'
    )
    return f"<style>{PAGE}{style}</style>{rows}"


LAYOUTS = {
    "table: fixed layout, a border per cell": lambda n: table(n, style=FIXED + CELL + RULE),
    "table: fixed, no borders": lambda n: table(n, style=FIXED + CELL),
    "table: fixed, no borders, no padding": lambda n: table(n, style=FIXED + " td{padding:0}"),
    "table: fixed, no borders, repeated thead": lambda n: table(n, style=FIXED + CELL, thead=True),
    "table: split in tables of 50 rows": lambda n: table(n, style=FIXED + CELL, chunk=50),
    "table: split in tables of 100, thead": lambda n: table(
        n, style=FIXED + CELL, thead=True, chunk=100
    ),
    "table: 10 movements per row": lambda n: per_row(n, 10),
    "table: 20 movements per row": lambda n: per_row(n, 20),
    "rows of inline-block cells": inline_blocks,
    "rows of absolutely positioned cells": absolute,
    "monospace block rows (credits/pdf.py)": block_rows,
}


def statement(n: int, language: str) -> bytes:
    """The real statement PDF of n unsaved movements (Django set up without a database)."""
    from django.utils import timezone

    from accounts.models import Organization
    from credits.models import EntryKind, LedgerEntry
    from credits.pdf import render_statement_pdf
    from credits.selectors import StatementData

    now = timezone.now()
    balance, movements = 100_000, []
    for i in range(n):
        amount = 120 if i % 10 == 0 else -15
        balance += amount
        movements.append(
            LedgerEntry(
                kind=EntryKind.PURCHASE if amount > 0 else EntryKind.CONSUMPTION,
                amount=amount,
                balance_after=balance,
                reason=REASON if i % 3 else "Consulta",
                reference_label=f"T-2026-{i:05d} La tienda no envía los pedidos",
                work_minutes=None if amount > 0 else 12,
                created_at=now - timedelta(minutes=n - i),
            )
        )
    data = StatementData(
        organization=Organization(name="Talleres Ejemplo S.L.", tax_id="B12345678"),
        start=timezone.localdate() - timedelta(days=1),
        end=timezone.localdate(),
        generated_at=now,
        opening_balance=100_000,
        closing_balance=balance,
        movements=movements,
    )
    return render_statement_pdf(data, language=language)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--movements", type=int, default=1000)
    parser.add_argument("--only", choices=["layouts", "statement"])
    args = parser.parse_args()
    HTML(string="<p>warm-up</p>").write_pdf()
    print(f"{args.movements} movements, wall seconds (load average {os.getloadavg()[0]:.1f})")
    if args.only != "statement":
        for name, build in LAYOUTS.items():
            started = time.perf_counter()
            pdf = HTML(string=build(args.movements)).write_pdf()
            print(f"  {name}: {time.perf_counter() - started:.2f} s, {len(pdf) / 1024:.0f} KiB")
    if args.only != "layouts":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")
        import django

        django.setup()
        statement(10, "es")  # warm-up: templates, translations, fonts
        for language in ("es", "en"):
            started = time.perf_counter()
            pdf = statement(args.movements, language)
            print(
                f"  statement PDF ({language}, credits/pdf.py, chart included): "
                f"{time.perf_counter() - started:.2f} s, {len(pdf) / 1024:.0f} KiB"
            )


if __name__ == "__main__":
    main()
