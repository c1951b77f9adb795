"""Shapes of the plans forms. Rules that need other rows are in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from credits import selectors as credit_selectors
from credits.models import Pack
from helpdesk.formatting import format_credits, format_money
from plans.models import MAX_MONTHLY_CAP, MAX_THRESHOLD, Plan

# Primary keys are ``bigint`` columns.
MAX_PK = 2**63 - 1


class PlanChoiceForm(forms.Form):
    plan = forms.IntegerField(min_value=1, max_value=MAX_PK, widget=forms.HiddenInput)

    def chosen_plan(self) -> Plan | None:
        return Plan.objects.filter(pk=self.cleaned_data["plan"]).first()


class TestCardForm(forms.Form):
    """The test provider's card: the outcome to simulate."""

    outcome = forms.ChoiceField(
        label=_("Test card"),
        choices=[("ok", _("A card that pays")), ("declined", _("A card the bank declines"))],
    )


class PackChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(credits)s credits (%(price)s + VAT)") % {
            "credits": format_credits(obj.credits),
            "price": format_money(obj.price),
        }


class AutoRechargeForm(forms.Form):
    enabled = forms.BooleanField(label=_("Recharge automatically"), required=False)
    threshold = forms.IntegerField(
        label=_("When the balance falls below (credits)"), min_value=1, max_value=MAX_THRESHOLD
    )
    pack = PackChoiceField(
        label=_("Buy the pack"),
        queryset=credit_selectors.packs_for(Pack.Kind.RECHARGE),
        empty_label=None,
    )
    monthly_cap = forms.IntegerField(
        label=_("At most, automatic purchases a month"), min_value=1, max_value=MAX_MONTHLY_CAP
    )
