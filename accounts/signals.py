"""The login audit listens to Django's and django-axes' signals (connected in apps.py).

Auditing is a record of what happened, not business: the signals are the one place
every login path (the site, Django admin, the test client) passes through.
"""

import time

from accounts import security
from accounts.models import LoginEvent, User


def logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[security.STARTED_KEY] = now
        request.session[security.SEEN_KEY] = now
        request.session[security.HAS_FACTOR_KEY] = security.has_second_factor(user)
    security.record(LoginEvent.Kind.LOGIN_SUCCEEDED, request, user=user)


def logged_out(sender, request, user, **kwargs):
    if user is not None:
        security.record(LoginEvent.Kind.LOGOUT, request, user=user)


def login_failed(sender, credentials, request=None, **kwargs):
    email = security.login_username(request, credentials) if request is not None else ""
    user = User.objects.filter(email__iexact=email).first() if email else None
    security.record(LoginEvent.Kind.LOGIN_FAILED, request, user=user, email=email)


def locked_out(sender, request, username=None, ip_address=None, **kwargs):
    email = (username or "").lower()[:254]
    user = User.objects.filter(email__iexact=email).first() if email else None
    security.record(LoginEvent.Kind.LOCKED_OUT, request, user=user, email=email)
