"""Mail backends for tests, named by dotted path in ``settings.EMAIL_BACKEND``."""

import time

from django.core.mail.backends.locmem import EmailBackend


class SlowLocmemBackend(EmailBackend):
    """Django's locmem backend taking 0.2 s per message, like a real SMTP round trip, so
    that concurrent senders overlap."""

    def send_messages(self, messages):
        time.sleep(0.2)
        return super().send_messages(messages)
