import pytest

from accounts import services
from accounts.models import User


@pytest.mark.django_db
def test_update_profile_saves_name_phone_and_language(client_user):
    services.update_profile(
        client_user, full_name="  Ana López ", phone="600 000 000", language="en"
    )
    client_user.refresh_from_db()
    assert (client_user.full_name, client_user.phone, client_user.language) == (
        "Ana López",
        "600 000 000",
        "en",
    )


@pytest.mark.django_db
def test_update_profile_refuses_an_unknown_language_and_changes_nothing(client_user):
    with pytest.raises(services.AccountError):
        services.update_profile(client_user, full_name="X", phone="", language="fr")
    client_user.refresh_from_db()
    assert client_user.language == "es"
    assert client_user.full_name != "X"


@pytest.mark.django_db
def test_billing_details_only_by_the_organizations_users(organization, other_client_user):
    with pytest.raises(services.AccountError):
        services.update_billing_details(organization, by=other_client_user, tax_id="X1")
    organization.refresh_from_db()
    assert organization.tax_id != "X1"


@pytest.mark.django_db
def test_billing_details_refuse_fields_outside_billing(organization, client_user):
    with pytest.raises(services.AccountError):
        services.update_billing_details(organization, by=client_user, name="Renamed")
    organization.refresh_from_db()
    assert organization.name == "Cliente Uno S.L."


@pytest.mark.django_db
def test_client_user_takes_the_organizations_language(organization):
    organization.language = "en"
    organization.save()
    user = services.create_client_user(organization, "new@example.com", password="pw-123456")
    assert user.language == "en"
    assert user.role == User.Role.CLIENT


@pytest.mark.django_db
def test_staff_roles_only():
    with pytest.raises(services.AccountError):
        services.create_staff_user("c@example.com", role=User.Role.CLIENT)
    admin = services.create_staff_user("a@example.com", role=User.Role.ADMIN, password="pw-123456")
    assert admin.is_superuser
