"""The browser pages of the API: a user's keys, and an organization's (or admin's) webhooks
with their deliveries. Thin views over ``api.services`` and ``notifications.webhooks``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from api.errors import ApiKeyError
from api.forms import ApiKeyForm, WebhookEndpointForm
from api.services import create_key, revoke_key
from notifications import webhooks
from notifications.models import WebhookDelivery

DELIVERIES_SHOWN = 50


@login_required
def keys(request: HttpRequest) -> HttpResponse:
    """The user's own keys; POST creates one and shows its secret once."""
    form = ApiKeyForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = create_key(request.user, **form.cleaned_data)
        except ApiKeyError as exc:
            form.add_error(None, exc.message)
        else:
            form = ApiKeyForm()
    return render(
        request,
        "api/keys.html",
        {"form": form, "created": created, "keys": list(request.user.api_keys.all())},
    )


@login_required
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(request.user.api_keys.all(), pk=pk)
    revoke_key(key, by=request.user)
    messages.success(request, _("The key has been revoked."))
    return redirect("integrations:keys")


def _may_manage_webhooks(user: User) -> bool:
    # Webhooks carry the whole organization's events: its managers only (issue 19).
    from accounts.permissions import is_org_manager

    return user.is_admin or is_org_manager(user)


@login_required
def endpoints(request: HttpRequest) -> HttpResponse:
    """The organization's webhook endpoints (all of them for an admin); POST adds one."""
    if not _may_manage_webhooks(request.user):
        from django.http import Http404

        raise Http404
    form = WebhookEndpointForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhooks.create_endpoint(by=request.user, **form.cleaned_data)
        except webhooks.WebhookError as exc:
            form.add_error("url", exc.message)
        else:
            new_secret = endpoint.secret
            form = WebhookEndpointForm()
    return render(
        request,
        "api/endpoints.html",
        {
            "form": form,
            "new_secret": new_secret,
            "endpoints": list(webhooks.endpoints_visible_to(request.user)),
        },
    )


@login_required
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(webhooks.endpoints_visible_to(request.user), pk=pk)
    deliveries = list(endpoint.deliveries.order_by("-created_at", "-pk")[:DELIVERIES_SHOWN])
    return render(
        request, "api/endpoint_detail.html", {"endpoint": endpoint, "deliveries": deliveries}
    )


@login_required
@require_POST
def endpoint_resume(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(webhooks.endpoints_visible_to(request.user), pk=pk)
    webhooks.resume_endpoint(endpoint)
    messages.success(request, _("The endpoint is active again."))
    return redirect("integrations:endpoint", pk=endpoint.pk)


@login_required
@require_POST
def delivery_resend(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(
        WebhookDelivery.objects.filter(
            endpoint__in=webhooks.endpoints_visible_to(request.user).values("pk")
        ),
        pk=pk,
    )
    webhooks.resend(delivery)
    messages.success(request, _("The delivery will be sent again."))
    return redirect("integrations:endpoint", pk=delivery.endpoint_id)
