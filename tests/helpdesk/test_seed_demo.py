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


@pytest.mark.django_db
def test_make_run_path_on_the_embedded_default_sqlite(tmp_path):
    """What `make run` does on a fresh machine, on its embedded default (SQLite, file mail,
    filesystem broker), in a real process: migrate, seed the demo, and open the pages.
    Every query of the seed must work on SQLite too, not only on PostgreSQL."""
    from tests.deploy.conftest import run_python

    env = {
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
        "HELPDESK_VAR_DIR": str(tmp_path / "var"),
        "SITE_URL": "http://127.0.0.1:8101",
    }
    migrated = run_python(["manage.py", "migrate", "--noinput", "-v0"], env, timeout=300)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    seeded = run_python(["manage.py", "seed_demo"], env, timeout=300)
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    assert "demo-soporte-2026" in seeded.stdout
    again = run_python(["manage.py", "seed_demo"], env, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    pages = run_python(
        "import django; django.setup(); from django.test import Client; c = Client();"
        " r = c.post('/accounts/login/', {'username': 'marta@laespiga.example',"
        " 'password': 'demo-soporte-2026'}); print(r.status_code, r.get('Location'));"
        " print(c.get('/dashboard/').status_code, c.get('/tickets/').status_code)",
        env | {"ALLOWED_HOSTS": "testserver"},
    )
    assert pages.returncode == 0, pages.stderr[-3000:]
    assert pages.stdout.split() == ["302", "/dashboard/", "200", "200"]
