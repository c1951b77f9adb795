"""Backups you can restore: ``manage.py backup`` and ``manage.py restore`` (issue 13).

A backup is a folder ``helpdesk-<UTC time>/`` with ``database.dump`` (``pg_dump -Fc``: one
consistent snapshot, taken in a single repeatable-read transaction while the site runs),
``media.tar.gz`` (the uploads on the local disk) and ``manifest.json`` (what, when, sizes
and SHA-256). It goes to a folder or to an S3-compatible bucket (``s3://bucket/prefix``).
VAULT_KEYS are never in it: see README "Backups".

Every failure stops with a ``BackupError`` that names the problem and what to do; a
backup never replaces an existing one, and a restore never writes into a database that has
tables or over a media file that exists.
"""

import errno
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import OperationalError, connection

from helpdesk.errors import BackupError

DUMP, MEDIA, MANIFEST = "database.dump", "media.tar.gz", "manifest.json"


def _pg(database: dict) -> tuple[list[str], dict]:
    """Connection arguments and environment for pg_dump/pg_restore/psql."""
    args = ["-h", database["HOST"] or "localhost", "-p", str(database["PORT"] or 5432)]
    if database["USER"]:
        args += ["-U", database["USER"]]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "5"}
    if database["PASSWORD"]:
        env["PGPASSWORD"] = database["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed: apt-get install postgresql-client.")
    return path


def _require_postgresql(database: dict) -> None:
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            "Backups need PostgreSQL (DATABASE_URL=postgres://...); the embedded SQLite "
            "database is a file: copy var/ while nothing runs."
        )


def _check_reachable() -> None:
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        first = str(exc).strip().splitlines()[0]
        raise BackupError(
            f"The database is unreachable: {first}. Check DATABASE_URL and that PostgreSQL runs."
        ) from exc


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _disk_full(exc: OSError, where: Path) -> BackupError:
    return BackupError(
        f"The disk is full at {where}: free some space or write the backup elsewhere "
        "(--to). Nothing of this backup was kept."
    )


def create(target: str, *, now: datetime | None = None) -> str:
    """Write a backup to ``target`` (a folder or ``s3://bucket/prefix``); return where it is.

    Raises BackupError (database unreachable or not PostgreSQL, disk full, target exists).
    """
    database = connection.settings_dict
    _require_postgresql(database)
    _check_reachable()
    name = f"helpdesk-{(now or datetime.now(UTC)).strftime('%Y%m%dT%H%M%SZ')}"
    to_s3 = target.startswith("s3://")
    root = Path(tempfile.mkdtemp(prefix="helpdesk-backup-")) if to_s3 else Path(target)
    folder = root / name
    try:
        root.mkdir(parents=True, exist_ok=True)
        folder.mkdir()  # never an existing one: nothing is overwritten
    except FileExistsError as exc:
        raise BackupError(f"{folder} exists already: nothing was overwritten.") from exc
    except OSError as exc:
        raise BackupError(f"Cannot write to {root}: {exc.strerror}.") from exc
    try:
        _write(folder, database)
    except OSError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        if exc.errno == errno.ENOSPC:
            raise _disk_full(exc, root) from exc
        raise BackupError(f"Writing the backup to {root} failed: {exc}.") from exc
    except BackupError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if to_s3:
        try:
            return _upload(folder, target)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return str(folder)


def _write(folder: Path, database: dict) -> None:
    args, env = _pg(database)
    dump = folder / DUMP
    result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
        [_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-f", str(dump), *args,
         database["NAME"]],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        message = result.stderr.strip()
        if "No space left on device" in message:
            raise OSError(errno.ENOSPC, message)
        raise BackupError(f"pg_dump failed: {message}")
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / MEDIA, "w:gz") as archive:
        if media_root.is_dir():
            archive.add(media_root, arcname="media")
    manifest = {
        "created": datetime.now(UTC).isoformat(),
        "database": database["NAME"],
        "files": {
            item: {"bytes": (folder / item).stat().st_size, "sha256": _sha256(folder / item)}
            for item in (DUMP, MEDIA)
        },
        "media_storage": settings.STORAGES["default"]["BACKEND"],
        "vault_keys_included": False,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))


def _s3_client():
    import boto3

    options = settings.STORAGES["default"].get("OPTIONS", {})
    return boto3.client(
        "s3",
        endpoint_url=options.get("endpoint_url") or os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        aws_access_key_id=options.get("access_key") or os.environ.get("AWS_ACCESS_KEY_ID"),
        aws_secret_access_key=options.get("secret_key") or os.environ.get("AWS_SECRET_ACCESS_KEY"),
    )


def _upload(folder: Path, target: str) -> str:
    parts = urlsplit(target)
    prefix = "/".join(p for p in (parts.path.strip("/"), folder.name) if p)
    client = _s3_client()
    existing = client.list_objects_v2(Bucket=parts.netloc, Prefix=prefix + "/", MaxKeys=1)
    if existing.get("KeyCount"):
        raise BackupError(f"s3://{parts.netloc}/{prefix}/ exists already: nothing overwritten.")
    for item in (DUMP, MEDIA, MANIFEST):
        client.upload_file(str(folder / item), parts.netloc, f"{prefix}/{item}")
    return f"s3://{parts.netloc}/{prefix}/"


def _download(source: str) -> Path:
    parts = urlsplit(source)
    prefix = parts.path.strip("/")
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-restore-"))
    client = _s3_client()
    for item in (DUMP, MEDIA, MANIFEST):
        client.download_file(parts.netloc, f"{prefix}/{item}", str(folder / item))
    return folder


def table_count(database: dict) -> int:
    """Tables in the public schema of ``database`` (0 = an empty database)."""
    args, env = _pg(database)
    result = subprocess.run(  # noqa: S603
        [_tool("psql"), *args, "-d", database["NAME"], "-tAc",
         "select count(*) from information_schema.tables where table_schema = 'public'"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no answer"])[0]
        raise BackupError(
            f"The database {database['NAME']} is unreachable: {first}. Create it empty "
            "(createdb) and check DATABASE_URL."
        )
    return int(result.stdout.strip())


def restore(source: str) -> str:
    """Restore the backup at ``source`` (folder or s3://...) into the configured database,
    which must be empty, and its media into MEDIA_ROOT, which must not hold those files.

    Raises BackupError (not a backup, checksum mismatch, database not empty or
    unreachable, a media file exists).
    """
    database = connection.settings_dict
    _require_postgresql(database)
    folder = _download(source) if source.startswith("s3://") else Path(source)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{folder} is not a backup (no {MANIFEST}).")
    manifest = json.loads(manifest_path.read_text())
    for item, expected in manifest["files"].items():
        if _sha256(folder / item) != expected["sha256"]:
            raise BackupError(f"{item} does not match its checksum: the backup is damaged.")
    connection.close()  # the check below and pg_restore use their own connections
    tables = table_count(database)
    if tables:
        raise BackupError(
            f"The database {database['NAME']} is not empty ({tables} tables): restore into a "
            "new, empty database (createdb NAME, then DATABASE_URL=.../NAME). Nothing changed."
        )
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / MEDIA, "r:gz") as archive:
        members = [m for m in archive.getmembers() if m.isfile()]
        relative = [m.name.removeprefix("media/") for m in members]
        clashes = [name for name in relative if (media_root / name).exists()]
    if clashes:
        raise BackupError(
            f"{len(clashes)} media file(s) exist already under {media_root} (e.g. "
            f"{clashes[0]}): restore into an empty MEDIA_ROOT. Nothing changed."
        )
    args, env = _pg(database)
    result = subprocess.run(  # noqa: S603
        [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", *args,
         "-d", database["NAME"], str(folder / DUMP)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA, "r:gz") as archive:
        for member in archive.getmembers():
            if member.isfile():
                member.name = member.name.removeprefix("media/")
                archive.extract(member, media_root, filter="data")
    return database["NAME"]
