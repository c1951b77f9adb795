"""Django admin: the mailboxes to poll (password written here, kept encrypted), the allowed
contacts, and every inbound message (read-only, downloadable as .eml, retried when failed)."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mailchannel import polling, services
from mailchannel.models import AllowedSender, InboundEmail, Mailbox
from tickets.crypto import VaultError


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("password"),
        widget=forms.PasswordInput(render_value=False),
        required=False,
        max_length=500,
        help_text=_("Kept encrypted. Leave empty to keep the current password."),
    )

    class Meta:
        model = Mailbox
        fields = (
            "name",
            "host",
            "port",
            "use_ssl",
            "tls_ca_certificate",
            "username",
            "password",
            "folder",
            "processed_folder",
            "active",
        )

    def clean_tls_ca_certificate(self):
        pem = self.cleaned_data.get("tls_ca_certificate", "").strip()
        if pem:
            import ssl

            try:
                ssl.create_default_context(cadata=pem)
            except (ssl.SSLError, ValueError) as exc:
                raise forms.ValidationError(
                    _("This is not a PEM certificate (-----BEGIN CERTIFICATE----- …).")
                ) from exc
        return pem

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password"):
            try:
                polling.set_password(self.instance, cleaned["password"])
            except VaultError as exc:
                raise forms.ValidationError(exc.message) from exc
        elif not self.instance.password_token:
            self.add_error("password", _("A new mailbox needs its password."))
        return cleaned


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ("name", "username", "host", "port", "active", "last_polled_at", "status")
    readonly_fields = ("last_polled_at", "last_error", "error_notified_at")
    actions = ("poll_now",)

    @admin.display(description=_("status"))
    def status(self, mailbox):
        if mailbox.last_error:
            return format_html('<span style="color:#b02a37">{}</span>', mailbox.last_error[:200])
        return _("OK")

    @admin.action(description=_("Poll the selected mailboxes now"))
    def poll_now(self, request, queryset):
        for mailbox in queryset:
            result = polling.poll(mailbox)
            if result.error:
                self.message_user(request, result.error, messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(mailbox)s: %(count)d messages stored.")
                    % {"mailbox": mailbox.name, "count": result.stored},
                )


@admin.register(AllowedSender)
class AllowedSenderAdmin(admin.ModelAdmin):
    list_display = ("email", "organization")
    search_fields = ("email", "organization__name")
    autocomplete_fields = ("organization",)


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ("received_at", "sender", "subject", "outcome", "ticket", "source", "eml")
    list_filter = ("outcome", "source", "mailbox")
    search_fields = ("sender", "subject", "message_key", "ticket__reference")
    list_select_related = ("ticket",)
    exclude = ("raw",)
    readonly_fields = [f.name for f in InboundEmail._meta.fields if f.name != "raw"] + ["eml"]
    actions = ("retry",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/eml/",
                self.admin_site.admin_view(self.download),
                name="mailchannel_inboundemail_eml",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("original"))
    def eml(self, record):
        url = reverse("admin:mailchannel_inboundemail_eml", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download .eml"))

    def download(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        record = get_object_or_404(InboundEmail, pk=pk)
        response = HttpResponse(bytes(record.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="message-{record.pk}.eml"'
        return response

    @admin.action(description=_("Process the selected failed messages again"))
    def retry(self, request, queryset):
        for record in queryset.filter(outcome=InboundEmail.Outcome.FAILED):
            try:
                result = services.retry(record)
            except Exception as exc:
                self.message_user(request, f"{record}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{record}: {result.outcome} — {result.reason}")
