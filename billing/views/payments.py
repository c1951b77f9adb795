"""The online payment flow: the provider's page, the return pages, provider callbacks.

Every place where the provider may change a payment goes through
``services.settle_payment``, which confirms the order at most once. Callbacks and
webhooks are public (the provider calls them) and csrf-exempt: they reveal nothing (a
redirect to a page that needs login, or a short JSON status) and are validated by the
provider (the unguessable payment token; Stripe's signature).
"""

from urllib.error import URLError
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from payments import PaymentError, PaymentStatus, RedirectNeeded
from payments.core import BasicProvider, provider_factory

from accounts.permissions import manager_required
from billing import hooks, selectors, services, variants
from billing.models import EventKind, EventSource, Payment, PaymentEvent
from billing.services import Outcome

OPEN = (PaymentStatus.WAITING, PaymentStatus.INPUT)

OUTCOME_MESSAGES = {
    Outcome.PAID: (messages.SUCCESS, gettext_lazy("Payment received: your credits are available.")),
    Outcome.ALREADY_PAID: (
        messages.SUCCESS,
        gettext_lazy("This order is paid: your credits are available."),
    ),
    Outcome.WAITING: (
        messages.INFO,
        gettext_lazy("We are waiting for the payment provider to confirm your payment."),
    ),
    Outcome.NOT_PAID: (
        messages.WARNING,
        gettext_lazy("The payment was not completed. You can try again or pay by bank transfer."),
    ),
    Outcome.MISMATCH: (messages.ERROR, services.AmountMismatch.default_message),
    Outcome.DUPLICATE: (
        messages.WARNING,
        gettext_lazy("This order was already paid; your second payment will be refunded."),
    ),
    Outcome.IGNORED: (messages.INFO, gettext_lazy("This order is already settled.")),
}


def _tell(request: HttpRequest, outcome: Outcome) -> None:
    level, text = OUTCOME_MESSAGES[outcome]
    messages.add_message(request, level, text)


def _provider_error(request: HttpRequest, payment: Payment, exc: Exception, *, source: str) -> None:
    services.record_event(
        EventKind.PROVIDER_ERROR,
        source=source,
        level=PaymentEvent.Level.ERROR,
        payment=payment,
        message=str(exc) or exc.__class__.__name__,
    )
    messages.error(
        request, _("The payment provider could not be reached. Nothing was charged; try again.")
    )


@manager_required
def payment_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The provider's payment page: the test provider's form here, or a redirect to the
    provider (Stripe Checkout)."""
    payment = get_object_or_404(selectors.payments_visible_to(request.user), pk=pk)
    if payment.status not in OPEN or not payment.order.is_pending:
        return redirect(payment.order)
    try:
        form, _outcome = services.settle_payment(
            payment,
            source=EventSource.CHECKOUT,
            update=lambda locked: locked.get_form(data=request.POST or None),
        )
    except (PaymentError, URLError) as exc:
        _provider_error(request, payment, exc, source=EventSource.CHECKOUT)
        return redirect(payment.order)
    if isinstance(form, RedirectNeeded):
        # To the provider, or to our return page (which tells the client the outcome).
        return redirect(str(form))
    if payment.variant == variants.TEST and form is not None:
        _label_test_form(form)
    return render(
        request,
        "billing/payment.html",
        {"payment": payment, "order": payment.order, "form": form},
    )


TEST_FORM_LABELS = {
    "status": gettext_lazy("Outcome the provider reports"),
    "fraud_status": gettext_lazy("Fraud check"),
    "gateway_response": gettext_lazy("Gateway behaviour"),
    "verification_result": gettext_lazy("3-D Secure result (with a 3-D Secure redirect)"),
}
TEST_GATEWAY_CHOICES = (
    ("3ds-disabled", gettext_lazy("No 3-D Secure step")),
    ("3ds-redirect", gettext_lazy("Redirect to a 3-D Secure step")),
    ("failure", gettext_lazy("Gateway connection error")),
    ("payment-error", gettext_lazy("Gateway refuses the operation")),
)


def _label_test_form(form) -> None:
    """The test provider's form in the reader's language, the happy path chosen."""
    for name, label in TEST_FORM_LABELS.items():
        form.fields[name].label = label
    form.fields["gateway_response"].choices = TEST_GATEWAY_CHOICES
    form.fields["status"].initial = PaymentStatus.CONFIRMED
    form.fields["fraud_status"].initial = "accept"
    form.fields["gateway_response"].initial = "3ds-disabled"


def _return(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_object_or_404(selectors.payments_visible_to(request.user), pk=pk)
    try:
        provider = provider_factory(payment.variant, payment)
    except ValueError:
        raise Http404 from None
    try:
        _, outcome = services.settle_payment(
            payment, source=EventSource.RETURN_PAGE, update=getattr(provider, "status", None)
        )
    except (PaymentError, URLError) as exc:
        _provider_error(request, payment, exc, source=EventSource.RETURN_PAGE)
    else:
        _tell(request, outcome)
    return redirect(payment.order)


@manager_required
def payment_success(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the provider sends the client after paying: confirm (once) and show the order."""
    return _return(request, pk)


@manager_required
def payment_failure(request: HttpRequest, pk: int) -> HttpResponse:
    """Where the provider sends the client after a failed or abandoned payment."""
    return _return(request, pk)


def _unknown(request: HttpRequest, *, token: str, variant: str = "") -> HttpResponse:
    services.record_event(
        EventKind.UNKNOWN_PAYMENT,
        source=EventSource.CALLBACK,
        level=PaymentEvent.Level.WARNING,
        message=_("A provider callback named a payment we do not know."),
        data={
            "token": f"{token[:8]}…",
            "variant": variant[:32],
            "method": request.method,
            "ip": request.META.get("REMOTE_ADDR", ""),
        },
    )
    return JsonResponse({"error": "unknown payment"}, status=404)


def _invalid(
    request: HttpRequest, payment: Payment | None, exc: Exception, *, variant: str = ""
) -> HttpResponse:
    services.record_event(
        EventKind.INVALID_CALLBACK,
        source=EventSource.CALLBACK,
        level=PaymentEvent.Level.WARNING,
        payment=payment,
        message=_("A provider callback was refused: %(error)s") % {"error": exc},
        data={"variant": variant[:32], "ip": request.META.get("REMOTE_ADDR", "")},
    )
    return JsonResponse({"error": "invalid callback"}, status=400)


def _process(request: HttpRequest, payment: Payment, provider: BasicProvider) -> HttpResponse:
    try:
        response, _outcome = services.settle_payment(
            payment,
            source=EventSource.CALLBACK,
            update=lambda locked: provider.process_data(locked, request),
        )
    except PaymentError as exc:
        return _invalid(request, payment, exc, variant=payment.variant)
    return response


@csrf_exempt
def payment_callback(request: HttpRequest, token: UUID) -> HttpResponse:
    """A provider's per-payment callback (django-payments' process URL): PUBLIC."""
    token = str(token)
    payment = Payment.objects.filter(token=token).first()
    if payment is None:
        return _unknown(request, token=token)
    try:
        provider = provider_factory(payment.variant, payment)
    except ValueError:
        return _unknown(request, token=token, variant=payment.variant)
    return _process(request, payment, provider)


@csrf_exempt
def provider_webhook(request: HttpRequest, variant: str) -> HttpResponse:
    """A provider's webhook for every payment (Stripe): PUBLIC, POST, signed."""
    try:
        provider = provider_factory(variant)
    except ValueError:
        raise Http404 from None
    if not getattr(provider, "accepts_webhooks", False):
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if hasattr(provider, "card_setup_event"):
        try:
            event = provider.card_setup_event(request)
            if event is not None:  # a saved card, not an order's payment (plans)
                if hooks.send_card_setup_event(variant, event):
                    return JsonResponse({"status": "OK"})
                return JsonResponse({"error": "unknown setup"}, status=404)
        except PaymentError as exc:
            return _invalid(request, None, exc, variant=variant)
    try:
        token = provider.get_token_from_request(payment=None, request=request)
    except PaymentError as exc:
        return _invalid(request, None, exc, variant=variant)
    payment = Payment.objects.filter(token=str(token or ""), variant=variant).first()
    if payment is None:
        return _unknown(request, token=str(token or ""), variant=variant)
    return _process(request, payment, provider)
