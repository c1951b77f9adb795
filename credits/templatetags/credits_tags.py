from django import template
from django.utils.translation import gettext

from credits import selectors
from credits.pdf import signed_credits
from helpdesk.formatting import format_credits

register = template.Library()


@register.filter
def signed(value):
    """``{{ entry.amount|signed }}`` → "+120", "-15", grouped per locale."""
    return signed_credits(int(value))


@register.filter
def unsigned(value):
    """``{{ entry.amount|unsigned }}`` → "15" for -15: the statement's in and out columns."""
    return format_credits(abs(int(value)))


@register.filter
def entry_reason(value):
    """A stored reason, translated when it is one of the app's own texts ("Credits expired")."""
    return gettext(value) if value else ""


@register.inclusion_tag("credits/partials/balance_card.html", takes_context=True)
def credits_balance_card(context, organization):
    """The dashboard card: available and held credits, the next expiry."""
    return {
        "summary": selectors.card_summary(organization),
        "request": context.get("request"),
    }
