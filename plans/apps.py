from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans and automatic recharge")

    def ready(self):
        from billing import hooks as billing_hooks
        from credits import hooks
        from plans.receivers import card_setup_event, credits_consumed

        # After a deduction commits, an automatic recharge may be due (plans.services).
        hooks.credits_consumed.connect(credits_consumed, dispatch_uid="plans.auto_recharge")
        # Stripe's webhook about a card saved on its page (plans.services.cards).
        billing_hooks.card_setup_event.connect(card_setup_event, dispatch_uid="plans.card_setup")
