"""``Idempotency-Key`` on writes, the way Stripe's API does it.

The first request with a key stores its response; a repeat with the same method, path and
body gets that response again (header ``Idempotent-Replayed: true``); the same key with a
different request is a 409, and so is a repeat while the first is still running.
Server errors are not stored, so the client may retry them.
"""

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from api.errors import ApiError
from api.models import IdempotentRequest

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY_LENGTH = 255


def _fingerprint(request) -> str:
    """Method, path and body. A multipart body (files) is fingerprinted from its parsed
    fields and the SHA-256 of each file, read in chunks: never held whole in memory."""
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.get_full_path().encode())
    if (request.content_type or "").startswith("multipart/"):
        for key in sorted(k for k in request.data if k != "files"):
            digest.update(json.dumps([key, request.data.getlist(key)], default=str).encode())
        for upload in request.FILES.getlist("files"):
            digest.update(upload.name.encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    else:
        digest.update(request.body or b"")
    return digest.hexdigest()


def _replay(record: IdempotentRequest, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise ApiError(
            _("This Idempotency-Key was used for a different request."),
            code="idempotency_key_reused",
            status_code=409,
        )
    if record.status_code is None:
        raise ApiError(
            _("A request with this Idempotency-Key is still being processed."),
            code="idempotency_key_in_use",
            status_code=409,
        )
    return Response(record.body, status=record.status_code, headers={"Idempotent-Replayed": "true"})


def idempotent(method):
    """Wrap a view's write method (``post``) with Idempotency-Key handling."""

    @functools.wraps(method)
    def wrapper(self, request, *args, **kwargs):
        key = request.META.get(HEADER, "").strip()
        if not key:
            return method(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise ApiError(
                _("The Idempotency-Key is longer than 255 characters."),
                code="invalid_idempotency_key",
            )
        fingerprint = _fingerprint(request)
        since = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
        IdempotentRequest.objects.filter(
            api_key=request.auth, key=key, created_at__lt=since
        ).delete()
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    api_key=request.auth, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            record = IdempotentRequest.objects.get(api_key=request.auth, key=key)
            return _replay(record, fingerprint)
        try:
            response = method(self, request, *args, **kwargs)
        except Exception as exc:
            # Client errors are answers too: store them like Stripe does; the rest may retry.
            from api.errors import exception_handler

            handled = exception_handler(exc, {"view": self, "request": request})
            if handled is None or handled.status_code >= 500:
                record.delete()
                raise
            response = handled
        if response.status_code >= 500:
            record.delete()
            return response
        record.status_code = response.status_code
        record.body = json.loads(json.dumps(response.data, default=str))
        record.save(update_fields=["status_code", "body"])
        return response

    return wrapper
