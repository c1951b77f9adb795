"""Invoices are immutable: the ORM refuses, and on PostgreSQL the database itself refuses."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from billing.models import Invoice, InvoiceLine, Order
from tests.billing.factories import order, paid_order

pytestmark = pytest.mark.django_db


def test_an_issued_invoice_cannot_be_changed_or_deleted_through_the_orm(organization):
    invoice = paid_order(organization).invoices.get()
    line = invoice.lines.get()
    invoice.total = Decimal("1.00")
    for obj in (invoice, line):
        with pytest.raises(TypeError):
            obj.save()
        with pytest.raises(TypeError):
            obj.delete()
    with pytest.raises(TypeError):
        Invoice.objects.update(total=0)
    with pytest.raises(TypeError):
        InvoiceLine.objects.all().delete()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE billing_invoice SET total = 1 WHERE id = %s",
        "DELETE FROM billing_invoice WHERE id = %s",
        "UPDATE billing_invoiceline SET amount = 1 WHERE invoice_id = %s",
        "DELETE FROM billing_invoiceline WHERE invoice_id = %s",
    ],
)
def test_postgresql_rejects_update_and_delete_of_invoices_in_raw_sql(organization, sql):
    invoice = paid_order(organization).invoices.get()
    with (
        pytest.raises(DatabaseError, match="immutable once issued"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [invoice.pk])
    invoice.refresh_from_db()
    assert invoice.total == Decimal("43.56")
    assert invoice.lines.count() == 1


def test_sqlite_and_postgresql_reject_a_raw_update(organization):
    invoice = paid_order(organization).invoices.get()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE billing_invoice SET total = 1 WHERE id = %s", [invoice.pk])


def test_an_invoice_number_is_series_year_and_four_digits(organization):
    invoice = paid_order(organization).invoices.get()
    assert invoice.number == f"A-{invoice.year}-0001"
    assert str(invoice) == invoice.number


def test_a_paid_order_needs_its_date_and_credits(organization):
    from django.db import IntegrityError

    new = order(organization)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=new.pk).update(status=Order.Status.PAID)
