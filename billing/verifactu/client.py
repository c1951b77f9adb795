"""The agency's VERI*FACTU web service through zeep, with the issuer's certificate.

The WSDL and XSD are read from ./schemas (no network to load them). The certificate is a
PKCS#12 file named by VERIFACTU_CERT_FILE with VERIFACTU_CERT_PASSWORD, read with
cryptography, checked for expiry, and handed to requests as a temporary PEM pair.
"""

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    pkcs12,
)
from django.conf import settings
from django.utils.translation import gettext as _
from lxml import etree
from zeep import Client, Settings
from zeep.exceptions import Error as ZeepError
from zeep.transports import Transport

from billing.errors import AgencyUnavailable, CertificateProblem
from billing.verifactu.xml import SCHEMAS

WSDL = SCHEMAS / "SistemaFacturacion.wsdl"
BINDING = "{https://www2.agenciatributaria.gob.es/static_files/common/internet/dep/aplicaciones/es/aeat/tike/cont/ws/SistemaFacturacion.wsdl}sfVerifactu"
ENDPOINTS = {
    "test": "https://prewww1.aeat.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP",
    "production": "https://www1.agenciatributaria.gob.es/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP",
}


# The agency's values (RespuestaSuministro.xsd, SuministroInformacion.xsd).
CORRECT = "Correcto"  # EstadoEnvio and EstadoRegistro
ACCEPTED_WITH_ERRORS = "AceptadoConErrores"  # EstadoRegistro
INCORRECT = "Incorrecto"  # EstadoEnvio and EstadoRegistro
OPERATION_ALTA = "Alta"  # TipoOperacion of a registro de alta
OPERATION_ANULACION = "Anulacion"  # TipoOperacion of a registro de anulación


@dataclass
class Line:
    """The agency's answer about one record."""

    number: str
    operation: str
    status: str  # Correcto, AceptadoConErrores, Incorrecto
    code: str = ""
    description: str = ""


@dataclass
class Answer:
    status: str  # EstadoEnvio: Correcto, ParcialmenteCorrecto, Incorrecto
    wait_seconds: int
    csv: str = ""
    lines: list[Line] = field(default_factory=list)


def load_certificate(path: str, password: str, *, now: datetime | None = None):
    """(certificate, private key) from the PKCS#12 file. Raises CertificateProblem."""
    if not path:
        raise CertificateProblem(_("No certificate configured (VERIFACTU_CERT_FILE)."))
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CertificateProblem(
            _("The certificate file %(path)s cannot be read.") % {"path": path}
        ) from exc
    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(data, password.encode() or None)
    except ValueError as exc:
        raise CertificateProblem(
            _("The certificate file is not PKCS#12 or its password is wrong.")
        ) from exc
    if cert is None or key is None:
        raise CertificateProblem(_("The certificate file holds no certificate and key."))
    now = now or datetime.now(UTC)
    if cert.not_valid_after_utc <= now:
        raise CertificateProblem(
            _("The certificate expired on %(date)s.")
            % {"date": f"{cert.not_valid_after_utc:%Y-%m-%d}"}
        )
    if cert.not_valid_before_utc > now:
        raise CertificateProblem(_("The certificate is not valid yet."))
    return cert, key


def send(document: etree._Element) -> Answer:
    """Send one RegFactuSistemaFacturacion. Raises CertificateProblem, AgencyUnavailable
    (timeout, network, SOAP fault or an answer that cannot be read)."""
    conf = settings.VERIFACTU
    cert, key = load_certificate(conf["CERT_FILE"], conf["CERT_PASSWORD"])
    endpoint = conf["ENDPOINT"] or ENDPOINTS[conf["ENVIRONMENT"]]
    with tempfile.TemporaryDirectory() as folder:
        cert_path, key_path = Path(folder, "cert.pem"), Path(folder, "key.pem")
        cert_path.write_bytes(cert.public_bytes(Encoding.PEM))
        key_path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
        session = requests.Session()
        session.cert = (str(cert_path), str(key_path))
        transport = Transport(
            session=session, timeout=conf["TIMEOUT"], operation_timeout=conf["TIMEOUT"]
        )
        # W3C's xmldsig-core-schema.xsd declares entities in its DTD: allowed to be declared,
        # never resolved (zeep parses with resolve_entities=False, no external access).
        options = Settings(strict=True, forbid_entities=False, forbid_external=True)
        client = Client(str(WSDL), transport=transport, settings=options)
        service = client.create_service(BINDING, endpoint)
        element = client.get_element(document.tag)
        request = element.parse(document, client.wsdl.types)
        try:
            result = service.RegFactuSistemaFacturacion(
                Cabecera=request.Cabecera, RegistroFactura=request.RegistroFactura
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise AgencyUnavailable(
                _("The tax agency did not answer (%(error)s); the records will be retried.")
                % {"error": type(exc).__name__}
            ) from exc
        except (ZeepError, requests.RequestException, etree.XMLSyntaxError) as exc:
            raise AgencyUnavailable(
                _("The tax agency's answer could not be used (%(error)s); retried later.")
                % {"error": str(exc)[:200]}
            ) from exc
    return Answer(
        status=result.EstadoEnvio,
        wait_seconds=int(result.TiempoEsperaEnvio or 60),
        csv=result.CSV or "",
        lines=[
            Line(
                number=line.IDFactura.NumSerieFactura,
                operation=line.Operacion.TipoOperacion,
                status=line.EstadoRegistro,
                code=str(line.CodigoErrorRegistro or ""),
                description=line.DescripcionErrorRegistro or "",
            )
            for line in (result.RespuestaLinea or [])
        ],
    )
