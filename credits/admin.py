"""Django admin: packs and credit settings are edited here; the ledger is read-only, and
credits are corrected only through "Adjust credits" (a ledger entry with a reason)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.security import recent_auth_required
from credits import services
from credits.forms import AdjustmentForm
from credits.models import CreditSettings, Hold, LedgerEntry, Lot, Pack, Statement, Wallet
from helpdesk.admin import ReadOnlyAdmin


@admin.register(Pack)
class PackAdmin(admin.ModelAdmin):
    list_display = (
        "credits",
        "price",
        "discount_percent",
        "kind",
        "validity_days",
        "active",
        "position",
    )
    list_editable = ("kind", "validity_days", "active", "position")
    list_filter = ("active", "kind")
    ordering = ("position", "credits")

    @admin.display(description=_("discount (%)"))
    def discount_percent(self, pack):
        return pack.discount_percent


@admin.register(CreditSettings)
class CreditSettingsAdmin(admin.ModelAdmin):
    """One row (VAT rate, validity periods): add it once, change it, never delete it."""

    list_display = ("__str__", "vat_rate", "registration_validity_days", "expiry_warning_days")

    def has_add_permission(self, request):
        return not CreditSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


def _adjust_link(organization_id) -> str:
    url = reverse("admin:credits_ledgerentry_adjust")
    return format_html('<a href="{}?organization={}">{}</a>', url, organization_id, _("Adjust"))


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdmin):
    list_display = ("organization", "balance", "held", "last_entry_at", "adjust")
    ordering = ("organization__name",)
    list_select_related = ("organization",)
    search_fields = ("organization__name",)

    @admin.display(description=_("adjust credits"))
    def adjust(self, wallet):
        return _adjust_link(wallet.organization_id)


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = (
        "organization",
        "kind",
        "granted",
        "remaining",
        "expires_at",
        "created_at",
        "expired_at",
        "reason",
    )
    list_filter = ("kind",)
    list_select_related = ("wallet__organization",)
    search_fields = ("wallet__organization__name", "reason")
    date_hierarchy = "created_at"

    @admin.display(description=_("organization"), ordering="wallet__organization__name")
    def organization(self, lot):
        return lot.wallet.organization


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "organization",
        "kind",
        "amount",
        "balance_after",
        "reference_label",
        "work_minutes",
        "reason",
        "actor",
    )
    list_filter = ("kind",)
    list_select_related = ("wallet__organization", "actor")
    search_fields = ("wallet__organization__name", "reason", "reference_label", "idempotency_key")
    date_hierarchy = "created_at"

    @admin.display(description=_("organization"), ordering="wallet__organization__name")
    def organization(self, entry):
        return entry.wallet.organization

    def get_urls(self):
        adjust = path(
            "adjust/",
            # Step-up: a manual adjustment asks for a fresh second-factor code.
            self.admin_site.admin_view(recent_auth_required(self.adjust_view)),
            name="credits_ledgerentry_adjust",
        )
        return [adjust, *super().get_urls()]

    def adjust_view(self, request: HttpRequest) -> HttpResponse:
        """A manual adjustment: always a reason, the admin recorded as the actor."""
        if not (request.user.is_staff and self.has_view_permission(request)):
            raise PermissionDenied
        initial = {}
        if organization_id := request.GET.get("organization", "").strip():
            initial["organization"] = organization_id
        form = AdjustmentForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.adjust(
                    data["organization"],
                    data["credits"],
                    reason=data["reason"],
                    actor=request.user,
                    idempotency_key=data["idempotency_key"],
                )
            except services.CreditsError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(
                    request,
                    gettext("%(organization)s: %(amount)+d credits; balance now %(balance)s.")
                    % {
                        "organization": data["organization"],
                        "amount": entry.amount,
                        "balance": entry.balance_after,
                    },
                    messages.SUCCESS,
                )
                changelist = reverse("admin:credits_ledgerentry_changelist")
                return redirect(f"{changelist}?wallet__id__exact={entry.wallet_id}")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Adjust credits"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/credits/ledgerentry/adjust.html", context)


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "wallet", "amount", "status", "reference_label", "closed_at")
    list_filter = ("status",)
    list_select_related = ("wallet__organization",)
    search_fields = ("wallet__organization__name", "reason", "reference_label")


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "organization", "start", "end", "status", "movement_count")
    list_filter = ("status",)
    list_select_related = ("organization",)
    search_fields = ("organization__name",)
    exclude = ("file",)
