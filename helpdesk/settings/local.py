"""The embedded default for a laptop: ``make run`` (SQLite, file mail, filesystem broker)."""

from helpdesk.settings.base import *  # noqa: F403
from helpdesk.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])

# A development key for the credential vault, for this embedded default only: production
# has no default (see production.py), and demo data encrypted with it is not a secret.
VAULT_KEYS = env.list("VAULT_KEYS", default=["hVrxVk_DzL2tzeLWch4qz7cRaKhw59JPomJGpehAq0k="])
