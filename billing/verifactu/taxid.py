"""Spanish tax ids (NIF of companies and people, NIE) checked with python-stdnum."""

from stdnum import eu
from stdnum.es import nif as es_nif


def normalize(value: str) -> str:
    """Upper case, without spaces, dots or dashes; a leading "ES" removed."""
    compact = "".join(ch for ch in str(value or "").upper() if ch.isalnum())
    return compact[2:] if compact.startswith("ES") and len(compact) == 11 else compact


def is_valid_nif(value: str) -> bool:
    """A Spanish NIF (DNI, NIE or company NIF/CIF) whose check character is right."""
    compact = normalize(value)
    return len(compact) == 9 and es_nif.is_valid(compact)


def is_valid_buyer_tax_id(value: str) -> bool:
    """Empty (a buyer without tax id), a valid Spanish NIF, or another EU VAT number
    with its country prefix (FR..., PT...) whose checksum is right."""
    raw = "".join(ch for ch in str(value or "").upper() if ch.isalnum())
    if not raw:
        return True
    if raw[:2].isalpha() and raw[:2] != "ES":
        return bool(eu.vat.is_valid(raw))
    return is_valid_nif(raw)
