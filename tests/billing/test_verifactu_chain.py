"""The records' XML against the agency's XSD, check_billing_records, the event log and the
admin's XML export of a period."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from lxml import etree

from billing import services
from billing.models import BillingRecord, Invoice, SystemEvent
from billing.verifactu.records import annul_invoice
from billing.verifactu.xml import SF, submission_document, to_bytes, validate
from tests.billing.factories import paid_order

pytestmark = pytest.mark.django_db


def _records():
    return list(BillingRecord.objects.select_related("previous").order_by("position"))


def test_invoices_corrective_and_annulment_records_validate_against_the_official_xsd(
    organization, admin_user
):
    organization.tax_id = "B12345674"
    organization.save()
    paid = paid_order(organization, 60)
    services.refund_order(paid, reason="Devolución", actor=admin_user)
    annul_invoice(paid_order(organization, 15).invoices.get(), reason="Error")
    document = submission_document(_records())
    assert validate(document) == []
    assert document.find(f".//{{{SF}}}PrimerRegistro").text == "S"
    assert [e.text for e in document.iter(f"{{{SF}}}TipoFactura")] == ["F1", "R1", "F1"]
    assert document.find(f".//{{{SF}}}FacturasRectificadas//{{{SF}}}NumSerieFactura").text == (
        paid.invoices.get(kind="invoice").number
    )
    assert len(document.findall(f".//{{{SF}}}RegistroAnulacion")) == 1


def test_the_xsd_rejects_a_record_it_does_not_allow(organization):
    paid_order(organization, 15)
    document = submission_document(_records())
    document.find(f".//{{{SF}}}TipoFactura").text = "F9"
    assert any("TipoFactura" in problem for problem in validate(document))


def test_check_billing_records_passes_on_a_sound_chain(organization, admin_user):
    services.refund_order(paid_order(organization, 60), reason="x", actor=admin_user)
    out = io.StringIO()
    call_command("check_billing_records", stdout=out)
    assert "Billing records OK: 2 records checked." in out.getvalue()
    assert SystemEvent.objects.filter(kind=SystemEvent.Kind.CHECK).count() == 1


def test_check_billing_records_finds_an_invoice_without_its_record(organization):
    paid = paid_order(organization, 15)
    original = paid.invoices.get()
    Invoice.objects.create(  # bypassing the services, as a bug or a hand-made row would
        order=paid,
        kind=Invoice.Kind.CORRECTIVE,
        corrects=original,
        series="Z",
        year=2026,
        sequence=1,
        issued_at=original.issued_at,
        seller_name="x",
        seller_tax_id="B00000000",
        seller_address="x",
        buyer_name="x",
        base=-1,
        vat_rate=21,
        vat_amount=-1,
        total=-2,
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 billing record mismatch"):
        call_command("check_billing_records", stdout=out)
    assert "has no billing record" in out.getvalue()
    assert SystemEvent.objects.filter(
        kind=SystemEvent.Kind.ANOMALY, message__startswith="check_billing_records"
    ).exists()


@pytest.mark.postgres
def test_check_billing_records_exits_1_on_a_tampered_record(organization):
    paid_order(organization, 15)
    paid_order(organization, 30)
    with connection.cursor() as cursor:  # past the trigger, as someone with DB rights could
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE billing_billingrecord SET total = 1 WHERE position = 1")
        cursor.execute("SET LOCAL session_replication_role = origin")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_billing_records", stdout=out)
    assert "#1" in out.getvalue()
    assert "fingerprint does not match its fields" in out.getvalue()


def test_an_admin_exports_a_periods_records_as_valid_xml(client, admin_user, organization):
    client.force_login(admin_user)
    paid_order(organization, 15)
    paid_order(organization, 30)
    ids = list(BillingRecord.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("admin:billing_billingrecord_changelist"),
        {"action": "export_records_xml", "_selected_action": ids},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    document = etree.fromstring(response.content)
    assert validate(document) == []
    assert len(document.findall(f".//{{{SF}}}RegistroAlta")) == 2
    assert SystemEvent.objects.filter(kind=SystemEvent.Kind.EXPORT).count() == 1
    assert to_bytes(document).startswith(b"<?xml")


def test_the_record_admin_pages_open(client, admin_user, organization):
    client.force_login(admin_user)
    paid_order(organization, 15)
    for name in ("billingrecord", "recordsubmission", "systemevent"):
        assert client.get(reverse(f"admin:billing_{name}_changelist")).status_code == 200


def test_the_workers_start_and_stop_are_logged():
    from celery.signals import worker_ready, worker_shutdown

    worker_ready.send(sender=None)
    worker_shutdown.send(sender=None)
    kinds = list(SystemEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == [SystemEvent.Kind.START, SystemEvent.Kind.STOP]


def test_the_system_check_reports_an_invalid_issuer_nif(settings):
    from billing.checks import check_verifactu_issuer

    assert check_verifactu_issuer() == []
    settings.SELLER = {**settings.SELLER, "tax_id": "B00000001"}
    settings.VERIFACTU = {**settings.VERIFACTU, "SUBMIT": True, "CERT_FILE": ""}
    assert [p.id for p in check_verifactu_issuer()] == ["billing.E003", "billing.W001"]


def test_the_annul_invoice_command_writes_the_annulment_once(organization):
    invoice = paid_order(organization, 15).invoices.get()
    out = io.StringIO()
    call_command("annul_invoice", invoice.number, reason="Emitida por error", stdout=out)
    assert f"Annulment record #2 of {invoice.number}" in out.getvalue()
    assert BillingRecord.objects.filter(invoice=invoice, kind="anulacion").count() == 1
    with pytest.raises(CommandError):
        call_command("annul_invoice", invoice.number, reason="otra vez")
    with pytest.raises(CommandError, match="No invoice"):
        call_command("annul_invoice", "A-1999-0001", reason="x")


def test_invoices_issued_before_the_first_record_need_none(organization):
    """Invoices from before the system made records (issued before go-live) are not
    missing one; an invoice without its record after that still is."""
    from datetime import timedelta

    from billing.verifactu.chain import chain_mismatches

    paid, other = paid_order(organization, 15), paid_order(organization, 15)
    original = paid.invoices.get()
    fields = {
        "kind": Invoice.Kind.CORRECTIVE, "corrects": original, "year": 2025,
        "seller_name": "x", "seller_tax_id": "B00000000", "seller_address": "x",
        "buyer_name": "x", "base": -1, "vat_rate": 21, "vat_amount": -1, "total": -2,
    }  # fmt: skip
    before = Invoice.objects.create(
        order=paid, series="Y", sequence=1,
        issued_at=original.issued_at - timedelta(days=400), **fields,
    )  # fmt: skip
    after = Invoice.objects.create(
        order=other, series="Y", sequence=2, issued_at=original.issued_at, **fields
    )
    problems = list(chain_mismatches())
    assert f"invoice {after.pk}: has no billing record" in problems
    assert not any(f"invoice {before.pk}:" in p for p in problems)
