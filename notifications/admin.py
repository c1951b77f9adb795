"""The outbox in Django admin: pending, sent and failed mail, read-only, with a preview and a
resend action for failed mail."""

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import truncatechars
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin

from notifications import services
from notifications.models import OutboxEmail
from notifications.rendering import render_email

# The preview shows an email as a mail client would: its inline styles are allowed there
# (and only there), no scripts, no requests, framed only by the admin page itself.
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


def _render(email: OutboxEmail):
    name = email.recipient.get_short_name() if email.recipient_id else ""
    return render_email(email.kind, email.context, language=email.language, recipient_name=name)


@admin.register(OutboxEmail)
class OutboxEmailAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "to_email",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "kind", "language", "created_at")
    search_fields = ("to_email", "subject", "dedupe_key", "recipient__full_name", "last_error")
    date_hierarchy = "created_at"
    actions = ["resend_failed"]
    fieldsets = (
        (None, {"fields": ("kind", "status", "recipient", "to_email", "language", "subject")}),
        (
            _("Delivery"),
            {
                "fields": (
                    "created_at",
                    "attempts",
                    "next_attempt_at",
                    "enqueued_at",
                    "sent_at",
                    "failed_at",
                    "last_error",
                    "dedupe_key",
                )
            },
        ),
        (_("Content"), {"fields": ("context", "attachments", "preview_text", "preview_html")}),
    )
    readonly_fields = ("preview_text", "preview_html")

    class Media:
        css = {"all": ["css/notifications-admin.css"]}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resend_permission(self, request):
        return request.user.is_staff and self.has_view_permission(request)

    @admin.display(description=_("last error"))
    def short_error(self, email):
        return truncatechars(email.last_error, 80)

    @admin.display(description=_("plain text"))
    def preview_text(self, email):
        try:
            rendered = _render(email)
        except Exception as exc:  # show why it cannot be rendered, like the worker would
            return format_html("<strong>{}</strong> {}", _("Cannot render:"), exc)
        return format_html(
            '<p><strong>{}</strong></p><pre class="outbox-preview-text">{}</pre>',
            rendered.subject,
            rendered.text,
        )

    @admin.display(description=_("HTML"))
    def preview_html(self, email):
        url = reverse("admin:notifications_outboxemail_preview", args=[email.pk])
        return format_html(
            '<iframe src="{}" sandbox="" title="{}" class="outbox-preview-html" '
            'width="700" height="720"></iframe>',
            url,
            _("HTML preview"),
        )

    def get_urls(self):
        preview = self.admin_site.admin_view(xframe_options_sameorigin(self.preview_view))
        return [
            path("<int:pk>/preview/", preview, name="notifications_outboxemail_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The email's HTML part, rendered now from its stored context."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        email = get_object_or_404(OutboxEmail, pk=pk)
        try:
            html = _render(email).html
        except Exception as exc:
            response = HttpResponse(f"{_('Cannot render:')} {exc}", content_type="text/plain")
        else:
            response = HttpResponse(html)
        response["Content-Security-Policy"] = PREVIEW_POLICY
        return response

    @admin.action(description=_("Send the selected failed emails again"), permissions=["resend"])
    def resend_failed(self, request, queryset):
        count = services.resend(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d failed email queued again.",
                "%(count)d failed emails queued again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )


from notifications import webhook_admin  # noqa: E402, F401  (registers the webhook admin)
