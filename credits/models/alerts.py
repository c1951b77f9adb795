"""The low-balance warning's state per wallet: "warn once per crossing" as a database fact.

``armed`` is true while the spendable balance is at or above the organization's threshold
and no warning has been sent since. A movement that leaves the balance below the threshold
while armed sends the warning and disarms it, in the movement's transaction (under the
wallet lock); a movement that brings the balance back to the threshold re-arms it.
A wallet without a row is disarmed (a new wallet starts at 0 credits, below any threshold).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from credits.models.ledger import Wallet


class LowBalanceAlert(models.Model):
    """Whether the next fall of a wallet below its threshold is to be told to the client."""

    wallet = models.OneToOneField(
        Wallet,
        verbose_name=_("wallet"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="low_balance_alert",
    )
    armed = models.BooleanField(_("armed"), default=False)
    # The last warning: when, and the movement that crossed ("entry:42" or "hold:7").
    warned_at = models.DateTimeField(_("last warned"), null=True, blank=True)
    warned_for = models.CharField(_("warned for"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("low-balance alert")
        verbose_name_plural = _("low-balance alerts")

    def __str__(self):
        return f"{self.wallet_id}: {'armed' if self.armed else 'disarmed'}"
