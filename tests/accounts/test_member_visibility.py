"""Which tickets a member sees (issue 19): only the ones they requested, unless their
organization lets members see all; managers and staff see as before.

``tickets.selectors.tickets_visible_to`` holds the rule; each test checks it there and,
through the pages, where it is used.
"""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.accounts.factories import MemberFactory
from tests.tickets.factories import open_ticket
from tickets import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(client_user):
    """A manager, two members of the same organization, and a ticket of each."""
    manager = client_user
    member = MemberFactory(organization=manager.organization, email="miembro@cliente.example")
    colleague = MemberFactory(organization=manager.organization, email="colega@cliente.example")
    return {
        "manager": manager,
        "member": member,
        "colleague": colleague,
        "manager_ticket": open_ticket(manager, subject="Ticket de la gestora"),
        "member_ticket": open_ticket(member, subject="Ticket del miembro"),
        "colleague_ticket": open_ticket(colleague, subject="Ticket de la colega"),
    }


def _ids(user):
    return set(
        selectors.tickets_visible_to(User.objects.get(pk=user.pk)).values_list("pk", flat=True)
    )


def test_a_member_sees_only_the_tickets_they_requested(team):
    assert _ids(team["member"]) == {team["member_ticket"].pk}


def test_the_manager_still_sees_every_ticket_of_the_organization(team):
    assert _ids(team["manager"]) == {
        team["manager_ticket"].pk,
        team["member_ticket"].pk,
        team["colleague_ticket"].pk,
    }


def test_members_see_all_when_the_organization_allows_it(team):
    organization = team["manager"].organization
    organization.members_see_all_tickets = True
    organization.save(update_fields=["members_see_all_tickets"])
    assert _ids(team["member"]) == _ids(team["manager"])


def test_a_member_never_sees_another_organizations_tickets(team, other_client_user):
    other = open_ticket(other_client_user, subject="Ajeno")
    organization = team["manager"].organization
    organization.members_see_all_tickets = True
    organization.save(update_fields=["members_see_all_tickets"])
    assert other.pk not in _ids(team["member"])


def test_the_list_page_shows_a_member_only_their_tickets(client, team):
    client.force_login(team["member"])
    page = client.get(reverse("tickets:list")).content.decode()
    assert "Ticket del miembro" in page
    assert "Ticket de la gestora" not in page
    assert "Ticket de la colega" not in page


def test_a_colleagues_ticket_is_a_404_for_a_member(client, team):
    client.force_login(team["member"])
    url = reverse("tickets:detail", kwargs={"pk": team["colleague_ticket"].pk})
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("tickets:detail", kwargs={"pk": team["member_ticket"].pk})).status_code
        == 200
    )


def test_a_removed_members_tickets_stay_with_the_organization(team):
    from accounts import people

    people.remove(team["member"], by=team["manager"])
    assert team["member_ticket"].pk in _ids(team["manager"])


def _reply_recipients(ticket, technician) -> set:
    from notifications.models import Kind, OutboxEmail
    from tickets import services

    message = services.add_reply(ticket, author=technician, body="Lo miramos.")
    return set(
        OutboxEmail.objects.filter(
            kind=Kind.TICKET_REPLY, dedupe_key__startswith=f"ticket_reply:message:{message.pk}"
        ).values_list("recipient_id", flat=True)
    )


def test_ticket_emails_reach_only_who_may_open_the_ticket(team, technician):
    ticket = team["colleague_ticket"]
    assert _reply_recipients(ticket, technician) == {team["manager"].pk, team["colleague"].pk}
    organization = team["manager"].organization
    organization.members_see_all_tickets = True
    organization.save(update_fields=["members_see_all_tickets"])
    assert _reply_recipients(ticket, technician) == {
        team["manager"].pk,
        team["colleague"].pk,
        team["member"].pk,
    }
