"""The form a client fills to store access data. Secrets are never rendered back: the
password inputs stay empty on a redisplay."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tickets.models import Credential


class CredentialForm(forms.Form):
    label = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("For example “Shop administration” or “FTP of the website”."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Credential.Kind.choices)
    url = forms.CharField(label=_("Address (URL)"), required=False, max_length=500)
    username = forms.CharField(label=_("User"), required=False, max_length=200)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    host = forms.CharField(label=_("Server (host)"), required=False, max_length=255)
    port = forms.CharField(label=_("Port"), required=False, max_length=10)
    database = forms.CharField(label=_("Database name"), required=False, max_length=200)
    notes = forms.CharField(
        label=_("Other details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    SECRET_FIELDS = ("url", "username", "password", "host", "port", "database", "notes")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="credential", **kwargs)

    def clean(self):
        data = super().clean()
        if not any((data.get(name) or "").strip() for name in self.SECRET_FIELDS):
            raise forms.ValidationError(
                _("Fill in at least one field (address, user, password...).")
            )
        return data

    def secret_fields(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in self.SECRET_FIELDS}


class RevealEmailsForm(forms.Form):
    """The organization's switch: email the client users on every reveal (once a day per
    entry and technician)."""

    enabled = forms.TypedChoiceField(
        label=_("Email us when a technician sees our access data"),
        choices=[("1", _("Yes")), ("0", _("No"))],
        coerce=lambda value: value == "1",
    )
