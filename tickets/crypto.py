"""Encryption of the credential vault: Fernet tokens under ``settings.VAULT_KEYS``.

``VAULT_KEYS`` lists Fernet keys newest first. The newest encrypts; every key decrypts,
so that after adding a new key in front the old tokens still open until
``manage.py rotate_vault_keys`` re-encrypts them with it (then drop the old key).
Nothing here logs or prints a decrypted value.
"""

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from tickets.errors import VaultError


def key_problems(keys) -> list[str]:
    """What is wrong with a list of keys (empty when every key is a valid Fernet key)."""
    problems = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            problems.append(f"VAULT_KEYS entry {position} is not a valid Fernet key")
    return problems


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise VaultError(_("No vault key is configured (VAULT_KEYS)."))
    if key_problems(keys):
        raise VaultError(_("A vault key in VAULT_KEYS is not a valid Fernet key."))
    return MultiFernet([Fernet(key) for key in keys])


def vault() -> MultiFernet:
    """The MultiFernet of the configured keys. Raises VaultError."""
    return _fernet(tuple(settings.VAULT_KEYS))


@sensitive_variables("fields", "data")
def encrypt(fields: dict[str, str]) -> str:
    """A token (text) of ``fields`` under the newest key. Raises VaultError."""
    data = json.dumps(fields, ensure_ascii=False, sort_keys=True).encode()
    return vault().encrypt(data).decode("ascii")


@sensitive_variables()
def decrypt(token: str) -> dict[str, str]:
    """The fields of a token. Raises VaultError (no key opens it)."""
    try:
        return json.loads(vault().decrypt(token.encode("ascii")))
    except InvalidToken as exc:
        raise VaultError() from exc


def rotate(token: str) -> str:
    """The same fields under the newest key. Raises VaultError."""
    try:
        return vault().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise VaultError() from exc
