"""Staff keys follow one rule, api.auth.staff_key_allowed: a technician's or admin's key
works only while that person has a confirmed authenticator app (accounts.security)."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.mfa import give_second_factor
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_a_staff_key_without_a_second_factor_is_refused(technician, client_user):
    TOTPDevice.objects.filter(user=technician).delete()
    response = bearer(technician).get("/api/v1/queue/")
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_required"
    # Clients' keys need none.
    assert bearer(client_user).get("/api/v1/balance/").status_code == 200


def test_a_staff_key_works_once_the_authenticator_app_is_confirmed(technician):
    give_second_factor(technician)
    assert bearer(technician).get("/api/v1/queue/").status_code == 200


def test_an_unconfirmed_app_is_not_a_second_factor(technician):
    TOTPDevice.objects.filter(user=technician).delete()
    TOTPDevice.objects.create(user=technician, name="half set up", confirmed=False)
    assert bearer(technician).get("/api/v1/queue/").status_code == 401


def test_removing_the_app_stops_the_key_already_issued(technician):
    give_second_factor(technician)
    api = bearer(technician)
    assert api.get("/api/v1/queue/").status_code == 200
    TOTPDevice.objects.filter(user=technician).delete()
    assert api.get("/api/v1/queue/").status_code == 401
