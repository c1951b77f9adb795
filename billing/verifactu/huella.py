"""The fingerprint (huella) of VERI*FACTU records and the formats that enter it.

Pure functions: plain values in, text out. As the Orden HAC/1177/2024's technical annex
("especificaciones técnicas para generación de la huella"): ``name=value`` pairs in a
fixed order joined by ``&``, values trimmed, SHA-256 over the UTF-8 text, upper-case hex.
"""

import hashlib
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

ALTA_FIELDS = (
    "IDEmisorFactura",
    "NumSerieFactura",
    "FechaExpedicionFactura",
    "TipoFactura",
    "CuotaTotal",
    "ImporteTotal",
    "Huella",
    "FechaHoraHusoGenRegistro",
)
ANULACION_FIELDS = (
    "IDEmisorFacturaAnulada",
    "NumSerieFacturaAnulada",
    "FechaExpedicionFacturaAnulada",
    "Huella",
    "FechaHoraHusoGenRegistro",
)


def format_date(value: date) -> str:
    """dd-mm-yyyy, as the agency's records and QR carry dates."""
    return value.strftime("%d-%m-%Y")


def format_amount(value: Decimal) -> str:
    """Euros with a dot and two decimals: Decimal("9.030") → "9.03", -5 → "-5.00"."""
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def format_timestamp(value: datetime) -> str:
    """ISO 8601 to the second with the offset: 2026-12-01T10:20:30+01:00."""
    if value.tzinfo is None:
        raise ValueError("the generation timestamp must be timezone-aware")
    return value.replace(microsecond=0).isoformat()


def chain_text(fields: tuple[str, ...], values: dict[str, str]) -> str:
    """The text that is hashed: ``name=value&name=value...`` in the annex's order."""
    return "&".join(f"{name}={str(values.get(name, '')).strip()}" for name in fields)


def sha256_upper(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest().upper()


def alta_fingerprint(
    *,
    issuer_tax_id: str,
    invoice_number: str,
    issue_date: str,
    invoice_type: str,
    vat_amount: str,
    total: str,
    previous_fingerprint: str,
    generated_at: str,
) -> str:
    """Huella of a registro de alta. Dates and amounts already formatted (strings)."""
    return sha256_upper(
        chain_text(
            ALTA_FIELDS,
            {
                "IDEmisorFactura": issuer_tax_id,
                "NumSerieFactura": invoice_number,
                "FechaExpedicionFactura": issue_date,
                "TipoFactura": invoice_type,
                "CuotaTotal": vat_amount,
                "ImporteTotal": total,
                "Huella": previous_fingerprint,
                "FechaHoraHusoGenRegistro": generated_at,
            },
        )
    )


def anulacion_fingerprint(
    *,
    issuer_tax_id: str,
    invoice_number: str,
    issue_date: str,
    previous_fingerprint: str,
    generated_at: str,
) -> str:
    """Huella of a registro de anulación."""
    return sha256_upper(
        chain_text(
            ANULACION_FIELDS,
            {
                "IDEmisorFacturaAnulada": issuer_tax_id,
                "NumSerieFacturaAnulada": invoice_number,
                "FechaExpedicionFacturaAnulada": issue_date,
                "Huella": previous_fingerprint,
                "FechaHoraHusoGenRegistro": generated_at,
            },
        )
    )
