from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from .models import LoginEvent, Organization, User


class UserInline(admin.TabularInline):
    model = User
    fields = ("email", "full_name", "language", "org_role", "is_active")
    extra = 0
    show_change_link = True


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "tax_id", "city", "language", "low_balance_threshold", "is_active")
    list_filter = ("is_active", "language")
    search_fields = ("name", "tax_id", "email")
    fieldsets = (
        (None, {"fields": ("name", "tax_id", "is_active")}),
        (
            _("Billing"),
            {
                "fields": (
                    "email",
                    "phone",
                    "address",
                    "postal_code",
                    "city",
                    "province",
                    "country",
                )
            },
        ),
        (_("Preferences"), {"fields": ("language", "low_balance_threshold")}),
        (_("Team"), {"fields": ("members_see_all_tickets",)}),
    )
    inlines = [UserInline]


class AdminUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "role", "organization", "org_role", "full_name", "language")


class AdminUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = (
            "email",
            "password",
            "full_name",
            "phone",
            "language",
            "role",
            "organization",
            "org_role",
            "is_active",
            "is_superuser",
        )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = AdminUserCreationForm
    form = AdminUserChangeForm
    ordering = ("email",)
    list_display = (
        "email",
        "full_name",
        "role",
        "organization",
        "org_role",
        "language",
        "is_active",
    )
    list_filter = ("role", "org_role", "is_active", "language")
    list_select_related = ("organization",)
    search_fields = ("email", "full_name", "organization__name")
    autocomplete_fields = ("organization",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "phone", "language")}),
        (
            _("Role"),
            {"fields": ("role", "organization", "org_role", "is_active", "is_superuser")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "role",
                    "organization",
                    "org_role",
                    "full_name",
                    "language",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ()
    actions = ["reset_second_factor"]

    @admin.action(description=_("Reset the second factor (lost device)"))
    def reset_second_factor(self, request, queryset):
        from .security import reset_second_factor

        for user in queryset:
            reset_second_factor(user, by=request.user, request=request)
        self.message_user(
            request,
            _("Second factor reset for %(count)d users: they set up a new one at next login.")
            % {"count": len(queryset)},
        )


@admin.register(LoginEvent)
class LoginEventAdmin(admin.ModelAdmin):
    """The login audit, read-only."""

    list_display = (
        "created_at",
        "kind",
        "detail",
        "email",
        "user",
        "ip_address",
        "user_agent",
        "by",
    )
    list_filter = ("kind",)
    search_fields = ("email", "ip_address", "user__email")
    list_select_related = ("user", "by")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebAuthnCredential)
class PasskeyAdmin(WebAuthnCredentialAdmin):
    """Users' passkeys (django-otp-webauthn's admin, which the library leaves unregistered).
    Deleting one here is recorded and ends the user's sessions, as an admin reset does."""

    search_fields = ("name", "user__email")

    def _removed(self, request, passkey):
        from django.db.models import F

        from .security import record

        record(
            LoginEvent.Kind.PASSKEY_REMOVED,
            request,
            user=passkey.user,
            by=request.user,
            detail=passkey.name,
        )
        User.objects.filter(pk=passkey.user_id).update(session_epoch=F("session_epoch") + 1)

    def delete_model(self, request, obj):
        self._removed(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for passkey in queryset.select_related("user"):
            self._removed(request, passkey)
        super().delete_queryset(request, queryset)
