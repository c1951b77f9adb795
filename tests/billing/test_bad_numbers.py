"""Every number a form of credits/, billing/ or accounts/ takes (the admin's add and change
forms included) is bounded like its column: beyond it, a form error, never a 500."""

import pytest
from django import forms
from django.contrib import admin
from django.urls import reverse

from billing.forms import BuyForm
from credits.forms import AdjustmentForm

pytestmark = pytest.mark.django_db

APPS = ("credits", "billing", "accounts")
HUGE = ["2147483648", "-2147483649", "9223372036854775808", "1e400", "9" * 400]
# Beyond DecimalField(max_digits=12, decimal_places=2), the widest money column here.
HUGE_MONEY = ["10000000000000", "-10000000000000", "1e400", "9" * 400, "NaN", "Infinity"]


def _admin_number_fields():
    """(model admin, field name) for every number field on an add form of these apps."""
    found = []
    for model in admin.site._registry:
        if model._meta.app_label not in APPS:
            continue
        for field in model._meta.get_fields():
            internal = getattr(field, "get_internal_type", lambda: "")()
            if (
                field.concrete
                and not field.auto_created
                and internal.endswith(("IntegerField", "DecimalField"))
            ):
                values = HUGE_MONEY if internal == "DecimalField" else HUGE
                label = f"{model._meta.label}.{field.name}"
                found.append(pytest.param(model, field.name, values, id=label))
    return found


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize(("model", "name", "values"), _admin_number_fields())
def test_admin_add_forms_refuse_numbers_beyond_their_column(admin_client, model, name, values):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    page = admin_client.get(url)
    if page.status_code == 403:  # read-only (ledgers, invoices): nothing is typed there
        return
    form = page.context["adminform"].form
    if name not in form.fields or form.fields[name].disabled:
        return
    before = model._default_manager.count()
    for value in values:
        response = admin_client.post(url, {name: value})
        assert response.status_code == 200, (name, value)
        assert response.context["adminform"].form.errors.get(name), (name, value)
    assert model._default_manager.count() == before


@pytest.mark.parametrize("value", ["9223372036854775808", "-1", "1e400", "9" * 400])
def test_the_buy_form_refuses_numbers_beyond_their_column(value):
    assert not BuyForm({"pack": value, "expected_total": "1"}).is_valid()


@pytest.mark.parametrize("value", HUGE_MONEY)
def test_the_buy_form_refuses_totals_beyond_their_column(value):
    assert not BuyForm({"pack": "1", "expected_total": value}).is_valid()


@pytest.mark.parametrize("value", HUGE)
def test_the_adjustment_form_refuses_numbers_beyond_their_column(value, organization):
    form = AdjustmentForm(
        {"organization": organization.pk, "credits": value, "reason": "x", "idempotency_key": "k"}
    )
    assert not form.is_valid()
    assert isinstance(form.fields["credits"], forms.IntegerField)


def test_buying_a_pack_id_beyond_the_column_is_a_clear_4xx(client_client):
    response = client_client.post(
        reverse("billing:buy"), {"pack": "2147483648", "expected_total": "12.10"}
    )
    assert response.status_code in (200, 302, 400)
