"""The named errors of plans and automatic recharge. Each carries a ``message`` for people."""

from django.utils.translation import gettext_lazy as _

from helpdesk.errors import HelpdeskError


class PlansError(HelpdeskError):
    """Something the rules of plans do not allow. Nothing was changed."""

    default_message = _("This cannot be done with your plan.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class InvalidSetting(PlansError, ValueError):
    """A threshold, cap or pack out of bounds."""

    default_message = _("Please check the values: one of them is out of range.")


class PlanUnavailable(PlansError):
    default_message = _("This plan is no longer offered. Please choose another one.")


class AlreadySubscribed(PlansError):
    default_message = _(
        "Your organization already has a plan. Change it or cancel it instead of subscribing again."
    )


class NotSubscribed(PlansError):
    default_message = _("Your organization has no plan in force.")


class SamePlan(PlansError):
    default_message = _("This is already your plan.")


class NoPaymentMethod(PlansError):
    default_message = _("Save a card first: plans and automatic recharges are paid with it.")


class PaymentDeclined(PlansError):
    default_message = _("Your card was declined. Nothing was charged and no credits were added.")


class CardNotSaved(PlansError):
    """The provider's page did not save a card for this organization (cancelled, not
    finished, or a session that is not this organization's)."""

    default_message = _(
        "We could not find a card saved on this visit. Nothing was saved: please try again."
    )
