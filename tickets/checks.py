"""System checks of the tickets app (``manage.py check``)."""

from django.conf import settings
from django.core.checks import Error, register

from tickets.crypto import key_problems


@register()
def vault_keys_check(app_configs, **kwargs):
    """Every key of VAULT_KEYS is a Fernet key (32 url-safe base64-encoded bytes)."""
    return [
        Error(
            problem,
            hint='Generate one with: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"',
            id="tickets.E001",
        )
        for problem in key_problems(getattr(settings, "VAULT_KEYS", []))
    ]
