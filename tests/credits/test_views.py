"""The balance pages: what they show, filters, statements, query counts, scoping."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from credits.models import EntryKind, Statement
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.credits.factories import StatementFactory, bulk_movements, consume, grant, hold

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_balance_page_shows_available_held_and_expiring_credits(client_client, organization):
    expires = timezone.now() + timedelta(days=12)
    grant(organization, 40, expires_at=expires, reason="Pack de alta")
    grant(organization, 60, reason="Recarga")
    hold(organization, 30, reason="Presupuesto", reference_label="Ticket #7")
    page = client_client.get(reverse("credits:balance"))
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["summary"].available == 70
    assert page.context["summary"].held == 30
    assert [lot.remaining for lot in page.context["summary"].expiring] == [40]
    assert timezone.localtime(expires).strftime("%d/%m/%Y") in html
    assert "Ticket #7" in html


def test_the_dashboard_card_and_the_nav_lead_to_the_balance(client_client, organization):
    grant(organization, 45, expires_at=timezone.now() + timedelta(days=100))
    html = client_client.get(reverse("dashboard")).content.decode()
    assert 'data-testid="credits-card"' in html
    assert 'data-testid="credits-available">45<' in html
    assert reverse("credits:balance") in html


def test_the_lots_page_lists_lots_with_their_expiry(client_client, organization):
    expires = timezone.now() + timedelta(days=20)
    grant(organization, 120, expires_at=expires, reason="Pack de alta 120")
    grant(organization, 60, reason="Recarga 60")
    page = client_client.get(reverse("credits:lots"))
    lots = list(page.context["page"].object_list)
    assert [lot.reason for lot in lots] == ["Pack de alta 120", "Recarga 60"]
    html = page.content.decode()
    assert timezone.localtime(expires).strftime("%d/%m/%Y") in html


def test_movements_are_filtered_by_kind_and_dates(client_client, organization, time_machine):
    time_machine.move_to(timezone.make_aware(timezone.datetime(2026, 2, 1, 10)), tick=False)
    grant(organization, 100, reason="Pack febrero")
    time_machine.move_to(timezone.make_aware(timezone.datetime(2026, 3, 5, 10)), tick=False)
    consume(organization, 15, reason="Consulta marzo", work_minutes=12)
    time_machine.move_to(timezone.make_aware(timezone.datetime(2026, 4, 5, 10)), tick=False)
    consume(organization, 30, reason="Consulta abril")
    url = reverse("credits:movements")

    def reasons(**params):
        page = client_client.get(url, params)
        return [entry.reason for entry in page.context["page"].object_list]

    assert reasons() == ["Consulta abril", "Consulta marzo", "Pack febrero"]
    assert reasons(kind=EntryKind.CONSUMPTION) == ["Consulta abril", "Consulta marzo"]
    assert reasons(start="2026-03-01", end="2026-03-31") == ["Consulta marzo"]
    assert reasons(kind=EntryKind.PURCHASE, start="2026-03-01") == []
    # A period that ends before it starts is explained, not applied.
    page = client_client.get(url, {"start": "2026-04-01", "end": "2026-03-01"})
    assert page.context["form"].errors
    assert "Consulta marzo" in page.content.decode()


def test_a_movement_links_to_what_it_refers_to(client_client, organization):
    statement = StatementFactory(organization=organization)  # any object with a URL
    grant(organization, 30)
    consume(organization, 15, reference=statement, reference_label="Extracto de enero")
    html = client_client.get(reverse("credits:movements")).content.decode()
    assert f'<a href="{statement.get_absolute_url()}">Extracto de enero</a>' in html


@pytest.mark.parametrize("rows", [1, 50])
def test_the_movements_page_runs_a_fixed_number_of_queries(
    client_client, organization, django_assert_max_num_queries, rows
):
    grant(organization, 1000)
    for n in range(rows - 1):
        consume(organization, 1, reference_label=f"Ticket #{n}", work_minutes=n)
    with django_assert_max_num_queries(8):
        page = client_client.get(reverse("credits:movements"))
    assert len(page.context["page"].object_list) == min(rows, 25)


@pytest.mark.parametrize("rows", [1, 50])
def test_the_lots_page_runs_a_fixed_number_of_queries(
    client_client, organization, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        grant(organization, 10, expires_at=timezone.now() + timedelta(days=30))
    with django_assert_max_num_queries(7):
        page = client_client.get(reverse("credits:lots"))
    assert len(page.context["page"].object_list) == rows


@pytest.mark.parametrize("rows", [1, 50])
def test_the_staff_organizations_page_runs_a_fixed_number_of_queries(
    staff_client, django_assert_max_num_queries, rows
):
    for n in range(rows):
        organization = OrganizationFactory(name=f"Empresa {n:02d}")
        grant(organization, 10 + n)
    with django_assert_max_num_queries(6):
        page = staff_client.get(reverse("credits:staff_organizations"))
    organizations = list(page.context["page"].object_list)
    assert len(organizations) == rows
    assert organizations[-1].available_credits == 10 + rows - 1


def test_staff_see_any_organizations_pages_by_id(staff_client, organization):
    grant(organization, 75, reason="Recarga")
    for name in ("staff_balance", "staff_lots", "staff_movements", "staff_statements"):
        page = staff_client.get(reverse(f"credits:{name}", args=[organization.pk]))
        assert page.status_code == 200, name
        assert organization.name in page.content.decode()
    search = staff_client.get(reverse("credits:staff_organizations"), {"q": "uno"})
    assert [o.name for o in search.context["page"].object_list] == [organization.name]


def test_a_statement_downloads_at_once_in_the_users_language(client, organization, time_machine):
    time_machine.move_to(timezone.make_aware(timezone.datetime(2026, 5, 20, 10)), tick=False)
    grant(organization, 100, reason="Pack de alta")
    consume(organization, 30, reason="Correo", reference_label="Ticket #41", work_minutes=22)
    user = UserFactory(organization=organization, language="en")
    client.force_login(user)
    response = client.post(
        reverse("credits:statements"), {"start": "2026-05-01", "end": "2026-05-31"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "Balance statement" in text
    assert "Ticket #41" in text
    assert not Statement.objects.exists()


def test_a_bad_period_is_a_form_error_and_writes_nothing(client_client):
    response = client_client.post(
        reverse("credits:statements"), {"start": "2026-05-31", "end": "2026-05-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Statement.objects.exists()


def test_a_long_statement_is_built_in_the_background_and_served_privately(
    client,
    organization,
    client_user,
    other_client_user,
    technician,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.CREDITS_STATEMENT_INLINE_MOVEMENTS = 10
    bulk_movements(organization, 12)
    today = timezone.localdate()
    client.force_login(client_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("credits:statements"),
            {"start": (today - timedelta(days=1)).isoformat(), "end": today.isoformat()},
        )
    assert response.status_code == 302
    statement = Statement.objects.get()
    assert statement.status == Statement.Status.READY
    assert statement.movement_count == 13
    assert statement.file.name.startswith(f"statements/{organization.pk}/")
    assert str(settings.MEDIA_ROOT / "private") in statement.file.path
    listing = client.get(reverse("credits:statements")).content.decode()
    download_url = reverse("credits:statement_download", args=[statement.pk])
    assert download_url in listing
    download = client.get(download_url)
    assert download.status_code == 200
    assert "Ticket #12" in pdf_text(b"".join(download.streaming_content))
    client.force_login(other_client_user)
    assert client.get(download_url).status_code == 404
    client.force_login(technician)
    staff_download = client.get(download_url)
    assert staff_download.status_code == 200
    # Read to the end: the test client then closes the stored file (no ResourceWarning).
    assert b"".join(staff_download.streaming_content).startswith(b"%PDF")


def test_a_statement_not_ready_is_not_served(client_client, organization):
    statement = StatementFactory(organization=organization)
    response = client_client.get(reverse("credits:statement_download", args=[statement.pk]))
    assert response.status_code == 404


def test_the_movements_count_stops_at_its_cap_and_says_how_to_see_older_ones(
    client_client, organization, settings
):
    """A wallet of 100,000 entries is not counted for each page (issue 15): past the cap the
    page says 'Page N' without a total and points to the date filter."""
    settings.MOVEMENTS_COUNT_CAP = 30
    bulk_movements(organization, 40)
    page = client_client.get(reverse("credits:movements"))
    paginator = page.context["page"].paginator
    assert paginator.capped
    assert paginator.count == 31
    body = page.content.decode()
    assert 'data-testid="movements-capped"' in body
    assert "Page 1 of" not in body
    assert "Página 1 de" not in body
    # The newest first, as before; the second page holds the rest up to the cap.
    entries = [(e.created_at, e.pk) for e in page.context["page"].object_list]
    assert entries == sorted(entries, reverse=True)
    second = client_client.get(reverse("credits:movements"), {"page": 2})
    assert len(second.context["page"].object_list) == 6
    settings.MOVEMENTS_COUNT_CAP = 5000
    page = client_client.get(reverse("credits:movements"))
    assert not page.context["page"].paginator.capped
    assert 'data-testid="movements-capped"' not in page.content.decode()
