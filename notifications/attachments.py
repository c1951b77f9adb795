"""Files attached to an email, built when it is sent by a builder registered under a name.

The app that owns the file registers its builder once, in its ``AppConfig.ready()`` so
that web processes and workers both know it::

    register_attachment_builder("invoice_pdf", build_invoice_pdf)

    def build_invoice_pdf(*, invoice_id):
        invoice = Invoice.objects.get(pk=invoice_id)
        return Attachment(f"{invoice.number}.pdf", render_pdf(invoice), "application/pdf")

and queues ``attachments=[("invoice_pdf", {"invoice_id": invoice.pk})]``. The builder gets
the params as keyword arguments, runs in the recipient's language, and returns an
``Attachment`` (or a ``(filename, content, mimetype)`` tuple). It raises
``TemporaryFailure`` to have the email retried later; any other exception fails the email.
"""

import json
from collections.abc import Callable, Iterable
from typing import NamedTuple

from notifications.errors import TemporaryFailure, UnknownAttachment

__all__ = [
    "Attachment",
    "TemporaryFailure",
    "UnknownAttachment",
    "build_attachment",
    "dump_attachments",
    "register_attachment_builder",
    "unregister_attachment_builder",
]


class Attachment(NamedTuple):
    filename: str
    content: bytes
    mimetype: str


_BUILDERS: dict[str, Callable[..., Attachment]] = {}


def register_attachment_builder(name: str, builder: Callable[..., Attachment] | None = None):
    """Register ``builder`` under ``name``; usable as a decorator when ``builder`` is omitted."""

    def register(func):
        _BUILDERS[name] = func
        return func

    return register if builder is None else register(builder)


def unregister_attachment_builder(name: str) -> None:
    """Forget a builder (tests register their own and clean up)."""
    _BUILDERS.pop(name, None)


def dump_attachments(attachments: Iterable[tuple[str, dict]]) -> list:
    """The JSON stored for ``[(name, params), ...]``. Raises UnknownAttachment."""
    stored = []
    for name, params in attachments:
        if name not in _BUILDERS:
            raise UnknownAttachment(f"no attachment builder registered as {name!r}")
        try:
            json.dumps(params)
        except TypeError as exc:
            raise UnknownAttachment(f"{name!r}: params must be plain JSON values") from exc
        stored.append([name, dict(params)])
    return stored


def build_attachment(name: str, params: dict) -> Attachment:
    """Build one file. Raises UnknownAttachment, TemporaryFailure, or the builder's error."""
    try:
        builder = _BUILDERS[name]
    except KeyError:
        raise UnknownAttachment(f"no attachment builder registered as {name!r}") from None
    return Attachment(*builder(**params))
