"""Forms of the team pages (issue 19): invite, role, accept an invitation, settings."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts.models import MAX_TEAM_CREDITS, Language, User


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    org_role = forms.ChoiceField(
        label=_("Role"), choices=User.OrgRole.choices, initial=User.OrgRole.MEMBER
    )
    language = forms.ChoiceField(label=_("Language of the email"), choices=Language.choices)


class RoleForm(forms.Form):
    org_role = forms.ChoiceField(label=_("Role"), choices=User.OrgRole.choices)


class AcceptInvitationForm(forms.Form):
    """The invitee's name and password, checked by Django's password validators."""

    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords are not the same."))
        elif one:
            # The validators compare with the email and name (UserAttributeSimilarity).
            probe = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(one, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class TeamSettingsForm(forms.Form):
    """Who sees what, and when a manager must approve (credits; empty: no rule)."""

    members_see_all_tickets = forms.BooleanField(
        label=_("Members see all the organization's tickets"),
        required=False,
        help_text=_("Off: each member sees only the tickets they opened."),
    )
    approval_threshold_credits = forms.IntegerField(
        label=_("Estimates above this many credits need a manager's approval"),
        required=False,
        min_value=0,
        max_value=MAX_TEAM_CREDITS,
        help_text=_("Empty: estimates need no approval. 60 credits are one hour of work."),
        error_messages={
            "min_value": _("The approval threshold cannot be negative."),
            "max_value": _("The approval threshold can be at most %(limit_value)s credits."),
        },
    )
    member_monthly_credit_limit = forms.IntegerField(
        label=_("Monthly credit limit per member"),
        required=False,
        min_value=0,
        max_value=MAX_TEAM_CREDITS,
        help_text=_("Empty: no limit. Beyond it, a manager approves the member's spending."),
        error_messages={
            "min_value": _("The monthly limit cannot be negative."),
            "max_value": _("The monthly limit can be at most %(limit_value)s credits."),
        },
    )
