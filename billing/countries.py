"""Country names on invoices in the reader's language.

Invoices keep the buyer's and seller's address as text, as issued (in Spanish: "España").
When a PDF or page is shown in another language, the country line is printed translated.
"""

from django.utils.translation import gettext_lazy as _

# ISO 3166-1 alpha-2 → name; the Spanish name is what the stored addresses contain.
COUNTRIES = {
    "ES": ("España", _("Spain")),
    "PT": ("Portugal", _("Portugal")),
    "FR": ("Francia", _("France")),
    "AD": ("Andorra", _("Andorra")),
    "DE": ("Alemania", _("Germany")),
    "IT": ("Italia", _("Italy")),
    "GB": ("Reino Unido", _("United Kingdom")),
}
_BY_SPANISH_NAME = dict(COUNTRIES.values())


def localized_address_lines(lines: list[str]) -> list[str]:
    """Address lines with a Spanish country name (a whole line, or the end of the line
    after a comma) in the active language."""
    out = []
    for line in lines:
        if line.strip() in _BY_SPANISH_NAME:
            line = str(_BY_SPANISH_NAME[line.strip()])
        else:
            head, sep, tail = line.rpartition(", ")
            if sep and tail.strip() in _BY_SPANISH_NAME:
                line = f"{head}, {_BY_SPANISH_NAME[tail.strip()]}"
        out.append(line)
    return out
