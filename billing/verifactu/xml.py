"""The records as the agency's XML (RegFactuSistemaFacturacion, SuministroLR.xsd), built
with lxml and validated against the official XSD in ./schemas."""

from functools import cache
from pathlib import Path

from django.conf import settings
from lxml import etree

from billing.models import BillingRecord
from billing.verifactu.huella import format_amount, format_date

SCHEMAS = Path(__file__).parent / "schemas"
BASE = "https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/"
SF = BASE + "SuministroInformacion.xsd"
SFLR = BASE + "SuministroLR.xsd"
NSMAP = {"sfLR": SFLR, "sf": SF}
# At most this many records in one RegFactuSistemaFacturacion (the XSD's maxOccurs).
MAX_RECORDS = 1000


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "SuministroLR.xsd")))


def _sub(parent, name: str, text: str | None = None, ns: str = SF):
    element = etree.SubElement(parent, f"{{{ns}}}{name}")
    if text is not None:
        element.text = str(text)
    return element


def _system(parent) -> None:
    conf = settings.VERIFACTU
    system = _sub(parent, "SistemaInformatico")
    _sub(system, "NombreRazon", conf["PRODUCER_NAME"][:120])
    _sub(system, "NIF", conf["PRODUCER_TAX_ID"])
    _sub(system, "NombreSistemaInformatico", conf["SYSTEM_NAME"][:30])
    _sub(system, "IdSistemaInformatico", conf["SYSTEM_ID"][:2])
    _sub(system, "Version", conf["SYSTEM_VERSION"][:50])
    _sub(system, "NumeroInstalacion", conf["INSTALLATION_NUMBER"][:100])
    _sub(system, "TipoUsoPosibleSoloVerifactu", "S")
    _sub(system, "TipoUsoPosibleMultiOT", "N")
    _sub(system, "IndicadorMultiplesOT", "N")


def _chain(parent, record: BillingRecord) -> None:
    chain = _sub(parent, "Encadenamiento")
    previous = record.previous
    if previous is None:
        _sub(chain, "PrimerRegistro", "S")
        return
    link = _sub(chain, "RegistroAnterior")
    _sub(link, "IDEmisorFactura", previous.issuer_tax_id)
    _sub(link, "NumSerieFactura", previous.invoice_number)
    _sub(link, "FechaExpedicionFactura", format_date(previous.issue_date))
    _sub(link, "Huella", previous.fingerprint)


def _recipient(parent, record: BillingRecord) -> None:
    from billing.verifactu.taxid import is_valid_nif

    if not record.buyer_tax_id:
        return
    recipients = _sub(parent, "Destinatarios")
    who = _sub(recipients, "IDDestinatario")
    _sub(who, "NombreRazon", record.buyer_name[:120] or record.buyer_tax_id)
    if is_valid_nif(record.buyer_tax_id) or not record.buyer_tax_id[:2].isalpha():
        _sub(who, "NIF", record.buyer_tax_id[:9])
    else:  # another EU VAT number (IDType 02: NIF-IVA)
        other = _sub(who, "IDOtro")
        _sub(other, "CodigoPais", record.buyer_tax_id[:2])
        _sub(other, "IDType", "02")
        _sub(other, "ID", record.buyer_tax_id[:20])


def alta_element(parent, record: BillingRecord):
    alta = _sub(parent, "RegistroAlta")
    _sub(alta, "IDVersion", "1.0")
    ident = _sub(alta, "IDFactura")
    _sub(ident, "IDEmisorFactura", record.issuer_tax_id)
    _sub(ident, "NumSerieFactura", record.invoice_number)
    _sub(ident, "FechaExpedicionFactura", format_date(record.issue_date))
    _sub(alta, "NombreRazonEmisor", record.issuer_name)
    _sub(alta, "TipoFactura", record.invoice_type)
    if record.corrected_number:
        _sub(alta, "TipoRectificativa", "I")  # por diferencias: negative amounts
        corrected = _sub(_sub(alta, "FacturasRectificadas"), "IDFacturaRectificada")
        _sub(corrected, "IDEmisorFactura", record.issuer_tax_id)
        _sub(corrected, "NumSerieFactura", record.corrected_number)
        _sub(corrected, "FechaExpedicionFactura", format_date(record.corrected_issue_date))
    _sub(alta, "DescripcionOperacion", record.description or record.invoice_number)
    _recipient(alta, record)
    detail = _sub(_sub(alta, "Desglose"), "DetalleDesglose")
    _sub(detail, "Impuesto", "01")  # IVA
    _sub(detail, "ClaveRegimen", "01")  # general regime
    _sub(detail, "CalificacionOperacion", "S1")  # subject, not exempt, no reverse charge
    _sub(detail, "TipoImpositivo", format_amount(record.vat_rate))
    _sub(detail, "BaseImponibleOimporteNoSujeto", format_amount(record.base))
    _sub(detail, "CuotaRepercutida", format_amount(record.vat_amount))
    _sub(alta, "CuotaTotal", format_amount(record.vat_amount))
    _sub(alta, "ImporteTotal", format_amount(record.total))
    _chain(alta, record)
    _system(alta)
    _sub(alta, "FechaHoraHusoGenRegistro", record.generated_at_text)
    _sub(alta, "TipoHuella", "01")  # SHA-256
    _sub(alta, "Huella", record.fingerprint)
    return alta


def anulacion_element(parent, record: BillingRecord):
    annul = _sub(parent, "RegistroAnulacion")
    _sub(annul, "IDVersion", "1.0")
    ident = _sub(annul, "IDFactura")
    _sub(ident, "IDEmisorFacturaAnulada", record.issuer_tax_id)
    _sub(ident, "NumSerieFacturaAnulada", record.invoice_number)
    _sub(ident, "FechaExpedicionFacturaAnulada", format_date(record.issue_date))
    _chain(annul, record)
    _system(annul)
    _sub(annul, "FechaHoraHusoGenRegistro", record.generated_at_text)
    _sub(annul, "TipoHuella", "01")
    _sub(annul, "Huella", record.fingerprint)
    return annul


def submission_document(records: list[BillingRecord]) -> etree._Element:
    """RegFactuSistemaFacturacion: the header (the issuer) and up to 1,000 records of one
    issuer. Raises ValueError for none, too many or several issuers."""
    if not 0 < len(records) <= MAX_RECORDS:
        raise ValueError(f"a submission carries 1 to {MAX_RECORDS} records")
    if len({r.issuer_tax_id for r in records}) != 1:
        raise ValueError("a submission carries the records of one issuer")
    root = etree.Element(f"{{{SFLR}}}RegFactuSistemaFacturacion", nsmap=NSMAP)
    issuer = _sub(_sub(root, "Cabecera", ns=SFLR), "ObligadoEmision")
    _sub(issuer, "NombreRazon", records[0].issuer_name)
    _sub(issuer, "NIF", records[0].issuer_tax_id)
    for record in records:
        wrapper = _sub(root, "RegistroFactura", ns=SFLR)
        if record.kind == BillingRecord.Kind.ANULACION:
            anulacion_element(wrapper, record)
        else:
            alta_element(wrapper, record)
    return root


def validate(document: etree._Element) -> list[str]:
    """The XSD's complaints about ``document`` ([] when valid)."""
    xsd = schema()
    if xsd.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in xsd.error_log]


def to_bytes(document: etree._Element) -> bytes:
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
