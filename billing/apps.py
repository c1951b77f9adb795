from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from billing import checks  # noqa: F401 - registers the SITE_URL deploy check
        from billing.notify import INVOICE_PDF
        from billing.pdf import build_invoice_pdf
        from billing.verifactu import lifecycle  # noqa: F401 - logs the system's start and stop
        from notifications.attachments import register_attachment_builder

        # Known to web processes and Celery workers alike (both load the apps).
        register_attachment_builder(INVOICE_PDF, build_invoice_pdf)
