"""Issue 21, live regions: the running timer of the ticket page is role=timer (its
per-second clock is not announced) and a polite live region beside it changes once a
minute, not every second. The browser's clock is Playwright's, moved forward by hand."""

from django.urls import reverse

from tests.accounts.factories import TechnicianFactory
from tests.accounts.mfa import SecondFactorClient
from tests.tickets.factories import open_ticket
from tickets.services.timelog import start_timer


def test_timer_is_announced_once_a_minute(page, transactional_db):
    technician = TechnicianFactory()
    ticket = open_ticket(subject="Cronómetro")
    start_timer(ticket, by=technician)
    django_client = SecondFactorClient()
    django_client.force_login(technician)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": django_client.cookies["sessionid"].value,
                "url": page.base_url,
            }
        ]
    )
    page.clock.install()
    page.goto(page.base_url + reverse("tickets:detail", kwargs={"pk": ticket.pk}))
    timer = page.locator("[data-timer]")
    assert timer.get_attribute("role") == "timer"
    assert timer.get_attribute("aria-live") == "off"
    region = page.locator("[data-timer-announce]")
    assert region.get_attribute("aria-live") == "polite"
    first_clock, first_said = timer.inner_text(), region.text_content()
    page.clock.run_for(5_000)
    assert timer.inner_text() != first_clock  # the clock moved...
    assert region.text_content() == first_said  # ...and nothing new was said
    page.clock.run_for(61_000)
    assert region.text_content() != first_said  # a minute later: said once more
