"""The authorization walk, second-factor edition: no page of the project (Django admin
included) opens for a technician or admin whose session has not passed the second factor.
"""

import pytest
from django.urls import reverse

from tests.accounts.factories import AdminFactory, TechnicianFactory
from tests.authz import BEFORE_SECOND_FACTOR
from tests.test_authorization import CASES, URL_NAMES
from tests.test_authorization import victim as victim

WALKED = [name for name in URL_NAMES if name not in BEFORE_SECOND_FACTOR]


def _walk(client, victim, *, expected: str):
    for name in WALKED:
        case = CASES[name]
        url = reverse(name, kwargs=case.kwargs(victim))
        for method in ("get", "post") if case.post else ("get",):
            response = getattr(client, method)(url)
            assert response.status_code == 302, (name, method, response.status_code)
            assert response.url.startswith(reverse(expected)), (name, method, response.url)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse(expected))


@pytest.mark.parametrize("factory", [TechnicianFactory, AdminFactory])
def test_staff_with_an_app_but_no_code_yet_reach_no_page(client, victim, factory):
    client.force_login(factory(), verified=False)
    _walk(client, victim, expected="accounts:mfa_verify")


@pytest.mark.parametrize("factory", [TechnicianFactory, AdminFactory])
def test_staff_without_a_second_factor_are_sent_to_set_it_up(client, victim, factory):
    client.force_login(factory(second_factor=False), verified=False)
    _walk(client, victim, expected="accounts:mfa_setup")
