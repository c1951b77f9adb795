"""Credits and billing for client users: balance, lots, movements, statement, packs,
orders and invoices. Every read names the key user's own organization."""

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from api import serializers as s
from api.errors import ApiError
from api.idempotency import idempotent
from api.pagination import Cursor
from api.permissions import HasApiKey, IsClient, IsOrgManager
from api.views.common import ApiView
from api.views.tickets import ERRORS, _valid
from billing import selectors as billing_selectors
from billing import services as billing_services
from billing.pdf import render_invoice_pdf
from credits import selectors as credit_selectors
from credits.models import EntryKind
from credits.pdf import render_statement_pdf
from credits.services import inline_limit


class ClientView(ApiView):
    permission_classes = [HasApiKey, IsClient]


class ManagerView(ApiView):
    """Movements, statements, buying: the organization's managers only (issue 19)."""

    permission_classes = [HasApiKey, IsClient, IsOrgManager]


def _page(
    view: APIView,
    request: Request,
    queryset: QuerySet,
    serializer_class: type[Serializer],
    *,
    ordering: tuple[str, ...] = ("-created_at", "-pk"),
) -> Response:
    paginator = Cursor()
    paginator.ordering = ordering
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(
        serializer_class(page, many=True, context={"request": request}).data
    )


class Balance(ClientView):
    """``{"available": int, "held": int}`` of the user's organization (credits)."""

    @extend_schema(responses={200: s.BalanceSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        available, held = credit_selectors.available_and_held(request.user.organization)
        return Response({"available": available, "held": held})


class Lots(ManagerView):
    @extend_schema(
        parameters=[OpenApiParameter("cursor", str)],
        responses={200: s.paged(s.LotSerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        lots = credit_selectors.lots_of(request.user.organization)
        return _page(self, request, lots, s.LotSerializer)


class Movements(ManagerView):
    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=EntryKind.values),
            OpenApiParameter("cursor", str),
        ],
        responses={200: s.paged(s.MovementSerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        kind = request.query_params.get("kind", "")
        entries = credit_selectors.movements_of(
            request.user.organization, kind=kind if kind in EntryKind.values else ""
        )
        return _page(self, request, entries, s.MovementSerializer)


class Statement(ManagerView):
    """The PDF balance statement of a period (both days included)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("end", OpenApiTypes.DATE, required=True),
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS},
    )
    def get(self, request: Request) -> Response:
        query = {key: request.query_params.get(key) for key in ("start", "end")}
        data = _valid(s.StatementQuerySerializer, request, data=query)
        organization = request.user.organization
        start, end = data["start"], data["end"]
        if credit_selectors.movement_count(organization, start, end) > inline_limit():
            raise ApiError(
                _("This period has too many movements for one request; ask for a shorter one."),
                code="statement_too_large",
            )
        pdf = render_statement_pdf(
            credit_selectors.statement_data(organization, start, end),
            language=translation.get_language(),
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="statement-{start.isoformat()}-{end.isoformat()}.pdf"'
        )
        return response


class Packs(ManagerView):
    """The packs the organization can buy now (registration packs first time)."""

    @extend_schema(responses={200: s.PackSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        _registration, offers = billing_selectors.offers_for(request.user.organization)
        return Response(s.PackSerializer([offer.pack for offer in offers], many=True).data)


class Orders(ManagerView):
    @extend_schema(
        operation_id="v1_orders_list",
        parameters=[OpenApiParameter("cursor", str)],
        responses={200: s.paged(s.OrderSerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        orders = billing_selectors.orders_visible_to(request.user)
        return _page(self, request, orders, s.OrderSerializer)

    @extend_schema(
        request=s.OrderCreateSerializer,
        responses={201: s.OrderSerializer, 409: OpenApiResponse(), **ERRORS},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = _valid(s.OrderCreateSerializer, request)
        organization = request.user.organization
        _registration, offers = billing_selectors.offers_for(organization)
        pack = next((offer.pack for offer in offers if offer.pack.pk == data["pack"]), None)
        if pack is None:
            raise ApiError(_("This pack cannot be bought now."), code="pack_unavailable")
        order = billing_services.create_order(organization, pack, user=request.user)
        return Response(
            s.OrderSerializer(order, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class OrderDetail(ManagerView):
    @extend_schema(responses={200: s.OrderSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        order = get_object_or_404(billing_selectors.orders_visible_to(request.user), pk=pk)
        return Response(s.OrderSerializer(order, context={"request": request}).data)


class Invoices(ManagerView):
    @extend_schema(
        parameters=[OpenApiParameter("cursor", str)],
        responses={200: s.paged(s.InvoiceSerializer), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        invoices = billing_selectors.invoices_visible_to(request.user)
        return _page(self, request, invoices, s.InvoiceSerializer, ordering=("-issued_at", "-pk"))


class InvoicePdf(ApiView):
    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS})
    def get(self, request: Request, pk: int) -> HttpResponse:
        invoice = get_object_or_404(billing_selectors.invoices_visible_to(request.user), pk=pk)
        pdf = render_invoice_pdf(invoice, language=translation.get_language())
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{invoice.filename}"'
        return response
