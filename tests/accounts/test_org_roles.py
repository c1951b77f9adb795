"""Roles inside a client organization (issue 19): managers and members."""

from importlib import import_module

import pytest
from django.apps import apps as global_apps

from accounts.models import User
from accounts.permissions import is_org_manager, sees_all_org_tickets
from accounts.services import create_client_user
from tests.accounts.factories import MemberFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_first_user_of_an_organization_is_its_manager_and_the_next_a_member():
    organization = OrganizationFactory()
    first = create_client_user(organization, "first@empresa.example", password="x-long-pass-1")
    second = create_client_user(organization, "second@empresa.example", password="x-long-pass-2")
    assert first.org_role == User.OrgRole.MANAGER
    assert second.org_role == User.OrgRole.MEMBER
    assert is_org_manager(first)
    assert not is_org_manager(second)


def test_data_migration_makes_every_existing_client_a_manager():
    member = MemberFactory()
    technician = UserFactory(role=User.Role.TECHNICIAN, organization=None, org_role="member")
    migration = import_module("accounts.migrations.0005_org_roles")
    migration.existing_clients_become_managers(global_apps, None)
    member.refresh_from_db()
    technician.refresh_from_db()
    assert member.org_role == User.OrgRole.MANAGER
    assert technician.org_role == User.OrgRole.MEMBER
    assert not is_org_manager(technician)


def test_an_inactive_manager_or_anonymous_user_is_not_a_manager():
    from django.contrib.auth.models import AnonymousUser

    manager = UserFactory(is_active=False)
    assert not is_org_manager(manager)
    assert not is_org_manager(AnonymousUser())
    assert not sees_all_org_tickets(AnonymousUser())


def test_members_see_all_tickets_only_when_the_organization_allows_it():
    member = MemberFactory()
    assert not sees_all_org_tickets(member)
    member.organization.members_see_all_tickets = True
    member.organization.save()
    member = User.objects.get(pk=member.pk)
    assert sees_all_org_tickets(member)
    assert sees_all_org_tickets(UserFactory())


def test_a_member_cannot_change_the_billing_details():
    from accounts.services import AccountError, update_billing_details

    member = MemberFactory()
    with pytest.raises(AccountError, match="managers"):
        update_billing_details(member.organization, by=member, city="Lugo")
    member.organization.refresh_from_db()
    assert member.organization.city != "Lugo"
