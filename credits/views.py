"""Balance pages. Clients see their own organization (no id in the URL); support staff
open any organization's pages under /credits/organizations/<id>/."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from accounts.models import Organization
from accounts.permissions import (
    client_required,
    manager_required,
    staff_or_manager_required,
    staff_required,
)
from credits import selectors, services
from credits.forms import MovementFilterForm, StatementForm
from credits.models import Statement
from credits.models.statements import statement_filename
from credits.pdf import render_statement_pdf
from helpdesk.pagination import CappedPaginator

MOVEMENTS_PER_PAGE = 25
LOTS_PER_PAGE = 50
ORGANIZATIONS_PER_PAGE = 50


def _pages(organization: Organization, staff: bool) -> dict[str, str]:
    """The URLs of the four tabs, client or staff flavour."""
    if staff:
        kwargs = {"organization_pk": organization.pk}
        names = ("staff_balance", "staff_lots", "staff_movements", "staff_statements")
    else:
        kwargs = {}
        names = ("balance", "lots", "movements", "statements")
    keys = ("balance", "lots", "movements", "statements")
    return {
        key: reverse(f"credits:{name}", kwargs=kwargs)
        for key, name in zip(keys, names, strict=True)
    }


def _context(organization: Organization, staff: bool) -> dict:
    return {"organization": organization, "staff_view": staff, "pages": _pages(organization, staff)}


def _staff_organization(request: HttpRequest, organization_pk: int) -> Organization:
    return get_object_or_404(
        account_selectors.organizations_visible_to(request.user), pk=organization_pk
    )


# --- Balance ----------------------------------------------------------------------
def _balance(request: HttpRequest, organization: Organization, *, staff: bool) -> HttpResponse:
    context = _context(organization, staff)
    context["summary"] = selectors.balance_summary(organization)
    return render(request, "credits/balance.html", context)


@client_required
def balance(request: HttpRequest) -> HttpResponse:
    return _balance(request, request.user.organization, staff=False)


@staff_required
def staff_balance(request: HttpRequest, organization_pk: int) -> HttpResponse:
    return _balance(request, _staff_organization(request, organization_pk), staff=True)


# --- Lots ---------------------------------------------------------------------------
def _lots(request: HttpRequest, organization: Organization, *, staff: bool) -> HttpResponse:
    page = Paginator(selectors.lots_of(organization), LOTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = _context(organization, staff)
    context["page"] = page
    return render(request, "credits/lots.html", context)


@manager_required
def lots(request: HttpRequest) -> HttpResponse:
    return _lots(request, request.user.organization, staff=False)


@staff_required
def staff_lots(request: HttpRequest, organization_pk: int) -> HttpResponse:
    return _lots(request, _staff_organization(request, organization_pk), staff=True)


# --- Movements ----------------------------------------------------------------------
def _movements(request: HttpRequest, organization: Organization, *, staff: bool) -> HttpResponse:
    form = MovementFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = selectors.movements_of(
        organization,
        kind=filters.get("kind", ""),
        start=filters.get("start"),
        end=filters.get("end"),
    )
    page = CappedPaginator(entries, MOVEMENTS_PER_PAGE, cap=settings.MOVEMENTS_COUNT_CAP).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = _context(organization, staff)
    context.update({"form": form, "page": page, "query": query.urlencode()})
    return render(request, "credits/movements.html", context)


@manager_required
def movements(request: HttpRequest) -> HttpResponse:
    return _movements(request, request.user.organization, staff=False)


@staff_required
def staff_movements(request: HttpRequest, organization_pk: int) -> HttpResponse:
    return _movements(request, _staff_organization(request, organization_pk), staff=True)


# --- Statements ---------------------------------------------------------------------
def _statements(request: HttpRequest, organization: Organization, *, staff: bool) -> HttpResponse:
    form = StatementForm(request.POST or None, initial=StatementForm.initial_period())
    if request.method == "POST" and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        language = request.LANGUAGE_CODE if staff else request.user.language
        if selectors.movement_count(organization, start, end) <= services.inline_limit():
            data = selectors.statement_data(organization, start, end)
            response = HttpResponse(
                render_statement_pdf(data, language=language), content_type="application/pdf"
            )
            filename = statement_filename(start, end)
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        try:
            services.request_statement(
                organization, start, end, requested_by=request.user, language=language
            )
        except services.CreditsError as exc:
            form.add_error(None, exc.message)
        else:
            messages.info(
                request,
                _(
                    "This period has more than %(limit)s movements: the statement is being "
                    "prepared and will appear below, ready to download, in a moment."
                )
                % {"limit": services.inline_limit()},
            )
            return redirect(_pages(organization, staff)["statements"])
    statements = Paginator(selectors.statements_of(organization), 20).get_page(
        request.GET.get("page")
    )
    context = _context(organization, staff)
    context.update(
        {
            "form": form,
            "statements": statements,
            "pending": any(s.status == Statement.Status.PENDING for s in statements),
            "inline_limit": services.inline_limit(),
        }
    )
    return render(request, "credits/statements.html", context)


@manager_required
def statements(request: HttpRequest) -> HttpResponse:
    return _statements(request, request.user.organization, staff=False)


@staff_required
def staff_statements(request: HttpRequest, organization_pk: int) -> HttpResponse:
    return _statements(request, _staff_organization(request, organization_pk), staff=True)


@staff_or_manager_required
def statement_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A stored statement's PDF: the organization's users and support staff only."""
    statement = get_object_or_404(selectors.statements_visible_to(request.user), pk=pk)
    if statement.status != Statement.Status.READY or not statement.file:
        raise Http404
    return FileResponse(
        statement.file.open("rb"),
        as_attachment=True,
        filename=statement.filename,
        content_type="application/pdf",
    )


# --- Staff: every organization ------------------------------------------------------
@staff_required
def staff_organizations(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    page = Paginator(selectors.organizations_with_credits(search), ORGANIZATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = urlencode({"q": search}) if search else ""
    return render(
        request,
        "credits/staff_organizations.html",
        {"page": page, "search": search, "query": query},
    )
