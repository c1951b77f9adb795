"""Staff keys follow one rule, api.auth.staff_key_allowed: a second factor once it exists."""

import pytest

from api import auth
from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_staff_key_works_while_no_second_factor_exists(technician):
    if auth.has_second_factor is not None:
        pytest.skip("accounts.security exists: the rule below applies")
    assert bearer(technician).get("/api/v1/queue/").status_code == 200


def test_staff_key_without_second_factor_is_401(technician, client_user, monkeypatch):
    # Stands in for accounts.security.has_second_factor until helper "staffsec" is merged.
    monkeypatch.setattr(auth, "has_second_factor", lambda user: False)
    response = bearer(technician).get("/api/v1/queue/")
    assert response.status_code == 401
    assert response.json()["code"] == "second_factor_required"
    assert bearer(client_user).get("/api/v1/balance/").status_code == 200
