"""VERI*FACTU billing records: the agency's fingerprint example, one record per invoice in
the issuing transaction, one chain per issuer across series, append-only, annulment."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import DatabaseError, connection, transaction
from verifactu_sdk import huella_alta

from billing import services, verifactu
from billing.models import BillingRecord, ChainHead, Invoice, RecordSubmission, SystemEvent
from billing.verifactu import huella
from billing.verifactu.errors import ChainBroken, InvalidIssuer, NotAnnullable
from billing.verifactu.records import annul_invoice, expected_fingerprint
from credits import selectors as credit_selectors
from tests.billing.factories import order, paid_order

pytestmark = pytest.mark.django_db

AGENCY_EXAMPLE = "3C464DAF61ACB827C65FDA19F352A4E3BDC2C640E9E9FC4CC058073F38F12F60"


def test_the_agencys_published_example_gives_its_fingerprint():
    assert (
        huella.alta_fingerprint(
            issuer_tax_id="89890001K",
            invoice_number="12345678/G33",
            issue_date="01-01-2024",
            invoice_type="F1",
            vat_amount="12.35",
            total="123.45",
            previous_fingerprint="",
            generated_at="2024-01-01T19:20:30+01:00",
        )
        == AGENCY_EXAMPLE
    )


def test_the_example_text_is_the_annexs_concatenation():
    text = huella.chain_text(
        huella.ALTA_FIELDS,
        {
            "IDEmisorFactura": "89890001K",
            "NumSerieFactura": "12345678/G33",
            "FechaExpedicionFactura": "01-01-2024",
            "TipoFactura": "F1",
            "CuotaTotal": "12.35",
            "ImporteTotal": "123.45",
            "Huella": "",
            "FechaHoraHusoGenRegistro": "2024-01-01T19:20:30+01:00",
        },
    )
    assert text == (
        "IDEmisorFactura=89890001K&NumSerieFactura=12345678/G33&FechaExpedicionFactura="
        "01-01-2024&TipoFactura=F1&CuotaTotal=12.35&ImporteTotal=123.45&Huella="
        "&FechaHoraHusoGenRegistro=2024-01-01T19:20:30+01:00"
    )


def test_formats_of_amounts_dates_and_timestamps():
    assert huella.format_amount(Decimal("9.030")) == "9.03"
    assert huella.format_amount(Decimal("-5")) == "-5.00"
    madrid = ZoneInfo("Europe/Madrid")
    assert (
        huella.format_timestamp(datetime(2026, 12, 1, 10, 20, 30, 999, tzinfo=madrid))
        == "2026-12-01T10:20:30+01:00"
    )
    with pytest.raises(ValueError, match="aware"):
        huella.format_timestamp(datetime(2026, 12, 1))  # noqa: DTZ001


def test_a_paid_order_has_its_record_with_the_orders_fields(organization):
    invoice = paid_order(organization, 60).invoices.get()
    record = verifactu.record_for(invoice)
    assert record["IDEmisorFactura"] == "B00000000"
    assert record["NumSerieFactura"] == invoice.number
    assert record["TipoFactura"] == "F1"
    assert (record["CuotaTotal"], record["ImporteTotal"]) == ("7.56", "43.56")
    assert record["HuellaAnterior"] == ""
    assert len(record["Huella"]) == 64
    assert record["Huella"] == record["Huella"].upper()
    # +01:00 in winter, +02:00 in summer: Madrid's offset at generation.
    assert record["FechaHoraHusoGenRegistro"][19:] in ("+01:00", "+02:00")
    stored = BillingRecord.objects.get(invoice=invoice)
    assert record["FechaExpedicionFactura"] == stored.issue_date.strftime("%d-%m-%Y")
    assert (stored.base, stored.vat_rate) == (Decimal("36.00"), Decimal("21.00"))


def test_the_fingerprint_agrees_with_an_independent_library(organization):
    """verifactu-sdk's huella_alta, used only here as an independent check."""
    invoice = paid_order(organization, 15).invoices.get()
    record = verifactu.record_for(invoice)
    assert record["Huella"] == huella_alta(
        id_emisor=record["IDEmisorFactura"],
        num_serie=record["NumSerieFactura"],
        fecha_expedicion=record["FechaExpedicionFactura"],
        tipo_factura=record["TipoFactura"],
        cuota_total=record["CuotaTotal"],
        importe_total=record["ImporteTotal"],
        huella_anterior=record["HuellaAnterior"],
        fecha_hora_huso_gen=record["FechaHoraHusoGenRegistro"],
    )
    text = (
        f"IDEmisorFactura={record['IDEmisorFactura']}&NumSerieFactura={record['NumSerieFactura']}"
        f"&FechaExpedicionFactura={record['FechaExpedicionFactura']}&TipoFactura=F1"
        f"&CuotaTotal={record['CuotaTotal']}&ImporteTotal={record['ImporteTotal']}&Huella="
        f"&FechaHoraHusoGenRegistro={record['FechaHoraHusoGenRegistro']}"
    )
    assert record["Huella"] == huella.sha256_upper(text)


def test_records_chain_across_series_with_the_previous_fingerprint(organization, admin_user):
    first = paid_order(organization, 15)
    second = paid_order(organization, 30)
    corrective = services.refund_order(first, reason="Duplicada", actor=admin_user)
    records = [
        verifactu.record_for(inv)
        for inv in (first.invoices.get(kind="invoice"), second.invoices.get(), corrective)
    ]
    assert records[0]["HuellaAnterior"] == ""
    assert records[1]["HuellaAnterior"] == records[0]["Huella"]
    assert records[2]["HuellaAnterior"] == records[1]["Huella"]
    assert [r["NumSerieFactura"][0] for r in records] == ["A", "A", "R"]
    positions = list(BillingRecord.objects.values_list("position", flat=True))
    assert positions == [1, 2, 3]
    assert ChainHead.objects.get().length == 3


def test_a_corrective_invoice_is_r1_and_refers_to_the_corrected_invoice(organization, admin_user):
    paid = paid_order(organization, 60)
    original = paid.invoices.get()
    corrective = services.refund_order(paid, reason="Devolución", actor=admin_user)
    record = verifactu.record_for(corrective)
    assert record["TipoFactura"] == "R1"
    assert (record["CuotaTotal"], record["ImporteTotal"]) == ("-7.56", "-43.56")
    stored = BillingRecord.objects.get(invoice=corrective)
    assert stored.corrected_number == original.number
    assert stored.corrected_issue_date == BillingRecord.objects.get(invoice=original).issue_date


def test_an_invalid_issuer_nif_issues_no_invoice_and_grants_nothing(organization, settings):
    settings.SELLER = {**settings.SELLER, "tax_id": "B00000001"}
    new = order(organization, 60)
    with pytest.raises(InvalidIssuer) as caught:
        services.confirm_payment(new, provider_reference="ref-1")
    assert "NIF" in str(caught.value.message)
    assert Invoice.objects.count() == 0
    assert BillingRecord.objects.count() == 0
    assert credit_selectors.balance(organization) == 0
    assert SystemEvent.objects.get(kind=SystemEvent.Kind.FAILURE).data["error"] == "InvalidIssuer"


def test_a_buyer_tax_id_failing_its_checksum_holds_the_submission_with_a_message(organization):
    organization.tax_id = "B12345678"  # the check digit of B1234567 is 4
    organization.save()
    invoice = paid_order(organization, 15).invoices.get()
    submission = RecordSubmission.objects.get(record__invoice=invoice)
    assert submission.status == RecordSubmission.Status.HELD
    assert "B12345678" in submission.error_message
    assert SystemEvent.objects.filter(kind=SystemEvent.Kind.ANOMALY).count() == 1


def test_a_valid_buyer_tax_id_leaves_the_record_pending(organization):
    organization.tax_id = "B12345674"
    organization.save()
    invoice = paid_order(organization, 15).invoices.get()
    assert RecordSubmission.objects.get(record__invoice=invoice).status == "pending"


def test_a_head_that_disagrees_with_the_records_stops_the_next_invoice(organization):
    paid_order(organization, 15)
    ChainHead.objects.update(length=7)
    new = order(organization, 15)
    with pytest.raises(ChainBroken):
        services.confirm_payment(new, provider_reference="x")
    assert Invoice.objects.count() == 1
    event = SystemEvent.objects.filter(kind=SystemEvent.Kind.ANOMALY).latest("id")
    assert event.data["error"] == "ChainBroken"
    assert "huella" in event.message or "fingerprint" in event.message


def test_records_cannot_be_changed_nor_deleted(organization):
    paid_order(organization, 15)
    record = BillingRecord.objects.get()
    with pytest.raises(TypeError):
        record.save()
    with pytest.raises(TypeError):
        BillingRecord.objects.update(total=0)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE billing_billingrecord SET total = 0")


@pytest.mark.postgres
def test_the_database_rejects_deleting_a_record(organization):
    paid_order(organization, 15)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM billing_billingrecord")


def test_an_annulment_record_continues_the_chain_once(organization):
    invoice = paid_order(organization, 15).invoices.get()
    record = annul_invoice(invoice, reason="Emitida por error")
    alta = BillingRecord.objects.get(invoice=invoice, kind="alta")
    assert (record.kind, record.position, record.previous_fingerprint) == (
        "anulacion",
        2,
        alta.fingerprint,
    )
    assert record.fingerprint == huella.sha256_upper(
        f"IDEmisorFacturaAnulada=B00000000&NumSerieFacturaAnulada={invoice.number}"
        f"&FechaExpedicionFacturaAnulada={alta.issue_date:%d-%m-%Y}"
        f"&Huella={alta.fingerprint}&FechaHoraHusoGenRegistro={record.generated_at_text}"
    )
    assert expected_fingerprint(record) == record.fingerprint
    with pytest.raises(NotAnnullable):
        annul_invoice(invoice, reason="otra vez")
    assert RecordSubmission.objects.count() == 2
