"""The Celery app. Configuration comes from Django settings (``CELERY_*``)."""

import os

from celery import Celery

# Request ids reach the tasks; the worker logs with Django's LOGGING (deploy).
import helpdesk.logging  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")

app = Celery("helpdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_filesystem_broker_folders(sender, **kwargs):
    """The filesystem transport (embedded default) needs its folders to exist."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if folder := options.get(key):
            os.makedirs(folder, exist_ok=True)
