"""Every API error is ``{"code": ..., "message": ...}`` in the key owner's language.

``ApiError`` is DRF's (an HTTP answer the views raise); ``ApiKeyError`` is the app's named
error on ``helpdesk.errors.HelpdeskError`` (``api.services`` re-exports it).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from billing.errors import BillingError
from credits.errors import CreditsError
from helpdesk.errors import HelpdeskError, snake_case
from tickets.errors import NotAllowed, TicketError


class ApiKeyError(HelpdeskError):
    """A key change the rules do not allow; nothing was written."""


class ApiError(exceptions.APIException):
    """An error with a code and a message the views raise directly."""

    def __init__(self, message, *, code: str, status_code: int = 400, extra: dict | None = None):
        self.status_code = status_code
        self.extra = extra or {}
        super().__init__(detail=str(message), code=code)


def business_error(exc: Exception) -> ApiError:
    """The API form of a service's named error (its message is already translated)."""
    status_code = 403 if isinstance(exc, NotAllowed) else 409
    if type(exc).__name__ in {"TicketError", "InvalidTimeEntry", "InvalidRequest", "CreditsError"}:
        status_code = 400
    message = getattr(exc, "message", None) or str(exc)
    return ApiError(message, code=snake_case(type(exc).__name__), status_code=status_code)


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_message(value)
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def _codes(detail):
    if isinstance(detail, dict):
        return {key: _codes(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_first_message(item) for item in detail]
    return str(detail)


def exception_handler(exc, context):
    """DRF's handler, with the house's error body: ``code``, ``message`` (and ``fields``)."""
    # Here, not at the top: rest_framework.views loads the authentication classes, which
    # import api.services, which imports this module (ApiKeyError).
    from rest_framework.views import exception_handler as drf_handler

    if isinstance(exc, TicketError | BillingError | CreditsError):
        exc = business_error(exc)
    elif isinstance(exc, Http404):
        exc = ApiError(_("Not found."), code="not_found", status_code=404)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_handler(exc, context)
    if response is None:
        return None
    body = {"code": "error", "message": ""}
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid",
            "message": _first_message(exc.detail),
            "fields": _codes(exc.detail) if isinstance(exc.detail, dict) else {},
        }
    elif isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        body = {
            "code": codes if isinstance(codes, str) else "error",
            "message": _first_message(exc.detail),
        }
        body.update(getattr(exc, "extra", {}))
    if isinstance(exc, exceptions.Throttled):
        body["code"] = "rate_limited"
    if response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        body["code"] = "method_not_allowed"
    return Response(body, status=response.status_code, headers=dict(response.headers.items()))
