"""The named errors of the billing services. Each carries a ``message`` for the user."""

from django.utils.translation import gettext_lazy as _


class BillingError(Exception):
    """A billing operation the rules do not allow. Nothing was charged or granted."""

    default_message = _("This billing operation is not allowed.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class PackUnavailable(BillingError):
    """The pack is not on sale (deactivated, or not sold for this kind of purchase)."""

    default_message = _("This pack is no longer on sale. Please choose another one.")


class PriceChanged(BillingError):
    """The total the client saw is not the pack's current total."""

    default_message = _(
        "The price of this pack has changed since you saw it. Please check the new price."
    )


class OrderNotPayable(BillingError):
    """The order is paid, refunded or cancelled: it cannot be paid (again)."""

    default_message = _("This order cannot be paid: it is no longer pending.")


class OrderNotRefundable(BillingError):
    """Only a paid order can be refunded."""

    default_message = _("Only a paid order can be refunded.")


class OnlinePaymentUnavailable(BillingError):
    """No online payment provider is configured (bank transfer only)."""

    default_message = _("Online payment is not available. Please pay by bank transfer.")


class AmountMismatch(BillingError):
    """The provider reports an amount (or currency) other than the order's total."""

    default_message = _(
        "The amount paid does not match the order. We have been notified and will contact "
        "you; no credits were granted yet."
    )


class InvalidRequest(BillingError, ValueError):
    """A missing reference or reason."""


class RefundFailed(BillingError):
    """The payment provider refused the refund: nothing was changed."""

    default_message = _("The payment provider refused the refund; nothing was changed.")
