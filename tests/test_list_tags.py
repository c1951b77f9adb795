"""The list helpers of issue 15 (helpdesk templatetags): ``choice_label`` is the model's
``get_<field>_display`` in the active language, ``url_for_pk`` is ``{% url %}``."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tickets.models import Ticket


@pytest.mark.parametrize("language", ["es", "en"])
def test_choice_label_is_the_display_method(language):
    template = Template(
        '{% load helpdesk %}{{ t|choice_label:"severity" }}|{{ t|choice_label:"status" }}'
    )
    with translation.override(language):
        for severity in Ticket.Severity:
            for status in Ticket.Status:
                ticket = Ticket(severity=severity, status=status)
                expected = f"{ticket.get_severity_display()}|{ticket.get_status_display()}"
                assert template.render(Context({"t": ticket})) == expected


def test_choice_label_of_an_unknown_value_is_the_value():
    template = Template('{% load helpdesk %}{{ t|choice_label:"status" }}')
    assert template.render(Context({"t": Ticket(status="<odd>")})) == "&lt;odd&gt;"


@pytest.mark.parametrize("pk", [1, 7, 918273645, 10**12])
def test_url_for_pk_is_the_url(pk):
    template = Template('{% load helpdesk %}{% url_for_pk "tickets:detail" pk %}')
    assert template.render(Context({"pk": pk})) == reverse("tickets:detail", args=[pk])
    template = Template('{% load helpdesk %}{% url_for_pk "tickets:reply" pk as u %}[{{ u }}]')
    assert template.render(Context({"pk": pk})) == f"[{reverse('tickets:reply', args=[pk])}]"
