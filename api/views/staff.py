"""For technicians and admins: the queue, time entries, assign, status, resolve with its
preview and confirmation, and organizations with their balances."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from api import serializers as s
from api.idempotency import idempotent
from api.pagination import Cursor
from api.permissions import HasApiKey, IsSupportStaff
from api.views.common import ApiView, visible_ticket
from api.views.tickets import ERRORS, _valid
from credits import selectors as credit_selectors
from tickets import selectors, services
from tickets.models import Ticket
from tickets.selectors import QueueSort, QueueStatus
from tickets.selectors import charging as charging_selectors

MAX_Q = 200


class StaffView(ApiView):
    permission_classes = [HasApiKey, IsSupportStaff]


def _int(value, *, maximum=2**31 - 1) -> int | None:
    return int(value) if value and value.isdigit() and int(value) <= maximum else None


class Queue(StaffView):
    """The queue with the page's filters; newest, oldest or most urgent first (cursor)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=[*QueueStatus.values, *Ticket.Status.values]),
            OpenApiParameter("severity", str, enum=Ticket.Severity.values),
            OpenApiParameter("organization", int),
            OpenApiParameter("assignee", str, description="'mine', 'unassigned' or a user id"),
            OpenApiParameter("breached", bool),
            OpenApiParameter("due_within_hours", int),
            OpenApiParameter("q", str),
            OpenApiParameter(
                "sort",
                str,
                enum=[QueueSort.NEWEST.value, QueueSort.OLDEST.value, QueueSort.DUE.value],
                description="'due': the page's order, most urgent first (running clocks by "
                "due date, breached on top, then stopped clocks).",
            ),
            OpenApiParameter("cursor", str),
        ],
        responses={200: s.paged(s.TicketSerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        filters = selectors.QueueFilters(
            status=params.get("status", QueueStatus.ACTIVE)[:32],
            severity=params.get("severity", "")[:16],
            organization=_int(params.get("organization")),
            assignee=params.get("assignee", "")[:16],
            breached=params.get("breached", "").lower() in {"1", "true"},
            due_within_hours=_int(params.get("due_within_hours"), maximum=24 * 366),
            q=params.get("q", "")[:MAX_Q],
        )
        tickets = selectors.queue_for(request.user, filters)
        paginator = Cursor()
        if params.get("sort") == QueueSort.OLDEST:
            paginator.ordering = ("created_at", "pk")
        elif params.get("sort") == QueueSort.DUE:
            paginator.ordering = ("queue_rank", "due_at", "pk")
        page = paginator.paginate_queryset(tickets, request, view=self)
        return paginator.get_paginated_response(s.TicketSerializer(page, many=True).data)


class TimeEntries(StaffView):
    @extend_schema(responses={200: s.TimeEntrySerializer(many=True), **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        ticket = visible_ticket(request, pk)
        return Response(
            s.TimeEntrySerializer(charging_selectors.time_entries(ticket), many=True).data
        )

    @extend_schema(
        request=s.TimeEntryCreateSerializer, responses={201: s.TimeEntrySerializer, **ERRORS}
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        ticket = visible_ticket(request, pk)
        data = _valid(s.TimeEntryCreateSerializer, request)
        entry = services.log_time(ticket, by=request.user, **data)
        return Response(s.TimeEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


class Assign(StaffView):
    @extend_schema(request=s.AssignSerializer, responses={200: s.TicketSerializer, **ERRORS})
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        ticket = visible_ticket(request, pk)
        data = _valid(s.AssignSerializer, request)
        technician = get_object_or_404(selectors.technicians(), pk=data["technician"])
        ticket = services.assign(ticket, technician, by=request.user)
        return Response(s.TicketSerializer(ticket).data)


class ChangeStatus(StaffView):
    """Any move of the workflow but resolving, which has its own confirmed route."""

    @extend_schema(
        request=s.StatusChangeSerializer,
        responses={200: s.TicketSerializer, 409: OpenApiResponse(), **ERRORS},
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        ticket = visible_ticket(request, pk)
        data = _valid(s.StatusChangeSerializer, request)
        if data["status"] == Ticket.Status.RESOLVED:
            from django.utils.translation import gettext as _

            from api.errors import ApiError

            raise ApiError(
                _("Resolve through /resolve/: the charge is previewed and confirmed there."),
                code="use_resolve",
                status_code=409,
            )
        ticket = services.change_status(
            ticket, data["status"], by=request.user, note=data.get("note") or None
        )
        return Response(s.TicketSerializer(ticket).data)


class Resolve(StaffView):
    """GET: the charge the resolution would make now. POST: resolve, confirming that charge
    (``expected_credits``); a different charge by then is a 409, like the page."""

    @extend_schema(responses={200: s.ChargePreviewSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        preview = charging_selectors.charge_preview(visible_ticket(request, pk))
        return Response(
            {
                "to_charge": preview.to_charge,
                "covered": preview.covered,
                "backup_missing": preview.backup_missing,
                "quote_missing": preview.quote_missing,
            }
        )

    @extend_schema(
        request=s.ResolveSerializer,
        responses={200: s.TicketSerializer, 409: OpenApiResponse(), **ERRORS},
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        ticket = visible_ticket(request, pk)
        data = _valid(s.ResolveSerializer, request)
        ticket = services.resolve(
            ticket,
            by=request.user,
            note=data.get("note") or None,
            goodwill_reason=data.get("goodwill_reason"),
            cap_to_estimate=data["cap_to_estimate"],
            expected_credits=data["expected_credits"],
        )
        return Response(s.TicketSerializer(ticket).data)


class Organizations(StaffView):
    @extend_schema(
        parameters=[OpenApiParameter("search", str), OpenApiParameter("cursor", str)],
        responses={200: s.paged(s.OrganizationBalanceSerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        organizations = credit_selectors.organizations_with_credits(
            request.query_params.get("search", "")[:100]
        )
        paginator = Cursor()
        paginator.ordering = ("name", "pk")
        page = paginator.paginate_queryset(organizations, request, view=self)
        rows = [
            {
                "id": o.pk,
                "name": o.name,
                "tax_id": o.tax_id,
                "available": o.available_credits,
                "held": o.held_credits,
            }
            for o in page
        ]
        return paginator.get_paginated_response(
            s.OrganizationBalanceSerializer(rows, many=True).data
        )
