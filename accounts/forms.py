import time

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Organization, User
from .services import BILLING_FIELDS


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "language"]


class BillingDetailsForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = list(BILLING_FIELDS)


class LocalizedPasswordResetForm(PasswordResetForm):
    """Queues the reset email in the outbox (sent once by the worker, in the language of
    the user's profile) instead of sending it during the web request."""

    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # notifications sits above accounts; the import is here, at the one call.
        from notifications import services as notifications
        from notifications.models import Kind

        user = context["user"]
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        notifications.queue_email(
            user,
            Kind.PASSWORD_RESET,
            {
                "reset_url": path,
                "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
            },
            # A double click queues one email (one per user and minute).
            dedupe_key=f"password_reset:{user.pk}:{int(time.time()) // 60}",
        )


class CodeForm(forms.Form):
    """A 6-digit code from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "text"}
        ),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autofocus": True, "autocomplete": "current-password"}),
    )
