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


# Where a worker's memory grows (pages_bench.py --trace-memory, one worker): the first call
# starts tracemalloc, ?mark takes the reference snapshot, a plain call returns the top
# allocation sites grown since the mark, as plain text.
_MARK = []


@login_required
def memory(request):
    import gc
    import tracemalloc

    from django.http import HttpResponse

    if not tracemalloc.is_tracing():
        tracemalloc.start(6)
        return HttpResponse("started\n", content_type="text/plain")
    gc.collect()
    snapshot = tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )
    if "mark" in request.GET:
        _MARK[:] = [snapshot]
        return HttpResponse("marked\n", content_type="text/plain")
    if not _MARK:
        return HttpResponse("no mark\n", content_type="text/plain")
    stats = snapshot.compare_to(_MARK[0], "traceback")
    total = sum(s.size_diff for s in stats)
    lines = [f"total growth since the mark: {total / 1024:.1f} KiB"]
    for stat in stats[:15]:
        lines.append(f"{stat.size_diff / 1024:+.1f} KiB, {stat.count_diff:+d} blocks")
        lines.extend(f"    {frame}" for frame in stat.traceback.format()[-6:])
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
