"""Query budgets of the client's credit pages at 10 and 200 movements, and bad input that
stays inside the same budget (issue 15). Time stays in bench/, never in a test."""

import pytest
from django.urls import reverse

from tests.credits.factories import bulk_movements, hold

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rows", [10, 200])
def test_the_balance_page_keeps_its_query_budget(
    client_client, organization, django_assert_max_num_queries, rows
):
    bulk_movements(organization, rows)
    hold(organization, 10, reference_label="Ticket #7")
    with django_assert_max_num_queries(10):
        page = client_client.get(reverse("credits:balance"))
    assert page.status_code == 200
    assert page.context["summary"].held == 10


@pytest.mark.parametrize("rows", [10, 200])
def test_the_movements_page_keeps_its_query_budget_at_10_and_200_rows(
    client_client, organization, django_assert_max_num_queries, rows
):
    bulk_movements(organization, rows)
    with django_assert_max_num_queries(8):
        page = client_client.get(reverse("credits:movements"))
    assert len(page.context["page"].object_list) == min(rows + 1, 25)


@pytest.mark.parametrize(
    "query",
    [
        "page=999999",
        "page=-3",
        "page=abc",
        "kind=nonsense",
        "start=9999-99-99",
        "kind=" + "x" * 5000,
    ],
    ids=["far-page", "negative-page", "text-page", "unknown-kind", "bad-date", "huge-value"],
)
def test_bad_movements_input_gives_a_page_within_the_budget(
    client_client, organization, django_assert_max_num_queries, query
):
    bulk_movements(organization, 200)
    with django_assert_max_num_queries(8):
        page = client_client.get(reverse("credits:movements") + "?" + query)
    assert page.status_code == 200
    if query.startswith("page="):
        # Out-of-range or unreadable page numbers give the last or the first page.
        assert page.context["page"].number in (1, page.context["page"].paginator.num_pages)
    else:
        assert page.context["form"].errors  # told, not ignored silently
