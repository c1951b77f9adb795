"""The ticket list and the balance take a fixed number of queries, whatever the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import bearer
from tests.tickets.factories import ProductFactory, grant_credits, open_ticket

pytestmark = pytest.mark.django_db


def _queries(api, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get(url).status_code == 200
    return len(captured)


def test_ticket_list_of_100_takes_constant_queries(client_user, django_assert_max_num_queries):
    product = ProductFactory()
    api = bearer(client_user)
    open_ticket(client_user, product=product)
    api.get("/api/v1/tickets/")  # records the key's last use, once a minute
    few = _queries(api, "/api/v1/tickets/?page_size=100")
    for number in range(99):
        open_ticket(client_user, product=product, subject=f"Ticket {number}")
    with django_assert_max_num_queries(few):
        response = api.get("/api/v1/tickets/?page_size=100")
    assert len(response.json()["results"]) == 100
    assert few <= 4


def test_balance_takes_two_queries_the_key_and_the_balance(client_user, django_assert_num_queries):
    grant_credits(client_user.organization, 120)
    api = bearer(client_user)
    api.get("/api/v1/balance/")  # records the key's last use (once a minute)
    with django_assert_num_queries(2):
        assert api.get("/api/v1/balance/").json() == {"available": 120, "held": 0}


def test_the_balance_counts_holds_like_the_balance_page(client_user, technician):
    from credits import selectors as credit_selectors
    from tests.tickets.factories import open_ticket, send_estimate
    from tickets import services

    grant_credits(client_user.organization, 300)
    estimate = send_estimate(open_ticket(client_user), technician, 120)
    services.accept_estimate(estimate, by=client_user)  # holds 120
    summary = credit_selectors.balance_summary(client_user.organization)
    assert summary.held == 120
    assert bearer(client_user).get("/api/v1/balance/").json() == {
        "available": summary.available,
        "held": 120,
    }
