"""The credential vault: the client's access data page (store, delete, who saw it), access
data for one ticket, and the technician's reveal (a POST; the page is never cached).

The organization's access data page, its switch and deleting are its managers' (issue 19):
a member gets 404 and nothing changes. A member adds access data only to a ticket they
may see (``get_ticket``)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from accounts.permissions import client_required, manager_required, staff_required
from accounts.security import recent_auth_required
from tickets import services
from tickets.forms.vault import CredentialForm, RevealEmailsForm
from tickets.selectors import vault as vault_selectors
from tickets.services.vault import FIELDS
from tickets.views.page import get_ticket, render_ticket

# Error reports (and Django's debug page) never show what a client typed in these fields.
SECRET_POST_FIELDS = [f"credential-{name}" for name in FIELDS]


@sensitive_post_parameters(*SECRET_POST_FIELDS)
@manager_required
def credentials(request: HttpRequest) -> HttpResponse:
    """The organization's access data (labels only), a form to add one, and the reveal log."""
    organization = request.user.organization
    form = CredentialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.store_credential(
                organization,
                by=request.user,
                label=form.cleaned_data["label"],
                kind=form.cleaned_data["kind"],
                fields=form.secret_fields(),
            )
        except (services.TicketError, services.VaultError) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Access data stored, encrypted."))
            return redirect("tickets:credentials")
    context = {
        "form": form,
        "credentials": vault_selectors.organization_credentials(organization),
        "reveals": vault_selectors.reveals_for(organization),
        "assignments": vault_selectors.assignments_for(organization),
        "reveal_emails_form": RevealEmailsForm(initial={"enabled": organization.reveal_emails}),
    }
    return render(request, "tickets/credentials.html", context)


@sensitive_post_parameters(*SECRET_POST_FIELDS)
@client_required
@require_POST
def credential_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Access data for one ticket (a technician assigned to it may reveal it)."""
    ticket = get_ticket(request, pk)
    form = CredentialForm(request.POST)
    if form.is_valid():
        try:
            services.store_credential(
                ticket.organization,
                by=request.user,
                label=form.cleaned_data["label"],
                kind=form.cleaned_data["kind"],
                fields=form.secret_fields(),
                ticket=ticket,
            )
        except (services.TicketError, services.VaultError) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Access data stored, encrypted."))
            return redirect(reverse("tickets:detail", args=[ticket.pk]) + "#access-data")
    return render_ticket(request, ticket, credential_form=form)


@manager_required
def credential_reveal_emails(request: HttpRequest) -> HttpResponse:
    """POST: switch the "email us when our access data is revealed" setting of the
    organization; GET: back to the access data page (like the renewal request)."""
    if request.method != "POST":
        return redirect("tickets:credentials")
    form = RevealEmailsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to receive these emails."))
        return redirect("tickets:credentials")
    enabled = form.cleaned_data["enabled"]
    services.set_reveal_emails(request.user.organization, by=request.user, enabled=enabled)
    if enabled:
        messages.success(request, _("We will email you when a technician sees your access data."))
    else:
        messages.success(
            request, _("We will no longer email you when a technician sees your access data.")
        )
    return redirect("tickets:credentials")


@manager_required
@require_POST
def credential_delete(request: HttpRequest, pk: int) -> HttpResponse:
    credential = get_object_or_404(vault_selectors.credentials_visible_to(request.user), pk=pk)
    try:
        services.delete_credential(credential, by=request.user)
    except services.TicketError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Access data deleted."))
    if credential.ticket_id:
        return redirect(reverse("tickets:detail", args=[credential.ticket_id]) + "#access-data")
    return redirect("tickets:credentials")


@sensitive_variables("fields", "rows", "context", "response")
@staff_required
@require_POST
@recent_auth_required
def credential_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the decrypted access data to an assigned technician, once, logged."""
    credential = get_object_or_404(
        vault_selectors.credentials_visible_to(request.user).select_related("organization"), pk=pk
    )
    back = request.POST.get("ticket", "")
    try:
        fields = services.reveal_credential(credential, by=request.user)
    except (services.TicketError, services.VaultError) as exc:
        messages.error(request, exc.message)
        if back.isdigit():
            return redirect(reverse("tickets:detail", args=[int(back)]) + "#access-data")
        return redirect("tickets:queue")
    rows = [
        (CredentialForm.base_fields[name].label, fields[name])
        for name in FIELDS
        if fields.get(name)
    ]
    context = {"credential": credential, "rows": rows, "back": back if back.isdigit() else ""}
    response = render(request, "tickets/credential_reveal.html", context)
    add_never_cache_headers(response)
    return response
