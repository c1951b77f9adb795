"""tickets.forms.QuickSelect writes what format_html_join wrote, value by value."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from tickets.forms import QuickSelect


def _reference(name, value, choices, attrs) -> str:
    from django.forms.utils import flatatt

    selected = "" if value is None else str(value)
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (key, mark_safe(" selected") if str(key) == selected else "", label)
            for key, label in choices
        ),
    )
    return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


CHOICES = [
    ("", gettext_lazy("All")),
    (1, "Norte & Sur <S.L.>"),
    (2, "Comillas \"dobles\" y 'simples'"),
    (3, mark_safe("<b>ya segura</b>")),
    ("mine", "Mías"),
    (12, "Doce"),
]


def test_quick_select_escapes_as_format_html_did():
    for value in (None, "", 1, "1", 3, "mine", 12, "12", "99"):
        widget = QuickSelect(choices=CHOICES, attrs={"class": "form-select"})
        attrs = widget.build_attrs(widget.attrs, {"id": "id_organization"})
        assert widget.render("organization", value, {"id": "id_organization"}) == _reference(
            "organization", value, CHOICES, attrs
        )
