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


_CHOICE_LABELS: dict = {}


@register.filter
def choice_label(obj, field_name):
    """``{{ ticket|choice_label:"severity" }}`` is ``ticket.get_severity_display()``, read from
    a dict of the field's labels per language, made once (issue 15: the display methods
    rebuild the choices and translate the label on every row of a list)."""
    from django.utils.translation import get_language

    key = (type(obj), field_name, get_language())
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        field = obj._meta.get_field(field_name)
        labels = _CHOICE_LABELS[key] = {value: str(label) for value, label in field.flatchoices}
    value = getattr(obj, field_name)
    try:
        return labels.get(value, value)
    except TypeError:  # an unhashable value: no label
        return value


_URL_PARTS: dict = {}
_PK_MARK = 918273645


@register.simple_tag
def url_for_pk(name, pk):
    """``{% url_for_pk "tickets:detail" ticket.pk %}`` is ``{% url "tickets:detail" ticket.pk %}``
    for a URL whose only argument is an integer, without resolving the pattern each time:
    it is reversed once (per URL configuration, script prefix and language) with a marker,
    and the primary key is put in the marker's place (issue 15: lists reverse one URL a row)."""
    from django.urls import get_script_prefix, get_urlconf, reverse
    from django.utils.translation import get_language

    key = (name, get_urlconf(), get_script_prefix(), get_language())
    parts = _URL_PARTS.get(key)
    if parts is None:
        url = reverse(name, args=[_PK_MARK])
        parts = _URL_PARTS[key] = tuple(url.split(str(_PK_MARK), 1))
    return f"{parts[0]}{int(pk)}{parts[1]}"


@register.filter
def fast_widget(field):
    """``{{ form.status|fast_widget }}`` is ``{{ form.status }}`` (the widget alone), written in
    Python for Django's own input, textarea and select templates (helpdesk.form_html)."""
    from django.utils.safestring import mark_safe

    from helpdesk.form_html import widget_html

    return mark_safe(widget_html(field))  # noqa: S308 - escaped by widget_html
