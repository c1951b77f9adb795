"""The authorization walk as a member of the victim's own organization (issue 19).

Every URL whose case is ``manager_only`` (tests/authz.py): a member of the same
organization gets 404 for GET and POST and changes nothing; its manager still gets
through (tests/test_authorization.py checks the manager as the victim's user). The
organization's name may show on the 404 page: the member belongs to it.
"""

import pytest

from tests.accounts.factories import MemberFactory, OrganizationFactory, UserFactory
from tests.authz import Victim, build_victim, collect_cases, url_names
from tests.test_authorization import _snapshot

CASES = collect_cases()
MANAGER_ONLY = [name for name in url_names() if CASES.get(name) and CASES[name].manager_only]

# What a member must never reach (issue 19): buying and checkout, invoices, movements and
# statements, people management, organization settings, the organization's access data.
# A URL that loses its mark fails.
EXPECTED = {
    "accounts:organization",
    "billing:buy",
    "billing:invoice_detail",
    "billing:invoice_list",
    "billing:invoice_pdf",
    "billing:order_cancel",
    "billing:order_detail",
    "billing:order_list",
    "billing:order_pay",
    "billing:payment_page",
    "credits:lots",
    "credits:movements",
    "credits:statement_download",
    "credits:statements",
    "tickets:credential_delete",
    "tickets:credential_reveal_emails",
    "tickets:credentials",
}


def test_the_manager_only_pages_of_the_issue_are_marked():
    assert set(MANAGER_ONLY) >= EXPECTED, sorted(EXPECTED - set(MANAGER_ONLY))


@pytest.fixture
def victim(db):
    organization = OrganizationFactory(name=f"{Victim.MARKER} S.L.", tax_id="B99999999")
    user = UserFactory(organization=organization, full_name=f"{Victim.MARKER} Persona")
    return build_victim(Victim(organization=organization, user=user))


@pytest.mark.parametrize("name", MANAGER_ONLY)
def test_a_member_of_the_same_organization_gets_404_and_changes_nothing(client, victim, name):
    from django.urls import reverse

    member = MemberFactory(organization=victim.organization, full_name="Miembro Raso")
    case = CASES[name]
    url = reverse(name, kwargs=case.kwargs(victim))
    client.force_login(member)
    before = _snapshot(victim)
    for method in ("get", "post") if case.post else ("get",):
        response = getattr(client, method)(url)
        # 405 only answers a GET to a POST-only URL; the POST must be turned away.
        allowed = (404, 405) if method == "get" else (404,)
        assert response.status_code in allowed, (method, url, response.status_code)
    assert _snapshot(victim) == before, f"{name}: a member's request changed something"
