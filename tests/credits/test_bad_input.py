"""Bad input on the credit pages: a clear message, a 4xx or the page re-shown, never a 500,
and nothing changed."""

import pytest
from django.urls import reverse

from credits.models import LedgerEntry, Statement
from credits.selectors import balance
from tests.credits.factories import grant

pytestmark = pytest.mark.django_db

GARBLED_DATES = [
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "2026-02-30",
    "2026-13-01",
    "31/12/9999",
    "-1-01-01",
    "2026-01-01T00:00",
    "x" * 300,
    "2026-01-01\x00",
]


@pytest.mark.parametrize("value", GARBLED_DATES)
@pytest.mark.parametrize("field", ["start", "end"])
def test_movement_filters_with_out_of_range_or_garbled_dates_show_a_message(
    client_client, organization, field, value
):
    grant(organization, 30, reason="Recarga")
    page = client_client.get(reverse("credits:movements"), {field: value})
    assert page.status_code == 200
    assert page.context["form"].errors[field]


@pytest.mark.parametrize("value", GARBLED_DATES)
def test_statements_with_out_of_range_or_garbled_dates_change_nothing(
    client_client, organization, value
):
    page = client_client.post(reverse("credits:statements"), {"start": "2026-01-01", "end": value})
    assert page.status_code == 200
    assert page.context["form"].errors["end"]
    assert not Statement.objects.exists()


# --- Numbers beyond their column --------------------------------------------------------
@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize(
    "credits", [2**31, -(2**31), 2**63, 10**40, 1_000_001, -1_000_001, "1e400", "9" * 5000]
)
def test_an_admin_adjustment_beyond_the_column_is_a_form_error_and_writes_nothing(
    admin_client, organization, credits
):
    grant(organization, 30)
    before = LedgerEntry.objects.count()
    response = admin_client.post(
        reverse("admin:credits_ledgerentry_adjust"),
        {
            "organization": organization.pk,
            "credits": credits,
            "reason": "Prueba",
            "idempotency_key": "k",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["credits"]
    assert LedgerEntry.objects.count() == before
    assert balance(organization) == 30


def test_the_adjustment_service_refuses_to_overflow_the_balance(organization, admin_user):
    from credits import services

    grant(organization, 2**31 - 100)
    with pytest.raises(services.InvalidCredits):
        services.adjust(organization, 1000, reason="Carga", actor=admin_user, idempotency_key="k")
    with pytest.raises(services.InvalidCredits):
        services.grant(organization, 1000, reason="Carga", idempotency_key="g")
    assert balance(organization) == 2**31 - 100
    assert LedgerEntry.objects.count() == 1
