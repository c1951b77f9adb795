"""RFC 5322 bytes → what the email channel needs: sender, threading ids, clean text, files.

Pure: no database. Python's ``email`` package (policy ``default``) decodes MIME, encoded
headers and charsets; HTML-only mail is made plain text with nh3 (no tags, no remote
images, scripts or tracking pixels survive); quoted history is cut by mail-parser-reply.
"""

import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses

import nh3
from mailparser_reply import EmailReplyParser

# A forwarded message is the content itself: its "quoted" part is kept.
FORWARD_RE = re.compile(r"^\s*(fwd?|rv|reenviado|enc)\s*:", re.IGNORECASE)
REFERENCE_RE = re.compile(r"\[(T-\d{4}-\d{5})\]")
MESSAGE_ID_RE = re.compile(r"<([^<>\s]{1,500})>")
AUTOMATIC_LOCALPARTS = frozenset(
    {"mailer-daemon", "postmaster", "noreply", "no-reply", "do-not-reply", "donotreply"}
)
_reply_parser = EmailReplyParser(languages=["en", "es"])


@dataclass
class Part:
    """An attached (or inline) file."""

    name: str
    content: bytes
    content_type: str
    inline: bool = False


@dataclass
class ParsedEmail:
    message_key: str
    sender: str  # lower-case address, "" when missing or unreadable
    subject: str
    in_reply_to: list[str]
    text: str  # the new text, quoted history removed
    full_text: str
    attachments: list[Part] = field(default_factory=list)
    automatic: str = ""  # why it is automatic mail ("" when a person wrote it)
    # The Authentication-Results headers (RFC 8601), as received: "authserv-id; results".
    authentication_results: list[str] = field(default_factory=list)
    headers: dict = field(default_factory=dict)

    @property
    def reference(self) -> str:
        match = REFERENCE_RE.search(self.subject)
        return match.group(1) if match else ""


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name, "")
        return str(value or "").strip()
    except (ValueError, IndexError, TypeError):  # malformed header: read it raw
        raw = message.get_all(name, failobj=[""])
        return str(raw[0] if raw else "").strip()


def _sender(message: EmailMessage) -> str:
    raw = _header(message, "From")
    if not raw:
        return ""
    pairs = getaddresses([raw])
    for _name, address in pairs:
        address = address.strip().lower()
        if "@" in address and len(address) <= 254:
            return address
    return ""


def message_ids(value: str) -> list[str]:
    return MESSAGE_ID_RE.findall(value or "")


def html_to_text(markup: str) -> str:
    """Clean text of an HTML body: block ends become line breaks; every tag, script,
    style and image (remote or tracking) is dropped."""
    markup = re.sub(r"(?is)<(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", "\n", markup)
    markup = re.sub(r"(?is)<blockquote\b.*?</blockquote>", "\n", markup)  # quoted history
    cleaned = nh3.clean(markup, tags=set(), clean_content_tags={"script", "style", "head"})
    text = html.unescape(cleaned).replace("\xa0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _decode(part) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AssertionError, KeyError, ValueError):
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "utf-8"
        for candidate in (charset, "cp1252", "latin-1"):
            try:
                return payload.decode(candidate)
            except (LookupError, UnicodeDecodeError):
                continue
        return payload.decode("utf-8", "replace")


def _bodies_and_files(message: EmailMessage) -> tuple[str, str, list[Part]]:
    plain, markup, files = [], [], []
    for part in message.walk():
        if part.is_multipart():
            continue
        if part.get_content_type() == "message/rfc822":
            continue
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        content_type = part.get_content_type()
        if (
            filename
            or disposition == "attachment"
            or (content_type.startswith("image/") and disposition in ("inline", None))
        ):
            content = part.get_payload(decode=True) or b""
            name = filename or f"inline.{content_type.split('/')[-1]}"
            files.append(Part(name, content, content_type, inline=disposition != "attachment"))
        elif content_type == "text/plain":
            plain.append(_decode(part))
        elif content_type == "text/html":
            markup.append(_decode(part))
    return "\n".join(plain), "\n".join(markup), files


def _automatic(message: EmailMessage, sender: str) -> str:
    auto = _header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = _header(message, "Precedence").lower()
    if precedence in ("bulk", "junk", "list"):
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond"):
        if value := _header(message, name).lower():
            return f"{name}: {value}"
    if sender.split("@")[0] in AUTOMATIC_LOCALPARTS:
        return f"From: {sender}"
    if message.get_content_type() == "multipart/report":
        return "multipart/report (delivery status)"
    return ""


def forged(parsed: "ParsedEmail", authserv_id: str) -> str:
    """Why our own receiving server (``authserv_id``) says the From is forged: DMARC failed,
    or SPF failed with no passing DKIM signature. "" when it does not say so (other hosts'
    headers are not trusted: anyone can write them)."""
    if not authserv_id:
        return ""
    for header in parsed.authentication_results:
        server, _semicolon, results = header.partition(";")
        if server.strip().split()[0:1] != [authserv_id]:
            continue
        results = results.lower()
        if re.search(r"\bdmarc=fail\b", results):
            return "dmarc=fail"
        if re.search(r"\bspf=fail\b", results) and not re.search(r"\bdkim=pass\b", results):
            return "spf=fail"
    return ""


def strip_quotes(text: str) -> str:
    """The new text of a reply: quoted history and the signature cut off."""
    text = text.replace("\r\n", "\n")
    try:
        reply = _reply_parser.parse_reply(text=text)
    except Exception:  # a parser error must not lose the message: keep the whole text
        reply = text
    reply = (reply or "").strip()
    # Quote lines the parser kept ("> …") and an RFC 3676 signature ("-- ").
    lines = []
    for line in reply.splitlines():
        if line.rstrip() == "--":
            break
        if not line.startswith(">"):
            lines.append(line)
    return "\n".join(lines).strip() or text.strip()


def parse(raw: bytes) -> ParsedEmail:
    """Parse one message. Never raises on malformed input: what cannot be read is empty."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    sender = _sender(message)
    ids = message_ids(_header(message, "Message-ID"))
    message_key = ids[0][:255] if ids else "sha256:" + hashlib.sha256(raw).hexdigest()
    subject = " ".join(_header(message, "Subject").split())[:255]
    in_reply_to = message_ids(_header(message, "In-Reply-To")) + message_ids(
        _header(message, "References")
    )
    try:
        plain, markup, files = _bodies_and_files(message)
    except Exception:  # broken MIME structure: keep what the top part says
        plain, markup, files = _decode(message) if not message.is_multipart() else "", "", []
    full_text = plain.strip() or html_to_text(markup)
    return ParsedEmail(
        message_key=message_key,
        sender=sender,
        subject=subject,
        in_reply_to=in_reply_to,
        text=full_text if FORWARD_RE.match(subject) else strip_quotes(full_text),
        full_text=full_text,
        attachments=files,
        automatic=_automatic(message, sender),
        authentication_results=[
            str(value) for value in (message.get_all("Authentication-Results") or [])
        ][:20],
    )
