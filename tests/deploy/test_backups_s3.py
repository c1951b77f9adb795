"""Backups to an S3-compatible bucket, for real over HTTP: moto's standalone S3 server
stands in for AWS, MinIO or Ceph (boto3 speaks the same protocol to all of them). Back up,
refuse to overwrite, restore into a fresh database and check the copy."""

import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from billing import services as billing
from helpdesk import backups
from tests.accounts.factories import OrganizationFactory
from tests.billing.factories import order
from tests.deploy.test_backups import _manage, _url, media, restore_database  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "backup-test",
    "AWS_SECRET_ACCESS_KEY": "backup-test-secret",
    "AWS_DEFAULT_REGION": "eu-west-1",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def s3(monkeypatch):
    """A real S3 API server on a local port, with an empty bucket ``backups``."""
    server = Path(sys.executable).with_name("moto_server")
    if not server.exists():
        pytest.fail("moto_server is missing: `make install-dev` installs moto[server]")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603 - our own venv's server
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        for name, value in CREDENTIALS.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("AWS_S3_ENDPOINT_URL", endpoint)
        client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-1")
        client.create_bucket(
            Bucket="backups", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        yield endpoint, client
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_backup_to_a_bucket_restores_into_a_fresh_database(media, restore_database, s3, tmp_path):  # noqa: F811
    endpoint, client = s3
    organization = OrganizationFactory()
    for i in range(2):
        billing.confirm_payment(order(organization, 15), provider_reference=f"s3-{i}")
    stored = default_storage.save("attachments/s3.txt", ContentFile(b"kept in the bucket\n"))

    call_command("backup", "--to", "s3://backups/nightly")
    listing = client.list_objects_v2(Bucket="backups", Prefix="nightly/")
    keys = sorted(item["Key"].rsplit("/", 1)[1] for item in listing["Contents"])
    assert keys == ["database.dump", "manifest.json", "media.tar.gz"]
    prefix = listing["Contents"][0]["Key"].rsplit("/", 1)[0]

    copy_env = {
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
        "DATABASE_URL": _url(restore_database),
        "HELPDESK_VAR_DIR": str(tmp_path / "copy-var"),
        "MEDIA_ROOT": str(tmp_path / "copy-media"),
        "CONN_MAX_AGE": "0",
        "AWS_S3_ENDPOINT_URL": endpoint,
        **CREDENTIALS,
    }
    restored = _manage("restore", f"s3://backups/{prefix}/", env=copy_env)
    assert restored.returncode == 0, restored.stderr
    assert (tmp_path / "copy-media" / stored).read_bytes() == b"kept in the bucket\n"
    invoices = _manage("check_invoices", env=copy_env)
    assert invoices.returncode == 0, invoices.stdout + invoices.stderr
    assert "Invoices OK: 2 checked, no gaps." in invoices.stdout
    ledger = _manage("check_ledger", env=copy_env)
    assert ledger.returncode == 0, ledger.stdout + ledger.stderr


def test_a_backup_never_overwrites_one_already_in_the_bucket(media, s3):  # noqa: F811
    _, client = s3
    moment = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    first = backups.create("s3://backups/nightly", now=moment)
    before = {o["Key"]: o["ETag"] for o in client.list_objects_v2(Bucket="backups")["Contents"]}
    default_storage.save("attachments/later.txt", ContentFile(b"after the first backup"))
    with pytest.raises(backups.BackupError, match="exists already: nothing overwritten"):
        backups.create("s3://backups/nightly", now=moment)
    after = {o["Key"]: o["ETag"] for o in client.list_objects_v2(Bucket="backups")["Contents"]}
    assert after == before
    assert first == "s3://backups/nightly/helpdesk-20261202T030000Z/"
