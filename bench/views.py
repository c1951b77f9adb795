"""The floor: the least a logged-in page of this site can cost. Login required, three
indexed queries (the session and the user are read by the middleware as on every page;
these three are the view's own), a five-line template."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.models import Organization
from credits.models import LedgerEntry, Wallet


@login_required
def floor(request):
    organization_id = request.user.organization_id
    organization = Organization.objects.filter(pk=organization_id).first()  # primary key
    wallet = Wallet.objects.filter(organization_id=organization_id).first()  # unique index
    last = (  # ledgerentry_wallet_time
        LedgerEntry.objects.filter(wallet_id=getattr(wallet, "pk", None))
        .order_by("-created_at", "-id")
        .first()
    )
    return render(
        request,
        "bench/floor.html",
        {"organization": organization, "wallet": wallet, "last": last},
    )
