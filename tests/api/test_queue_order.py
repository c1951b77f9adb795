"""The staff queue through the API in the page's order (sort=due), page after page."""

import pytest

from tests.api.conftest import bearer
from tests.tickets.factories import ContractFactory, ProductFactory, open_ticket
from tickets import selectors, services

pytestmark = pytest.mark.django_db


def test_sort_due_pages_through_the_queue_in_the_pages_order(client_user, technician):
    product = ProductFactory()
    ContractFactory(organization=client_user.organization, product=product)
    severities = ["minor", "critical", "major"]
    tickets = [
        open_ticket(client_user, product=product, severity=severities[n % 3], subject=f"T{n}")
        for n in range(23)
    ]
    for ticket in tickets[:5]:  # stopped clocks go after the running ones
        services.change_status(ticket, "awaiting_client", by=technician)
    expected = [t.pk for t in selectors.queue_for(technician)]

    api = bearer(technician)
    seen, url = [], "/api/v1/queue/?sort=due&page_size=4"
    while url:
        page = api.get(url)
        assert page.status_code == 200, page.content
        seen += [row["id"] for row in page.json()["results"]]
        url = page.json()["next"]
    assert seen == expected
    assert len(seen) == 23
