"""Forms of time, charging, estimates and quotes. The rules (what may change when, balances)
are in the services; these check the shape of the input."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets import limits
from tickets.models import Estimate, SecurityChecklist, Ticket
from tickets.services.charging import ResolveMode
from tickets.services.timelog import MAX_ENTRY_MINUTES


class DateInput(forms.DateInput):
    """The browser's date picker: it takes and sends ISO dates, whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeEntryForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=1,
        max_value=MAX_ENTRY_MINUTES,
        help_text=_("Real minutes worked; the charge is computed when resolving."),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Ticket.Channel.choices, initial=Ticket.Channel.PORTAL
    )
    work_date = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, prefix="time", **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)

    def clean_work_date(self):
        work_date = self.cleaned_data["work_date"]
        if work_date > timezone.localdate():
            raise forms.ValidationError(_("Time cannot be logged for a future date."))
        return work_date


class TimerStartForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Ticket.Channel.choices, initial=Ticket.Channel.PORTAL
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="timer", **kwargs)


class TimerStopForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="timer", **kwargs)


class ResolveForm(forms.Form):
    """The confirmation of a resolution: charge as computed, capped, or goodwill."""

    CHARGE = ResolveMode.CHARGE
    CAP = ResolveMode.CAP
    GOODWILL = ResolveMode.GOODWILL

    how = forms.ChoiceField(
        label=_("Charge"),
        widget=forms.RadioSelect,
        initial=CHARGE,
        choices=ResolveMode.choices,
    )
    goodwill_reason = forms.CharField(
        label=_("Reason for not charging"),
        required=False,
        max_length=500,
        help_text=_("Required for goodwill; the client sees it."),
    )
    note = forms.CharField(
        label=_("Internal note (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    # The charge the technician saw: a different charge at confirmation is refused.
    expected_credits = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, has_estimate: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_estimate:
            self.hide_cap()

    def hide_cap(self) -> None:
        """No cap to offer: the ticket has no accepted estimate."""
        self.fields["how"].choices = [c for c in self.fields["how"].choices if c[0] != self.CAP]

    def clean(self):
        data = super().clean()
        if data.get("how") == self.GOODWILL and not (data.get("goodwill_reason") or "").strip():
            self.add_error("goodwill_reason", _("Say why this work is not charged."))
        return data


class EstimateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Estimate.Kind.choices, initial=Estimate.Kind.ESTIMATE
    )
    credits = forms.IntegerField(label=_("Credits"), min_value=1, max_value=1_000_000)
    description = forms.CharField(
        label=_("What the work covers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=limits.ESTIMATE_DESCRIPTION_MAX_CHARS,
    )

    def __init__(self, *args, ticket: Ticket | None = None, **kwargs):
        super().__init__(*args, prefix="estimate", **kwargs)
        if ticket is not None and ticket.kind == Ticket.Kind.CUSTOMIZATION:
            self.fields["kind"].initial = Estimate.Kind.QUOTE


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline it?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.DECLINE_REASON_MAX_CHARS,
    )


class SecurityChecklistForm(forms.ModelForm):
    BACKUP = ("code_backup", "database_backup")
    QUOTE = ("external_modules", "modified_core", "very_old_version")

    class Meta:
        model = SecurityChecklist
        fields = [
            "code_backup",
            "database_backup",
            "external_modules",
            "modified_core",
            "very_old_version",
        ]

    def __init__(self, *args, locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-check-input"
            field.disabled = locked

    @property
    def backup_fields(self):
        return [self[name] for name in self.BACKUP]

    @property
    def quote_fields(self):
        return [self[name] for name in self.QUOTE]
