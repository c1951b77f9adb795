"""Accepting an estimate through the API: accepted, or waiting for a manager's approval
(a member's acceptance above the organization's threshold) with a message that says so."""

import pytest

from accounts.models import Approval, Organization
from credits.models import Hold
from tests.accounts.factories import MemberFactory
from tests.api.conftest import bearer
from tests.tickets.factories import grant_credits, open_ticket, send_estimate
from tickets.models import Estimate

pytestmark = pytest.mark.django_db

# The fields of an estimate, as the ticket's detail shows them: unchanged.
ESTIMATE_FIELDS = {"id", "ticket", "kind", "credits", "description", "status", "created_at"}


@pytest.fixture
def member(client_user):
    return MemberFactory(organization=client_user.organization, email="m@cliente-uno.example")


def _estimate(requester, technician, credits, *, threshold=None):
    Organization.objects.filter(pk=requester.organization_id).update(
        approval_threshold_credits=threshold
    )
    grant_credits(requester.organization, 300)
    ticket = open_ticket(requester, kind="intervention")
    return send_estimate(ticket, technician, credits)


def _accept(user, estimate, language="en"):
    user.language = language
    user.save(update_fields=["language"])
    return bearer(user).post(f"/api/v1/estimates/{estimate.pk}/accept/")


def test_a_members_acceptance_over_the_threshold_is_pending_with_a_message(member, technician):
    estimate = _estimate(member, technician, 120, threshold=100)
    response = _accept(member, estimate)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= ESTIMATE_FIELDS
    assert body["status"] == "pending"
    assert body["awaiting_approval"] is True
    assert "needs a manager's approval" in body["message"]
    assert Approval.objects.filter(requested_by=member).count() == 1
    estimate.refresh_from_db()
    assert estimate.status == Estimate.Status.PENDING
    assert not Hold.objects.exists()  # nothing held until a manager approves


def test_an_acceptance_within_the_threshold_is_accepted_with_a_message(member, technician):
    estimate = _estimate(member, technician, 90, threshold=100)
    body = _accept(member, estimate).json()
    assert body["status"] == "accepted"
    assert body["awaiting_approval"] is False
    assert body["message"] == "Accepted: the credits are held for the ticket and work resumes."
    assert not Approval.objects.exists()


def test_a_manager_accepts_above_the_threshold_without_approval(client_user, technician):
    estimate = _estimate(client_user, technician, 120, threshold=100)
    body = _accept(client_user, estimate).json()
    assert (body["status"], body["awaiting_approval"]) == ("accepted", False)


def test_the_schema_documents_the_new_fields(client):
    schema = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en").json()
    accept = schema["components"]["schemas"]["EstimateAccept"]
    assert {"awaiting_approval", "message"} <= set(accept["properties"])
    assert "manager's approval" in accept["properties"]["awaiting_approval"]["description"]
    # In the site's language (Spanish) too, once the catalogue is compiled.
    spanish = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="es").json()
    described = spanish["components"]["schemas"]["EstimateAccept"]["properties"]
    assert "aprobación de un responsable" in described["awaiting_approval"]["description"]
    # The estimate of the ticket's detail keeps its fields.
    assert set(schema["components"]["schemas"]["Estimate"]["properties"]) == ESTIMATE_FIELDS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_accepting_runs_as_the_outermost_transaction(member, technician):
    """accept_estimate is a durable transaction: the view must not wrap it in another one
    (with real transactions a nested durable block raises, a 500)."""
    estimate = _estimate(member, technician, 90)
    response = _accept(member, estimate)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert Hold.objects.count() == 1
