import functools
import time

from django.utils import translation


class UserLanguageMiddleware:
    """A logged-in user reads the site in the language of their profile.

    Placed after LocaleMiddleware (which serves anonymous visitors from the cookie and
    the browser's Accept-Language) and after AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class SecondFactorMiddleware:
    """Staff pass their second factor before any page; every session has time limits.

    - A session idle too long, or older than its absolute limit, is ended (staff: 30 min
      idle, 12 h in all by default; clients longer).
    - A technician or admin without an authenticator app is sent to set one up; one
      with it, but whose session has not passed it yet, is sent to enter a code. A client
      who turned the second factor on is asked for the code the same way.
    Only the pages that do those steps (and logout, the language switcher, static
    files) open before. Django admin is behind this too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.contrib.auth.views import redirect_to_login
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.translation import gettext as _

        from accounts import security
        from accounts.models import LoginEvent

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)

        now = int(time.time())
        idle, absolute = security.session_limits(user)
        started = request.session.get(security.STARTED_KEY, now)
        seen = request.session.get(security.SEEN_KEY, now)
        if now - seen > idle or now - started > absolute:
            security.record(LoginEvent.Kind.SESSION_EXPIRED, request, user=user)
            logout(request)
            messages.info(request, _("Your session has expired. Please log in again."))
            return redirect_to_login(request.get_full_path())
        request.session.setdefault(security.STARTED_KEY, started)
        if now - seen >= 60:  # write the session at most once a minute
            request.session[security.SEEN_KEY] = now
        request.session.setdefault(security.SEEN_KEY, now)

        path = request.path_info
        if path.startswith(settings.STATIC_URL) or path in _exempt_paths():
            return self.get_response(request)
        if security.is_verified(request):
            return self.get_response(request)
        has_factor = security.session_has_second_factor(request)
        if not has_factor and security.requires_second_factor(user):
            return redirect(f"{reverse('accounts:mfa_setup')}?next={_quote(path)}")
        if has_factor:
            return redirect(f"{reverse('accounts:mfa_verify')}?next={_quote(path)}")
        return self.get_response(request)


# The pages a logged-in user may open before passing the second factor.
EXEMPT_URL_NAMES = (
    "accounts:mfa_setup",
    "accounts:mfa_verify",
    "accounts:logout",
    "accounts:set_language",
    # A passkey instead of the code (the user is logged in with the password already).
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
)


@functools.cache
def _exempt_paths() -> frozenset[str]:
    from django.urls import reverse

    return frozenset(reverse(name) for name in EXEMPT_URL_NAMES)


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
