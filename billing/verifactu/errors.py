"""The named errors of VERI*FACTU records and their submission, each with a message for
the admin. They are BillingErrors: an invoice whose record cannot be made is not issued."""

from django.utils.translation import gettext_lazy as _

from billing.services.errors import BillingError


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
