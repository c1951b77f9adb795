from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans and automatic recharge")

    def ready(self):
        from credits import hooks
        from plans.receivers import credits_consumed

        # After a deduction commits, an automatic recharge may be due (plans.services).
        hooks.credits_consumed.connect(credits_consumed, dispatch_uid="plans.auto_recharge")
