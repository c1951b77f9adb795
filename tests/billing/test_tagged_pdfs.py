"""Issue 21, documents: the invoice and the balance statement are tagged PDF/UA-1 (WeasyPrint's
variant): marked, with a structure tree, the reader's language and the title shown, and the
tables' header cells tagged TH. Read back from the PDF's catalog with pypdf."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from billing.pdf import render_invoice_pdf
from credits import selectors
from credits.pdf import render_statement_pdf
from tests.billing.factories import paid_order

pytestmark = pytest.mark.django_db


def _structure_tags(node, found: set) -> set:
    node = node.get_object()
    if hasattr(node, "get") and node.get("/S") is not None:
        found.add(str(node["/S"]))
    kids = node.get("/K") if hasattr(node, "get") else None
    if kids is None:
        return found
    kids = kids.get_object()
    for kid in kids if isinstance(kids, list) else [kids]:
        kid = kid.get_object()
        if hasattr(kid, "get"):
            _structure_tags(kid, found)
    return found


def _check_tagged(pdf: bytes, language: str, title: str) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert str(catalog["/Lang"]).lower().startswith(language)
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"]
    assert title in (reader.metadata.title or "")
    tags = _structure_tags(catalog["/StructTreeRoot"], set())
    assert {"/Table", "/TH", "/TD"} <= tags, tags


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_invoice_pdf_is_tagged(organization, language):
    invoice = paid_order(organization, 60).invoices.get()
    _check_tagged(render_invoice_pdf(invoice, language=language), language, invoice.number)


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_statement_pdf_is_tagged(organization, language):
    today = timezone.localdate()
    data = selectors.statement_data(organization, today, today)
    title = {"es": "Extracto de saldo", "en": "Balance statement"}[language]
    _check_tagged(render_statement_pdf(data, language=language), language, title)
