"""Admin of webhook endpoints and deliveries (with their responses, and resend).
Imported by ``notifications.admin``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from notifications import webhooks
from notifications.webhook_models import WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = [
        "url",
        "organization",
        "created_by",
        "is_active",
        "paused_at",
        "consecutive_failures",
    ]
    list_filter = ["is_active", ("paused_at", admin.EmptyFieldListFilter)]
    search_fields = ["url", "organization__name", "created_by__email"]
    readonly_fields = ["organization", "created_by", "secret", "consecutive_failures", "created_at"]
    actions = ["resume"]

    def has_add_permission(self, request):
        return False  # created on the webhooks page, where the URL is checked

    @admin.action(description=_("Resume the selected endpoints"))
    def resume(self, request, queryset):
        for endpoint in queryset:
            webhooks.resume_endpoint(endpoint)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "endpoint", "status", "attempts", "response_status", "created_at"]
    list_filter = ["status", "event"]
    search_fields = ["message_id", "endpoint__url"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Resend the selected deliveries"))
    def resend(self, request, queryset):
        for delivery in queryset:
            webhooks.resend(delivery)
        self.message_user(request, _("The deliveries will be sent again."))
