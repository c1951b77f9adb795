"""People of a client organization (issue 19): roles, removal, the last manager."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts import people
from accounts.models import User
from tests.accounts.factories import MemberFactory, UserFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """The messages are checked in English (the site's default language is Spanish), in
    the test's threads too."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client_user):
    return client_user


@pytest.fixture
def member(manager):
    return MemberFactory(organization=manager.organization, email="m@cliente.example")


def test_a_manager_promotes_a_member_and_demotes_them_again(manager, member):
    people.change_role(member, org_role=User.OrgRole.MANAGER, by=manager)
    member.refresh_from_db()
    assert member.org_role == User.OrgRole.MANAGER
    people.change_role(member, org_role=User.OrgRole.MEMBER, by=manager)
    member.refresh_from_db()
    assert member.org_role == User.OrgRole.MEMBER


def test_the_last_manager_cannot_be_demoted_or_removed(manager):
    with pytest.raises(people.PeopleError, match="last manager"):
        people.change_role(manager, org_role=User.OrgRole.MEMBER, by=manager)
    with pytest.raises(people.PeopleError, match="last manager"):
        people.remove(manager, by=manager)
    manager.refresh_from_db()
    assert manager.org_role == User.OrgRole.MANAGER
    assert manager.is_active


def test_removing_deactivates_ends_sessions_and_keeps_the_tickets(manager, member):
    from tests.tickets.factories import open_ticket

    ticket = open_ticket(member, subject="Impresora")
    epoch = member.session_epoch
    people.remove(member, by=manager)
    member.refresh_from_db()
    assert not member.is_active
    assert member.session_epoch == epoch + 1
    ticket.refresh_from_db()
    assert ticket.organization_id == manager.organization_id
    assert ticket.requester_id == member.pk
    with pytest.raises(people.PeopleError, match="already been removed"):
        people.remove(member, by=manager)


def test_a_member_or_another_organizations_manager_cannot_change_people(
    manager, member, other_client_user
):
    for who in (member, other_client_user):
        with pytest.raises(people.PeopleError):
            people.change_role(manager, org_role=User.OrgRole.MEMBER, by=who)
        with pytest.raises(people.PeopleError):
            people.remove(manager, by=who)
    manager.refresh_from_db()
    assert manager.is_active
    assert manager.org_role == User.OrgRole.MANAGER


def test_a_bad_role_is_refused(manager, member):
    with pytest.raises(people.PeopleError, match="Choose a role"):
        people.change_role(member, org_role="owner", by=manager)


# --- Pages ----------------------------------------------------------------------------


def test_the_people_page_changes_a_role_and_removes_someone(client, manager, member):
    client.force_login(manager)
    page = client.get(reverse("accounts:people"))
    assert b"m@cliente.example" in page.content
    url = reverse("accounts:person_role", kwargs={"pk": member.pk})
    assert client.post(url, {"org_role": "manager"}).status_code == 302
    member.refresh_from_db()
    assert member.org_role == User.OrgRole.MANAGER
    assert (
        client.post(reverse("accounts:person_remove", kwargs={"pk": member.pk})).status_code == 302
    )
    member.refresh_from_db()
    assert not member.is_active


def test_the_page_names_the_new_role_and_a_manager_who_steps_down_goes_to_the_dashboard(
    client, manager, member
):
    manager.language = "en"
    manager.save(update_fields=["language"])
    client.force_login(manager)
    url = reverse("accounts:person_role", kwargs={"pk": member.pk})
    response = client.post(url, {"org_role": "manager"}, follow=True)
    assert f"{member.get_full_name()} is now manager." in response.content.decode()
    # The former manager makes themselves a member: the People page is no longer theirs.
    url = reverse("accounts:person_role", kwargs={"pk": manager.pk})
    response = client.post(url, {"org_role": "member"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert response.status_code == 200
    assert f"{manager.get_full_name()} is now member." in response.content.decode()
    manager.refresh_from_db()
    assert manager.org_role == User.OrgRole.MEMBER


def test_the_page_explains_why_the_last_manager_stays(client, manager):
    client.force_login(manager)
    url = reverse("accounts:person_role", kwargs={"pk": manager.pk})
    response = client.post(url, {"org_role": "member"}, follow=True)
    assert "last manager" in response.content.decode() or "último" in response.content.decode()
    manager.refresh_from_db()
    assert manager.org_role == User.OrgRole.MANAGER


def test_a_bad_role_on_the_page_changes_nothing(client, manager, member):
    client.force_login(manager)
    url = reverse("accounts:person_role", kwargs={"pk": member.pk})
    assert client.post(url, {"org_role": "x" * 5000}).status_code == 302
    member.refresh_from_db()
    assert member.org_role == User.OrgRole.MEMBER


def test_another_organizations_person_is_a_404(client, manager, other_client_user):
    client.force_login(manager)
    for name in ("accounts:person_role", "accounts:person_remove"):
        url = reverse(name, kwargs={"pk": other_client_user.pk})
        assert client.post(url, {"org_role": "member"}).status_code == 404
    other_client_user.refresh_from_db()
    assert other_client_user.is_active
    assert other_client_user.org_role == User.OrgRole.MANAGER


def test_a_member_gets_404_and_changes_nothing(client, manager, member):
    client.force_login(member)
    url = reverse("accounts:person_remove", kwargs={"pk": manager.pk})
    assert client.post(url).status_code == 404
    manager.refresh_from_db()
    assert manager.is_active


# --- Django admin ---------------------------------------------------------------------


def _change_data(user, **changes):
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "phone": "",
        "language": user.language,
        "role": user.role,
        "organization": user.organization_id or "",
        "org_role": user.org_role,
        "is_active": "on" if user.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_cannot_demote_the_last_manager(admin_client, manager):
    url = reverse("admin:accounts_user_change", args=[manager.pk])
    response = admin_client.post(url, _change_data(manager, org_role="member"))
    assert response.status_code == 200  # the form again, with the error
    assert "last manager" in response.content.decode() or "último" in response.content.decode()
    manager.refresh_from_db()
    assert manager.org_role == User.OrgRole.MANAGER


def test_admin_changes_roles_when_another_manager_remains(admin_client, manager):
    second = UserFactory(organization=manager.organization)
    url = reverse("admin:accounts_user_change", args=[manager.pk])
    response = admin_client.post(url, _change_data(manager, org_role="member"))
    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.org_role == User.OrgRole.MEMBER
    assert second.org_role == User.OrgRole.MANAGER


def test_admin_invites_on_behalf_of_an_organization(admin_client, manager):
    from accounts.models import Invitation
    from notifications.models import Kind, OutboxEmail

    response = admin_client.post(
        reverse("admin:accounts_invitation_add"),
        {
            "organization": manager.organization_id,
            "email": "desde-admin@cliente.example",
            "org_role": "member",
            "language": "en",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    invitation = Invitation.objects.get()
    assert invitation.email == "desde-admin@cliente.example"
    assert OutboxEmail.objects.filter(kind=Kind.TEAM_INVITATION, language="en").count() == 1
    existing = admin_client.post(
        reverse("admin:accounts_invitation_add"),
        {
            "organization": manager.organization_id,
            "email": manager.email,
            "org_role": "member",
            "language": "es",
        },
    )
    assert existing.status_code == 200
    assert Invitation.objects.count() == 1


# --- Concurrency (PostgreSQL, threads) ------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_demoting_each_other_at_once_leave_one_manager():
    from tests.credits.test_concurrency import race

    a = UserFactory()
    b = UserFactory(organization=a.organization)
    pairs = [(a, b), (b, a)]
    results = race(
        2, lambda i: people.change_role(pairs[i][1], org_role=User.OrgRole.MEMBER, by=pairs[i][0])
    )
    errors = [r for r in results if isinstance(r, people.PeopleError)]
    assert len(errors) == 1, results
    # The loser was demoted a moment ago: no longer a manager, they cannot act.
    assert "Only a manager" in errors[0].message
    managers = User.objects.filter(organization=a.organization, org_role=User.OrgRole.MANAGER)
    assert managers.count() == 1
