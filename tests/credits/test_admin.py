"""Django admin: packs and settings are edited; the ledger is read-only; adjustments need
a reason and are written as ledger entries with the admin as actor."""

from decimal import Decimal

import pytest
from django.urls import reverse

from credits import selectors
from credits.models import CreditSettings, EntryKind, LedgerEntry, Pack
from tests.credits.factories import grant

pytestmark = pytest.mark.django_db

ADJUST = "admin:credits_ledgerentry_adjust"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def _adjust(admin_client, organization, credits, reason, key="adm-1"):
    return admin_client.post(
        reverse(ADJUST),
        {
            "organization": organization.pk,
            "credits": credits,
            "reason": reason,
            "idempotency_key": key,
        },
    )


def test_an_admin_adjustment_is_a_ledger_entry_with_the_admin_as_actor(
    admin_client, admin_user, organization
):
    form = admin_client.get(reverse(ADJUST), {"organization": organization.pk})
    assert form.status_code == 200
    assert form.context["form"].initial["organization"] == str(organization.pk)
    response = _adjust(admin_client, organization, 25, "Compensación por incidencia")
    assert response.status_code == 302
    listing = admin_client.get(response.url)
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == list(LedgerEntry.objects.all())
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount, entry.actor) == (EntryKind.ADJUSTMENT, 25, admin_user)
    assert entry.reason == "Compensación por incidencia"
    # Submitting the same form twice (same hidden key) adjusts once.
    _adjust(admin_client, organization, 25, "Compensación por incidencia")
    assert selectors.balance(organization) == 25


@pytest.mark.parametrize(
    ("credits", "reason"), [(10, ""), (10, "   "), (0, "Sin efecto"), (-31, "Demasiado")]
)
def test_a_bad_adjustment_is_a_form_error_and_writes_nothing(
    admin_client, organization, credits, reason
):
    grant(organization, 30)
    before = LedgerEntry.objects.count()
    response = _adjust(admin_client, organization, credits, reason, key=f"k{credits}{reason}")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert LedgerEntry.objects.count() == before
    assert selectors.balance(organization) == 30


def test_technicians_cannot_adjust(client, technician, organization):
    client.force_login(technician)
    response = _adjust(client, organization, 10, "Intento")
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    assert not LedgerEntry.objects.exists()


def test_ledger_entries_and_lots_are_read_only_in_admin(admin_client, organization):
    entry = grant(organization, 30)
    changelist = admin_client.get(reverse("admin:credits_ledgerentry_changelist"))
    assert reverse(ADJUST) in changelist.content.decode()
    for model, pk in (("ledgerentry", entry.pk), ("lot", entry.lot_id)):
        assert admin_client.get(reverse(f"admin:credits_{model}_add")).status_code == 403
        delete = reverse(f"admin:credits_{model}_delete", args=[pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        change = reverse(f"admin:credits_{model}_change", args=[pk])
        page = admin_client.get(change)
        assert page.status_code == 200
        assert 'name="_save"' not in page.content.decode()
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_a_pack_priced_zero_is_a_form_error(admin_client):
    before = Pack.objects.count()
    response = admin_client.post(
        reverse("admin:credits_pack_add"),
        {"credits": 15, "price": "0", "kind": Pack.Kind.BOTH, "active": "on", "position": 9},
    )
    assert response.status_code == 200
    assert "price" in response.context["adminform"].form.errors
    assert Pack.objects.count() == before


def test_admins_change_the_vat_rate_and_validity(admin_client):
    url = reverse("admin:credits_creditsettings_change", args=[1])
    response = admin_client.post(
        url,
        {"vat_rate": "10.00", "registration_validity_days": 180, "expiry_warning_days": 15},
    )
    assert response.status_code == 302
    assert selectors.vat_rate() == Decimal("10.00")
    assert CreditSettings.load().registration_validity_days == 180
    assert admin_client.get(reverse("admin:credits_creditsettings_add")).status_code == 403
    delete = reverse("admin:credits_creditsettings_delete", args=[1])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
