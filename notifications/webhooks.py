"""Webhooks: register endpoints, queue events in the caller's transaction, deliver them
signed per Standard Webhooks (https://www.standardwebhooks.com/), retry with backoff.

``queue_event`` writes one ``WebhookDelivery`` per subscribed active endpoint inside the
transaction of the change (like the email outbox), and publishes a task after commit. A
lost publish or a worker that dies mid-delivery only delays it: the sweep (beat, every
minute) publishes every pending delivery that is due. Destinations on private, loopback
or link-local addresses are refused unless ``WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS``.
"""

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import uuid
from datetime import timedelta
from functools import partial
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.errors import WebhookError
from notifications.webhook_models import WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

# Waits (minutes) after the 1st, 2nd… failure; the delivery fails for good after the last.
RETRY_DELAYS = (1, 5, 15, 60, 240, 720)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
TIMEOUT = 10  # seconds per attempt
RESPONSE_CHARS = 2000
SWEEP_BATCH = 200
# A delivery "in flight" is pushed this far ahead while it runs: a worker that dies leaves
# it due again after this, and the sweep sends it then.
IN_FLIGHT = timedelta(minutes=2)
PENDING = WebhookDelivery.Status.PENDING


# --- Endpoints ----------------------------------------------------------------------------


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def check_destination(url: str) -> str:
    """Refuse URLs that are not http(s) or whose host resolves to a private, loopback,
    link-local or otherwise non-public address; return the address vetted, which the
    delivery then connects to (so a second DNS answer cannot point elsewhere: no DNS
    rebinding). Raises WebhookError."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise WebhookError(_("The URL must start with http:// or https:// and name a host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise WebhookError(_("The host of this URL cannot be resolved.")) from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS:
        for address in addresses:
            if not address.is_global or address.is_multicast:
                raise WebhookError(
                    _(
                        "Webhooks cannot be sent to private, loopback or link-local "
                        "addresses (%(a)s)."
                    )
                    % {"a": address}
                )
    return str(addresses[0])


def _clean_events(events) -> list[str]:
    events = sorted(set(events or ()))
    unknown = [event for event in events if event not in WebhookEvent.values]
    if unknown or not events:
        raise WebhookError(_("Choose one or more of the known events."))
    return events


def create_endpoint(*, by, url: str, events, description: str = "") -> WebhookEndpoint:
    """An endpoint of ``by``'s organization (clients) or for every organization (admins).

    Raises WebhookError."""
    if not (by.is_admin or (by.is_client and by.organization_id)):
        raise WebhookError(_("You are not allowed to do this."))
    url = (url or "").strip()
    if len(url) > 500:
        raise WebhookError(_("The URL is longer than 500 characters."))
    check_destination(url)
    return WebhookEndpoint.objects.create(
        organization_id=None if by.is_admin else by.organization_id,
        created_by=by,
        url=url,
        events=_clean_events(events),
        description=(description or "").strip()[:200],
        secret=new_secret(),
    )


def endpoints_visible_to(user):
    """Endpoints a user manages: their organization's (clients), every one (admins)."""
    if not user.is_authenticated:
        return WebhookEndpoint.objects.none()
    if user.is_admin:
        return WebhookEndpoint.objects.all()
    from accounts.permissions import is_org_manager  # the organization's managers only

    if is_org_manager(user):
        return WebhookEndpoint.objects.filter(organization_id=user.organization_id)
    return WebhookEndpoint.objects.none()


def resume_endpoint(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Unpause: deliveries are tried again from now on."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        paused_at=None, consecutive_failures=0, is_active=True
    )
    endpoint.refresh_from_db()
    return endpoint


# --- Queueing -----------------------------------------------------------------------------


def active_endpoints(organization) -> list[WebhookEndpoint]:
    """The active endpoints of ``organization`` (an instance or id) and the admins', for
    ``queue_event(..., endpoints=...)``: an action that queues several events reads them
    once (one query)."""
    return list(
        WebhookEndpoint.objects.filter(
            Q(organization_id=getattr(organization, "pk", organization))
            | Q(organization__isnull=True),
            is_active=True,
            paused_at__isnull=True,
        ).order_by("pk")
    )


def queue_event(
    event: str,
    data: dict,
    *,
    organization,
    dedupe_key: str,
    endpoints: list[WebhookEndpoint] | None = None,
) -> list[WebhookDelivery]:
    """Queue ``event`` for every active endpoint of ``organization`` (and the admins'),
    inside the caller's transaction; sent after commit. ``dedupe_key`` names the cause:
    the same key again queues nothing more. ``endpoints``: ``active_endpoints`` of the
    organization, read earlier in the same transaction. Never raises for a delivery
    problem."""
    if event not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event}")
    if endpoints is None:
        endpoints = active_endpoints(organization)
    # An organization has a handful of endpoints: the event is matched in Python, which
    # every database can do (SQLite, the embedded default, has no JSON "contains").
    endpoints = [endpoint for endpoint in endpoints if event in (endpoint.events or [])]
    now = timezone.now()
    payload = json.loads(
        json.dumps(
            {"type": event, "timestamp": now.isoformat(), "data": data}, cls=DjangoJSONEncoder
        )
    )
    created = []
    for endpoint in endpoints:
        try:
            with transaction.atomic():
                created.append(
                    WebhookDelivery.objects.create(
                        endpoint=endpoint,
                        message_id=f"msg_{uuid.uuid4().hex}",
                        event=event,
                        payload=payload,
                        dedupe_key=dedupe_key[:255],
                        next_attempt_at=now,
                    )
                )
        except IntegrityError:
            continue  # already queued for this endpoint
    if created:
        transaction.on_commit(partial(_publish, [d.pk for d in created]), robust=True)
    return created


def _publish(ids: list[int]) -> None:
    from notifications.tasks import deliver_task  # tasks import this module

    for pk in ids:
        try:
            deliver_task.delay(pk)
        except Exception:  # broker down: the sweep sends it
            logger.warning("webhook delivery %s left to the sweep", pk, exc_info=True)
            return


# --- Signing and sending ------------------------------------------------------------------


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,`` + base64 HMAC-SHA256 of
    ``{id}.{timestamp}.{body}`` with the secret's bytes (after ``whsec_``)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def _post(url: str, address: str, body: bytes, headers: dict) -> tuple[int, str]:
    """POST to ``url`` connecting to the vetted ``address`` (TLS still checks the URL's
    host name). Redirects are not followed: one could point at a private address."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    if parts.scheme == "https":
        connection = _PinnedHTTPS(parts.hostname, parts.port or 443, address, timeout=TIMEOUT)
    else:
        connection = _PinnedHTTP(parts.hostname, parts.port or 80, address, timeout=TIMEOUT)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(RESPONSE_CHARS).decode("utf-8", "replace")
    finally:
        connection.close()


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to a fixed address; the Host header keeps the URL's name."""

    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def deliver(delivery_id: int) -> WebhookDelivery | None:
    """Try one pending, due delivery once (nothing when delivered, failed, not due, or in
    flight in another worker). Records the response; schedules the retry; pauses the
    endpoint after ``WEBHOOKS_PAUSE_AFTER`` failures in a row and tells its owner."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("endpoint")
            .filter(pk=delivery_id, status=PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        # Claimed: another worker (or the sweep) sees it as not due while this one sends.
        delivery.next_attempt_at = now + IN_FLIGHT
        delivery.attempts = F("attempts") + 1
        delivery.save(update_fields=["next_attempt_at", "attempts"])
    delivery.refresh_from_db()
    endpoint = delivery.endpoint
    if not endpoint.is_active or endpoint.paused_at:
        return delivery  # kept pending; resumed endpoints are swept again
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = int(now.timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": "helpdesk-webhooks/1",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(endpoint.secret, delivery.message_id, timestamp, body),
    }
    status, text, error = None, "", ""
    try:
        address = check_destination(endpoint.url)
        status, text = _post(endpoint.url, address, body, headers)
    except WebhookError as exc:
        error = str(exc.message)
    except (OSError, ValueError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:RESPONSE_CHARS]
    return _record(delivery, status=status, text=text, error=error)


@transaction.atomic
def _record(delivery: WebhookDelivery, *, status, text: str, error: str) -> WebhookDelivery:
    now = timezone.now()
    delivery.response_status, delivery.response_body = status, text[:RESPONSE_CHARS]
    delivery.last_error = error
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if status is not None and 200 <= status < 300:
        delivery.status, delivery.delivered_at = WebhookDelivery.Status.DELIVERED, now
        endpoint.consecutive_failures = 0
    else:
        if not error:
            delivery.last_error = f"HTTP {status}"
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDelivery.Status.FAILED
        else:
            delivery.next_attempt_at = now + timedelta(minutes=RETRY_DELAYS[delivery.attempts - 1])
        endpoint.consecutive_failures += 1
        if endpoint.paused_at is None and (
            endpoint.consecutive_failures >= settings.WEBHOOKS_PAUSE_AFTER
        ):
            endpoint.paused_at = now
            from notifications.notify import tell_webhook_paused  # notify imports services

            tell_webhook_paused(endpoint, delivery.last_error)
    delivery.save()
    endpoint.save(update_fields=["consecutive_failures", "paused_at"])
    return delivery


def resend(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now (a new pending attempt with the same webhook-id)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=PENDING, next_attempt_at=timezone.now(), attempts=0
    )
    transaction.on_commit(partial(_publish, [delivery.pk]), robust=True)
    delivery.refresh_from_db()
    return delivery


def sweep_webhooks(now=None) -> int:
    """Publish every pending delivery that is due (beat, every minute). Returns how many."""
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            status=PENDING,
            next_attempt_at__lte=now,
            endpoint__is_active=True,
            endpoint__paused_at__isnull=True,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    _publish(ids)
    return len(ids)


def queue_ticket_event(
    event: str, ticket, *, key="", endpoints: list[WebhookEndpoint] | None = None, **extra
) -> list[WebhookDelivery]:
    """``queue_event`` for a ticket (any object with the ticket's fields: no import of the
    tickets app). ``key`` tells apart repeated events of one ticket (a message, a change);
    ``endpoints``: as ``queue_event``'s."""
    data = {
        "ticket": {
            "id": ticket.pk,
            "reference": ticket.reference,
            "organization": ticket.organization_id,
            "status": ticket.status,
            "severity": ticket.severity,
            "subject": ticket.subject,
        },
        **extra,
    }
    return queue_event(
        event,
        data,
        organization=ticket.organization_id,
        dedupe_key=f"{event}:{ticket.pk}:{key}",
        endpoints=endpoints,
    )
