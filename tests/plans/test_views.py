"""The client's plans page and its actions: clear messages, nothing changed on bad input."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from credits import selectors as credit_selectors
from plans.models import AutoRecharge, PaymentMethod, Subscription
from tests.billing.factories import pack
from tests.plans.factories import card, plan


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the site's default language is Spanish)."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(client, client_user):
    """The client, reading the site in English (the messages below are checked in it)."""
    client_user.language = "en"
    client_user.save(update_fields=["language"])
    client.force_login(client_user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_page_shows_the_plans_in_both_languages(logged, client_user):
    plan(300, "250.00", name="Plan 300")
    response = logged.get(reverse("plans:overview"))
    assert response.status_code == 200
    assert "300 credits a month for" in response.content.decode()
    client_user.language = "es"
    client_user.save()
    response = logged.get(reverse("plans:overview"), HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "300 créditos al mes por" in response.content.decode()


def test_save_a_card_then_subscribe_and_change_and_cancel(logged, organization):
    small, big = plan(100, name="Pequeño"), plan(300, name="Grande")
    response = logged.post(reverse("plans:card_save"), {"outcome": "ok"}, follow=True)
    assert PaymentMethod.objects.filter(organization=organization, active=True).exists()
    response = logged.post(reverse("plans:subscribe"), {"plan": small.pk}, follow=True)
    assert response.status_code == 200
    assert credit_selectors.balance(organization) == 100
    response = logged.post(reverse("plans:subscribe"), {"plan": big.pk}, follow=True)
    assert any("already has a plan" in m for m in _messages(response))
    assert Subscription.objects.count() == 1
    response = logged.post(reverse("plans:change"), {"plan": big.pk}, follow=True)
    assert any("nothing is charged or granted now" in m for m in _messages(response))
    assert credit_selectors.balance(organization) == 100
    response = logged.post(reverse("plans:cancel"), follow=True)
    assert any("Your plan ends on" in m for m in _messages(response))
    assert Subscription.objects.get().cancel_at_period_end


@pytest.mark.parametrize(
    "data",
    [{}, {"plan": "x"}, {"plan": "-1"}, {"plan": str(2**70)}, {"plan": "999999"}],
)
def test_bad_plan_choices_change_nothing(logged, organization, data):
    card(organization)
    response = logged.post(reverse("plans:subscribe"), data, follow=True)
    assert response.status_code == 200
    assert _messages(response)
    assert not Subscription.objects.exists()


def test_subscribing_without_a_card_says_so(logged, organization):
    response = logged.post(reverse("plans:subscribe"), {"plan": plan(100).pk}, follow=True)
    assert any("Save a card first" in m for m in _messages(response))
    assert not Subscription.objects.exists()


def test_a_declined_card_on_subscribing_says_so(logged, organization):
    card(organization, "declined")
    response = logged.post(reverse("plans:subscribe"), {"plan": plan(100).pk}, follow=True)
    assert any("declined" in m for m in _messages(response))
    assert credit_selectors.balance(organization) == 0


def test_changing_or_cancelling_without_a_plan_says_so(logged):
    for name in ("plans:cancel", "plans:keep"):
        response = logged.post(reverse(name), follow=True)
        assert any("no plan in force" in m for m in _messages(response))
    response = logged.post(reverse("plans:change"), {"plan": plan(100).pk}, follow=True)
    assert any("no plan in force" in m for m in _messages(response))


@pytest.mark.parametrize(
    "data",
    [
        {"enabled": "on", "threshold": "-5", "monthly_cap": "2"},
        {"enabled": "on", "threshold": "99999999999", "monthly_cap": "2"},
        {"enabled": "on", "threshold": "30", "monthly_cap": "0"},
        {"enabled": "on", "threshold": "30", "monthly_cap": "500"},
        {"enabled": "on", "threshold": "abc", "monthly_cap": "2"},
        {"enabled": "on", "threshold": "30", "monthly_cap": "2", "pack": "999999"},
        {"enabled": "on", "threshold": "30", "monthly_cap": "2", "pack": "x"},
    ],
)
def test_absurd_recharge_settings_change_nothing(logged, organization, data):
    card(organization)
    data = {"pack": str(pack(60).pk), **data}
    response = logged.post(reverse("plans:auto_recharge"), data, follow=True)
    assert response.status_code == 200
    assert _messages(response)
    assert not AutoRecharge.objects.exists()


def test_a_refused_recharge_setting_names_its_field(logged, organization):
    card(organization)
    data = {"enabled": "on", "threshold": "-5", "monthly_cap": "500", "pack": str(pack(60).pk)}
    response = logged.post(reverse("plans:auto_recharge"), data, follow=True)
    assert _messages(response) == [
        "When the balance falls below (credits): Ensure this value is greater than or equal to 1.",
        "At most, automatic purchases a month: Ensure this value is less than or equal to 31.",
    ]
    assert not AutoRecharge.objects.exists()


def test_auto_recharge_is_saved_and_needs_a_card(logged, organization):
    data = {"enabled": "on", "threshold": "30", "monthly_cap": "2", "pack": str(pack(60).pk)}
    response = logged.post(reverse("plans:auto_recharge"), data, follow=True)
    assert any("Save a card first" in m for m in _messages(response))
    assert not AutoRecharge.objects.exists()
    card(organization)
    logged.post(reverse("plans:auto_recharge"), data)
    setting = AutoRecharge.objects.get()
    assert setting.enabled
    assert (setting.threshold, setting.monthly_cap, setting.pack.credits) == (30, 2, 60)
    logged.post(reverse("plans:card_remove"))
    assert not AutoRecharge.objects.get().enabled


def test_staff_do_not_get_the_client_page(client, technician):
    client.force_login(technician)
    assert client.get(reverse("plans:overview")).status_code == 404
