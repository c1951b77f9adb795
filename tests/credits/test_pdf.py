"""The balance statement PDF, read back as text with pypdf."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from pypdf import PdfReader

from credits import selectors
from credits.pdf import render_statement_pdf
from tests.accounts.factories import OrganizationFactory
from tests.credits.factories import bulk_movements, consume, grant

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def history(organization, time_machine):
    """Opening balance 100 before the period, then two movements in it."""
    time_machine.move_to(timezone.make_aware(timezone.datetime(2026, 3, 20, 10)), tick=False)
    grant(organization, 100, reason="Pack de alta", kind="registration")
    time_machine.move_to(timezone.make_aware(timezone.datetime(2026, 4, 3, 11)), tick=False)
    consume(
        organization,
        30,
        reason="Servidor de correo caído",
        reference_label="Ticket #41",
        work_minutes=22,
    )
    time_machine.move_to(timezone.make_aware(timezone.datetime(2026, 4, 9, 12)), tick=False)
    grant(organization, 60, reason="Recarga 60", expires_at=timezone.now() + timedelta(days=12))
    time_machine.move_to(timezone.make_aware(timezone.datetime(2026, 4, 30, 18)), tick=False)
    return organization


def test_the_statement_lists_balances_movements_and_expiring_credits_in_spanish(history):
    start, end = timezone.datetime(2026, 4, 1).date(), timezone.datetime(2026, 4, 30).date()
    data = selectors.statement_data(history, start, end)
    text = pdf_text(render_statement_pdf(data, language="es"))
    assert "Extracto de saldo" in text
    assert history.name in text
    assert "01/04/2026 \u2013 30/04/2026" in text
    assert "Saldo inicial" in text
    assert "Saldo final" in text
    assert (data.opening_balance, data.closing_balance) == (100, 130)
    header = next(line for line in text.splitlines() if line.startswith("Fecha"))
    assert header.split() == ["Fecha", "Referencia", "Motivo", "Entrada", "Salida", "Saldo"]
    line = next(line for line in text.splitlines() if "Ticket #41" in line)
    # date, reference, reason (kind · reason · real minutes), in, out, balance after
    assert line.split() == [
        "03/04/2026", "Ticket", "#41", "Consumo", "·", "Servidor", "de", "correo", "caído",
        "·", "22", "min", "30", "70",
    ]  # fmt: skip
    recharge = next(line for line in text.splitlines() if "Recarga 60" in line)
    assert recharge.split()[-2:] == ["60", "130"]
    assert "Recarga 60" in text
    assert "Créditos que caducan en los próximos 30 días" in text
    assert "21/04/2026" not in text  # the recharge expires on 21/04, before "now" (30/04)


def test_the_statement_speaks_english_for_an_english_reader(history):
    start, end = timezone.datetime(2026, 3, 1).date(), timezone.datetime(2026, 4, 30).date()
    data = selectors.statement_data(history, start, end)
    text = pdf_text(render_statement_pdf(data, language="en"))
    assert "Balance statement" in text
    assert "Opening balance" in text
    assert "Closing balance" in text
    assert "Consumption" in text
    assert "Registration" in text
    assert "Credits expiring in the next 30 days" in text


def test_a_statement_of_1000_movements_lists_them_all(db):
    # Its speed is measured by bench/credits_bench.py, not asserted here.
    organization = OrganizationFactory()
    bulk_movements(organization, 1000)
    today = timezone.localdate()
    data = selectors.statement_data(organization, today - timedelta(days=1), today)
    pdf = render_statement_pdf(data, language="es")
    text = pdf_text(pdf)
    assert len(data.movements) == 1001
    # The columns' header is repeated at the top of every page, like a table's thead.
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) > 5
    for page in pages:
        (header,) = [line for line in page.extract_text().splitlines() if "Referencia" in line]
        assert header.split() == ["Fecha", "Referencia", "Motivo", "Entrada", "Salida", "Saldo"]
    assert "Ticket #1" in text
    assert "Ticket #500" in text
    assert "Ticket #1000" in text


def test_a_long_reference_and_reason_wrap_in_their_columns_and_are_never_cut(organization):
    from credits.pdf import COLUMNS, GAP, header_line, movement_line

    grant(organization, 100)
    reason = " ".join(f"palabra{n}" for n in range(25))
    reference = "Ticket T-2026-00009 La tienda no envía los correos de los pedidos"
    entry = consume(organization, 15, reference_label=reference, reason=reason)
    first, *rest = movement_line(entry).split("\n")
    assert rest, "a long text goes on under its column"
    # Every column starts where its header starts, on every line of the row.
    with translation.override("en"):
        header = header_line()
    starts, at = {}, 0
    for name, width in COLUMNS:
        starts[name] = at
        at += width + len(GAP)
    assert [header.index(word) for word in ("Reference", "Reason")] == [
        starts["reference"],
        starts["reason"],
    ]
    assert header.endswith("Balance")
    assert first[: starts["reference"]].strip() == timezone.localtime(entry.created_at).strftime(
        "%d/%m/%Y"
    )
    assert first[starts["out"] :].split() == ["15", "85"]
    assert all(line[: starts["reference"]].strip() == "" for line in rest)
    assert all(line[starts["in"] :].strip() == "" for line in rest)
    assert all(len(line) <= 112 for line in [first, *rest])
    lines = [first, *rest]
    ref_text = " ".join(
        line[starts["reference"] : starts["reason"]].strip() for line in lines
    ).split()
    assert " ".join(ref_text) == reference
    reason_text = " ".join(line[starts["reason"] : starts["in"]].strip() for line in lines)
    assert all(f"palabra{n}" in reason_text.split() for n in range(25))
    assert "…" not in movement_line(entry)
    today = timezone.localdate()
    text = pdf_text(
        render_statement_pdf(selectors.statement_data(organization, today, today), language="es")
    )
    words = " ".join(text.split())
    assert all(f"palabra{n}" in words for n in range(25))


def test_the_statement_has_a_balance_chart_drawn_as_svg(history):
    from credits.pdf import balance_chart_svg, balance_points

    data = selectors.statement_data(
        history, timezone.datetime(2026, 4, 1).date(), timezone.datetime(2026, 4, 30).date()
    )
    assert [b for _, b in balance_points(data)] == [100, 70, 130, 130]
    svg = balance_chart_svg(data)
    assert svg.startswith("<svg")
    assert "<polyline" in svg
    pdf = render_statement_pdf(data, language="es")
    text = pdf_text(pdf)
    assert "Saldo durante el periodo (créditos)" in text
    assert "01/04/2026" in text
    assert "30/04/2026" in text
    # The chart's line is vector drawing in the page's content stream, not an image.
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert b" l\n" in page.get_contents().get_data() or b" l " in page.get_contents().get_data()
