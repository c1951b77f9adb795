import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Organization, User
from tests.accounts.factories import OrganizationFactory


@pytest.mark.django_db
def test_organization_needs_only_a_name():
    org = Organization.objects.create(name="Solo Nombre S.L.")
    assert org.low_balance_threshold == 30
    assert org.language == "es"
    assert str(org) == "Solo Nombre S.L."


@pytest.mark.django_db
def test_billing_address_lines_skip_empty_parts():
    org = OrganizationFactory(
        address="Calle Luna 3", postal_code="41001", city="Sevilla", province=""
    )
    assert org.billing_address_lines == ["Calle Luna 3", "41001 Sevilla", "España"]


@pytest.mark.django_db
def test_email_is_the_login_and_is_stored_lower_case():
    org = OrganizationFactory()
    user = User.objects.create_user("Ana.Perez@Example.COM", "x-secret-1", organization=org)
    assert user.email == "ana.perez@example.com"
    assert User.objects.get_by_natural_key("ANA.PEREZ@example.com") == user


@pytest.mark.django_db
def test_a_client_without_organization_is_refused():
    with pytest.raises(ValidationError):
        User.objects.create_user("nobody@example.com", "pw-123456", role=User.Role.CLIENT)
    assert not User.objects.filter(email="nobody@example.com").exists()


@pytest.mark.django_db
def test_the_database_refuses_staff_with_an_organization():
    org = OrganizationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create(
            [User(email="t@example.com", role=User.Role.TECHNICIAN, organization=org)]
        )


@pytest.mark.django_db
def test_only_admins_get_into_django_admin():
    admin = User.objects.create_superuser("boss@example.com", "pw-123456")
    tech = User.objects.create_user("tech@example.com", "pw-123456", role=User.Role.TECHNICIAN)
    assert admin.role == User.Role.ADMIN
    assert admin.is_staff
    assert admin.is_superuser
    assert not tech.is_staff
    assert tech.is_support_staff
    assert admin.is_support_staff
    admin.is_active = False
    assert not admin.is_staff
