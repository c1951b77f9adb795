"""Which files we accept: an allow-list of types, a size limit, and no programs (by
extension and by content)."""

import pytest

from tests.tickets.factories import PDF, PNG, upload
from tickets.attachments import check_upload, check_uploads, clean_name
from tickets.errors import AttachmentRejected

DOCX = b"PK\x03\x04" + b"\x00" * 40


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("informe.pdf", PDF, "application/pdf"),
        ("captura.PNG", PNG, "image/png"),
        (
            "carta.docx",
            DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("error.log", b"Traceback (most recent call last):\n", "text/plain"),
    ],
)
def test_documents_and_images_are_accepted(name, content, content_type):
    accepted = check_upload(upload(name, content))
    assert accepted.content_type == content_type
    assert accepted.size == len(content)


@pytest.mark.parametrize("name", ["setup.exe", "script.sh", "macro.vbs", "factura.pdf.exe", "x.JS"])
def test_programs_are_refused_by_extension(name):
    with pytest.raises(AttachmentRejected, match="program or script"):
        check_upload(upload(name, PDF))


@pytest.mark.parametrize(
    "content",
    [
        b"MZ\x90\x00\x03" + b"\x00" * 60,  # Windows PE
        b"\x7fELF\x02\x01\x01" + b"\x00" * 60,  # Linux ELF
        b"#!/bin/sh\nrm -rf /\n",  # shebang script
        b"\xcf\xfa\xed\xfe" + b"\x00" * 60,  # Mach-O
    ],
)
@pytest.mark.parametrize("name", ["informe.pdf", "notas.txt", "foto.png"])
def test_programs_are_refused_by_content_whatever_their_name(name, content):
    with pytest.raises(AttachmentRejected, match="contains a program"):
        check_upload(upload(name, content))


@pytest.mark.parametrize("name", ["page.html", "logo.svg", "archive.zip", "noextension"])
def test_types_outside_the_allow_list_are_refused(name):
    with pytest.raises(AttachmentRejected, match="not accepted"):
        check_upload(upload(name, b"hello"))


def test_a_file_whose_content_does_not_match_its_extension_is_refused():
    with pytest.raises(AttachmentRejected, match="does not match"):
        check_upload(upload("foto.png", PDF))
    with pytest.raises(AttachmentRejected, match="does not match"):
        check_upload(upload("notas.txt", b"abc\x00def"))


def test_size_limit_comes_from_settings(settings):
    settings.TICKET_ATTACHMENT_MAX_BYTES = 1024
    check_upload(upload("ok.txt", b"a" * 1024))
    with pytest.raises(AttachmentRejected, match="too big"):
        check_upload(upload("big.txt", b"a" * 1025))


def test_default_limit_is_ten_megabytes(settings):
    assert settings.TICKET_ATTACHMENT_MAX_BYTES == 10 * 1024 * 1024


def test_empty_files_and_too_many_files_are_refused(settings):
    with pytest.raises(AttachmentRejected, match="empty"):
        check_upload(upload("vacio.txt", b""))
    settings.TICKET_ATTACHMENT_MAX_FILES = 2
    with pytest.raises(AttachmentRejected, match="At most 2"):
        check_uploads([upload("a.pdf"), upload("b.pdf"), upload("c.pdf")])


def test_names_lose_folders_and_odd_characters():
    assert clean_name("../../etc/passwd.txt") == "passwd.txt"
    assert clean_name("C:\\Users\\ana\\mi informe (1).pdf") == "mi_informe_1.pdf"
    assert len(clean_name("a" * 300 + ".pdf")) == 150
