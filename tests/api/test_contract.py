"""The contract of SPEC "The API", exactly as written."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.api.conftest import bearer
from tests.tickets.factories import ContractFactory, ProductFactory, grant_credits, open_ticket

pytestmark = pytest.mark.django_db


def test_create_api_key_prints_only_the_key_and_it_authenticates(client_user):
    out = StringIO()
    call_command(
        "create_api_key",
        client_user.email.upper(),
        "--name",
        "Tienda",
        "--scope",
        "read",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    key = lines[0]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get("/api/v1/balance/").status_code == 200
    stored = client_user.api_keys.get()
    assert stored.name == "Tienda"
    assert stored.scope == "read"
    assert key not in stored.hashed_secret
    assert stored.last_used_at is not None


def test_schema_is_json_by_accept_header_or_format_parameter(client):
    for response in (
        client.get("/api/schema/", HTTP_ACCEPT="application/json"),
        client.get("/api/schema/?format=json"),
    ):
        assert response.status_code == 200
        schema = json.loads(response.content)
        assert schema["openapi"].startswith("3.")
        assert "/api/v1/tickets/" in schema["paths"]
        assert "/api/v1/balance/" in schema["paths"]


def test_docs_page_is_served_from_static_without_a_cdn(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html


def test_balance_of_the_users_organization(client_api, organization):
    grant_credits(organization, 120)
    response = client_api.get("/api/v1/balance/")
    assert response.status_code == 200
    assert response.json() == {"available": 120, "held": 0}


def test_tickets_list_create_and_detail(client_api, client_user, other_client_user):
    product = ProductFactory(name="Tienda online")
    ContractFactory(organization=client_user.organization, product=product)
    mine = open_ticket(client_user, product=product, subject="La tienda va lenta")
    theirs = open_ticket(other_client_user, subject="Ajeno")

    listed = client_api.get("/api/v1/tickets/").json()
    assert [row["id"] for row in listed["results"]] == [mine.pk]

    created = client_api.post(
        "/api/v1/tickets/",
        {
            "product": product.pk,
            "kind": "consultation",
            "severity": "minor",
            "subject": "No llegan los correos",
            "description": "Desde esta mañana.",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["subject"] == "No llegan los correos"
    assert body["reference"].startswith("T-")

    detail = client_api.get(f"/api/v1/tickets/{body['id']}/")
    assert detail.status_code == 200
    assert detail.json()["id"] == body["id"]
    assert client_api.get(f"/api/v1/tickets/{theirs.pk}/").status_code == 404


def test_tickets_list_is_paginated_by_cursor(client_user):
    product = ProductFactory()
    for number in range(3):
        open_ticket(client_user, product=product, subject=f"Ticket {number}")
    api = bearer(client_user)
    first = api.get("/api/v1/tickets/?page_size=2").json()
    assert len(first["results"]) == 2
    assert first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1
    seen = {row["id"] for row in first["results"]} | {row["id"] for row in second["results"]}
    assert len(seen) == 3
