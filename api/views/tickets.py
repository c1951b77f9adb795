"""Tickets for clients and staff: list, create, detail, reply, close, reopen, files, estimates."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from api import serializers as s
from api.errors import ApiError
from api.idempotency import idempotent
from api.pagination import Cursor
from api.views.common import ApiView, visible_estimate, visible_ticket
from tickets import selectors, services
from tickets.models import Product, Ticket
from tickets.selectors import charging as charging_selectors

ERRORS = {
    400: OpenApiResponse(description="Invalid input: {code, message, fields}"),
    401: OpenApiResponse(description="No, malformed, revoked or expired key"),
    404: OpenApiResponse(description="Not found or not visible to this user"),
}


UPLOAD_NOTE = (
    "JSON, or multipart/form-data with the same fields plus `files` (one part per file): "
    "the portal's limits on size, number and type apply."
)


def _detail(request: Request, ticket: Ticket) -> dict:
    context = {
        "thread": selectors.thread_for(ticket, request.user),
        "opening_files": selectors.opening_attachments(ticket),
        "estimates": charging_selectors.estimates_for(ticket),
    }
    return s.TicketDetailSerializer(ticket, context=context).data


class TicketList(ApiView):
    """The tickets the user may see, newest first; create one (client users)."""

    @extend_schema(
        operation_id="v1_tickets_list",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=["active", *Ticket.Status.values],
                description="A status, or 'active' for the open ones.",
            ),
            OpenApiParameter("severity", str, enum=Ticket.Severity.values),
            OpenApiParameter("cursor", str),
            OpenApiParameter("page_size", int),
        ],
        responses={200: s.paged(s.TicketSerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        status_filter = request.query_params.get("status", "")[:32]
        tickets = selectors.client_tickets(request.user, status=status_filter)
        severity = request.query_params.get("severity", "")
        if severity in Ticket.Severity.values:
            tickets = tickets.filter(severity=severity)
        paginator = Cursor()
        page = paginator.paginate_queryset(tickets, request, view=self)
        return paginator.get_paginated_response(s.TicketSerializer(page, many=True).data)

    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        description=UPLOAD_NOTE,
        request={
            "application/json": s.TicketCreateSerializer,
            "multipart/form-data": s.TicketCreateUploadSerializer,
        },
        responses={201: s.TicketDetailSerializer, 409: OpenApiResponse(), **ERRORS},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        fields, files = _fields_and_files(request)
        data = _valid(s.TicketCreateSerializer, request, data=fields)
        product = Product.objects.filter(pk=data.pop("product")).first()
        if product is None:
            raise ApiError(_("Unknown product."), code="unknown_product")
        ticket = services.open_ticket(request.user, product, **data, attachments=files)
        ticket = visible_ticket(request, ticket.pk)
        return Response(_detail(request, ticket), status=status.HTTP_201_CREATED)


def _valid(
    serializer_class: type[Serializer], request: Request, *, data: dict | None = None
) -> dict:
    serializer = serializer_class(data=request.data if data is None else data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _fields_and_files(request: Request) -> tuple[dict | None, tuple]:
    """A multipart body's fields (files left out) and its ``files``; a JSON body as is."""
    if not request.FILES and not (request.content_type or "").startswith("multipart/"):
        return None, ()
    fields = {key: request.data.get(key) for key in request.data if key != "files"}
    return fields, tuple(request.FILES.getlist("files"))


class TicketDetail(ApiView):
    @extend_schema(responses={200: s.TicketDetailSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(_detail(request, visible_ticket(request, pk)))


class TicketReply(ApiView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(
        description=UPLOAD_NOTE,
        request={
            "application/json": s.ReplySerializer,
            "multipart/form-data": s.ReplyUploadSerializer,
        },
        responses={201: s.MessageSerializer, **ERRORS},
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        ticket = visible_ticket(request, pk)
        fields, files = _fields_and_files(request)
        data = _valid(s.ReplySerializer, request, data=fields)
        message = services.add_reply(
            ticket, author=request.user, body=data["body"], attachments=files
        )
        return Response(s.MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class TicketClose(ApiView):
    @extend_schema(request=s.NoteSerializer, responses={200: s.TicketSerializer, **ERRORS})
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        ticket = visible_ticket(request, pk)
        data = _valid(s.NoteSerializer, request)
        ticket = services.close(ticket, by=request.user, note=data.get("note") or None)
        return Response(s.TicketSerializer(ticket).data)


class TicketReopen(ApiView):
    @extend_schema(request=s.NoteSerializer, responses={200: s.TicketSerializer, **ERRORS})
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        ticket = visible_ticket(request, pk)
        data = _valid(s.NoteSerializer, request)
        ticket = services.reopen(ticket, by=request.user, note=data.get("note") or None)
        return Response(s.TicketSerializer(ticket).data)


class AttachmentDownload(ApiView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERRORS})
    def get(self, request: Request, pk: int) -> FileResponse:
        attachment = selectors.attachments_visible_to(request.user).filter(pk=pk).first()
        if attachment is None:
            raise Http404
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.name,
            content_type=attachment.content_type,
        )


class EstimateAccept(ApiView):
    @extend_schema(
        description=(
            "Accept an estimate or quote: the credits are held and work resumes (`status` "
            "\"accepted\"). A member's acceptance above the organization's approval threshold "
            'waits for a manager instead: `status` stays "pending", `awaiting_approval` is '
            "true and `message` says so; the managers are emailed and their decision accepts "
            "or refuses it."
        ),
        request=None,
        responses={200: s.EstimateAcceptSerializer, 409: OpenApiResponse(), **ERRORS},
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        estimate = visible_estimate(request, pk)
        # The outermost money action: accept_estimate is its own durable transaction.
        estimate = services.accept_estimate(estimate, by=request.user)
        return Response(s.EstimateAcceptSerializer(estimate).data)


class EstimateDecline(ApiView):
    @extend_schema(
        request=s.DeclineSerializer,
        responses={200: s.EstimateSerializer, 409: OpenApiResponse(), **ERRORS},
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        estimate = visible_estimate(request, pk)
        data = _valid(s.DeclineSerializer, request)
        estimate = services.decline_estimate(estimate, by=request.user, reason=data["reason"])
        return Response(s.EstimateSerializer(estimate).data)
