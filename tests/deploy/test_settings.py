"""Configuration that cannot half-work: empty means "not set", and production refuses to
start (and ``check --deploy`` fails) naming what is missing or contradictory."""

import json

import pytest

from tests.deploy.conftest import run_python

SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'broker': s.CELERY_BROKER_URL, 'variant': s.PAYMENT_VARIANT, "
    "'email': s.EMAIL_BACKEND, 'cache': s.CACHES['default']['BACKEND'], "
    "'sessions': s.SESSION_ENGINE, 'media': s.STORAGES['default']['BACKEND']}))"
)


def _settings(env) -> dict:
    result = run_python(SHOW, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _check_deploy(env):
    return run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)


def test_complete_production_environment_passes_check_deploy(production_env):
    result = _check_deploy(production_env)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_empty_broker_variable_falls_back_to_redis_url(production_env):
    production_env["CELERY_BROKER_URL"] = ""
    assert _settings(production_env)["broker"] == "redis://redis.invalid:6379/0"


def test_empty_payment_variant_still_selects_stripe_when_its_keys_are_set(production_env):
    production_env.update(
        PAYMENT_VARIANT="", STRIPE_SECRET_KEY="sk_test_1", STRIPE_WEBHOOK_SECRET="whsec_1"
    )
    assert _settings(production_env)["variant"] == "stripe"


def test_media_go_to_the_s3_bucket_when_one_is_configured(production_env):
    assert _settings(production_env)["media"] == "django.core.files.storage.FileSystemStorage"
    production_env.update(AWS_STORAGE_BUCKET_NAME="helpdesk-media", AWS_S3_ENDPOINT_URL="")
    assert _settings(production_env)["media"] == "storages.backends.s3.S3Storage"


def test_production_cache_is_shared_by_every_web_process(production_env):
    assert _settings(production_env)["cache"] == "django.core.cache.backends.redis.RedisCache"


def test_empty_variables_in_local_settings_use_the_defaults(production_env):
    env = dict.fromkeys(production_env, "") | {
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
        "HELPDESK_VAR_DIR": "/tmp/helpdesk-deploy-test-var",  # noqa: S108
    }
    found = _settings(env)
    assert found["broker"] == "filesystem://"
    assert found["email"] == "django.core.mail.backends.filebased.EmailBackend"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"REDIS_URL": "", "CELERY_BROKER_URL": ""}, "Celery broker"),
        ({"REDIS_URL": " "}, "Celery broker"),
        ({"REDIS_URL": "", "CELERY_BROKER_URL": "redis://r.invalid:6379/1"}, "per process"),
        ({"EMAIL_URL": ""}, "EMAIL_URL is not set"),
        ({"EMAIL_URL": "consolemail://"}, "delivers to nobody"),
        ({"STRIPE_SECRET_KEY": "sk_live_1"}, "STRIPE_WEBHOOK_SECRET is missing"),
        ({"STRIPE_WEBHOOK_SECRET": "whsec_1"}, "STRIPE_SECRET_KEY is missing"),
        ({"PAYMENT_VARIANT": "stripe"}, "PAYMENT_VARIANT='stripe' has no provider"),
        ({"PAYMENT_VARIANT": "dummy"}, "test provider"),
        ({"VAULT_KEYS": ""}, "VAULT_KEYS is not set"),
        ({"VAULT_KEYS": "not-a-key"}, "VAULT_KEYS key 1 is not a Fernet key"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is missing"),
        ({"DATABASE_URL": ""}, "DATABASE_URL is not set"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is not set"),
    ],
)
def test_production_refuses_to_start_naming_the_problem(production_env, change, named):
    production_env.update(change)
    result = _check_deploy(production_env)
    assert result.returncode != 0
    assert "Production settings are incomplete" in result.stderr
    assert named in result.stderr


def test_every_problem_is_named_at_once(production_env):
    production_env.update(VAULT_KEYS="", EMAIL_URL="", REDIS_URL="")
    result = _check_deploy(production_env)
    assert result.returncode != 0
    for named in ("VAULT_KEYS", "EMAIL_URL", "Celery broker"):
        assert named in result.stderr


def test_deploy_check_reports_the_same_problems_for_other_settings_modules(production_env):
    env = production_env | {
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings.local",
        "EMAIL_URL": "consolemail://",
        "HELPDESK_VAR_DIR": "/tmp/helpdesk-deploy-test-var",  # noqa: S108
    }
    result = _check_deploy(env)
    assert result.returncode != 0
    assert "helpdesk.E100" in result.stderr
    assert "delivers to nobody" in result.stderr
