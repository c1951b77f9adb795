"""Dashboards, the client's usage page, exports and the CSAT links."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organization
from accounts.permissions import staff_or_manager_required, staff_required
from reports import exports, selectors, services
from reports.charts import bar_chart
from reports.errors import InvalidRating
from reports.forms import CommentForm
from reports.periods import Period, last_months, period_from
from tickets.models import Ticket
from tickets.selectors import tickets_visible_to


def _int(value: str | None) -> int | None:
    if value and value.isdigit() and len(value) <= 12:
        return int(value)
    return None


def _month_label(day) -> str:
    return date_format(day, "YEAR_MONTH_FORMAT")


def _period_messages(request: HttpRequest, period: Period) -> None:
    for problem in period.problems:
        messages.warning(request, problem)


@staff_required
def staff_dashboard(request: HttpRequest) -> HttpResponse:
    """SLA, response times, backlog, workload, CSAT; money and action list for admins."""
    period = period_from(request.GET)
    _period_messages(request, period)
    scope, refused = selectors.staff_scope(
        request.user, technician_id=_int(request.GET.get("technician"))
    )
    if refused == "refused":
        messages.warning(request, _("You can see only your own figures; showing yours."))
    elif refused == "unknown":
        messages.warning(request, _("There is no such technician; showing everyone."))
    board = selectors.staff_dashboard(scope, period)
    return render(
        request,
        "reports/staff_dashboard.html",
        {
            "board": board,
            "period": period,
            "charts": _staff_charts(board),
            "backlog_rows": _backlog_rows(board.backlog),
            "keep": _keep(request, "technician"),
            **_links(request),
        },
    )


def _keep(request: HttpRequest, name: str) -> list[tuple[str, str]]:
    """Query parameters the period form carries along (a chosen technician, organization)."""
    value = _int(request.GET.get(name))
    return [(name, str(value))] if value else []


def _backlog_rows(backlog: dict) -> list:
    from tickets.models import Ticket

    labels = dict(Ticket.Status.choices)
    return [(labels[status], list(ages.values())) for status, ages in backlog.items()]


def _links(request: HttpRequest) -> dict:
    query = request.GET.urlencode()
    return {
        "query": query,
        "datasets": exports.datasets_for(request.user),
    }


def _staff_charts(board) -> dict:
    from tickets.models import Ticket

    charts = {}
    severities = [s for s, _l in Ticket.Severity.choices]
    months = sorted({row.month for row in board.sla}) or board.period.months
    by_key = {(row.month, row.severity): row for row in board.sla}
    charts["sla"] = bar_chart(
        _("SLA compliance per month (% resolved within target)"),
        [_month_label(m) for m in months],
        [
            (
                str(label),
                [(by_key[(m, s)].percent or 0) if (m, s) in by_key else 0 for m in months],
            )
            for s, label in Ticket.Severity.choices
            if s in severities
        ],
        max_value=100,
    )
    if board.money:
        labels = [_month_label(m.month) for m in board.money]
        charts["credits"] = bar_chart(
            _("Credits sold and consumed per month"),
            labels,
            [
                (_("Sold"), [m.sold for m in board.money]),
                (_("Consumed"), [m.consumed for m in board.money]),
                (_("Refunded"), [m.refunded for m in board.money]),
            ],
        )
        charts["revenue"] = bar_chart(
            _("Revenue excluding VAT per month (€)"),
            labels,
            [
                (_("Invoiced"), [m.revenue for m in board.money]),
                (_("Refunds"), [m.refunds for m in board.money]),
            ],
        )
    return charts


def _usage_organization(request: HttpRequest) -> Organization:
    user = request.user
    wanted = _int(request.GET.get("organization"))
    if user.is_client:
        if wanted and wanted != user.organization_id:
            messages.warning(
                request, _("You can see only your own organization's usage; showing it.")
            )
        return user.organization
    if user.is_support_staff:
        if wanted is None:
            raise Http404
        return get_object_or_404(Organization, pk=wanted)
    raise Http404


@staff_or_manager_required
def usage(request: HttpRequest) -> HttpResponse:
    """The client's usage: consumption, breakdowns, forecast, expiring lots, charges."""
    organization = _usage_organization(request)
    period = period_from(request.GET, default=last_months(12))
    _period_messages(request, period)
    data = selectors.client_usage(organization, period)
    chart = bar_chart(
        _("Credits consumed per month"),
        [_month_label(m) for m, _v in data.per_month],
        [(_("Consumed"), [v for _m, v in data.per_month])],
    )
    return render(
        request,
        "reports/usage.html",
        {
            "usage": data,
            "period": period,
            "chart": chart,
            "week_pace": round(data.forecast.per_day * 7),
            "breakdowns": [
                (_("By product"), data.by_product),
                (_("By requester"), data.by_requester),
                (_("By kind of work"), data.by_kind),
            ],
            "keep": _keep(request, "organization") if request.user.is_support_staff else [],
            **_links(request),
        },
    )


@staff_or_manager_required
def export(request: HttpRequest, dataset: str, fmt: str) -> HttpResponseBase:
    """A dataset as CSV or XLSX, streamed; an unknown one, or one the user may not
    export, is a 404."""
    chosen = exports.DATASETS.get(dataset)
    if chosen is None or fmt not in exports.FORMATS or request.user.role not in chosen.roles:
        raise Http404
    period = period_from(request.GET)
    stamp = f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    name = f"{chosen.filename}-{stamp}.{fmt}"
    if fmt == "xlsx":
        handle = exports.xlsx_file(chosen, request.user, period)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=name,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    language = translation.get_language()
    zone = timezone.get_current_timezone()
    user = request.user

    def stream():
        with translation.override(language), timezone.override(zone):
            yield from exports.csv_lines(chosen, user, period)

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- CSAT ------------------------------------------------------------------------------


def _rated_ticket(request: HttpRequest, token: str) -> Ticket:
    """The ticket of a rating link, if the user is a client who may see it (else 404)."""
    if not request.user.is_client:
        raise Http404
    try:
        reference = services.ticket_reference_from_token(token)
    except InvalidRating:
        raise Http404 from None
    return get_object_or_404(tickets_visible_to(request.user), reference=reference)


@login_required
def rate(request: HttpRequest, token: str, score: int) -> HttpResponse:
    """One click from the email or the ticket page: record the score, ask for a comment."""
    ticket = _rated_ticket(request, token)
    try:
        rating = services.rate(ticket, by=request.user, score=score)
    except InvalidRating as exc:
        messages.error(request, exc.message)
        return redirect(ticket)
    form = CommentForm(initial={"comment": rating.comment})
    return render(
        request,
        "reports/rated.html",
        {"ticket": ticket, "rating": rating, "form": form, "token": token},
    )


@login_required
@require_POST
def rate_comment(request: HttpRequest, token: str) -> HttpResponse:
    """The optional comment after the score."""
    ticket = _rated_ticket(request, token)
    form = CommentForm(request.POST)
    rating = getattr(ticket, "rating", None)
    if rating is None:
        messages.error(request, _("Choose a score first."))
        return redirect(ticket)
    if not form.is_valid():
        return render(
            request,
            "reports/rated.html",
            {"ticket": ticket, "rating": rating, "form": form, "token": token},
            status=400,
        )
    try:
        services.rate(
            ticket, by=request.user, score=rating.score, comment=form.cleaned_data["comment"]
        )
    except InvalidRating as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you for your opinion."))
    return redirect(ticket)
