from datetime import date, datetime
from decimal import Decimal

import pytest
from django.template.loader import get_template
from django.utils.translation import gettext_lazy

from notifications.kinds import KINDS, InvalidContext, UnknownKind, absolute_url, get_kind
from notifications.models import Kind
from tests.notifications.factories import DUE, SAMPLE_CONTEXTS


def test_every_kind_is_registered_with_its_three_templates():
    assert set(KINDS) == set(Kind.values)
    for spec in KINDS.values():
        for part in ("subject.txt", "body.txt", "body.html"):
            get_template(spec.template(part))


def test_a_stored_context_is_plain_json_and_loads_back_as_python_values():
    spec = get_kind(Kind.INVOICE_ISSUED)
    stored = spec.dump_context(SAMPLE_CONTEXTS[Kind.INVOICE_ISSUED])
    assert stored["total"] == "1234.56"
    assert stored["issued_on"] == "2026-03-10"
    loaded = spec.load_context(stored)
    assert loaded["total"] == Decimal("1234.56")
    assert loaded["issued_on"] == date(2026, 3, 10)
    assert loaded["invoice_url"] == "http://testserver.example/billing/invoices/12/"


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver.example"


def test_datetimes_keep_their_moment():
    spec = get_kind(Kind.SLA_BREACH)
    loaded = spec.load_context(spec.dump_context(SAMPLE_CONTEXTS[Kind.SLA_BREACH]))
    assert loaded["due_at"] == DUE


def test_optional_keys_left_out_load_as_none():
    spec = get_kind(Kind.LOW_BALANCE)
    loaded = spec.load_context(spec.dump_context(SAMPLE_CONTEXTS[Kind.LOW_BALANCE]))
    assert loaded["recharge_url"] is None


def test_unknown_kind_is_refused():
    with pytest.raises(UnknownKind):
        get_kind("birthday")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"balance": None}, "missing context keys ['balance']"),
        ({"colour": "red"}, "unknown context keys ['colour']"),
        ({"balance": 12.5}, "'balance' must be int"),
        ({"balance": True}, "'balance' must be int"),
        ({"organization_name": gettext_lazy("Spanish")}, "'organization_name' must be text"),
        ({"recharge_url": "credits/buy"}, "'recharge_url' must be url"),
    ],
)
def test_a_wrong_context_is_refused(change, message):
    context = {**SAMPLE_CONTEXTS[Kind.LOW_BALANCE], **change}
    with pytest.raises(InvalidContext, match=message.replace("[", r"\[").replace("]", r"\]")):
        get_kind(Kind.LOW_BALANCE).dump_context(context)


def test_money_must_be_decimal_and_datetimes_aware():
    spec = get_kind(Kind.INVOICE_ISSUED)
    with pytest.raises(InvalidContext, match="'total' must be money"):
        spec.dump_context({**SAMPLE_CONTEXTS[Kind.INVOICE_ISSUED], "total": 12.3})
    with pytest.raises(InvalidContext, match="'issued_on' must be date"):
        spec.dump_context({**SAMPLE_CONTEXTS[Kind.INVOICE_ISSUED], "issued_on": DUE})
    sla = get_kind(Kind.SLA_BREACH)
    naive = datetime(2026, 3, 10, 12, 0)  # noqa: DTZ001 - the mistake under test
    with pytest.raises(InvalidContext, match="'due_at' must be datetime"):
        sla.dump_context({**SAMPLE_CONTEXTS[Kind.SLA_BREACH], "due_at": naive})
    with pytest.raises(InvalidContext, match="'severity' must be choice"):
        sla.dump_context({**SAMPLE_CONTEXTS[Kind.SLA_BREACH], "severity": "apocalyptic"})


def test_absolute_url_joins_paths_to_the_site_and_keeps_full_urls(settings):
    settings.SITE_URL = "https://soporte.example.com/"
    assert absolute_url("/tickets/5/") == "https://soporte.example.com/tickets/5/"
    assert absolute_url("https://pay.example/x") == "https://pay.example/x"
