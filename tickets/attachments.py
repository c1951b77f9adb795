"""Uploaded files: where they are stored and which ones we accept.

A file is accepted when its extension is on the allow-list, its size is within
``settings.TICKET_ATTACHMENT_MAX_BYTES``, and its first bytes look like that type
(content sniffing). Programs are refused by extension and by content (MZ, ELF, Mach-O,
shebang…), whatever they are called.
"""

import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.template.defaultfilters import filesizeformat
from django.utils.functional import cached_property
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from tickets.errors import AttachmentRejected

SNIFF_BYTES = 8192

PNG = (b"\x89PNG\r\n\x1a\n",)
JPEG = (b"\xff\xd8\xff",)
GIF = (b"GIF87a", b"GIF89a")
ZIP = (b"PK\x03\x04",)  # Office Open XML and OpenDocument files are zip archives
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # legacy Office files
TEXT = None  # any bytes without NUL (checked below)


@dataclass(frozen=True)
class FileType:
    content_type: str
    signatures: tuple[bytes, ...] | None  # None: plain text


ALLOWED_TYPES: dict[str, FileType] = {
    "pdf": FileType("application/pdf", (b"%PDF-",)),
    "png": FileType("image/png", PNG),
    "jpg": FileType("image/jpeg", JPEG),
    "jpeg": FileType("image/jpeg", JPEG),
    "gif": FileType("image/gif", GIF),
    "webp": FileType("image/webp", (b"RIFF",)),
    "txt": FileType("text/plain", TEXT),
    "log": FileType("text/plain", TEXT),
    "csv": FileType("text/csv", TEXT),
    "rtf": FileType("application/rtf", (b"{\\rtf",)),
    "doc": FileType("application/msword", OLE),
    "xls": FileType("application/vnd.ms-excel", OLE),
    "ppt": FileType("application/vnd.ms-powerpoint", OLE),
    "docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP
    ),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "pptx": FileType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP
    ),
    "odt": FileType("application/vnd.oasis.opendocument.text", ZIP),
    "ods": FileType("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    "odp": FileType("application/vnd.oasis.opendocument.presentation", ZIP),
}

# Refused with a clearer message than "type not allowed".
EXECUTABLE_EXTENSIONS = frozenset(
    {
        *("exe", "dll", "com", "bat", "cmd", "scr", "msi", "msp", "cpl", "lnk", "reg"),
        *("ps1", "psm1", "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta", "jar", "apk", "app"),
        *("dmg", "pkg", "deb", "rpm", "iso", "img", "run", "bin", "elf", "so", "dylib"),
        *("sh", "bash", "zsh", "csh", "ksh", "py", "pyc", "pl", "rb", "php", "phtml"),
    }
)

# First bytes of programs and scripts, refused whatever the file is called.
EXECUTABLE_SIGNATURES = (
    b"MZ",  # Windows PE (.exe, .dll)
    b"\x7fELF",  # Linux / Unix
    b"#!",  # shebang script
    b"\xfe\xed\xfa\xce",  # Mach-O 32
    b"\xfe\xed\xfa\xcf",  # Mach-O 64
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"dex\n",  # Android
    b"\x00asm",  # WebAssembly
    b"L\x00\x00\x00\x01\x14\x02\x00",  # Windows shortcut
)


@dataclass(frozen=True)
class AcceptedFile:
    """What we store about a file that passed the checks."""

    name: str
    size: int  # bytes
    content_type: str


def extension(name: str) -> str:
    return os.path.splitext(name)[1].lower().lstrip(".")


def clean_name(name: str) -> str:
    """A safe display name: no folders, no odd characters, at most 150 characters."""
    base = get_valid_filename(os.path.basename(name.replace("\\", "/"))) or "file"
    stem, ext = os.path.splitext(base)
    return stem[: 150 - len(ext)] + ext


def check_upload(uploaded) -> AcceptedFile:
    """Check one uploaded file (a Django ``UploadedFile``). Raises AttachmentRejected."""
    name = clean_name(uploaded.name or "")
    ext = extension(name)
    if ext in EXECUTABLE_EXTENSIONS:
        raise AttachmentRejected(
            _("“%(name)s” is a program or script; those are never accepted.") % {"name": name}
        )
    file_type = ALLOWED_TYPES.get(ext)
    if file_type is None:
        raise AttachmentRejected(
            _("“%(name)s”: this type of file is not accepted. Accepted: %(types)s.")
            % {"name": name, "types": ", ".join(sorted(ALLOWED_TYPES))}
        )
    limit = settings.TICKET_ATTACHMENT_MAX_BYTES
    if uploaded.size > limit:
        raise AttachmentRejected(
            _("“%(name)s” is too big (%(size)s); the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(uploaded.size), "limit": filesizeformat(limit)}
        )
    if uploaded.size == 0:
        raise AttachmentRejected(_("“%(name)s” is empty.") % {"name": name})
    uploaded.seek(0)
    head = uploaded.read(SNIFF_BYTES)
    uploaded.seek(0)
    if head.startswith(EXECUTABLE_SIGNATURES):
        raise AttachmentRejected(
            _("“%(name)s” contains a program; those are never accepted.") % {"name": name}
        )
    if not _looks_like(file_type, head):
        raise AttachmentRejected(
            _("The content of “%(name)s” does not match its extension (.%(ext)s).")
            % {"name": name, "ext": ext}
        )
    return AcceptedFile(name=name, size=uploaded.size, content_type=file_type.content_type)


def check_uploads(files) -> list[AcceptedFile]:
    """Check every file of one message. Raises AttachmentRejected for the first bad one."""
    files = list(files)
    if len(files) > settings.TICKET_ATTACHMENT_MAX_FILES:
        raise AttachmentRejected(
            _("At most %(count)d files per message.")
            % {"count": settings.TICKET_ATTACHMENT_MAX_FILES}
        )
    return [check_upload(f) for f in files]


def _looks_like(file_type: FileType, head: bytes) -> bool:
    if file_type.signatures is None:
        return b"\x00" not in head
    if file_type.content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return head.startswith(file_type.signatures)


class PrivateStorage(FileSystemStorage):
    """Files under ``MEDIA_ROOT/private``. They have no public URL: only a view that checks
    who may see the ticket serves them."""

    @cached_property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "private")

    def url(self, name):
        raise ValueError("Private files have no URL; use the view that serves them.")


_private_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    """The storage of attachments (a callable, so migrations do not freeze its path)."""
    return _private_storage


def attachment_path(instance, filename: str) -> str:
    """tickets/2026/05/<random>.<ext>: the stored name never comes from the user."""
    ext = extension(filename)
    created = instance.created_at
    return f"tickets/{created:%Y/%m}/{uuid.uuid4().hex}.{ext}"
