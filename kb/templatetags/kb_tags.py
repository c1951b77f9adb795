from django import template

register = template.Library()


@register.filter
def kb_name(category, language):
    """The category's name in ``language``."""
    return category.name_in(language)


@register.inclusion_tag("kb/partials/reply_tools.html", takes_context=True)
def kb_reply_tools(context, ticket):
    """Canned replies and article links for the staff ticket page (one query for the
    macros, one for the balance when a macro uses it)."""
    from credits import selectors as credit_selectors
    from kb import selectors, services

    user = context["request"].user
    macros = list(selectors.macros_for(user))
    balance = None
    if any("{balance}" in m.body for m in macros):
        balance = credit_selectors.balance(ticket.organization)
    rendered = [
        (m, services.render_macro(m, ticket, technician=user, balance=balance)) for m in macros
    ]
    return {"ticket": ticket, "macros": rendered, "csrf_token": context.get("csrf_token")}
