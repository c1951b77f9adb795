"""Shapes of the billing forms. Rules that need other rows (prices, states) are in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.models import Order


class BuyForm(forms.Form):
    """The pack chosen on the price list and the total (VAT included) the client saw."""

    # A pack's id: a ``bigint`` primary key column.
    pack = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)
    expected_total = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, widget=forms.HiddenInput
    )


class PayForm(forms.Form):
    """How the client pays a pending order."""

    method = forms.ChoiceField(choices=Order.Method.choices, widget=forms.HiddenInput)


class MarkPaidForm(forms.Form):
    """Admin: the bank transfer arrived."""

    reference = forms.CharField(
        label=_("Transfer reference"),
        max_length=200,
        help_text=_("The bank's reference of the transfer received (kept on the order)."),
    )


class RefundForm(forms.Form):
    """Admin: refund a paid order."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed on the corrective invoice."),
    )
    confirm = forms.BooleanField(
        label=_(
            "Issue the corrective invoice, take back the unspent credits and refund the payment"
        ),
    )
