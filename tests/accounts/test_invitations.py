"""Invitations to a client organization (issue 19): services and pages."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from accounts import invitations
from accounts.models import Invitation, User
from notifications.models import Kind, OutboxEmail
from notifications.rendering import render_email
from tests.accounts.factories import MemberFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """The messages are checked in English (the site's default language is Spanish), in
    the test's threads too."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "tortuga-verde-1987"


@pytest.fixture
def manager(client_user):
    return client_user


def _token_from_outbox(email: str) -> str:
    row = OutboxEmail.objects.get(kind=Kind.TEAM_INVITATION, to_email=email)
    return re.search(r"/accounts/invitations/([^/]+)/", row.context["accept_url"]).group(1)


def test_invite_stores_only_the_hash_and_queues_the_email_in_the_chosen_language(manager):
    invitation, token = invitations.invite(
        manager.organization, " Nueva@Empresa.example ", by=manager, language="en"
    )
    assert invitation.email == "nueva@empresa.example"
    assert invitation.token_hash == invitations.token_hash(token)
    assert token not in invitation.token_hash
    row = OutboxEmail.objects.get(kind=Kind.TEAM_INVITATION)
    assert row.to_email == "nueva@empresa.example"
    assert row.language == "en"
    assert _token_from_outbox("nueva@empresa.example") == token
    rendered = render_email(row.kind, row.context, language=row.language)
    assert "invites you to join" in rendered.text
    assert rendered.text.startswith("Hello")
    # The new strings are translated when the merger compiles locale/pending/teams.json;
    # the email is rendered in Spanish already (the greeting).
    assert render_email(row.kind, row.context, language="es").text.startswith("Hola")


def test_accepting_makes_a_member_with_the_chosen_password_once(manager):
    _invitation, token = invitations.invite(manager.organization, "m@e.example", by=manager)
    user = invitations.accept(token, password=GOOD_PASSWORD, full_name="Marta Miembro")
    assert user.organization == manager.organization
    assert user.org_role == User.OrgRole.MEMBER
    assert user.check_password(GOOD_PASSWORD)
    with pytest.raises(invitations.InvitationError, match="already been used"):
        invitations.accept(token, password=GOOD_PASSWORD)
    assert User.objects.filter(email="m@e.example").count() == 1


def test_an_expired_invitation_creates_nobody(manager):
    invitation, token = invitations.invite(manager.organization, "x@e.example", by=manager)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(invitations.InvitationError, match="expired"):
        invitations.accept(token, password=GOOD_PASSWORD)
    assert not User.objects.filter(email="x@e.example").exists()


def test_inviting_an_address_that_has_an_account_is_refused(manager, other_client_user):
    with pytest.raises(invitations.InvitationError, match="already has an account"):
        invitations.invite(manager.organization, other_client_user.email.upper(), by=manager)
    assert not Invitation.objects.exists()
    assert not OutboxEmail.objects.exists()


def test_a_member_or_another_organizations_manager_cannot_invite(manager, other_client_user):
    member = MemberFactory(organization=manager.organization)
    for who in (member, other_client_user):
        with pytest.raises(invitations.InvitationError):
            invitations.invite(manager.organization, "z@e.example", by=who)
    assert not Invitation.objects.exists()


def test_a_new_invitation_to_the_same_address_replaces_the_open_one(manager):
    _first, old = invitations.invite(manager.organization, "r@e.example", by=manager)
    _second, new = invitations.invite(manager.organization, "r@e.example", by=manager)
    with pytest.raises(invitations.InvitationError, match="withdrawn"):
        invitations.accept(old, password=GOOD_PASSWORD)
    assert invitations.accept(new, password=GOOD_PASSWORD).email == "r@e.example"


def test_an_invitation_can_make_a_manager(manager):
    _inv, token = invitations.invite(
        manager.organization, "boss@e.example", by=manager, org_role=User.OrgRole.MANAGER
    )
    assert invitations.accept(token, password=GOOD_PASSWORD).org_role == User.OrgRole.MANAGER


# --- Pages ----------------------------------------------------------------------------


def test_the_manager_invites_from_the_people_page(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:people"),
        {"email": "nuevo@cliente.example", "org_role": "member", "language": "es"},
    )
    assert response.status_code == 302
    assert Invitation.objects.get().email == "nuevo@cliente.example"
    page = client.get(reverse("accounts:people"))
    assert b"nuevo@cliente.example" in page.content


def test_inviting_an_existing_email_on_the_page_says_so_and_changes_nothing(
    client, manager, other_client_user
):
    client.force_login(manager)
    response = client.post(
        reverse("accounts:people"),
        {"email": other_client_user.email, "org_role": "member", "language": "es"},
    )
    assert response.status_code == 400
    assert "ya tiene una cuenta" in response.content.decode() or (
        "already has an account" in response.content.decode()
    )
    assert not Invitation.objects.exists()


def test_the_link_shows_a_form_and_a_weak_password_is_refused(client, manager):
    _inv, token = invitations.invite(manager.organization, "w@e.example", by=manager)
    url = reverse("accounts:invitation_accept", kwargs={"token": token})
    assert client.get(url).status_code == 200
    response = client.post(url, {"full_name": "W", "password1": "123", "password2": "123"})
    assert response.status_code == 400
    assert not User.objects.filter(email="w@e.example").exists()
    response = client.post(
        url, {"full_name": "W", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    # One full stop, even after an organization's name that ends in one ("S.L.").
    assert manager.organization.name.endswith(".")
    welcome = [str(m) for m in get_messages(response.wsgi_request)]
    assert welcome == [
        f"Welcome to {manager.organization.name}: "
        "log in with your email and the password you chose."
    ]
    assert User.objects.get(email="w@e.example").org_role == User.OrgRole.MEMBER
    reused = client.get(url)
    assert reused.status_code == 410
    assert b"invitation-message" in reused.content


def test_a_wrong_or_expired_link_is_a_clear_page_never_a_500(client, manager):
    assert client.get("/accounts/invitations/nonsense/").status_code == 404
    invitation, token = invitations.invite(manager.organization, "e@e.example", by=manager)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    url = reverse("accounts:invitation_accept", kwargs={"token": token})
    response = client.post(
        url, {"full_name": "E", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert response.status_code == 410
    assert not User.objects.filter(email="e@e.example").exists()


def test_withdrawing_an_invitation_kills_its_link(client, manager):
    invitation, token = invitations.invite(manager.organization, "k@e.example", by=manager)
    client.force_login(manager)
    assert (
        client.post(
            reverse("accounts:invitation_withdraw", kwargs={"pk": invitation.pk})
        ).status_code
        == 302
    )
    translation.activate("en")  # the request left the manager's language active
    with pytest.raises(invitations.InvitationError, match="withdrawn"):
        invitations.open_invitation(token)


def test_a_member_gets_404_on_the_people_page_and_cannot_invite(client, manager):
    member = MemberFactory(organization=manager.organization)
    client.force_login(member)
    assert client.get(reverse("accounts:people")).status_code == 404
    response = client.post(
        reverse("accounts:people"), {"email": "q@e.example", "org_role": "manager"}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_link_used_twice_at_once_makes_one_user():
    from tests.accounts.factories import UserFactory
    from tests.credits.test_concurrency import race

    manager = UserFactory()
    _inv, token = invitations.invite(manager.organization, "doble@e.example", by=manager)
    results = race(4, lambda i: invitations.accept(token, password=GOOD_PASSWORD))
    users = [r for r in results if isinstance(r, User)]
    refused = [r for r in results if isinstance(r, invitations.InvitationError)]
    assert len(users) == 1, results
    assert len(refused) == 3, results
    assert all("already been used" in r.message for r in refused)
    assert User.objects.filter(email="doble@e.example").count() == 1
