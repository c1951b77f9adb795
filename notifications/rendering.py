"""An outbox email as the recipient reads it: subject, plain text and HTML, in their language."""

from dataclasses import dataclass

from django.conf import settings
from django.template import Context, engines
from django.template.loader import render_to_string
from django.utils import translation

from notifications.errors import UnknownLanguage
from notifications.kinds import get_kind


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def _render_text(template_name: str, context: dict) -> str:
    """A plain-text template, without HTML escaping (``&`` stays ``&``)."""
    template = engines["django"].engine.get_template(template_name)
    return template.render(Context(context, autoescape=False))


def render_email(kind: str, context: dict, *, language: str, recipient_name: str = ""):
    """Render a stored context under ``language``. Raises UnknownKind, UnknownLanguage,
    InvalidContext and template errors."""
    spec = get_kind(kind)
    if language not in dict(settings.LANGUAGES):
        raise UnknownLanguage(f"unknown language {language!r}")
    with translation.override(language):
        values = spec.load_context(context)
        values.update(
            recipient_name=recipient_name,
            site_url=settings.SITE_URL,
            product_name="Soporte Créditos",
        )
        # One line, however the template wraps it: a subject is a single header.
        subject = " ".join(_render_text(spec.template("subject.txt"), values).split())
        text = _render_text(spec.template("body.txt"), values).strip() + "\n"
        html = render_to_string(spec.template("body.html"), values)
    return RenderedEmail(subject=subject, text=text, html=html)
