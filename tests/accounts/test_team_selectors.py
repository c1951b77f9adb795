"""The reads behind the team pages (accounts.selectors): scoped to one organization."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import invitations, selectors
from tests.accounts.factories import MemberFactory, OrganizationFactory, TechnicianFactory

pytestmark = pytest.mark.django_db


def test_people_are_the_organizations_client_users_active_first(organization, client_user):
    gone = MemberFactory(organization=organization, full_name="Aaron Ido", is_active=False)
    member = MemberFactory(organization=organization, full_name="Beatriz Miembro")
    MemberFactory(organization=OrganizationFactory())
    TechnicianFactory()
    people = list(selectors.organization_people(organization))
    assert people[-1] == gone
    assert set(people) == {client_user, member, gone}


def test_a_person_is_found_only_in_their_own_organization(organization, client_user):
    outsider = MemberFactory(organization=OrganizationFactory())
    technician = TechnicianFactory()
    assert selectors.client_person(organization.pk, client_user.pk) == client_user
    assert selectors.client_person(organization.pk, outsider.pk) is None
    assert selectors.client_person(organization.pk, technician.pk) is None
    assert selectors.client_person(None, client_user.pk) is None


def test_open_invitations_leave_out_expired_and_withdrawn_ones(organization, client_user):
    kept, _token = invitations.invite(organization, "kept@cliente-uno.example", by=client_user)
    gone, _token = invitations.invite(organization, "gone@cliente-uno.example", by=client_user)
    invitations.withdraw(gone, by=client_user)
    assert selectors.open_invitations(organization, limit=50) == [kept]
    later = timezone.now() + timedelta(days=invitations.valid_days() + 1)
    assert selectors.open_invitations(organization, limit=50, now=later) == []
    assert selectors.invitation_of(organization.pk, gone.pk) == gone
    assert selectors.invitation_of(OrganizationFactory().pk, kept.pk) is None
    assert selectors.recent_approvals(organization, limit=50) == []
