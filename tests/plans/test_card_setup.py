"""Saving a real card on Stripe's hosted page (Checkout in setup mode, no Stripe.js):
the manager is sent to Stripe, comes back, and the card Stripe saved becomes the
organization's, once, whether the return page or the webhook comes first. A session that
is not the organization's saves nothing."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from plans.models import CardSetup, PaymentMethod
from tests.accounts.factories import MemberFactory
from tests.billing.conftest import signed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def logged(client, client_user):
    client_user.language = "en"
    client_user.save(update_fields=["language"])
    client.force_login(client_user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _start(logged, stripe_stub) -> dict:
    response = logged.post(reverse("plans:card_setup"))
    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.test/c/pay/cs_stub_")
    return stripe_stub.sessions[response["Location"].rsplit("/", 1)[1]]


def test_the_page_offers_stripes_page_not_the_test_form(logged, stripe_stub):
    page = logged.get(reverse("plans:overview")).content.decode()
    assert 'data-testid="save-card"' in page
    assert "js.stripe.com" not in page
    assert 'name="outcome"' not in page


def test_a_card_saved_on_stripes_page_becomes_the_organizations(
    logged, organization, client_user, stripe_stub
):
    session = _start(logged, stripe_stub)
    (create,) = [r for r in stripe_stub.requests if r["path"] == "/v1/checkout/sessions"]
    form = create["form"]
    assert form["mode"] == "setup"
    assert form["customer"] == "cus_stub_1"
    assert form["success_url"].endswith("/plans/card/setup/done/?session_id={CHECKOUT_SESSION_ID}")
    setup = CardSetup.objects.get()
    assert setup.organization == organization
    assert parse_qs(urlsplit(form["cancel_url"]).query)["setup"] == [str(setup.token)]
    assert form["setup_intent_data[metadata][organization]"] == str(organization.pk)
    assert not PaymentMethod.objects.exists()  # nothing before Stripe says so

    stripe_stub.complete(session["id"])
    done = reverse("plans:card_setup_done") + f"?session_id={session['id']}"
    response = logged.get(done)
    assert response.status_code == 302
    assert "Card saved. Plans and automatic recharges will be paid with it." in _messages(response)
    card = PaymentMethod.objects.get(active=True)
    assert (card.organization, card.variant) == (organization, "stripe")
    assert card.reference == "cus_stub_1|pm_card_visa"
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "4242", 12, 2030)
    assert card.created_by == client_user
    setup.refresh_from_db()
    assert (setup.status, setup.payment_method) == (CardSetup.Status.SAVED, card)
    page = logged.get(reverse("plans:overview")).content.decode()
    assert "Visa •••• 4242" in page
    assert "expires 12/2030" in page

    # The page reloaded: the same card, not a second one.
    logged.get(done)
    assert PaymentMethod.objects.count() == 1

    # A second card later reuses the Stripe customer and replaces the first.
    second = _start(logged, stripe_stub)
    assert second["customer"] == "cus_stub_1"
    assert stripe_stub.customers == ["cus_stub_1"]
    stripe_stub.complete(second["id"], payment_method="pm_card_mastercard", brand="mastercard")
    logged.get(reverse("plans:card_setup_done") + f"?session_id={second['id']}")
    assert PaymentMethod.objects.get(active=True).reference == "cus_stub_1|pm_card_mastercard"
    assert PaymentMethod.objects.count() == 2


def test_cancelling_on_stripes_page_saves_nothing_and_closes_the_session(logged, stripe_stub):
    session = _start(logged, stripe_stub)
    setup = CardSetup.objects.get()
    response = logged.get(reverse("plans:card_setup_cancelled") + f"?setup={setup.token}")
    assert response.status_code == 302
    assert "No card was saved." in _messages(response)
    setup.refresh_from_db()
    assert setup.status == CardSetup.Status.CANCELLED
    assert stripe_stub.sessions[session["id"]]["status"] == "expired"
    assert not PaymentMethod.objects.exists()


def test_coming_back_before_stripe_saved_the_card_saves_nothing(logged, stripe_stub):
    session = _start(logged, stripe_stub)
    response = logged.get(reverse("plans:card_setup_done") + f"?session_id={session['id']}")
    assert any("Nothing was saved" in text for text in _messages(response))
    assert not PaymentMethod.objects.exists()
    assert CardSetup.objects.get().status == CardSetup.Status.OPEN


@pytest.mark.parametrize("session_id", ["cs_forged", "", "x" * 5000, "cs_stub_1' OR 1=1"])
def test_a_forged_session_id_saves_nothing_with_a_clear_message(logged, stripe_stub, session_id):
    response = logged.get(reverse("plans:card_setup_done"), {"session_id": session_id})
    assert response.status_code == 302
    assert (
        "We could not find a card saved on this visit. Nothing was saved: please try again."
        in _messages(response)
    )
    assert not PaymentMethod.objects.exists()


def test_another_organizations_completed_session_saves_nothing_here(
    client, logged, organization, other_organization, other_client_user, stripe_stub
):
    """Their session, completed on Stripe, named on our return page: not ours, nothing saved
    for either organization; their own return page still saves their card."""
    client.force_login(other_client_user)
    theirs = _start(client, stripe_stub)
    stripe_stub.complete(theirs["id"])
    client.logout()
    other_client_user.refresh_from_db()

    from django.test import Client

    ours = Client()
    ours.force_login(organization.users.first())
    response = ours.get(reverse("plans:card_setup_done") + f"?session_id={theirs['id']}")
    assert response.status_code == 302
    assert not PaymentMethod.objects.exists()

    client.force_login(other_client_user)
    client.get(reverse("plans:card_setup_done") + f"?session_id={theirs['id']}")
    assert PaymentMethod.objects.get().organization == other_organization


def test_a_stripe_session_that_does_not_match_its_setup_saves_nothing(logged, stripe_stub):
    """A session whose customer or reference Stripe reports differently (tampered) is
    refused even though it was started here."""
    session = _start(logged, stripe_stub)
    stripe_stub.complete(session["id"])
    stripe_stub.sessions[session["id"]]["customer"] = "cus_someone_else"
    response = logged.get(reverse("plans:card_setup_done") + f"?session_id={session['id']}")
    assert any("Nothing was saved" in text for text in _messages(response))
    assert not PaymentMethod.objects.exists()


def _webhook(client, event):
    body, signature = signed(event)
    url = reverse("billing:provider_webhook", kwargs={"variant": "stripe"})
    return client.post(url, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


def test_the_webhook_saves_the_card_once_and_the_return_page_agrees(
    client, logged, organization, stripe_stub
):
    session = _start(logged, stripe_stub)
    completed = stripe_stub.complete(session["id"])
    event = {
        "id": "evt_1",
        "object": "event",
        "type": "checkout.session.completed",
        "data": {"object": {**completed, "setup_intent": completed["setup_intent"]["id"]}},
    }
    intent_event = {
        "id": "evt_2",
        "object": "event",
        "type": "setup_intent.succeeded",
        "data": {"object": {**completed["setup_intent"], "metadata": session["metadata"]}},
    }
    anonymous = type(client)()
    for sent in (event, event, intent_event):
        response = _webhook(anonymous, sent)
        assert response.status_code == 200
        assert response.json() == {"status": "OK"}
    card = PaymentMethod.objects.get()
    assert card.organization == organization
    assert card.created_by is not None  # the manager who started it
    logged.get(reverse("plans:card_setup_done") + f"?session_id={session['id']}")
    assert PaymentMethod.objects.count() == 1


def test_a_webhook_for_a_setup_we_do_not_know_saves_nothing(client, stripe_stub):
    event = {
        "id": "evt_3",
        "object": "event",
        "type": "checkout.session.completed",
        "data": {"object": {"id": "cs_unknown", "object": "checkout.session", "mode": "setup"}},
    }
    response = _webhook(client, event)
    assert response.status_code == 404
    forged, _sig = signed(event, "whsec_forged")
    url = reverse("billing:provider_webhook", kwargs={"variant": "stripe"})
    bad = client.post(url, forged, content_type="application/json", HTTP_STRIPE_SIGNATURE=_sig)
    assert bad.status_code == 400
    assert not PaymentMethod.objects.exists()


def test_a_member_gets_404_and_nothing_starts(client, organization, stripe_stub):
    member = MemberFactory(organization=organization)
    client.force_login(member)
    for name in ("plans:card_setup", "plans:card_setup_done", "plans:card_setup_cancelled"):
        assert client.post(reverse(name)).status_code == 404
        assert client.get(reverse(name)).status_code == 404
    assert not CardSetup.objects.exists()
    assert not [r for r in stripe_stub.requests if r["path"].startswith("/v1/checkout")]


def test_stripe_unreachable_says_so_and_records_nothing(logged, stripe_stub, settings):
    import stripe

    stripe.api_base = "http://127.0.0.1:9"  # nothing listens
    response = logged.post(reverse("plans:card_setup"))
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:overview")
    assert not CardSetup.objects.exists()
