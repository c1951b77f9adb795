"""Buying credits: the price list, the order summary, choosing how to pay, the orders list."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import manager_required
from billing import selectors, services
from billing.forms import BuyForm, PayForm
from billing.models import EventKind, EventSource, Order, PaymentEvent
from credits import selectors as credit_selectors
from credits.models import Pack

ORDERS_PER_PAGE = 25


def _buy_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    registration, offers = selectors.offers_for(request.user.organization)
    validity_days = credit_selectors.credit_settings().registration_validity_days
    # ?need=N: the credits an estimate is missing (link from the ticket or the email).
    need = request.GET.get("need", "")
    need = int(need) if need.isdigit() and len(need) < 7 else 0
    context = {
        "registration": registration,
        "offers": offers,
        "validity_days": validity_days,
        "need": need,
        "suggested": selectors.suggested_offer(offers, need),
    }
    return render(request, "billing/buy.html", context, status=status)


def _tampered(request: HttpRequest, form: BuyForm) -> None:
    services.record_event(
        EventKind.TAMPERED_FORM,
        source=EventSource.CHECKOUT,
        level=PaymentEvent.Level.WARNING,
        organization=request.user.organization,
        actor=request.user,
        message=_("Checkout form with an unknown pack or an unreadable total."),
        data={key: str(request.POST.get(key, ""))[:40] for key in ("pack", "expected_total")},
    )
    messages.error(request, _("We could not read your choice. Please choose a pack again."))


@manager_required
def buy(request: HttpRequest) -> HttpResponse:
    """The packs on sale with their prices; POST orders one (then the order summary)."""
    if request.method != "POST":
        return _buy_page(request)
    form = BuyForm(request.POST)
    pack = None
    if form.is_valid():
        pack = Pack.objects.filter(pk=form.cleaned_data["pack"]).first()
    if pack is None:
        _tampered(request, form)
        return _buy_page(request, status=400)
    try:
        order = services.create_order(
            request.user.organization,
            pack,
            user=request.user,
            expected_total=form.cleaned_data["expected_total"],
        )
    except services.BillingError as exc:
        messages.error(request, exc.message)
        return _buy_page(request, status=400)
    return redirect(order)


@manager_required
def order_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.orders_of(request.user.organization), ORDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "billing/order_list.html", {"page": page})


@manager_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The order summary: what, how much, and (pending) how to pay it."""
    order = get_object_or_404(selectors.orders_visible_to(request.user), pk=pk)
    order = selectors.order_with_details(order)
    registration_expiry = None
    if order.is_pending and order.is_registration:
        registration_expiry = credit_selectors.pack_expiry(
            order.pack, timezone.now(), registration=True
        )
    return render(
        request,
        "billing/order_detail.html",
        {
            "order": order,
            "invoices": list(order.invoices.all()),
            "online_variant": selectors.online_payment_variant(),
            "seller": settings.SELLER,
            "registration_expiry": registration_expiry,
        },
    )


@manager_required
def order_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: pay online (to the provider's page) or by bank transfer (the instructions)."""
    order = get_object_or_404(selectors.orders_visible_to(request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = PayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to pay."))
        return redirect(order)
    try:
        if form.cleaned_data["method"] == Order.Method.BANK_TRANSFER:
            services.choose_bank_transfer(order, user=request.user)
        else:
            payment = services.start_payment(order, user=request.user)
            return redirect("billing:payment_page", pk=payment.pk)
    except services.PackUnavailable as exc:
        messages.error(request, exc.message)
        return redirect("billing:buy")
    except services.BillingError as exc:
        messages.error(request, exc.message)
        return redirect(order)
    messages.info(
        request,
        _("Your order is waiting for your bank transfer. Use the order reference as the concept."),
    )
    return redirect(order)


@manager_required
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: drop a pending order."""
    order = get_object_or_404(selectors.orders_visible_to(request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.cancel_order(order, user=request.user)
    except services.BillingError as exc:
        messages.error(request, exc.message)
    else:
        messages.info(request, _("Order cancelled."))
    return redirect(order)
