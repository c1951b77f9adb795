"""Hooks for the apps above credits: they learn that an organization's credits grew
without credits importing them (``accounts`` ← ``credits`` ← ``tickets``, ``billing``).

A receiver is registered once, in its app's ``AppConfig.ready``::

    hooks.credits_added.connect(receiver, dispatch_uid="...")

and is called with ``organization_id`` (an ``int``) inside the transaction that added the
credits (a grant, or a positive adjustment), after the ledger entry is written. A receiver
that needs locks of its own should defer its work with ``transaction.on_commit``: it then
never holds the wallet's lock while taking others.
"""

from django.dispatch import Signal

# Sent by credits.services.grant and adjust (credits > 0); keyword: organization_id.
credits_added = Signal()


def send_credits_added(organization_id: int) -> None:
    """Tell the receivers that ``organization_id`` has new spendable credits."""
    credits_added.send(sender=None, organization_id=organization_id)


# Sent by credits.services.consume after a deduction is written (not on a replay), inside
# its transaction; keyword: organization_id. Receivers defer with on_commit (plans: an
# automatic recharge may be due).
credits_consumed = Signal()


def send_credits_consumed(organization_id: int) -> None:
    """Tell the receivers that ``organization_id`` just spent credits."""
    credits_consumed.send(sender=None, organization_id=organization_id)
