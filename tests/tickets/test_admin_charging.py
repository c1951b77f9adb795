"""Django admin of charging: the policy is versioned (editing writes a new version, old
versions are read-only and kept by their charges); records are read-only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.tickets.factories import grant_credits, log_time, open_ticket, send_estimate
from tickets import services
from tickets.models import ChargingPolicy, TicketCharge
from tickets.pricing import credits_for

FORM = {
    "consultation_minimum": "15",
    "intervention_minimum": "60",
    "block_size": "15",
    "call_surcharge": "15",
    "security_update_flat": "60",
    "credits_per_minute": "1.00",
}


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_defaults_of_the_spec_are_version_1(db):
    policy = ChargingPolicy.objects.get()
    assert policy.version == 1
    assert policy.as_policy() == policy.as_policy().__class__(version=1)
    assert (policy.consultation_minimum, policy.intervention_minimum, policy.block_size) == (
        15,
        60,
        15,
    )
    assert (policy.call_surcharge, policy.security_update_flat) == (15, 60)
    assert policy.credits_per_minute == Decimal(1)


def test_editing_the_current_policy_writes_a_new_version(admin_client, admin_user):
    first = ChargingPolicy.objects.get()
    url = reverse("admin:tickets_chargingpolicy_change", args=[first.pk])
    response = admin_client.post(url, FORM | {"consultation_minimum": "20"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.consultation_minimum == 15  # untouched
    second = ChargingPolicy.objects.get(version=2)
    assert second.consultation_minimum == 20
    assert second.created_by == admin_user
    assert credits_for("consultation", 10) == 20
    # The old version is read-only now; nothing deletes a version.
    assert admin_client.post(url, FORM | {"consultation_minimum": "99"}).status_code == 403
    assert not ChargingPolicy.objects.filter(consultation_minimum=99).exists()
    delete = reverse("admin:tickets_chargingpolicy_delete", args=[second.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_saving_without_a_change_writes_no_version(admin_client):
    first = ChargingPolicy.objects.get()
    admin_client.post(reverse("admin:tickets_chargingpolicy_change", args=[first.pk]), FORM)
    assert ChargingPolicy.objects.count() == 1


def test_adding_starts_from_the_current_values(admin_client):
    page = admin_client.get(reverse("admin:tickets_chargingpolicy_add"))
    assert 'name="intervention_minimum" value="60"' in page.text
    admin_client.post(reverse("admin:tickets_chargingpolicy_add"), FORM | {"block_size": "10"})
    assert ChargingPolicy.objects.order_by("-version").first().block_size == 10


def test_a_version_cannot_be_edited_in_code(db):
    policy = ChargingPolicy.objects.get()
    policy.block_size = 30
    with pytest.raises(TypeError):
        policy.save()


def test_a_resolved_ticket_keeps_its_version(admin_client, client_user, technician):
    grant_credits(client_user.organization, 100)
    ticket = open_ticket(client_user)
    log_time(ticket, technician, 10)
    services.resolve(ticket, by=technician)
    first = ChargingPolicy.objects.get()
    admin_client.post(
        reverse("admin:tickets_chargingpolicy_change", args=[first.pk]),
        FORM | {"consultation_minimum": "30"},
    )
    charge = TicketCharge.objects.get()
    assert charge.policy == first
    assert charge.credits == 15
    admin_client.force_login(client_user)
    assert 'data-testid="charge-credits">15<' in admin_client.get(ticket.get_absolute_url()).text


def test_records_are_read_only_in_admin(admin_client, client_user, technician):
    grant_credits(client_user.organization, 100)
    ticket = open_ticket(client_user)
    entry = log_time(ticket, technician, 10)
    estimate = send_estimate(ticket, technician, 30)
    for name, pk in (("timeentry", entry.pk), ("estimate", estimate.pk)):
        assert admin_client.get(reverse(f"admin:tickets_{name}_changelist")).status_code == 200
        change = reverse(f"admin:tickets_{name}_change", args=[pk])
        assert admin_client.get(change).status_code == 200
        assert admin_client.post(change, {}).status_code == 403
        assert admin_client.get(reverse(f"admin:tickets_{name}_add")).status_code == 403
