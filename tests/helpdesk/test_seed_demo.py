import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Organization, User
from credits.models import Pack


@pytest.mark.django_db
def test_seed_demo_is_safe_to_run_twice(capsys):
    call_command("seed_demo")
    counts = (User.objects.count(), Organization.objects.count(), Pack.objects.count())
    call_command("seed_demo")
    assert (User.objects.count(), Organization.objects.count(), Pack.objects.count()) == counts
    assert User.objects.filter(role=User.Role.ADMIN).count() == 1
    assert User.objects.filter(role=User.Role.TECHNICIAN).count() == 2
    assert Organization.objects.count() == 3
    out = capsys.readouterr().out
    assert "admin@soporte.example" in out
    assert "demo-soporte-2026" in out


@pytest.mark.django_db
def test_demo_logins_work(client):
    """The printed demo login opens the client's dashboard through the real login form
    (with django-axes watching it, as on the running site)."""
    call_command("seed_demo")
    response = client.post(
        reverse("accounts:login"),
        {"username": "marta@laespiga.example", "password": "demo-soporte-2026"},
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200
