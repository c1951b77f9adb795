"""The passkey ceremonies: django-otp-webauthn's JSON endpoints under our rules.

The library's script (static, served under our CSP) posts to these four URLs, named as
the library names them (namespace ``otp_webauthn``) so its template tags find them. The
library's views would skip our step-up, audit and sessions, and answer technical
messages (and a 500 for some malformed bodies): these keep its helper, which does the
WebAuthn checks, and answer every failure with one clear message, changing nothing.

- Registration: a logged-in user whose session passed the second factor and proved it
  again in the last minutes (step-up). Before the second factor the middleware sends
  the request to the code page.
- Authentication: the logged-in user (password done) proves a passkey of their own; it
  counts as the second factor (login) and as the step-up. No passwordless login.
"""

import logging

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.views import BaseWebAuthnView

from accounts import passkeys, security
from accounts.errors import Refused
from accounts.models import LoginEvent

logger = logging.getLogger(__name__)

REGISTER_STATE_KEY = "otp_webauthn_register_state"
AUTH_STATE_KEY = "otp_webauthn_authentication_state"
# Bound on a ceremony's JSON body (an attestation is a few KB).
MAX_BODY_BYTES = 64 * 1024

NOT_VERIFIED = _(
    "That passkey could not be verified. Try again with a passkey of this account, or use "
    "a code from your authenticator app."
)
NOT_REGISTERED = _("That passkey could not be added. Nothing was changed; try again.")
CONFIRM_FIRST = _("Confirm it is you first: reload the page and confirm your identity.")
TOO_MANY = _("You have the most passkeys allowed. Remove one before adding another.")
NEEDS_FACTOR = _("Turn on two-step verification with an authenticator app first.")
NO_PASSKEY = _("This account has no passkey. Use a code from your authenticator app.")


@method_decorator(never_cache, name="dispatch")
class _Ceremony(BaseWebAuthnView):
    """POST only; an anonymous visitor is sent to log in, a GET back to the profile."""

    http_method_names = ["get", "post"]
    failure_message = NOT_VERIFIED

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.method != "POST":
            return redirect("accounts:profile")
        if len(request.body) > MAX_BODY_BYTES:
            return self.refuse(Refused(self.failure_message, 413))
        return super().dispatch(request, *args, **kwargs)

    def handle_exception(self, exc):
        # The library's API errors, py_webauthn's (rewritten by the library) and anything
        # a crafted body trips over: one message, logged for us, never a 500.
        if not isinstance(exc, Refused):
            # Bad input, not a fault of ours: logged at info (py_webauthn's reason is the
            # cause), never as an error for Sentry.
            logger.info("passkey ceremony refused: %r (%r)", exc, exc.__cause__)
            exc = Refused(self.failure_message)
        return self.refuse(exc)

    def refuse(self, exc: "Refused"):
        return JsonResponse({"detail": str(exc.message), "code": "refused"}, status=exc.status)

    def helper(self):
        return WebAuthnCredential.get_webauthn_helper(request=self.request)

    def pop_state(self, key):
        # Popped and saved before anything else: a challenge is never used twice.
        state = self.request.session.pop(key, None)
        self.request.session.save()
        if not isinstance(state, dict):
            raise Refused(self.failure_message)
        return state

    def body(self) -> dict:
        if not isinstance(self.request.data, dict):
            raise Refused(self.failure_message)
        return self.request.data


class _Registration(_Ceremony):
    failure_message = NOT_REGISTERED

    def initial(self, request: HttpRequest, *args, **kwargs) -> None:
        user = request.user
        if not security.is_verified(request) and security.session_has_second_factor(request):
            raise Refused(CONFIRM_FIRST, 403)
        if not security.has_second_factor(user):
            raise Refused(NEEDS_FACTOR, 403)
        if not security.recently_authenticated(request):
            raise Refused(CONFIRM_FIRST, 403)
        if not passkeys.can_register(user):
            raise Refused(TOO_MANY, 403)


class BeginRegistration(_Registration):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        data, state = self.helper().register_begin(user=request.user)
        request.session[REGISTER_STATE_KEY] = state
        return JsonResponse(data)


class CompleteRegistration(_Registration):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        from django.db import transaction
        from django_otp_webauthn.utils import rewrite_exceptions

        state = self.pop_state(REGISTER_STATE_KEY)
        data = self.body()
        with transaction.atomic(), rewrite_exceptions(logger=None):
            device = self.helper().register_complete(user=request.user, state=state, data=data)
        passkeys.registered(request, device)
        return JsonResponse({"id": device.pk})


class _Authentication(_Ceremony):
    failure_message = NOT_VERIFIED

    def initial(self, request: HttpRequest, *args, **kwargs) -> None:
        if not passkeys.has_passkey(request.user):
            raise Refused(NO_PASSKEY)

    def handle_exception(self, exc):
        security.record(LoginEvent.Kind.PASSKEY_FAILED, self.request, user=self.request.user)
        return super().handle_exception(exc)


class BeginAuthentication(_Authentication):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        data, state = self.helper().authenticate_begin(
            user=request.user, require_user_verification=False
        )
        request.session[AUTH_STATE_KEY] = state
        return JsonResponse(data)


class CompleteAuthentication(_Authentication):
    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        from django.db import transaction
        from django_otp_webauthn.utils import rewrite_exceptions

        state = self.pop_state(AUTH_STATE_KEY)
        data = self.body()
        with transaction.atomic(), rewrite_exceptions(logger=None):
            # The library checks that the credential is this user's, then the signature,
            # challenge, origin, RP id and sign counter; it moves last_used_at.
            device = self.helper().authenticate_complete(user=request.user, state=state, data=data)
            if not device.confirmed:
                raise Refused(NOT_VERIFIED)
        security.record(
            LoginEvent.Kind.PASSKEY_USED, request, user=request.user, detail=device.name
        )
        security.mark_verified(request, device)
        return JsonResponse({"id": device.pk, "redirect_url": self.next_url()})

    def next_url(self) -> str:
        from django.utils.http import url_has_allowed_host_and_scheme

        target = self.request.GET.get("next", "")[:2000]
        if target and url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return target
        return reverse("dashboard")
