"""Django admin for charging: the versioned policy (saving the current version writes a new
one; older versions are read-only), and read-only views of time entries, charges,
estimates and quotes, and the access-data reveal log (never a secret)."""

from django.contrib import admin, messages
from django.db.models import Subquery
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpdesk.admin import ReadOnlyAdmin
from tickets import services
from tickets.models import (
    ChargingPolicy,
    Credential,
    CredentialReveal,
    Estimate,
    TicketCharge,
    TimeEntry,
)
from tickets.selectors import charging as charging_selectors

POLICY_FIELDS = (
    "consultation_minimum",
    "intervention_minimum",
    "block_size",
    "call_surcharge",
    "security_update_flat",
    "credits_per_minute",
)


@admin.register(ChargingPolicy)
class ChargingPolicyAdmin(admin.ModelAdmin):
    """Saving the current version (or adding one) writes a new version; charges keep the
    version they were made with."""

    list_display = ("version", *POLICY_FIELDS, "created_at", "created_by", "is_current")
    list_select_related = ("created_by",)
    fields = POLICY_FIELDS
    readonly_fields = ()

    def get_queryset(self, request):
        latest = ChargingPolicy.objects.order_by("-version").values("version")[:1]
        return super().get_queryset(request).annotate(latest_version=Subquery(latest))

    @admin.display(description=_("current"), boolean=True)
    def is_current(self, policy):
        return policy.version == getattr(policy, "latest_version", None)

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self.is_current(obj):
            return False  # older versions are read-only
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changeform_initial_data(self, request):
        current = charging_selectors.current_policy()
        return {name: getattr(current, name) for name in POLICY_FIELDS}

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return
        try:
            new = services.publish_policy(
                by=request.user, **{name: form.cleaned_data[name] for name in POLICY_FIELDS}
            )
        except ValueError as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return
        # The admin continues with the new version (its page, its message).
        obj.pk, obj.version, obj._state.adding = new.pk, new.version, False
        self.message_user(
            request,
            gettext(
                "Version %(version)s is now the charging policy: tickets resolved from now on "
                "are charged with it. Earlier charges keep their version."
            )
            % {"version": new.version},
            messages.INFO,
        )


@admin.register(TimeEntry)
class TimeEntryAdmin(ReadOnlyAdmin):
    list_display = ("work_date", "ticket", "technician", "minutes", "channel", "charge")
    list_filter = ("channel", "work_date")
    list_select_related = ("ticket", "technician", "charge")
    search_fields = ("ticket__reference", "technician__email", "note")
    date_hierarchy = "work_date"


@admin.register(TicketCharge)
class TicketChargeAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "ticket",
        "number",
        "outcome",
        "minutes",
        "computed",
        "credits",
        "balance_after",
        "policy",
    )
    list_filter = ("outcome", "kind")
    list_select_related = ("ticket", "policy")
    search_fields = ("ticket__reference", "ticket__organization__name")
    date_hierarchy = "created_at"


@admin.register(Estimate)
class EstimateAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "ticket", "kind", "credits", "status", "decided_by")
    list_filter = ("kind", "status")
    list_select_related = ("ticket", "decided_by")
    search_fields = ("ticket__reference", "ticket__organization__name", "description")
    date_hierarchy = "created_at"


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    """Which access data exists; the encrypted fields are never shown here."""

    list_display = ("label", "organization", "ticket", "kind", "created_at")
    list_filter = ("kind",)
    list_select_related = ("organization", "ticket")
    search_fields = ("label", "organization__name")
    fields = ("organization", "ticket", "label", "kind", "created_by", "created_at")


@admin.register(CredentialReveal)
class CredentialRevealAdmin(ReadOnlyAdmin):
    list_display = ("revealed_at", "label", "organization", "ticket", "revealed_by")
    list_filter = ("revealed_at",)
    list_select_related = ("organization", "ticket", "revealed_by")
    search_fields = ("label", "organization__name", "revealed_by__email")
    date_hierarchy = "revealed_at"
