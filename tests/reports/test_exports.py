"""Exports: streamed, in the user's language, scoped, never a 500."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.billing.factories import paid_order
from tests.credits.factories import consume, grant


def _url(dataset, fmt="csv"):
    return reverse("reports:export", kwargs={"dataset": dataset, "fmt": fmt})


def _csv(response, delimiter=";"):
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def test_movements_csv_in_spanish_uses_semicolons(client_client, client_user):
    grant(client_user.organization, 120, reason="Pack de alta")
    consume(client_user.organization, 15, reason="Consulta corta")
    response = client_client.get(_url("movements"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    assert rows[0][0] == "Fecha"
    assert [r[3] for r in rows[1:]] == ["120", "-15"]


def test_invoices_csv_in_english_has_decimal_points(client, admin_user, organization):
    admin_user.language = "en"
    admin_user.save()
    paid_order(organization, 60)
    client.force_login(admin_user)
    rows = _csv(client.get(_url("invoices"), HTTP_ACCEPT_LANGUAGE="en"), delimiter=",")
    assert rows[0][:3] == ["Number", "Date", "Kind"]
    base, _rate, vat, total = rows[1][6:10]
    assert (base, vat, total) == ("36.00", "7.56", "43.56")


def test_invoices_xlsx_has_numbers_and_the_accountants_columns(client, admin_user, organization):
    paid_order(organization, 60)
    client.force_login(admin_user)
    response = client.get(_url("invoices", "xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert float(rows[1][6]) == 36.0
    assert rows[1][3]  # the seller's tax id


@pytest.mark.parametrize("dataset", ["movements", "tickets", "time", "invoices"])
def test_an_empty_export_is_a_header_only(client_client, dataset):
    rows = _csv(client_client.get(_url(dataset), {"start": "2001-01-01", "end": "2001-01-02"}))
    assert len(rows) == 1


def test_a_client_gets_only_their_organization(client, client_user, other_client_user):
    grant(other_client_user.organization, 60, reason="Ajeno secreto")
    grant(client_user.organization, 30, reason="Propio")
    client.force_login(client_user)
    body = b"".join(client.get(_url("movements")).streaming_content).decode()
    assert "Propio" in body
    assert "Ajeno secreto" not in body


@pytest.mark.parametrize(
    ("user", "dataset"),
    [("client_user", "sla"), ("technician", "movements"), ("technician", "invoices")],
)
def test_datasets_not_for_the_role_are_404(client, request, user, dataset):
    client.force_login(request.getfixturevalue(user))
    assert client.get(_url(dataset)).status_code == 404


def test_unknown_dataset_or_format_is_404(client_client):
    assert client_client.get(_url("nothing")).status_code == 404
    assert client_client.get(_url("movements", "pdf")).status_code == 404


def test_sla_report_of_the_scenario(client, admin_user, scenario):
    from reports import services

    services.refresh_times()
    client.force_login(admin_user)
    rows = _csv(client.get(_url("sla"), {"start": "2026-02-01", "end": "2026-02-28"}))
    met = {r[0]: r[8] for r in rows[1:]}
    assert met == {
        scenario["weekend"].reference: "sí",
        scenario["breached"].reference: "no",
        scenario["paused"].reference: "sí",
    }
    hours = {r[0]: r[10] for r in rows[1:]}
    assert hours[scenario["paused"].reference] == "7,00"


def test_bad_periods_still_export(client_client):
    for params in ({"start": "2026-05-01", "end": "2020-01-01"}, {"start": "nope"}):
        assert client_client.get(_url("movements"), params).status_code == 200


def test_a_technician_exports_only_their_own_tickets_and_time(client, client_user, technician):
    from tests.accounts.factories import TechnicianFactory
    from tests.reports.factories import bulk_tickets

    other = TechnicianFactory(full_name="Otra Persona")
    tickets = bulk_tickets(client_user, other, 6)
    client.force_login(technician)
    assert len(_csv(client.get(_url("tickets")))) == 1  # nothing assigned to them
    assert len(_csv(client.get(_url("time")))) == 1
    client.force_login(other)
    assert len(_csv(client.get(_url("tickets")))) == 1 + len(tickets[::2])
    assert len(_csv(client.get(_url("time")))) == 1 + len(tickets)
