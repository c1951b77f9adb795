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


@pytest.fixture
def card_setup(organization, client_user, stripe_stub):
    """A manager's visit to Stripe's page to save a card, started through the service."""
    from plans.models import CardSetup
    from plans.services import cards

    cards.start_card_setup(
        organization,
        user=client_user,
        success_url="https://soporte.example.com/plans/card/setup/done/?session_id={CHECKOUT_SESSION_ID}",
        cancel_url="https://soporte.example.com/plans/card/setup/cancelled/",
    )
    return CardSetup.objects.get()


def test_card_setups_are_listed_searchable_and_shown(admin_client, card_setup, organization):
    listing = admin_client.get(reverse("admin:plans_cardsetup_changelist"))
    assert listing.status_code == 200
    assert organization.name in listing.content.decode()
    found = admin_client.get(
        reverse("admin:plans_cardsetup_changelist"), {"q": card_setup.session_id}
    )
    assert organization.name in found.content.decode()
    missed = admin_client.get(reverse("admin:plans_cardsetup_changelist"), {"q": "cs_nope"})
    assert organization.name not in missed.content.decode()
    page = admin_client.get(reverse("admin:plans_cardsetup_change", args=[card_setup.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert card_setup.session_id in content
    assert str(card_setup.token) in content
    assert 'name="_save"' not in content  # read-only: nothing to save


def test_card_setups_are_read_only_in_admin(admin_client, card_setup):
    from plans.models import CardSetup

    change = reverse("admin:plans_cardsetup_change", args=[card_setup.pk])
    response = admin_client.post(change, {"status": "saved", "session_id": "cs_forged"})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:plans_cardsetup_add")).status_code == 403
    delete = reverse("admin:plans_cardsetup_delete", args=[card_setup.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    card_setup.refresh_from_db()
    assert (card_setup.status, card_setup.session_id) != ("saved", "cs_forged")
    assert card_setup.status == CardSetup.Status.OPEN
    assert CardSetup.objects.count() == 1
