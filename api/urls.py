from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from api.views import money, staff, tickets

app_name = "api"


class Schema(SpectacularAPIView):
    """The OpenAPI 3 schema: YAML by default, JSON with ``Accept: application/json`` or
    ``?format=json``. Public, like the documentation page."""

    authentication_classes = []
    permission_classes = []
    throttle_classes = []


urlpatterns = [
    path("schema/", Schema.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", authentication_classes=[], permission_classes=[]
        ),
        name="docs",
    ),
    path(
        "redoc/",
        SpectacularRedocView.as_view(
            url_name="api:schema", authentication_classes=[], permission_classes=[]
        ),
        name="redoc",
    ),
    # Clients and staff: tickets the user may see.
    path("v1/tickets/", tickets.TicketList.as_view(), name="tickets"),
    path("v1/tickets/<int:pk>/", tickets.TicketDetail.as_view(), name="ticket"),
    path("v1/tickets/<int:pk>/reply/", tickets.TicketReply.as_view(), name="ticket_reply"),
    path("v1/tickets/<int:pk>/close/", tickets.TicketClose.as_view(), name="ticket_close"),
    path("v1/tickets/<int:pk>/reopen/", tickets.TicketReopen.as_view(), name="ticket_reopen"),
    path("v1/attachments/<int:pk>/", tickets.AttachmentDownload.as_view(), name="attachment"),
    path("v1/estimates/<int:pk>/accept/", tickets.EstimateAccept.as_view(), name="estimate_accept"),
    path(
        "v1/estimates/<int:pk>/decline/", tickets.EstimateDecline.as_view(), name="estimate_decline"
    ),
    # Clients: credits and billing of their organization.
    path("v1/balance/", money.Balance.as_view(), name="balance"),
    path("v1/lots/", money.Lots.as_view(), name="lots"),
    path("v1/movements/", money.Movements.as_view(), name="movements"),
    path("v1/statement/", money.Statement.as_view(), name="statement"),
    path("v1/packs/", money.Packs.as_view(), name="packs"),
    path("v1/orders/", money.Orders.as_view(), name="orders"),
    path("v1/orders/<int:pk>/", money.OrderDetail.as_view(), name="order"),
    path("v1/invoices/", money.Invoices.as_view(), name="invoices"),
    path("v1/invoices/<int:pk>/pdf/", money.InvoicePdf.as_view(), name="invoice_pdf"),
    # Technicians and admins.
    path("v1/queue/", staff.Queue.as_view(), name="queue"),
    path("v1/tickets/<int:pk>/time-entries/", staff.TimeEntries.as_view(), name="time_entries"),
    path("v1/tickets/<int:pk>/assign/", staff.Assign.as_view(), name="assign"),
    path("v1/tickets/<int:pk>/status/", staff.ChangeStatus.as_view(), name="status"),
    path("v1/tickets/<int:pk>/resolve/", staff.Resolve.as_view(), name="resolve"),
    path("v1/organizations/", staff.Organizations.as_view(), name="organizations"),
]
