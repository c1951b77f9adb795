from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        # When an admin edits the SLA configuration, every process rebuilds its cached
        # calendar (cache invalidation only; no business happens in these receivers).
        from accounts.approvals import approval_deciding
        from credits import hooks
        from tickets import calendars, checks  # noqa: F401  (checks registers itself)
        from tickets.models import BusinessCalendar, Closure, OpeningHours, SlaTarget
        from tickets.services import approvals, estimates

        for model in (BusinessCalendar, OpeningHours, Closure, SlaTarget):
            for signal in (post_save, post_delete):
                signal.connect(
                    calendars.invalidate, sender=model, dispatch_uid=f"sla-config-{model.__name__}"
                )

        # New credits may cover an estimate that waits on them (tickets.services.estimates).
        hooks.credits_added.connect(
            estimates.credits_added, dispatch_uid="tickets-resume-covered-estimates"
        )

        # A manager's decision accepts or declines the estimate, or charges the resolution,
        # that waited for it, in the decision's transaction (tickets.services.approvals).
        approval_deciding.connect(
            approvals.approval_deciding, dispatch_uid="tickets-approval-deciding"
        )
