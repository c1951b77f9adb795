"""Why the balance statement is not an HTML table: WeasyPrint renders 1,000 movements as a
six-column table (table-layout: fixed, one row each, or ten movements per row) and as the
monospace lines credits/pdf.py uses. Prints wall seconds per layout; needs no database."""

import textwrap
import time

from weasyprint import HTML

REASON = "Consumo · Servidor de correo caído y una razón larga que se envuelve en dos líneas"
STYLE = (
    '@page{size:A4;margin:15mm} body{font:7.5pt/1.3 "DejaVu Sans"}'
    " table{table-layout:fixed;width:100%;border-collapse:collapse}"
    " td{padding:0.6pt 2pt;border-bottom:0.3pt solid #ccc;vertical-align:top}"
    " td.n{text-align:right} td.pre{white-space:pre}"
)
COLS = (
    '<colgroup><col style="width:16mm"><col><col style="width:24mm"><col style="width:13mm">'
    '<col style="width:13mm"><col style="width:15mm"></colgroup>'
)


def one_row_each(n: int) -> str:
    rows = "".join(
        f"<tr><td>01/12/2026</td><td>{REASON} {i}</td><td>T-2026-{i:05d}</td>"
        f"<td class=n></td><td class=n>15</td><td class=n>{1000 + i}</td></tr>"
        for i in range(n)
    )
    return f"<style>{STYLE}</style><table>{COLS}<tbody>{rows}</tbody></table>"


def ten_per_row(n: int) -> str:
    rows = []
    for b in range(0, n, 10):
        cols = [[] for _ in range(6)]
        for i in range(b, b + 10):
            lines = textwrap.wrap(f"{REASON} {i}", 48)
            pad = "\n" * (len(lines) - 1)
            values = ["01/12/2026", "\n".join(lines), f"T-2026-{i:05d}", "", "15", f"{1000 + i}"]
            for c, v in enumerate(values):
                cols[c].append(v if c == 1 else v + pad)
        cells = "".join(
            f'<td class="pre{" n" if c >= 3 else ""}">' + "\n".join(cols[c]) + "</td>"
            for c in range(6)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<style>{STYLE}</style><table>{COLS}<tbody>{''.join(rows)}</tbody></table>"


def mono_lines(n: int) -> str:
    line = "01/12/2026  Consumption      15        -15      1000  Ticket T-2026-00001 · Servidor"
    blocks = "".join("<p>" + "\n".join(line for _ in range(5)) + "</p>" for _ in range(n // 5))
    style = (
        "@page{size:A4;margin:15mm} p{font-kerning:none;font-variant-ligatures:none;margin:0;"
        'white-space:pre;font:7.5pt/1.3 "DejaVu Sans Mono";border-bottom:0.3pt solid #ccc}'
    )
    return f"<style>{style}</style>{blocks}"


def main() -> None:
    HTML(string="<p>warm-up</p>").write_pdf()
    for name, build in (
        ("table, one row per movement", one_row_each),
        ("table, ten movements per row", ten_per_row),
        ("monospace lines (credits/pdf.py)", mono_lines),
    ):
        started = time.perf_counter()
        pdf = HTML(string=build(1000)).write_pdf()
        print(f"  {name}: {time.perf_counter() - started:.2f} s, {len(pdf) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
