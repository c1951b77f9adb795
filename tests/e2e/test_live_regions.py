"""Issue 21, live regions: the running timer of the ticket page is role=timer (its
per-second clock is not announced) and a polite live region beside it says the elapsed
time in words, in the page's language, once a minute, not every second. The SLA countdown
speaks a badge in its own polite region when the badge's state changes. The browser's clock
is Playwright's, moved forward by hand."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.accounts.factories import TechnicianFactory
from tests.e2e.conftest import log_in_as
from tests.tickets.factories import open_ticket
from tickets.models import SlaTarget
from tickets.services.timelog import start_timer

# The elapsed time in words; the label around it ("Timer: {time}") is the page's, from
# the catalogue (Spanish "Cronómetro: {time}" once locale/pending/a11y2.json is compiled).
SAID = {
    "es": ("0 minutos", "1 minuto", "1 hora y 1 minuto"),
    "en": ("0 minutes", "1 minute", "1 hour and 1 minute"),
}


@pytest.mark.parametrize("language", ["es", "en"])
def test_timer_is_announced_in_words_once_a_minute(page, transactional_db, language):
    technician = TechnicianFactory(language=language)
    ticket = open_ticket(subject="Cronómetro")
    start_timer(ticket, by=technician)
    log_in_as(page, technician)
    page.clock.install()
    page.goto(page.base_url + reverse("tickets:detail", kwargs={"pk": ticket.pk}))
    timer = page.locator("[data-timer]")
    assert timer.get_attribute("role") == "timer"
    assert timer.get_attribute("aria-live") == "off"
    region = page.locator("[data-timer-announce]")
    assert region.get_attribute("aria-live") == "polite"
    first_clock = timer.inner_text()
    say = timer.get_attribute("data-say")
    assert "{time}" in say
    zero, one, hour = (say.replace("{time}", words) for words in SAID[language])
    if language == "en":
        assert zero == "Timer: 0 minutes"
    assert region.text_content() == zero
    page.clock.run_for(5_000)
    assert timer.inner_text() != first_clock  # the clock moved...
    assert region.text_content() == zero  # ...and nothing new was said
    page.clock.run_for(56_000)
    assert region.text_content() == one  # a minute later: said once more, in words
    page.clock.run_for(3_600_000)
    assert region.text_content() == hour


def test_sla_state_change_is_announced_in_the_sla_region(page, transactional_db):
    # Critical: 1 calendar hour, "due soon" for the last 25 % (15 minutes = 900 s). Opened
    # 44 minutes ago: 16 minutes left, on time; 90 seconds later it is due soon.
    SlaTarget.objects.update_or_create(
        severity="critical", defaults={"hours": 1, "business_hours": False, "warning_percent": 75}
    )
    with time_machine.travel(timezone.now() - timedelta(minutes=44), tick=False):
        ticket = open_ticket(subject="Plazo", severity="critical")
    technician = TechnicianFactory()
    log_in_as(page, technician)
    page.clock.install()
    page.goto(page.base_url + reverse("tickets:detail", kwargs={"pk": ticket.pk}))
    badge = page.get_by_test_id("sla-badge").first
    assert badge.get_attribute("data-state") == "ok"
    region = page.locator("[data-sla-announce]")
    assert region.get_attribute("aria-live") == "polite"
    assert region.text_content() == ""  # nothing said at load
    page.clock.run_for(30_000)
    assert region.text_content() == ""  # still on time: the count-down step is not spoken
    page.clock.run_for(60_000)
    assert badge.get_attribute("data-state") == "warning"
    said = region.text_content()
    assert said.startswith("Vence pronto · 0 h 1"), said
    assert said == badge.inner_text().strip()
