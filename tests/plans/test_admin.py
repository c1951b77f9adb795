"""Django admin: admins define plans; a subscription added there goes through the service."""

from decimal import Decimal

import pytest
from django.urls import reverse

from credits import selectors as credit_selectors
from plans.models import Plan, Subscription
from tests.plans.factories import card, plan

pytestmark = pytest.mark.django_db


def test_an_admin_defines_a_plan_of_300_credits_for_250_euros(admin_client):
    response = admin_client.post(
        reverse("admin:plans_plan_add"),
        {
            "name": "Plan 300",
            "credits": 300,
            "price": "250.00",
            "rollover": Plan.Rollover.ONE,
            "active": "on",
            "position": 1,
        },
    )
    assert response.status_code == 302
    created = Plan.objects.get()
    assert (created.credits, created.price) == (300, Decimal("250.00"))


@pytest.mark.parametrize(("credits", "price"), [(0, "10"), (-5, "10"), (300, "0"), (300, "-1")])
def test_absurd_plans_are_form_errors(admin_client, credits, price):
    response = admin_client.post(
        reverse("admin:plans_plan_add"),
        {"name": "X", "credits": credits, "price": price, "rollover": "one", "position": 1},
    )
    assert response.status_code == 200
    assert not Plan.objects.exists()


def test_an_admin_subscribes_an_organization_through_the_service(admin_client, organization):
    chosen = plan(100)
    url = reverse("admin:plans_subscription_add")
    response = admin_client.post(url, {"organization": organization.pk, "plan": chosen.pk})
    assert response.status_code == 302
    assert not Subscription.objects.exists()  # no saved card: refused, with a message
    card(organization)
    response = admin_client.post(url, {"organization": organization.pk, "plan": chosen.pk})
    assert response.status_code == 302
    assert Subscription.objects.get().organization == organization
    assert credit_selectors.balance(organization) == 100
    page = admin_client.get(
        reverse("admin:plans_subscription_change", args=[Subscription.objects.get().pk])
    )
    assert page.status_code == 200
