"""The inbound webhook: providers that push mail (Mailgun, Postmark, SendGrid, Amazon SES)
post it to django-anymail's views, which verify the request (Mailgun's HMAC signature;
HTTP basic auth with ``ANYMAIL["WEBHOOK_SECRET"]`` for every provider) and send the
``anymail.signals.inbound`` signal; ``receive_inbound`` hands the message to
``services.receive`` like a polled one. A provider that is not configured answers 404.
"""

import base64
import binascii
import logging

from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView
from anymail.webhooks.sendgrid import SendGridInboundWebhookView
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt

from mailchannel.models import InboundEmail

logger = logging.getLogger(__name__)

PROVIDERS = {
    "mailgun": MailgunInboundWebhookView,
    "postmark": PostmarkInboundWebhookView,
    "sendgrid": SendGridInboundWebhookView,
    "amazon_ses": AmazonSESInboundWebhookView,
}


def _configured(provider: str) -> bool:
    anymail = getattr(settings, "ANYMAIL", {})
    if not anymail.get("WEBHOOK_SECRET"):
        return False  # basic auth is our check for every provider: never without it
    if provider == "mailgun":
        return bool(anymail.get("MAILGUN_WEBHOOK_SIGNING_KEY"))
    return True


def _has_secret(request: HttpRequest) -> bool:
    """The request carries our basic-auth secret (anymail checks it again, and the signature)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _space, value = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    return constant_time_compare(given, settings.ANYMAIL["WEBHOOK_SECRET"])


@csrf_exempt
def inbound(request: HttpRequest, provider: str) -> HttpResponse:
    """The provider's anymail view, when that provider is configured and the caller has the
    secret; 404 otherwise, so the endpoint tells a stranger nothing."""
    if provider not in PROVIDERS or not _configured(provider) or not _has_secret(request):
        raise Http404
    return PROVIDERS[provider].as_view()(request)


def receive_inbound(sender, event, esp_name, **kwargs):
    """``anymail.signals.inbound`` receiver: store and handle the pushed message."""
    from mailchannel import services

    raw = event.message.as_bytes() if event.message is not None else b""
    if not raw:
        return
    try:
        services.receive(raw, source=InboundEmail.Source.WEBHOOK)
    except Exception:  # kept as "failed" for an admin; the provider must not resend it
        logger.exception("inbound webhook message from %s failed", esp_name)
