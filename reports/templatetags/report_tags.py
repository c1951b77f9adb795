"""The CSAT question on a resolved ticket's page, and the billing panel of the client's
dashboard: one query each, only where they show."""

from django import template

from reports import selectors, services
from reports.models import Rating

register = template.Library()


@register.inclusion_tag("reports/partials/csat_ask.html", takes_context=True)
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


@register.inclusion_tag("reports/partials/billing_panel.html")
def billing_panel(organization):
    return {"organization": organization, **selectors.billing_panel(organization)}


@register.simple_tag
def csat_email_links(ticket_reference) -> list[tuple[int, str]]:
    """[(score, absolute URL)] of the rating links for the email about a charged ticket;
    no database read (the outbox renders emails from their stored context). Whether the
    ticket may be rated yet is checked when the link is opened."""
    from django.conf import settings
    from django.urls import reverse

    if not ticket_reference:
        return []
    token = services.rating_token(str(ticket_reference)[:32])
    base = settings.SITE_URL.rstrip("/")
    return [
        (score, base + reverse("reports:rate", kwargs={"token": token, "score": score}))
        for score in range(1, 6)
    ]
