"""Backups you can restore: back up the real PostgreSQL test database and media, restore
into a fresh database, and check the copy with check_ledger and check_invoices."""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from billing import services as billing
from tests.accounts.factories import OrganizationFactory
from tests.billing.factories import order
from tests.deploy.conftest import run_python

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _url(name: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{name}"


def _admin(sql: str) -> None:
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"],
        dbname="postgres", autocommit=True,
    ) as admin:  # fmt: skip
        admin.execute(sql)


@pytest.fixture
def restore_database():
    """A fresh, uniquely named database for the copy; dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("backups need PostgreSQL")
    name = f"{connection.settings_dict['NAME']}_restore"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return run_python(["manage.py", *args], env, timeout=120)


def test_backup_restores_into_a_fresh_database_that_passes_the_checks(
    media, restore_database, tmp_path
):
    organizations = [OrganizationFactory() for _ in range(2)]
    for i in range(3):
        billing.confirm_payment(order(organizations[i % 2], 15), provider_reference=f"bk-{i}")
    stored = default_storage.save("attachments/evidence.txt", ContentFile(b"log line 42\n"))

    call_command("backup", "--to", str(tmp_path / "backups"))
    [folder] = (tmp_path / "backups").iterdir()
    assert {p.name for p in folder.iterdir()} == {
        "database.dump", "media.tar.gz", "manifest.json"
    }  # fmt: skip

    copy_env = {
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
        "DATABASE_URL": _url(restore_database),
        "HELPDESK_VAR_DIR": str(tmp_path / "copy-var"),
        "MEDIA_ROOT": str(tmp_path / "copy-media"),
        "CONN_MAX_AGE": "0",
    }
    restored = _manage("restore", str(folder), env=copy_env)
    assert restored.returncode == 0, restored.stderr
    assert Path(tmp_path / "copy-media" / stored).read_bytes() == b"log line 42\n"

    ledger = _manage("check_ledger", env=copy_env)
    assert ledger.returncode == 0, ledger.stdout + ledger.stderr
    assert "Ledger OK: 2 organizations checked." in ledger.stdout
    invoices = _manage("check_invoices", env=copy_env)
    assert invoices.returncode == 0, invoices.stdout + invoices.stderr
    assert "Invoices OK: 3 checked, no gaps." in invoices.stdout

    # Again into the same (now full) database: refused, nothing changed.
    again = _manage("restore", str(folder), env=copy_env | {"MEDIA_ROOT": str(tmp_path / "m2")})
    assert again.returncode != 0
    assert f"The database {restore_database} is not empty" in again.stderr
    assert not (tmp_path / "m2").exists()


def test_restore_refuses_to_overwrite_media_files(media, restore_database, tmp_path):
    default_storage.save("attachments/a.txt", ContentFile(b"new"))
    call_command("backup", "--to", str(tmp_path / "backups"))
    [folder] = (tmp_path / "backups").iterdir()
    existing = tmp_path / "copy-media" / "attachments" / "a.txt"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(b"keep me")
    result = _manage(
        "restore", str(folder),
        env={
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
            "DATABASE_URL": _url(restore_database),
            "HELPDESK_VAR_DIR": str(tmp_path / "copy-var"),
            "MEDIA_ROOT": str(tmp_path / "copy-media"),
        },
    )  # fmt: skip
    assert result.returncode != 0
    assert "media file(s) exist already" in result.stderr
    assert existing.read_bytes() == b"keep me"


def test_backup_stops_naming_an_unreachable_database(tmp_path):
    result = _manage(
        "backup", "--to", str(tmp_path / "b"),
        env={
            "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:9/nothing",
            "HELPDESK_VAR_DIR": str(tmp_path / "var"),
        },
    )  # fmt: skip
    assert result.returncode != 0
    assert "The database is unreachable" in result.stderr
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())


@pytest.fixture
def tiny_disk(tmp_path):
    """A 256 KB file system (tmpfs, needs root), to fill up for real."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(  # noqa: S603
        ["/usr/bin/mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount_point)],
        capture_output=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs: {mounted.stderr!r}")
        pytest.skip("mounting a tmpfs needs root")
    yield mount_point
    subprocess.run(["/usr/bin/umount", str(mount_point)], check=False)  # noqa: S603


def test_a_full_disk_stops_the_backup_and_keeps_nothing(media, tiny_disk):
    default_storage.save("big.bin", ContentFile(os.urandom(1024 * 1024)))  # incompressible
    with pytest.raises(CommandError, match="The disk is full at"):
        call_command("backup", "--to", str(tiny_disk))
    assert list(tiny_disk.iterdir()) == []
