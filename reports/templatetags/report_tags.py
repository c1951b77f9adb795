"""The CSAT question on a resolved ticket's page, and the billing panel of the client's
dashboard: one query each, only where they show."""

from django import template

from reports import selectors, services
from reports.models import Rating

register = template.Library()


@register.inclusion_tag("reports/_csat_ask.html", takes_context=True)
def csat_ask(context, ticket):
    user = context["request"].user
    show = user.is_client and ticket.status in selectors.FINISHED_FOR_SLA
    rating = Rating.objects.filter(ticket=ticket).first() if show else None
    return {
        "show": show,
        "ticket": ticket,
        "rating": rating,
        "token": services.rating_token(ticket) if show else "",
        "scores": range(1, 6),
    }


@register.inclusion_tag("reports/_billing_panel.html")
def billing_panel(organization):
    return {"organization": organization, **selectors.billing_panel(organization)}


@register.simple_tag
def csat_email_links(ticket_reference) -> list[tuple[int, str]]:
    """[(score, absolute URL)] of the rating links of a resolved ticket, for its email
    (one query when the email is rendered); empty when the ticket is not resolved."""
    from django.conf import settings
    from django.urls import reverse

    from tickets.models import Ticket

    ticket = (
        Ticket.objects.filter(reference=str(ticket_reference)[:20]).first()
        if ticket_reference
        else None
    )
    if ticket is None or ticket.status not in selectors.FINISHED_FOR_SLA:
        return []
    token = services.rating_token(ticket)
    base = settings.SITE_URL.rstrip("/")
    return [
        (score, base + reverse("reports:rate", kwargs={"token": token, "score": score}))
        for score in range(1, 6)
    ]
