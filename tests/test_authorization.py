"""Walk every URL of the project as an outsider: never the data.

For each URL name (see tests/authz.py): an anonymous visitor is sent to log in (or gets
404); a client of another organization gets 404 for the victim's objects, and never
sees the victim's marker on a page of their own; a client gets 404 on staff pages.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.authz import Access, Case, Victim, build_victim, collect_cases, url_names

CASES = collect_cases()
URL_NAMES = url_names()


def test_every_url_is_classified():
    missing = [name for name in URL_NAMES if name not in CASES]
    assert not missing, f"add these URLs to tests/<app>/authz_cases.py: {missing}"


@pytest.fixture
def victim(db):
    organization = OrganizationFactory(name=f"{Victim.MARKER} S.L.", tax_id="B99999999")
    user = UserFactory(organization=organization, full_name=f"{Victim.MARKER} Persona")
    return build_victim(Victim(organization=organization, user=user))


@pytest.fixture
def outsider(db):
    return UserFactory(organization=OrganizationFactory(name="Ajena S.L."), full_name="Ajeno")


def _body(response) -> bytes:
    """The body, read whole also for a streamed response (the exports)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _login_redirect(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse(settings.LOGIN_URL))


# The login audit records the outsider's own requests (their login, logout, failures).
NOT_THE_VICTIMS = {"accounts.LoginEvent"}


def _snapshot(victim: Victim):
    """Everything of the victim's that an outsider's request could change."""
    from django.apps import apps

    rows = []
    for model in apps.get_models():
        if model._meta.label in NOT_THE_VICTIMS:
            continue
        if model._meta.app_label in {
            "accounts",
            "credits",
            "tickets",
            "billing",
            "plans",
            "kb",
            "reports",
            "django_otp_webauthn",  # the victim's passkeys
        }:
            # Every column of every row: an update is a change too, not only a new row.
            fields = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]
            rows.append(
                (model._meta.label, list(model.objects.order_by("pk").values_list(*fields)))
            )
    victim.organization.refresh_from_db()
    return rows, {
        f.name: getattr(victim.organization, f.name) for f in victim.organization._meta.fields
    }


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_gets_login_or_404(client, victim, name):
    case = CASES.get(name)
    if case is None:
        pytest.fail(f"{name} is not classified in tests/<app>/authz_cases.py")
    url = reverse(name, kwargs=case.kwargs(victim))
    for method in ("get", "post") if case.post else ("get",):
        response = getattr(client, method)(url)
        if case.access is Access.PUBLIC:
            assert response.status_code in (200, 302, 404, 405), (method, url)
            assert Victim.MARKER.encode() not in _body(response), (method, url)
        else:
            assert _login_redirect(response) or response.status_code == 404, (
                method,
                url,
                response.status_code,
            )


@pytest.mark.parametrize("name", URL_NAMES)
def test_client_of_another_organization_never_gets_the_data(client, victim, outsider, name):
    case = CASES[name]
    url = reverse(name, kwargs=case.kwargs(victim))
    client.force_login(outsider)
    before = _snapshot(victim)
    methods = ("get", "post") if case.post and case.access is not Access.OWN else ("get",)
    for method in methods:
        response = getattr(client, method)(url)
        if case.access in (Access.OBJECT, Access.STAFF):
            # 405 only answers a GET to a POST-only URL; the POST itself must reach the
            # scoping and be turned away, or this walk could not fail.
            allowed = (403, 404, 405) if method == "get" else (403, 404)
            assert response.status_code in allowed, (method, url, response.status_code)
        elif case.access is Access.OWN:
            assert response.status_code in (200, 302), (method, url, response.status_code)
        assert Victim.MARKER.encode() not in _body(response), (method, url)
    assert _snapshot(victim) == before, f"{name}: an outsider's request changed the victim's data"


@pytest.mark.parametrize(
    "name", [n for n in URL_NAMES if CASES.get(n, Case(Access.PUBLIC)).access is Access.OBJECT]
)
def test_the_owner_reaches_their_own_objects(client, victim, name):
    """The 404s above come from scoping, not from a broken page: the owner gets through."""
    case = CASES[name]
    client.force_login(victim.user)
    url = reverse(name, kwargs=case.kwargs(victim))
    response = client.get(url)
    if response.status_code == 405:  # POST-only: the owner's POST gets past the scoping
        response = client.post(url)
        assert response.status_code in (200, 302, 400), (name, "post", response.status_code)
    assert response.status_code in (200, 302, 400), (name, response.status_code)


def test_admin_site_turns_away_clients_and_technicians(client, victim, outsider, technician):
    for user in (outsider, technician):
        client.force_login(user)
        response = client.get(reverse("admin:accounts_organization_changelist"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
