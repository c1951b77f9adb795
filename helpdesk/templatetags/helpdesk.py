from django import template

from helpdesk.formatting import format_credits, format_money

register = template.Library()


@register.filter
def money(value):
    """``{{ order.total|money }}`` → "43,56 €" in Spanish, "€43.56" in English."""
    return format_money(value)


@register.filter
def credits(value):
    """``{{ balance|credits }}`` → "1.200" in Spanish, "1,200" in English."""
    return format_credits(value)


@register.simple_tag(takes_context=True)
def active(context, *url_names):
    """ "active" when the current page is one of ``url_names`` (for the navigation)."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match is None:
        return ""
    return "active" if match.view_name in url_names or match.namespace in url_names else ""


@register.filter
def bootstrap_form(form):
    """``{{ form|bootstrap_form }}``: the markup of ``{{ form|crispy }}``, built in Python
    (helpdesk.form_html; issue 15)."""
    from helpdesk.form_html import render_form

    return render_form(form)
