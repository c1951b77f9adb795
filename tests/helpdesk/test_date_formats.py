"""Issue 10: one short and one long date format, used everywhere. Every date a person
reads goes through the named formats of helpdesk/formats/{en,es} (SHORT_DATE_FORMAT,
SHORT_DATETIME_FORMAT, DATE_FORMAT, DATETIME_FORMAT; TIME_FORMAT for a bare time): no
template or module spells out its own pattern. English is day-first (en-GB)."""

import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format, get_format

ROOT = Path(settings.BASE_DIR)
NAMED = {"SHORT_DATE_FORMAT", "SHORT_DATETIME_FORMAT", "DATE_FORMAT", "DATETIME_FORMAT"}
# A month on its own (report tables and chart axes): "December 2026", "diciembre de 2026".
MONTH = {"YEAR_MONTH_FORMAT"}
SKIP = {".venv", "var", "tests", "bench", "migrations", "node_modules", ".git"}
# {{ x|date }}, {{ x|date:"..." }}, {{ x|time:"..." }}, {% now "..." %}
TEMPLATE_DATE = re.compile(r"\|\s*(date|time)(?:\s*:\s*([\"'])(.*?)\2)?")
TEMPLATE_NOW = re.compile(r"{%\s*now\s+([\"'])(.*?)\1")
# A strftime pattern a person would read: names of months or days, a 12-hour clock, or the
# day before the month. Year-first ISO patterns ("%Y-%m-%d", "%Y%m%dT%H%M%SZ") are for
# machines (file names, keys) and allowed.
HUMAN_STRFTIME = re.compile(r"%[bBaAIp]|%[de][^%]*%m|%m/%d")
# Machine formats for templates: ISO 8601 (<time datetime="...">, the value of an
# <input type="date">, which HTML requires as YYYY-MM-DD) and Unix seconds.
MACHINE = {"c", "U", "Y-m-d"}
# Modules that write a date for another machine in a pattern a law or protocol fixes,
# named one by one with the reason: nobody reads these as the product's dates.
MACHINE_MODULES = {
    # VERI*FACTU: the AEAT's record and QR fields carry dates as dd-mm-yyyy (Orden
    # HAC/1177/2024); the fingerprint is computed over exactly that text.
    "billing/verifactu/huella.py",
}


def project_files(pattern: str):
    for path in ROOT.rglob(pattern):
        if not SKIP.intersection(path.relative_to(ROOT).parts):
            yield path


def template_offenders(text: str) -> list[str]:
    found = []
    for match in TEMPLATE_DATE.finditer(text):
        kind, fmt = match.group(1), match.group(3)
        allowed = NAMED | MONTH | MACHINE if kind == "date" else {"TIME_FORMAT"}
        if fmt is not None and fmt not in allowed:
            found.append(match.group(0))
    found += [m.group(0) for m in TEMPLATE_NOW.finditer(text) if m.group(2) not in NAMED]
    return found


def python_offenders(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            literals = [
                a.value
                for a in [*node.args, *(k.value for k in node.keywords)]
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
            if name == "strftime" and any(HUMAN_STRFTIME.search(v) for v in literals):
                found.append(f"strftime({literals[0]!r}) line {node.lineno}")
            if name in ("date_format", "time_format") and any(
                v not in NAMED | MONTH | {"TIME_FORMAT"} for v in literals
            ):
                found.append(f"{name}({literals[0]!r}) line {node.lineno}")
            if name == "format" and getattr(node.func, "value", None) is not None:
                owner = getattr(node.func.value, "id", "")
                if owner in ("dateformat", "DateFormat") and literals:
                    found.append(f"dateformat.format({literals[0]!r}) line {node.lineno}")
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = "".join(v.value for v in node.format_spec.values if isinstance(v, ast.Constant))
            if HUMAN_STRFTIME.search(spec):
                found.append(f"f-string date spec {spec!r} line {node.lineno}")
    return found


def test_no_template_spells_out_its_own_date_format():
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in project_files("*.html")
        if (found := template_offenders(path.read_text()))
    }
    offenders |= {
        str(path.relative_to(ROOT)): found
        for path in project_files("*.txt")
        if "templates" in path.parts and (found := template_offenders(path.read_text()))
    }
    assert offenders == {}


def test_no_module_formats_a_date_for_people_by_hand():
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in project_files("*.py")
        if str(path.relative_to(ROOT)) not in MACHINE_MODULES
        and (found := python_offenders(path.read_text()))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    ("snippet", "bad"),
    [
        ('{{ when|date:"d/m/Y H:i" }}', True),
        ("{{ when|date:'j M' }}", True),
        ('{% now "Y" %}', True),
        ('{{ when|time:"g:i a" }}', True),
        ('{{ when|date:"SHORT_DATE_FORMAT" }}', False),
        ("{{ when|date }}", False),
        ("<time datetime=\"{{ when|date:'c' }}\">", False),
        ('{{ when|time:"TIME_FORMAT" }}', False),
    ],
)
def test_the_template_scan_catches_a_literal_format(snippet, bad):
    assert bool(template_offenders(snippet)) is bad


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ('when.strftime("%d/%m/%Y")', True),
        ('date_format(when, "j M Y")', True),
        ('f"{when:%d %B}"', True),
        ('when.strftime("%Y%m%dT%H%M%SZ")', False),  # a file name, for machines
        ('date_format(when, "SHORT_DATE_FORMAT")', False),
        ("date_format(when)", False),
    ],
)
def test_the_python_scan_catches_a_hand_made_format(source, bad):
    assert bool(python_offenders(source)) is bad


def test_the_two_formats_come_from_the_project_and_english_is_day_first():
    day = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    expected = {
        "en": ("01/12/2026", "1 December 2026", "01/12/2026 15:30", "1 December 2026, 15:30"),
        "es": (
            "01/12/2026",
            "1 de diciembre de 2026",
            "01/12/2026 15:30",
            "1 de diciembre de 2026 a las 15:30",
        ),
    }
    for language, (short, long, short_dt, long_dt) in expected.items():
        with translation.override(language):
            assert date_format(date(2026, 12, 1), "SHORT_DATE_FORMAT") == short
            assert date_format(date(2026, 12, 1)) == long
            assert date_format(day, "SHORT_DATETIME_FORMAT") == short_dt
            assert date_format(day, "DATETIME_FORMAT") == long_dt
            assert get_format("SHORT_DATE_FORMAT") == "d/m/Y"  # day first in both
    assert settings.FORMAT_MODULE_PATH == ["helpdesk.formats"]
