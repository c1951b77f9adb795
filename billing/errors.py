"""The named errors of the billing app, each with a ``message`` for the user (or the admin)
and a ``code`` (``helpdesk.errors.HelpdeskError``). ``billing.services`` and
``billing.verifactu`` re-export them from their old modules (``billing.services.errors``,
``billing.verifactu.errors``)."""

from django.utils.translation import gettext_lazy as _

from helpdesk.errors import HelpdeskError


class BillingError(HelpdeskError):
    """A billing operation the rules do not allow. Nothing was charged or granted."""

    default_message = _("This billing operation is not allowed.")


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


# --- VERI*FACTU records and their submission ------------------------------------------
# They are BillingErrors: an invoice whose record cannot be made is not issued.


class VerifactuError(BillingError):
    default_message = _("The invoice's billing record could not be made.")


class InvalidIssuer(VerifactuError):
    default_message = _(
        "The issuer's NIF (SELLER_TAX_ID) is not a valid Spanish NIF: no invoice can be "
        "issued until it is corrected."
    )


class InvalidBuyerTaxId(VerifactuError):
    default_message = _("The buyer's tax id fails its checksum.")


class ChainBroken(VerifactuError):
    default_message = _(
        "The previous record's fingerprint does not match the chain: no record was added. "
        "Run check_billing_records."
    )


class NotAnnullable(VerifactuError):
    default_message = _("This invoice has no record to annul, or it is already annulled.")


class CertificateProblem(VerifactuError):
    default_message = _(
        "The certificate for the tax agency is missing, unreadable or expired: records stay "
        "pending until it is fixed."
    )


class AgencyUnavailable(VerifactuError):
    default_message = _("The tax agency did not answer in time; the records will be retried.")
