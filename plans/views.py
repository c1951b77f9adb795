"""The client's page of plans, saved card and automatic recharge, and its POST actions.

Manager-only (issue 19): every view below shows or changes what the organization pays, so
a member of the organization gets 404 and nothing changes (``manager_required``).
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from payments import PaymentError

from accounts.permissions import manager_required
from billing import selectors as billing_selectors
from billing import variants
from plans import selectors, services
from plans.forms import AutoRechargeForm, PlanChoiceForm, TestCardForm
from plans.services import cards


def post_only(view):
    """The actions answer POST; a GET (a bookmarked or reloaded URL) goes back to the page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "POST":
            return redirect("plans:overview")
        return view(request, *args, **kwargs)

    return wrapped


def _bad_form(request):
    messages.error(request, _("We could not read your choice. Please try again."))
    return redirect("plans:overview")


@manager_required
def overview(request: HttpRequest) -> HttpResponse:
    organization = request.user.organization
    page = selectors.plans_page(organization)
    setting = page.auto_recharge
    initial = {"threshold": 30, "monthly_cap": 2, "enabled": True}
    if setting is not None:
        initial = {
            "enabled": setting.enabled,
            "threshold": setting.threshold,
            "pack": setting.pack_id,
            "monthly_cap": setting.monthly_cap,
        }
    return render(
        request,
        "plans/overview.html",
        {
            "page": page,
            "recharge_form": AutoRechargeForm(initial=initial),
            "card_form": TestCardForm(),
            "test_cards": billing_selectors.online_payment_variant() == variants.TEST,
            "hosted_cards": cards.hosted_card_setup_available(),
        },
    )


def _run(request, action, success: str, *, quiet: bool = False):
    """Call ``action()``; a PlansError or an unreachable provider becomes a message."""
    try:
        result = action()
    except services.PlansError as exc:
        messages.error(request, exc.message)
        return None
    except PaymentError:
        messages.error(
            request,
            _("The payment provider did not answer. Nothing was charged yet: we will retry."),
        )
        return None
    if not quiet:
        messages.success(request, success)
    return result


@manager_required
@post_only
def subscribe(request: HttpRequest) -> HttpResponse:
    form = PlanChoiceForm(request.POST)
    if not form.is_valid():
        return _bad_form(request)
    plan = form.chosen_plan()
    if plan is None:
        messages.error(request, services.PlanUnavailable.default_message)
        return redirect("plans:overview")
    _run(
        request,
        lambda: services.subscribe(request.user.organization, plan, user=request.user),
        _("Subscribed to %(plan)s: this month's credits are in your balance.") % {"plan": plan},
    )
    return redirect("plans:overview")


def _subscription(request):
    subscription = selectors.subscription_in_force(request.user.organization)
    if subscription is None:
        messages.error(request, services.NotSubscribed.default_message)
    return subscription


@manager_required
@post_only
def change(request: HttpRequest) -> HttpResponse:
    form = PlanChoiceForm(request.POST)
    if not form.is_valid():
        return _bad_form(request)
    plan = form.chosen_plan()
    subscription = _subscription(request)
    if subscription is None:
        return redirect("plans:overview")
    if plan is None:
        messages.error(request, services.PlanUnavailable.default_message)
        return redirect("plans:overview")
    date = formats.date_format(timezone.localtime(subscription.current_period_end), "DATE_FORMAT")
    if plan.pk == subscription.plan_id:
        success = _("The change is undone: you keep %(plan)s.") % {"plan": plan}
    else:
        success = _(
            "From %(date)s your plan will be %(plan)s. Until then you keep %(current)s and "
            "its credits; nothing is charged or granted now."
        ) % {"date": date, "plan": plan, "current": subscription.plan}
    _run(request, lambda: services.change_plan(subscription, plan), success)
    return redirect("plans:overview")


@manager_required
@post_only
def cancel(request: HttpRequest) -> HttpResponse:
    subscription = _subscription(request)
    if subscription is not None:
        date = formats.date_format(
            timezone.localtime(subscription.current_period_end), "DATE_FORMAT"
        )
        if subscription.status == subscription.Status.PAST_DUE:
            success = _("Your plan is cancelled.")
        else:
            success = _(
                "Your plan ends on %(date)s. Its credits stay in your balance until they expire."
            ) % {"date": date}
        _run(request, lambda: services.cancel(subscription), success)
    return redirect("plans:overview")


@manager_required
@post_only
def keep(request: HttpRequest) -> HttpResponse:
    subscription = _subscription(request)
    if subscription is not None:
        _run(request, lambda: services.keep(subscription), _("Your plan continues."))
    return redirect("plans:overview")


@manager_required
@post_only
def retry(request: HttpRequest) -> HttpResponse:
    subscription = _subscription(request)
    if subscription is not None:
        _run(
            request,
            lambda: services.retry_payment(subscription),
            _("Paid: this period's credits are in your balance."),
        )
    return redirect("plans:overview")


@manager_required
@post_only
def card_save(request: HttpRequest) -> HttpResponse:
    form = TestCardForm(request.POST)
    if not form.is_valid():
        return _bad_form(request)
    _run(
        request,
        lambda: services.save_test_card(
            request.user.organization, outcome=form.cleaned_data["outcome"], user=request.user
        ),
        _("Card saved."),
    )
    return redirect("plans:overview")


@manager_required
@post_only
def card_remove(request: HttpRequest) -> HttpResponse:
    services.remove_card(request.user.organization)
    messages.success(request, _("Card removed. Automatic recharge is off."))
    return redirect("plans:overview")


@manager_required
@post_only
def auto_recharge(request: HttpRequest) -> HttpResponse:
    form = AutoRechargeForm(request.POST)
    if not form.is_valid():
        # A message away from its field says which one it is about.
        for name, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, _("%(field)s: %(error)s") % {"field": form[name].label, "error": error}
                )
        return redirect("plans:overview")
    _run(
        request,
        lambda: services.configure_auto_recharge(
            request.user.organization, user=request.user, **form.cleaned_data
        ),
        _("Automatic recharge saved."),
    )
    return redirect("plans:overview")


def _absolute(name: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(name)


@manager_required
@post_only
def card_setup(request: HttpRequest) -> HttpResponse:
    """To the provider's page that saves a card (Stripe Checkout in setup mode)."""
    url = _run(
        request,
        lambda: cards.start_card_setup(
            request.user.organization,
            user=request.user,
            # Stripe puts the session's id in place of {CHECKOUT_SESSION_ID}.
            success_url=_absolute("plans:card_setup_done") + "?session_id={CHECKOUT_SESSION_ID}",
            cancel_url=_absolute("plans:card_setup_cancelled"),
        ),
        "",
        quiet=True,
    )
    if url is None:
        return redirect("plans:overview")
    return redirect(url)


@manager_required
def card_setup_done(request: HttpRequest) -> HttpResponse:
    """Back from the provider's page: save the card it saved, once."""
    session_id = request.GET.get("session_id", "")[:300]
    _run(
        request,
        lambda: cards.finish_card_setup(request.user.organization, session_id, user=request.user),
        _("Card saved. Plans and automatic recharges will be paid with it."),
    )
    return redirect("plans:overview")


@manager_required
def card_setup_cancelled(request: HttpRequest) -> HttpResponse:
    """Back from the provider's page without saving a card."""
    cards.cancel_card_setup(request.user.organization, request.GET.get("setup", "")[:100])
    messages.info(request, _("No card was saved."))
    return redirect("plans:overview")
