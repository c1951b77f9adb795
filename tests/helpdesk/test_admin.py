"""Every model registered in Django admin opens for an admin: list, add and change pages."""

import pytest
from django.contrib import admin
from django.urls import reverse

REGISTERED = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.mark.django_db
@pytest.mark.parametrize(("app_label", "model_name"), REGISTERED)
def test_admin_pages_open(client, rf, admin_user, client_user, app_label, model_name):
    client.force_login(admin_user)
    changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert changelist.status_code == 200
    model_admin = next(
        ma for m, ma in admin.site._registry.items() if m._meta.model_name == model_name
    )
    request = rf.get("/")
    request.user = admin_user
    if model_admin.has_add_permission(request):
        assert client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 200
    first = model_admin.model.objects.first()
    if first is not None:
        url = reverse(f"admin:{app_label}_{model_name}_change", args=[first.pk])
        assert client.get(url).status_code == 200
