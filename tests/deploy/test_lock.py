"""The lock files agree with pyproject.toml, and a disagreement is caught before installing."""

import importlib.util

from django.conf import settings

from tests.deploy.conftest import run_python

_spec = importlib.util.spec_from_file_location(
    "check_lock", settings.BASE_DIR / "requirements" / "check_lock.py"
)
check_lock = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_lock)


def test_committed_lock_files_satisfy_pyproject():
    result = run_python(["requirements/check_lock.py"], {})
    assert result.returncode == 0, result.stderr


def test_a_dependency_missing_from_the_lock_is_named(tmp_path):
    lock = tmp_path / "base.txt"
    lock.write_text("django==5.2.8 \\\n    --hash=sha256:00\n")
    found = check_lock.disagreements(["django>=5.2,<5.3", "django-storages[s3]>=1.14"], lock)
    assert found == ["django-storages[s3]>=1.14 is not in base.txt"]


def test_a_pin_outside_the_range_is_named(tmp_path):
    lock = tmp_path / "dev.txt"
    lock.write_text("Django==5.1.4\n")
    assert check_lock.disagreements(["django>=5.2,<5.3"], lock) == [
        "django<5.3,>=5.2 but dev.txt pins 5.1.4"
    ]
