"""Input of the credit pages: movement filters, statement periods, admin adjustments."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from credits.models import EntryKind
from credits.services.ledger import MAX_ADJUSTMENT
from credits.services.statements import PERIOD_LIMITS

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
# The days a period may name: anything else (9999-12-31, year 1) is a typo or a probe, and
# the day after 9999-12-31 does not exist in Python.
FIRST_DAY, LAST_DAY = PERIOD_LIMITS


def check_day(value):
    if not FIRST_DAY <= value <= LAST_DAY:
        raise forms.ValidationError(
            _("Choose a day between %(first)s and %(last)s."),
            code="out_of_range",
            params={
                "first": date_format(FIRST_DAY, "SHORT_DATE_FORMAT"),
                "last": date_format(LAST_DAY, "SHORT_DATE_FORMAT"),
            },
        )


class BoundedDateField(forms.DateField):
    """A date within PERIOD_LIMITS; garbled text (too long, NUL bytes) is just invalid."""

    def to_python(self, value):
        if isinstance(value, str) and (len(value) > 32 or "\x00" in value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


def date_field(label, *, required: bool) -> forms.DateField:
    return BoundedDateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        validators=[check_day],
        widget=forms.DateInput(
            attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()},
            format="%Y-%m-%d",
        ),
    )


class PeriodMixin:
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The period must start on or before the day it ends."))
        return cleaned


class MovementFilterForm(PeriodMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All movements")), *EntryKind.choices],
    )
    start = date_field(_("From"), required=False)
    end = date_field(_("To"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select"
        for name in ("start", "end"):
            self.fields[name].widget.attrs["class"] = "form-control"


class StatementForm(PeriodMixin, forms.Form):
    start = date_field(_("From"), required=True)
    end = date_field(_("To"), required=True)

    @classmethod
    def initial_period(cls) -> dict:
        """From the first day of this month to today."""
        today = timezone.localdate()
        return {"start": today.replace(day=1), "end": today}


class AdjustmentForm(forms.Form):
    """An admin's manual correction of an organization's credits (always with a reason)."""

    organization = forms.ModelChoiceField(
        label=_("Organization"), queryset=Organization.objects.order_by("name")
    )
    credits = forms.IntegerField(
        label=_("Credits"),
        min_value=-MAX_ADJUSTMENT,
        max_value=MAX_ADJUSTMENT,
        help_text=_("Positive to add credits, negative to take them away."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        help_text=_("Required: it is recorded in the ledger and shown to the client."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", f"admin:{uuid.uuid4()}")
        super().__init__(*args, **kwargs)

    def clean_credits(self):
        credits = self.cleaned_data["credits"]
        if credits == 0:
            raise forms.ValidationError(_("An adjustment is a number of credits other than zero."))
        return credits

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("A reason is required."))
        return reason
