"""The authorization walk over every API route (tests/authz.py style), with keys.

A write key of a client of another organization: the victim's ids give 404 on GET and
POST, the victim's marker never shows, and nothing of the victim's changes.
"""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from api.urls import urlpatterns
from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.api.conftest import bearer
from tests.authz import Access, Victim, build_victim
from tests.test_authorization import _snapshot


def _ticket(victim):
    return {"pk": victim.objects["ticket"].pk}


def _pk(name):
    return lambda victim: {"pk": victim.objects[name].pk}


# url name → (access, kwargs, POST body or None for GET-only routes)
CASES = {
    "schema": (Access.PUBLIC, None, None),
    "docs": (Access.PUBLIC, None, None),
    "redoc": (Access.PUBLIC, None, None),
    "tickets": (Access.OWN, None, None),
    "ticket": (Access.OBJECT, _ticket, None),
    "ticket_reply": (Access.OBJECT, _ticket, {"body": "intruso"}),
    "ticket_close": (Access.OBJECT, _ticket, {}),
    "ticket_reopen": (Access.OBJECT, _ticket, {}),
    "attachment": (Access.OBJECT, _pk("attachment"), None),
    "estimate_accept": (Access.OBJECT, _pk("estimate"), {}),
    "estimate_decline": (Access.OBJECT, _pk("estimate"), {"reason": "no"}),
    "balance": (Access.OWN, None, None),
    "lots": (Access.OWN, None, None),
    "movements": (Access.OWN, None, None),
    "statement": (Access.OWN, None, None),
    "packs": (Access.OWN, None, None),
    "orders": (Access.OWN, None, None),
    "order": (Access.OBJECT, _pk("pending_order"), None),
    "invoices": (Access.OWN, None, None),
    "invoice_pdf": (Access.OBJECT, _pk("invoice"), None),
    "queue": (Access.STAFF, None, None),
    "time_entries": (Access.STAFF, _ticket, {"minutes": 30}),
    "assign": (Access.STAFF, _ticket, {"technician": 1}),
    "status": (Access.STAFF, _ticket, {"status": "open"}),
    "resolve": (Access.STAFF, _ticket, {"expected_credits": 0}),
    "organizations": (Access.STAFF, None, None),
    "keys": (Access.OWN, None, None),
}

NAMES = [p.name for p in urlpatterns if isinstance(p, URLPattern) and p.name]


def test_every_api_route_is_classified():
    assert set(NAMES) <= set(CASES), set(NAMES) - set(CASES)
    assert "api" in get_resolver().namespace_dict


@pytest.fixture
def victim(db):
    organization = OrganizationFactory(name=f"{Victim.MARKER} S.L.", tax_id="B99999999")
    user = UserFactory(organization=organization, full_name=f"{Victim.MARKER} Persona")
    return build_victim(Victim(organization=organization, user=user))


def _url(name, victim):
    _access, kwargs, _body = CASES[name]
    return reverse(f"api:{name}", kwargs=kwargs(victim) if kwargs else None)


@pytest.mark.parametrize("name", NAMES)
def test_client_of_another_organization_gets_404_and_changes_nothing(victim, name):
    access, _kwargs, body = CASES[name]
    outsider = UserFactory(organization=OrganizationFactory(name="Ajena S.L."))
    api = bearer(outsider)
    url = _url(name, victim)
    before = _snapshot(victim)
    responses = [("get", api.get(url))]
    if access in (Access.OBJECT, Access.STAFF):
        responses.append(("post", api.post(url, body or {}, format="json")))
    for method, response in responses:
        if access in (Access.OBJECT, Access.STAFF):
            assert response.status_code in (404, 405), (method, url, response.status_code)
            if response.status_code == 404:
                assert response.json()["code"] == "not_found"
        else:
            assert response.status_code in (200, 400), (method, url, response.status_code)
        assert Victim.MARKER.encode() not in response.content, (method, url)
    assert _snapshot(victim) == before, f"{name}: an outsider's request changed the victim's data"


@pytest.mark.parametrize("name", [n for n in NAMES if CASES[n][0] is Access.OBJECT])
def test_the_owner_reaches_their_own_objects(victim, name):
    response = bearer(victim.user).get(_url(name, victim))
    assert response.status_code in (200, 405), (name, response.status_code)


@pytest.mark.parametrize("name", [n for n in NAMES if CASES[n][0] is not Access.PUBLIC])
def test_anonymous_gets_401(victim, client, name):
    response = client.get(_url(name, victim))
    assert response.status_code in (401, 405)
