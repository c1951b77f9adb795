"""Django admin: mark a bank transfer paid, refund, read-only financial records."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from billing import services
from billing.models import EventKind, Invoice, InvoiceLine, Order, Payment, PaymentEvent
from credits import selectors as credit_selectors
from tests.billing.factories import order, paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_an_admin_marks_a_bank_transfer_paid_with_its_reference(
    admin_client, organization, admin_user
):
    new = order(organization, 60)
    url = reverse("admin:billing_order_mark_paid", args=[new.pk])
    change = admin_client.get(reverse("admin:billing_order_change", args=[new.pk]))
    assert url in change.content.decode()
    assert admin_client.post(url, {"reference": ""}).status_code == 200  # required
    new.refresh_from_db()
    assert new.status == Order.Status.PENDING
    response = admin_client.post(url, {"reference": "TRANSF-2026-0042"})
    assert response.url == reverse("admin:billing_order_change", args=[new.pk])
    new.refresh_from_db()
    assert (new.status, new.method, new.provider_reference, new.paid_by) == (
        Order.Status.PAID,
        Order.Method.BANK_TRANSFER,
        "TRANSF-2026-0042",
        admin_user,
    )
    assert credit_selectors.balance(organization) == 60
    event = PaymentEvent.objects.get(kind=EventKind.CONFIRMED)
    assert (event.source, event.actor) == ("admin", admin_user)
    # Again: already paid, nothing more.
    admin_client.post(url, {"reference": "TRANSF-2026-0042"})
    assert Invoice.objects.count() == 1


def test_the_action_opens_the_form_of_one_selected_order(admin_client, organization):
    first, second = order(organization, 60), order(organization, 120)
    changelist = reverse("admin:billing_order_changelist")
    response = admin_client.post(
        changelist, {"action": "mark_paid_action", "_selected_action": [first.pk]}
    )
    assert response.url == reverse("admin:billing_order_mark_paid", args=[first.pk])
    response = admin_client.post(
        changelist,
        {"action": "refund_action", "_selected_action": [first.pk, second.pk]},
        follow=True,
    )
    assert "Seleccione exactamente un pedido." in response.content.decode()


def test_an_admin_refunds_with_a_required_reason(admin_client, organization, admin_user):
    paid = paid_order(organization, 60)
    url = reverse("admin:billing_order_refund", args=[paid.pk])
    assert admin_client.post(url, {"reason": "", "confirm": "on"}).status_code == 200
    assert admin_client.post(url, {"reason": "Duplicado"}).status_code == 200  # not confirmed
    paid.refresh_from_db()
    assert paid.status == Order.Status.PAID
    response = admin_client.post(url, {"reason": "Duplicado", "confirm": "on"})
    assert response.status_code == 302
    paid.refresh_from_db()
    assert (paid.status, paid.refund_reason, paid.refunded_by) == (
        Order.Status.REFUNDED,
        "Duplicado",
        admin_user,
    )
    corrective = paid.invoices.get(kind=Invoice.Kind.CORRECTIVE)
    assert corrective.reason == "Duplicado"
    # A second refund does nothing more.
    admin_client.post(url, {"reason": "Otra vez", "confirm": "on"})
    assert Invoice.objects.filter(kind=Invoice.Kind.CORRECTIVE).count() == 1


@pytest.mark.parametrize("model", [Order, Payment, Invoice, InvoiceLine, PaymentEvent])
def test_financial_records_are_read_only_in_admin(rf, admin_user, organization, model):
    paid_order(organization, 60)
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = admin_user
    obj = model.objects.first()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)
    assert model_admin.has_view_permission(request, obj)


def test_invoice_and_event_pages_open(admin_client, organization):
    invoice = paid_order(organization, 60).invoices.get()
    for url in (
        reverse("admin:billing_invoice_change", args=[invoice.pk]),
        reverse("admin:billing_invoice_changelist"),
        reverse("admin:billing_paymentevent_changelist"),
        reverse("admin:billing_order_changelist") + "?status__exact=paid",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200
        assert invoice.number in response.content.decode() or "paymentevent" in url


@pytest.mark.parametrize(
    "model_name", ["order", "payment", "invoice", "invoiceline", "invoicecounter", "paymentevent"]
)
def test_every_billing_admin_page_opens_with_data(
    admin_client, organization, admin_user, model_name
):
    paid = paid_order(organization, 60)
    services.start_payment(order(organization, 120), variant="dummy")
    services.refund_order(paid, reason="Prueba", actor=admin_user)
    model = apps.get_model("billing", model_name)
    assert admin_client.get(reverse(f"admin:billing_{model_name}_changelist")).status_code == 200
    for obj in model.objects.all():
        url = reverse(f"admin:billing_{model_name}_change", args=[obj.pk])
        assert admin_client.get(url).status_code == 200
