"""The passkey ceremonies, named as django-otp-webauthn names them (its template tags and
script reverse ``otp_webauthn:...``), served by our views (accounts.passkey_views)."""

from django.urls import path
from django.views.i18n import JavaScriptCatalog

from accounts import passkey_views

app_name = "otp_webauthn"

urlpatterns = [
    path(
        "registration/begin/",
        passkey_views.BeginRegistration.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        passkey_views.CompleteRegistration.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        passkey_views.BeginAuthentication.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        passkey_views.CompleteAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    # The script's messages, in the page's language (the library ships Spanish).
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
