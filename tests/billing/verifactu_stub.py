"""A local stand-in for the agency's VERI*FACTU test service: a SOAP endpoint on
127.0.0.1 that validates each request against the official XSD and answers like the
agency's test environment (RespuestaRegFactuSistemaFacturacion)."""

import http.server
import threading
import time
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from cryptography.x509.oid import NameOID
from lxml import etree

from billing.verifactu.xml import SF, SFLR, validate

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
SFR = SF.replace("SuministroInformacion.xsd", "RespuestaSuministro.xsd")
PORTS = range(8300, 8400)


class Agency:
    """``mode``: "correcto"; "incorrecto" (every record rejected, code 1100); "reject"
    with ``reject`` = set of invoice numbers; "timeout" (answers after ``delay`` s);
    "fault" (a SOAP fault). ``requests`` keeps every request's records."""

    def __init__(self):
        self.mode = "correcto"
        self.reject: set[str] = set()
        self.delay = 3.0
        self.wait = 60
        self.requests: list[list[str]] = []
        self.invalid: list[list[str]] = []
        self.server = None

    def answer(self, body: bytes) -> tuple[int, bytes]:
        envelope = etree.fromstring(body)
        document = envelope.find(f"{{{SOAP}}}Body/{{{SFLR}}}RegFactuSistemaFacturacion")
        problems = validate(document)
        if problems:
            self.invalid.append(problems)
        numbers = [
            e.text
            for e in document.iter(f"{{{SF}}}NumSerieFactura", f"{{{SF}}}NumSerieFacturaAnulada")
            if e.getparent().getparent().tag != f"{{{SF}}}Encadenamiento"
            and e.getparent().tag in (f"{{{SF}}}IDFactura",)
        ]
        self.requests.append(numbers)
        if self.mode == "timeout":
            time.sleep(self.delay)
        if self.mode == "fault":
            return 500, (
                f'<env:Envelope xmlns:env="{SOAP}"><env:Body><env:Fault><faultcode>env:Client'
                "</faultcode><faultstring>Codigo[4102].El XML no cumple el esquema"
                "</faultstring></env:Fault></env:Body></env:Envelope>"
            ).encode()
        lines = []
        bad = 0
        for record in document.iter(f"{{{SF}}}RegistroAlta", f"{{{SF}}}RegistroAnulacion"):
            ident = record.find(f"{{{SF}}}IDFactura")
            nif, number, date = (e.text for e in ident)
            operation = "Alta" if record.tag.endswith("RegistroAlta") else "Anulacion"
            rejected = self.mode == "incorrecto" or number in self.reject
            bad += rejected
            error = (
                "<tikR:CodigoErrorRegistro>1100</tikR:CodigoErrorRegistro>"
                "<tikR:DescripcionErrorRegistro>Valor o tipo incorrecto del campo: "
                "IDDestinatario</tikR:DescripcionErrorRegistro>"
                if rejected
                else ""
            )
            lines.append(
                f"<tikR:RespuestaLinea><tikR:IDFactura><tik:IDEmisorFactura>{nif}"
                f"</tik:IDEmisorFactura><tik:NumSerieFactura>{number}</tik:NumSerieFactura>"
                f"<tik:FechaExpedicionFactura>{date}</tik:FechaExpedicionFactura></tikR:IDFactura>"
                f"<tikR:Operacion><tik:TipoOperacion>{operation}</tik:TipoOperacion></tikR:Operacion>"
                f"<tikR:EstadoRegistro>{'Incorrecto' if rejected else 'Correcto'}"
                f"</tikR:EstadoRegistro>{error}</tikR:RespuestaLinea>"
            )
        total = len(lines)
        status = (
            "Correcto" if not bad else ("Incorrecto" if bad == total else "ParcialmenteCorrecto")
        )
        csv = "" if status == "Incorrecto" else "<tikR:CSV>A-YDSW8NLFLANWPM</tikR:CSV>"
        header = document.find(f"{{{SFLR}}}Cabecera/{{{SF}}}ObligadoEmision")
        name, nif = (e.text for e in header)
        return 200, (
            f'<env:Envelope xmlns:env="{SOAP}"><env:Body>'
            f'<tikR:RespuestaRegFactuSistemaFacturacion xmlns:tikR="{SFR}" xmlns:tik="{SF}">'
            f"{csv}<tikR:Cabecera><tik:ObligadoEmision><tik:NombreRazon>{name}</tik:NombreRazon>"
            f"<tik:NIF>{nif}</tik:NIF></tik:ObligadoEmision></tikR:Cabecera>"
            f"<tikR:TiempoEsperaEnvio>{self.wait}</tikR:TiempoEsperaEnvio>"
            f"<tikR:EstadoEnvio>{status}</tikR:EstadoEnvio>{''.join(lines)}"
            "</tikR:RespuestaRegFactuSistemaFacturacion></env:Body></env:Envelope>"
        ).encode()

    def start(self) -> str:
        agency = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                code, body = agency.answer(self.rfile.read(length))
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "text/xml; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        for port in PORTS:
            try:
                self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
                break
            except OSError:
                continue
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_port}/wlpl/TIKE-CONT/ws/SistemaFacturacion/VerifactuSOAP"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def make_certificate(path, *, password="secreto", days=365) -> str:  # noqa: S107 - a test file
    """A self-signed PKCS#12 certificate valid for ``days`` (negative: already expired)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "B00000000 PRUEBAS")])
    now = datetime.now(UTC)
    start, end = (now - timedelta(days=2), now + timedelta(days=days))
    if days < 0:
        start, end = now + timedelta(days=days * 2), now + timedelta(days=days)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"cert", key, cert, None, BestAvailableEncryption(password.encode())
        )
    )
    return str(path)
