from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from notifications.attachments import register_attachment_builder

        from . import checks  # noqa: F401 - registers the SITE_URL deploy check
        from .pdf import build_invoice_pdf
        from .verifactu import lifecycle  # noqa: F401 - logs the system's start and stop

        # Known to web processes and Celery workers alike (both load the apps).
        register_attachment_builder("invoice_pdf", build_invoice_pdf)
