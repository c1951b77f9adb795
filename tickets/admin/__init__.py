"""Django admin: what admins configure (products, contracts, the SLA calendar and targets),
the renewal requests to follow up, and tickets (read-mostly: the portal and queue work
them through the services)."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from tickets import selectors, services
from tickets.admin import charging  # noqa: F401  (registers the charging and vault admins)
from tickets.models import (
    Attachment,
    BusinessCalendar,
    Closure,
    Contract,
    Message,
    OpeningHours,
    Product,
    RenewalRequest,
    SlaTarget,
    StatusChange,
    Ticket,
)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "current_version", "obsolete_versions", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name",)


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("organization", "product", "version", "starts_on", "ends_on", "state")
    list_filter = ("product", "ends_on")
    list_select_related = ("organization", "product")
    search_fields = ("organization__name", "product__name", "version")
    autocomplete_fields = ("organization",)
    date_hierarchy = "ends_on"

    @admin.display(description=_("state today"))
    def state(self, contract):
        today = timezone.localdate()
        if contract.product.is_obsolete(contract.version):
            return _("Obsolete version")
        if contract.ends_on < today:
            return pgettext("contract", "Expired")
        if contract.starts_on > today:
            return _("Not started yet")
        return _("Active")


@admin.register(RenewalRequest)
class RenewalRequestAdmin(admin.ModelAdmin):
    list_display = ("created_at", "organization", "product", "reason", "requested_by", "handled_at")
    list_filter = ("reason", ("handled_at", admin.EmptyFieldListFilter))
    list_select_related = ("organization", "product", "requested_by")
    readonly_fields = (
        "organization",
        "product",
        "contract",
        "reason",
        "requested_by",
        "created_at",
    )
    fields = (*readonly_fields, "handled_at", "admin_note")
    actions = ["mark_handled"]

    def has_add_permission(self, request):
        return False  # clients request renewals from the portal

    @admin.action(description=_("Mark as handled"))
    def mark_handled(self, request, queryset):
        updated = queryset.filter(handled_at__isnull=True).update(handled_at=timezone.now())
        self.message_user(request, _("%(count)d requests marked as handled.") % {"count": updated})


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class ClosureInline(admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "national_holidays", "holiday_region", "is_default")
    inlines = [OpeningHoursInline, ClosureInline]


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ("severity", "hours", "business_hours", "warning_percent")
    list_editable = ("hours", "business_hours", "warning_percent")
    list_display_links = ("severity",)


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("created_at", "author", "is_internal", "body")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ("created_at", "name", "size", "content_type", "message", "uploaded_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    fields = ("created_at", "from_status", "to_status", "by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-mostly: tickets change through the portal and the queue (the services), so
    that the SLA clock, the history and the search index stay right."""

    list_display = (
        "reference",
        "subject",
        "organization",
        "product",
        "severity",
        "status",
        "due_at",
        "created_at",
    )
    list_filter = ("status", "severity", "kind", "channel")
    list_select_related = ("organization", "product")
    search_fields = ("reference", "subject", "organization__name")
    date_hierarchy = "created_at"
    inlines = [MessageInline, AttachmentInline, StatusChangeInline]
    fieldsets = (
        (None, {"fields": ("reference", "organization", "requester", "product", "contract")}),
        (
            _("Request"),
            {"fields": ("kind", "severity", "channel", "subject", "description", "assignees")},
        ),
        (
            _("Status"),
            {
                "fields": (
                    "status",
                    "out_of_scope_reason",
                    "created_at",
                    "resolved_at",
                    "closed_at",
                    "public_message_count",
                )
            },
        ),
        (
            _("SLA"),
            {
                "fields": (
                    "sla_target_hours",
                    "sla_business_hours",
                    "sla_started_at",
                    "sla_warning_at",
                    "due_at",
                    "sla_paused_at",
                )
            },
        ),
    )
    filter_horizontal = ("assignees",)

    def get_readonly_fields(self, request, obj=None):
        # Everything but the assignees (assigning has no rule beyond "staff").
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"] if f != "assignees"]

    def get_queryset(self, request):
        return selectors.tickets_visible_to(request.user)

    def save_related(self, request, form, formsets, change):
        """Assignees change through the services, so that each (un)assignment is recorded
        (who, when) like on the ticket page: being assigned opens the access data."""
        ticket = form.instance
        wanted = {user.pk: user for user in form.cleaned_data.get("assignees", [])}
        current = {user.pk: user for user in ticket.assignees.all()}
        for pk in sorted(set(wanted) - set(current)):
            services.assign(ticket, wanted[pk], by=request.user)
        for pk in sorted(set(current) - set(wanted)):
            services.unassign(ticket, current[pk], by=request.user)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
