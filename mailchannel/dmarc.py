"""Our own DKIM and DMARC check, for when no trusted ``Authentication-Results`` is
configured (``INBOUND_AUTHSERV_ID`` empty).

A message whose From domain publishes DMARC ``p=reject`` or ``p=quarantine`` (``_dmarc``
TXT record of the domain, else of its parent) and carries no valid DKIM signature aligned
with that domain (relaxed: ``d=`` is the domain, a parent or a subdomain of it) is forged.
DKIM is verified by dkimpy; DNS goes through dnspython, to ``INBOUND_DNS_SERVERS`` when set
(else the system's resolvers), with a timeout of ``INBOUND_DNS_TIMEOUT`` seconds. A DNS
failure (timeout, no answer) is not proof of forgery: the message passes (logged).

SPF is not checked: a message polled from a mailbox or pushed by a provider no longer has
its connecting IP address.
"""

import logging
import re

import dkim
import dns.exception
import dns.resolver
from django.conf import settings

from mailchannel.errors import DnsUnavailable

logger = logging.getLogger(__name__)

DKIM_DOMAIN_RE = re.compile(rb"(?:^|;)\s*d\s*=\s*([^;\s]+)", re.IGNORECASE)
POLICY_RE = re.compile(r"(?:^|;)\s*p\s*=\s*(\w+)", re.IGNORECASE)
MAX_SIGNATURES = 5  # a message with more is checked on its first five


def _resolver() -> dns.resolver.Resolver:
    servers = list(getattr(settings, "INBOUND_DNS_SERVERS", []) or [])
    resolver = dns.resolver.Resolver(configure=not servers)
    if servers:
        resolver.nameservers = [s.rsplit(":", 1)[0] if s.count(":") == 1 else s for s in servers]
        ports = {int(s.rsplit(":", 1)[1]) for s in servers if s.count(":") == 1}
        if ports:
            resolver.port = ports.pop()
    resolver.lifetime = float(getattr(settings, "INBOUND_DNS_TIMEOUT", 5))
    return resolver


def txt(name: str) -> list[bytes]:
    """The TXT records of ``name`` (each record's strings joined); [] when there are none.
    Raises DnsUnavailable."""
    try:
        answer = _resolver().resolve(name.rstrip(".") + ".", "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.exception.DNSException) as exc:
        raise DnsUnavailable(str(exc)) from exc
    return [b"".join(record.strings) for record in answer]


def _dkim_dns(name, timeout=5):
    """dkimpy's ``dnsfunc``: the first TXT record of ``name`` (bytes), b"" when none."""
    name = name.decode() if isinstance(name, bytes) else name
    records = txt(name)
    return records[0] if records else b""


def policy(domain: str) -> str:
    """The DMARC policy of ``domain`` ("reject", "quarantine", "none" or "" when it has no
    record): its own ``_dmarc`` record, else its parent's. Raises DnsUnavailable."""
    labels = domain.lower().strip(".").split(".")
    candidates = [".".join(labels)]
    if len(labels) > 2:
        candidates.append(".".join(labels[1:]))
    for candidate in candidates:
        for record in txt(f"_dmarc.{candidate}"):
            text = record.decode("ascii", "replace")
            if not text.lower().startswith("v=dmarc1"):
                continue
            match = POLICY_RE.search(text)
            return match.group(1).lower() if match else "none"
    return ""


def _aligned(signing: str, domain: str) -> bool:
    signing, domain = signing.lower().strip("."), domain.lower().strip(".")
    return signing == domain or domain.endswith("." + signing) or signing.endswith("." + domain)


def valid_aligned_signature(raw: bytes, domain: str) -> bool:
    """Whether one of the message's DKIM signatures verifies and is aligned with ``domain``.
    Raises DnsUnavailable (a key could not be fetched)."""
    try:
        signatures = _signatures(raw)
    except Exception:  # unreadable headers: no valid signature
        return False
    for index, signing in enumerate(signatures[:MAX_SIGNATURES]):
        if not _aligned(signing, domain):
            continue
        try:
            checker = dkim.DKIM(raw, timeout=int(getattr(settings, "INBOUND_DNS_TIMEOUT", 5)))
            if checker.verify(idx=index, dnsfunc=_dkim_dns):
                return True
        except DnsUnavailable:
            raise
        except Exception as exc:  # a malformed signature or key: not valid
            logger.info("DKIM signature %s of %s does not verify: %s", index, domain, exc)
    return False


def _signatures(raw: bytes) -> list[str]:
    """The ``d=`` domain of each DKIM-Signature header, in order."""
    domains = []
    for name, value in dkim.DKIM(raw).headers:
        if name.lower() == b"dkim-signature":
            match = DKIM_DOMAIN_RE.search(value.replace(b"\r\n", b"").replace(b"\n", b""))
            domains.append(match.group(1).decode("ascii", "replace") if match else "")
    return domains


def forged(raw: bytes, sender: str) -> str:
    """Why the message's From (``sender``) is forged by DMARC's rule, or "" when it is not
    (or the DNS could not tell)."""
    domain = sender.rpartition("@")[2].lower()
    if not domain:
        return ""
    try:
        published = policy(domain)
        if published not in ("reject", "quarantine"):
            return ""
        if valid_aligned_signature(raw, domain):
            return ""
    except DnsUnavailable as exc:
        logger.warning("DMARC/DKIM check of %s skipped: DNS unavailable (%s)", domain, exc)
        return ""
    return f"dmarc p={published}, no valid DKIM signature of {domain}"
