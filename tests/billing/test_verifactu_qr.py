"""The QR code and the legend on the invoice page and PDF: the PDF is rendered to an
image (pypdfium2) and the QR read back (zxing-cpp), independent of the library that drew it."""

import io
from urllib.parse import parse_qs, urlsplit

import pypdfium2
import pytest
import zxingcpp
from django.urls import reverse
from pypdf import PdfReader
from verifactu_sdk import Entorno, url_qr

from billing import services, verifactu
from billing.verifactu.qr import qr_svg
from tests.billing.factories import paid_order

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # PDF points per millimetre


def _pdf(client, invoice) -> bytes:
    response = client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200
    return response.content


def test_the_qr_url_is_the_agencys_with_nif_number_date_and_total(organization):
    invoice = paid_order(organization, 60).invoices.get()
    record = verifactu.record_for(invoice)
    parts = urlsplit(record["qr_url"])
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR"
    )
    assert parse_qs(parts.query) == {
        "nif": ["B00000000"],
        "numserie": [invoice.number],
        "fecha": [record["FechaExpedicionFactura"]],
        "importe": ["43.56"],
    }
    # verifactu-sdk builds the same URL (independent check).
    assert record["qr_url"] == url_qr(
        nif="B00000000",
        num_serie=invoice.number,
        fecha_expedicion=record["FechaExpedicionFactura"],
        importe_total="43.56",
        entorno=Entorno.PRUEBAS,
    )


def test_production_uses_the_agencys_production_host(organization, settings):
    settings.VERIFACTU = {**settings.VERIFACTU, "ENVIRONMENT": "production"}
    invoice = paid_order(organization, 15).invoices.get()
    assert verifactu.record_for(invoice)["qr_url"].startswith(
        "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR?nif=B00000000&"
    )


def test_the_qr_is_level_m_and_35_mm_wide():
    svg = qr_svg("https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR?nif=B00000000")
    assert 'width="35mm"' in svg
    assert 'height="35mm"' in svg


@pytest.mark.parametrize(
    ("language", "legend"), [("es", "Factura verificable"), ("en", "VERI*FACTU")]
)
def test_the_pdf_carries_a_readable_qr_of_the_verification_url_and_the_legend(
    client_client, organization, language, legend
):
    client_client.cookies["django_language"] = language
    invoice = paid_order(organization, 60).invoices.get()
    url = verifactu.record_for(invoice)["qr_url"]
    content = _pdf(client_client, invoice)

    page = PdfReader(io.BytesIO(content)).pages[0]
    text = page.extract_text()
    assert "VERI*FACTU" in text
    assert "Factura verificable en la sede electrónica de la AEAT" in text
    assert legend in text
    # The QR is a link to the same URL; its box is 30-40 mm wide.
    links = [a.get_object() for a in page.get("/Annots", [])]
    boxes = {tuple(float(v) for v in a["/Rect"]) for a in links if a["/A"].get("/URI") == url}
    assert len(boxes) == 1
    x0, y0, x1, y1 = boxes.pop()
    assert 30 <= abs(x1 - x0) / MM <= 40
    assert 30 <= abs(y1 - y0) / MM <= 40

    # Rendered at 200 dpi and read back by an independent decoder.
    image = pypdfium2.PdfDocument(content)[0].render(scale=200 / 72).to_pil()
    found = zxingcpp.read_barcodes(image)
    assert [(r.format, r.text) for r in found] == [(zxingcpp.BarcodeFormat.QRCode, url)]
    assert str(found[0].ec_level) == "M"


def test_the_invoice_page_shows_the_qr_and_the_legend(client_client, organization, admin_user):
    paid = paid_order(organization, 60)
    corrective = services.refund_order(paid, reason="x", actor=admin_user)
    page = client_client.get(corrective.get_absolute_url()).content.decode()
    url = verifactu.record_for(corrective)["qr_url"]
    assert 'data-testid="verifactu-qr"' in page
    assert f'href="{url.replace("&", "&amp;")}"' in page
    assert "<svg" in page
    assert "importe=-43.56" in url
    assert "VERI*FACTU" in page
    assert "QR tributario:" in page


def test_the_invoice_page_takes_a_fixed_number_of_queries(
    client_client, organization, django_assert_max_num_queries
):
    invoice = paid_order(organization, 60).invoices.get()
    client_client.get(invoice.get_absolute_url())
    # Session, user, invoice, with lines/order/corrections, its record (the QR).
    with django_assert_max_num_queries(8):
        response = client_client.get(invoice.get_absolute_url())
    assert response.status_code == 200
