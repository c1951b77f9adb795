"""Django admin: plans are configured here; subscriptions are made through the service."""

from django import forms
from django.contrib import admin, messages
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from helpdesk.admin import ReadOnlyAdmin
from plans import services
from plans.models import (
    AutoPurchase,
    AutoRecharge,
    CardSetup,
    PaymentMethod,
    Plan,
    PlanPeriod,
    Subscription,
)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "credits", "price", "rollover", "active", "position")
    list_editable = ("active", "position")


class PlanPeriodInline(admin.TabularInline):
    model = PlanPeriod
    extra = 0
    can_delete = False
    fields = (
        "number",
        "plan",
        "starts_at",
        "ends_at",
        "credits",
        "credits_expire_at",
        "order",
        "status",
        "decline_message",
        "attempt",
        "first_declined_at",
        "auto_retries",
        "next_retry_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class SubscribeForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ("organization", "plan")


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = (
        "organization",
        "plan",
        "next_plan",
        "status",
        "current_period_end",
        "cancel_at_period_end",
        "next_retry",
    )
    list_filter = ("status", "plan")
    search_fields = ("organization__name",)
    inlines = [PlanPeriodInline]
    actions = ["cancel_at_end"]
    readonly_fields = (
        "organization",
        "plan",
        "next_plan",
        "status",
        "started_at",
        "current_number",
        "current_period_end",
        "cancel_at_period_end",
        "ended_at",
        "created_by",
    )

    def get_queryset(self, request):
        """With the current period's next automatic retry (dunning), in one query."""
        retry = PlanPeriod.objects.filter(
            subscription=OuterRef("pk"), number=OuterRef("current_number")
        ).values("next_retry_at")[:1]
        return (
            super()
            .get_queryset(request)
            .select_related("organization", "plan", "next_plan")
            .annotate(next_retry_at=Subquery(retry))
        )

    @admin.display(description=_("next automatic retry"), ordering="next_retry_at")
    def next_retry(self, obj):
        return getattr(obj, "next_retry_at", None)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = SubscribeForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        return ("organization", "plan") if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        """Adding: ``services.subscribe`` (the first period charged to the saved card)."""
        if change:
            return
        try:
            period = services.subscribe(obj.organization, obj.plan, user=request.user)
        except services.PlansError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            obj.pk = None
            return
        obj.pk = period.subscription_id

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            from django.shortcuts import redirect

            return redirect("admin:plans_subscription_add")
        return super().response_add(request, obj, post_url_continue)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Cancel at the end of the period"))
    def cancel_at_end(self, request, queryset):
        for subscription in queryset:
            try:
                services.cancel(subscription)
            except services.PlansError as exc:
                self.message_user(request, f"{subscription}: {exc.message}", messages.WARNING)


@admin.register(AutoRecharge)
class AutoRechargeAdmin(admin.ModelAdmin):
    list_display = ("organization", "enabled", "threshold", "pack", "monthly_cap", "stopped_reason")
    list_filter = ("enabled",)
    readonly_fields = (
        "organization",
        "threshold",
        "pack",
        "monthly_cap",
        "stopped_reason",
        "updated_at",
        "updated_by",
    )
    fields = ("organization", "enabled", *readonly_fields[1:])

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AutoPurchase)
class AutoPurchaseAdmin(ReadOnlyAdmin):
    list_display = ("order", "setting", "status", "balance_before", "created_at")
    list_filter = ("status",)


@admin.register(PaymentMethod)
class PaymentMethodAdmin(ReadOnlyAdmin):
    list_display = ("organization", "label", "variant", "active", "created_at")
    list_filter = ("active", "variant")


@admin.register(CardSetup)
class CardSetupAdmin(ReadOnlyAdmin):
    """Read-only: a visit to the provider's page is recorded by plans.services.cards only."""

    list_display = ("organization", "variant", "status", "created_at", "completed_at", "created_by")
    list_filter = ("status", "variant")
    search_fields = ("organization__name", "session_id", "customer_id")
    list_select_related = ("organization", "created_by")
    readonly_fields = (
        "organization",
        "variant",
        "token",
        "session_id",
        "customer_id",
        "status",
        "payment_method",
        "created_by",
        "created_at",
        "completed_at",
    )
    fields = readonly_fields
