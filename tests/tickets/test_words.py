"""Issue 10: one name per severity in each language, in the form, the lists and the emails."""

import pytest
from django.urls import reverse
from django.utils import translation

from notifications.kinds import SEVERITIES
from tests.tickets.factories import ContractFactory, ProductFactory, open_ticket
from tickets.forms import SEVERITY_HELP
from tickets.models import Ticket

NAMES = {
    "es": {"critical": "Crítica", "major": "Grave", "minor": "Leve"},
    "en": {"critical": "Critical", "major": "Major", "minor": "Minor"},
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_form_the_model_and_the_emails_use_the_same_severity_names(language):
    with translation.override(language):
        for severity, name in NAMES[language].items():
            assert str(Ticket.Severity(severity).label) == name
            assert str(SEVERITIES[severity]) == name
            assert str(SEVERITY_HELP[severity]).startswith(f"{name}: ")


def test_the_spanish_form_and_list_say_grave_and_leve(client_client, client_user):
    product = ProductFactory(name="Tienda online")
    ContractFactory(organization=client_user.organization, product=product)
    open_ticket(client_user, product=product, severity="major")
    form = client_client.get(reverse("tickets:create")).text
    listing = client_client.get(reverse("tickets:list")).text
    assert "Grave: no puede usar una parte esencial" in form
    assert "Leve: una parte no esencial" in form
    assert "Mayor" not in form
    assert "Menor" not in form
    assert ">Grave<" in listing
