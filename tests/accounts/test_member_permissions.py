"""A member trying a manager's action gets 404 and nothing changes (issue 19)."""

import pytest
from django.urls import reverse

from billing.models import Order
from tests.accounts.factories import MemberFactory
from tests.api.conftest import bearer
from tests.billing.factories import pack as make_pack

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(client_user):
    return MemberFactory(organization=client_user.organization, email="miembro@cliente.example")


def test_a_member_cannot_buy_a_pack_and_no_order_is_made(client, member):
    pack = make_pack(60)
    client.force_login(member)
    assert client.get(reverse("billing:buy")).status_code == 404
    response = client.post(reverse("billing:buy"), {"pack": pack.pk})
    assert response.status_code == 404
    assert not Order.objects.exists()


def test_the_manager_still_buys(client, client_user):
    client.force_login(client_user)
    assert client.get(reverse("billing:buy")).status_code == 200


@pytest.mark.parametrize(
    "name", ["credits:movements", "credits:lots", "credits:statements", "accounts:organization"]
)
def test_a_member_gets_404_on_money_and_settings_pages(client, member, name):
    client.force_login(member)
    assert client.get(reverse(name)).status_code == 404


def test_a_member_still_sees_the_balance_and_the_tickets_list(client, member):
    client.force_login(member)
    assert client.get(reverse("credits:balance")).status_code == 200
    assert client.get(reverse("tickets:list")).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/lots/",
        "/api/v1/movements/",
        "/api/v1/packs/",
        "/api/v1/orders/",
        "/api/v1/invoices/",
        "/api/v1/statement/",
    ],
)
def test_a_members_api_key_gets_404_on_money(member, client_user, path):
    assert bearer(member).get(path).status_code == 404
    assert bearer(client_user).get(path).status_code in (200, 400)  # 400: no period given


def test_a_members_api_key_cannot_order(member):
    pack = make_pack(60)
    response = bearer(member).post(
        "/api/v1/orders/", {"pack": pack.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 404
    assert not Order.objects.exists()


def test_the_api_balance_is_open_to_a_member(member):
    assert bearer(member).get("/api/v1/balance/").status_code == 200


def test_a_members_dashboard_shows_no_billing_and_no_manager_links(client, member):
    from tests.billing.factories import paid_order

    paid_order(member.organization, 60, reference="transferencia-1")
    client.force_login(member)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("billing:buy") not in page
    assert reverse("billing:order_list") not in page
    assert reverse("accounts:organization") not in page
    assert reverse("accounts:people") not in page
    assert 'data-testid="buy-credits"' not in page


def test_a_managers_dashboard_links_to_people_and_billing(client, client_user):
    client.force_login(client_user)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("accounts:people") in page
    assert reverse("billing:buy") in page
    assert 'data-testid="buy-credits"' in page  # the balance card's link
