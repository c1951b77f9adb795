from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The email outbox: rows written with the change that causes them, sent by Celery."""

    name = "notifications"
    verbose_name = _("Notifications")
