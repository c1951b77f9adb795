"""The bench's floor view and query-count header (bench/): mounted only in bench.urls."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from tests.credits.factories import grant

pytestmark = [pytest.mark.django_db, pytest.mark.urls("bench.urls")]


@pytest.fixture
def counted(settings):
    settings.MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *settings.MIDDLEWARE]


def test_the_floor_needs_a_login(client, counted):
    response = client.get("/bench/floor/")
    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_the_floor_runs_three_queries_of_its_own_and_says_how_many_in_all(
    client, client_user, organization, counted
):
    grant(organization, 30)
    client.force_login(client_user)
    client.get("/bench/floor/")  # warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/bench/floor/")
    assert response.status_code == 200
    assert organization.name in response.content.decode()
    assert int(response["X-Bench-Queries"]) == len(captured)
    view_queries = [
        q["sql"]
        for q in captured.captured_queries
        if any(t in q["sql"] for t in ("accounts_organization", "credits_"))
    ]
    assert len(view_queries) == 3, view_queries


@pytest.mark.urls("helpdesk.urls")
def test_the_floor_is_not_in_the_site_urls():
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")
