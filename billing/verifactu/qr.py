"""The QR code of an invoice (Orden HAC/1177/2024, art. 20-21 and its annex): the agency's
verification URL, ISO/IEC 18004, error correction M, printed 30-40 mm wide, as SVG."""

from decimal import Decimal
from urllib.parse import urlencode

import segno
from django.conf import settings

from billing.verifactu.huella import format_amount

# The agency's verification service (cotejo), test environment and production.
QR_BASES = {
    "test": "https://prewww2.aeat.es/wlpl/TIKE-CONT/ValidarQR",
    "production": "https://www2.agenciatributaria.gob.es/wlpl/TIKE-CONT/ValidarQR",
}
# Millimetres: within the 30-40 mm the Order requires.
QR_SIZE_MM = 35
LEGEND = "VERI*FACTU"
LEGEND_LONG = "Factura verificable en la sede electrónica de la AEAT"


def verification_url(
    *,
    issuer_tax_id: str,
    invoice_number: str,
    issue_date: str,
    total: Decimal | str,
    environment: str | None = None,
) -> str:
    """https://…/ValidarQR?nif=…&numserie=…&fecha=dd-mm-yyyy&importe=…, values URL-encoded."""
    environment = environment or settings.VERIFACTU["ENVIRONMENT"]
    query = urlencode(
        {
            "nif": issuer_tax_id,
            "numserie": invoice_number,
            "fecha": issue_date,
            "importe": format_amount(Decimal(total)),
        }
    )
    return f"{QR_BASES[environment]}?{query}"


def qr_svg(url: str, *, size_mm: int = QR_SIZE_MM) -> str:
    """The QR of ``url`` as an inline <svg> element ``size_mm`` wide (error level M, no
    micro QR, the 4-module quiet zone included in the width)."""
    qr = segno.make(url, error="m", micro=False, boost_error=False)
    width = qr.symbol_size(scale=1, border=4)[0]
    return qr.svg_inline(
        scale=1,
        border=4,
        omitsize=True,
        svgclass="verifactu-qr",
        lineclass=None,
        title=url,
    ).replace("<svg ", f'<svg width="{size_mm}mm" height="{size_mm}mm" data-modules="{width}" ', 1)
