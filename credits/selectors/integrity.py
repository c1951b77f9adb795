"""``check_ledger``: stored balances agree with the entries, the lots and the holds."""

from collections.abc import Iterator

from django.db.models import F, IntegerField, OuterRef, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce

from credits.models import Hold, LedgerEntry, Lot, Wallet
from credits.selectors.balances import summed


def ledger_mismatches() -> Iterator[str]:
    """One line per disagreement, for every wallet:

    stored balance vs the sum of its entries, its last ``balance_after`` and the sum of
    its lots' remainders; stored held credits vs its open holds; and every entry whose
    ``balance_after`` is not the running sum of the amounts before it.
    """
    last_balance = (
        LedgerEntry.objects.filter(wallet_id=OuterRef("pk"))
        .order_by("-created_at", "-id")
        .values("balance_after")[:1]
    )
    wallets = (
        Wallet.objects.select_related("organization")
        .annotate(
            entry_sum=summed(LedgerEntry.objects.filter(wallet_id=OuterRef("pk")), "amount"),
            last_balance=Coalesce(Subquery(last_balance, output_field=IntegerField()), Value(0)),
            lot_sum=summed(Lot.objects.filter(wallet_id=OuterRef("pk")), "remaining"),
            open_held=summed(
                Hold.objects.filter(wallet_id=OuterRef("pk"), status=Hold.Status.OPEN), "amount"
            ),
        )
        .order_by("pk")
    )
    for wallet in wallets.iterator(chunk_size=500):
        name = f"{wallet.organization} (wallet {wallet.pk})"
        checks = (
            ("the sum of its entries", wallet.entry_sum),
            ("the balance after its last entry", wallet.last_balance),
            ("the sum of its lots' remainders", wallet.lot_sum),
        )
        for what, value in checks:
            if value != wallet.balance:
                yield f"{name}: stored balance {wallet.balance} != {what} {value}"
        if wallet.open_held != wallet.held:
            yield (
                f"{name}: stored held {wallet.held} != the sum of its open holds {wallet.open_held}"
            )
    running = LedgerEntry.objects.annotate(
        running=Window(
            Sum("amount"),
            partition_by=[F("wallet_id")],
            order_by=[F("created_at").asc(), F("id").asc()],
        )
    ).order_by()
    broken = running.exclude(running=F("balance_after")).values_list(
        "wallet_id", "pk", "balance_after", "running"
    )
    for wallet_id, pk, stored, expected in broken.iterator(chunk_size=500):
        yield (
            f"wallet {wallet_id}: entry {pk} has balance_after {stored} != running sum {expected}"
        )
