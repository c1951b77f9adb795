"""A form's fields as crispy-bootstrap5's ``{{ form|crispy }}`` renders them, built in Python
(issue 15: on the ticket pages the crispy templates took about a third of the render).

``render_form(form)`` gives the markup of ``templates/bootstrap5/uni_form.html`` (the error
summary on top when the form has errors) and crispy-bootstrap5's ``field.html`` for each
field: the same wrappers, ids (``div_<id>``, ``<id>_error``, ``error_<n>_<id>``,
``<id>_helptext``), classes (crispy's widget class name plus ``form-control`` /
``form-select`` / ``form-check-input``, ``is-invalid``) and Django's own widget attributes
(``aria-invalid``, ``aria-describedby``, ``required``). The common widgets (inputs, textarea,
select, checkbox, file) are written here as Django's widget templates write them; a widget
with a template of its own goes through Django's renderer. A form with a widget this module
does not know (radio buttons, checkbox lists, multi-widgets) is given to crispy whole.
tests/test_form_html.py compares the two renderings, bound and unbound, field by field.
"""

from django import forms
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

_DJANGO_WIDGETS = "django/forms/widgets/"
_INPUT_TEMPLATES = {
    f"{_DJANGO_WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
        "hidden",
        "checkbox",
    )
}
_TEXTAREA = f"{_DJANGO_WIDGETS}textarea.html"
_SELECT = f"{_DJANGO_WIDGETS}select.html"
_OPTION = f"{_DJANGO_WIDGETS}select_option.html"
_UNSUPPORTED = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.MultiWidget)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(out)


def _widget_html(widget: dict) -> str | None:
    """A widget's context rendered as Django's template would, or None for a template
    this module does not write."""
    template = widget["template_name"]
    if template in _INPUT_TEMPLATES:
        value = widget["value"]
        shown = "" if value is None else f' value="{conditional_escape(str(value))}"'
        return (
            f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
        )
    if template == _TEXTAREA:
        value = widget["value"]
        return (
            f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
            f"{conditional_escape(value) if value else ''}</textarea>"
        )
    if template == _SELECT:
        out = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in group_choices:
                if option["template_name"] != _OPTION:
                    return None
                out.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"'
                    f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>"
                )
            if group_name:
                out.append("\n  </optgroup>")
        out.append("\n</select>")
        return "".join(out)
    return None


def _add_classes(field, extra: str) -> None:
    """What crispy's ``{% crispy_field field 'class' extra %}`` does to the widget."""
    widget = field.field.widget
    class_name = widget.__class__.__name__.lower()
    css_class = widget.attrs.get("class", "")
    if css_class:
        if css_class.find(class_name) == -1:
            css_class += f" {class_name}"
    else:
        css_class = class_name
    for name in extra.split():
        if name not in css_class.split():
            css_class += f" {name}"
    widget.attrs["class"] = css_class


def widget_html(field) -> str:
    """``str(field)`` (BoundField.as_widget), in Python for Django's own templates."""
    widget = field.field.widget
    if type(widget).render is not forms.Widget.render:
        return str(field)  # a widget that renders itself (tickets.forms.QuickSelect)
    if field.field.localize:
        widget.is_localized = True
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)
    html = _widget_html(context["widget"])
    if html is None:
        return str(field)
    return html


def _errors(field) -> str:
    """crispy-bootstrap5's layout/field_errors_block.html (what ``|crispy`` uses)."""
    errors = field.errors
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None) or ""
    items = "".join(
        f'<p id="error_{n}_{field.auto_id}"><strong>{conditional_escape(error)}</strong></p>'
        for n, error in enumerate(errors, 1)
    )
    return f'<div id="{field_id}_error" class="invalid-feedback">{items}</div>'


def _help(field) -> str:
    """crispy-bootstrap5's layout/help_text.html (help text as a block)."""
    if not field.help_text:
        return ""
    id_attr = f'id="{field.auto_id}_helptext" ' if field.auto_id else ""
    return f'<div {id_attr}class="form-text">{field.help_text}</div>'


def _label(field, tag: str, css: str) -> str:
    required = field.field.required
    for_attr = f' for="{field.id_for_label}"' if field.id_for_label else ""
    star = '<span class="asteriskField">*</span>' if required else ""
    return (
        f'<{tag}{for_attr} class="{css}{" requiredField" if required else ""}">'
        f"{conditional_escape(field.label)}{star}</{tag}>"
    )


def _file(field) -> str:
    """crispy-bootstrap5's layout/field_file.html."""
    out = []
    invalid = bool(field.errors)
    for subwidget in field.subwidgets:
        data = subwidget.data
        if data.get("is_initial"):
            return None  # a current file to show: crispy's template
        extra = data["attrs"].get("class")
        css = f"form-control{' ' + extra if extra else ''}{' is-invalid' if invalid else ''}"
        attrs = {k: v for k, v in data["attrs"].items() if k != "class"}
        disabled = " disabled" if field.field.disabled else ""
        wrapper = '<div class="is-invalid">' if invalid else "<div>"
        out.append(
            f"{wrapper}"
            f'<input type="{conditional_escape(data["type"])}" '
            f'name="{conditional_escape(data["name"])}" class="{conditional_escape(css)}"{disabled}'
            f"{_attrs(attrs)}>{_errors(field)}{_help(field)}</div>"
        )
    return "".join(out)


def _field(field) -> str | None:
    """crispy-bootstrap5's field.html for one field (no label or field classes, labels
    shown, errors as blocks)."""
    if field.is_hidden:
        return str(field)
    widget = field.field.widget
    css_classes = field.css_classes()
    wrapper_extra = f" {css_classes}" if css_classes else ""
    if isinstance(widget, forms.CheckboxInput):
        _add_classes(field, "form-check-input is-invalid" if field.errors else "form-check-input")
        label = _label(field, "label", "form-check-label")
        return (
            f'<div class="mb-3"><div id="div_{field.auto_id}" class="form-check{wrapper_extra}">'
            f"{widget_html(field)}{label}{_errors(field)}{_help(field)}</div></div>"
        )
    out = [f'<div id="div_{field.auto_id}" class="mb-3{wrapper_extra}">']
    if field.label:
        out.append(_label(field, "label", "form-label"))
    if isinstance(widget, forms.FileInput):
        html = _file(field)
        if html is None:
            return None
        out.append(html)
    else:
        base = "form-select" if isinstance(widget, forms.Select) else "form-control"
        _add_classes(field, f"{base} is-invalid" if field.errors else base)
        out.append(widget_html(field))
        out.append(_errors(field))
        out.append(_help(field))
    out.append("</div>")
    return "".join(out)


def supported(form) -> bool:
    return not any(
        isinstance(field.widget, _UNSUPPORTED) or field.widget.use_fieldset
        for field in form.fields.values()
    )


def render_form(form) -> SafeString:
    """``{{ form|crispy }}`` without the crispy templates (see the module's docstring)."""
    if not supported(form):
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

        return as_crispy_form(form)
    parts = []
    if form.errors:
        parts.append(render_to_string("partials/error_summary.html", {"form": form}))
    for field in form:
        html = _field(field)
        if html is None:
            from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

            return as_crispy_form(form)
        parts.append(html)
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
