from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _
from django_otp_webauthn.admin import WebAuthnCredentialAdmin
from django_otp_webauthn.models import WebAuthnCredential

from accounts.models import Approval, Invitation, LoginEvent, Organization, User
from helpdesk.admin import ReadOnlyAdmin


class UserInlineFormSet(forms.BaseInlineFormSet):
    """The organization keeps an active manager (issue 19) when edited from its page."""

    def clean(self):
        super().clean()
        if any(self.errors) or self.instance.pk is None:
            return
        had_manager = self.instance.users.filter(
            role=User.Role.CLIENT, org_role=User.OrgRole.MANAGER, is_active=True
        ).exists()
        shown = {form.instance.pk for form in self.forms if form.instance.pk}
        managers = 0
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            role = data.get("org_role", form.instance.org_role)
            active = data.get("is_active", form.instance.is_active)
            if form.instance.role == User.Role.CLIENT and role == User.OrgRole.MANAGER and active:
                managers += 1
        hidden = (
            self.instance.users.filter(
                role=User.Role.CLIENT, org_role=User.OrgRole.MANAGER, is_active=True
            )
            .exclude(pk__in=shown)
            .exists()
        )
        if had_manager and not managers and not hidden:
            raise forms.ValidationError(_("The organization needs at least one active manager."))


class UserInline(admin.TabularInline):
    model = User
    formset = UserInlineFormSet
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
        (
            _("Team"),
            {
                "fields": (
                    "members_see_all_tickets",
                    "approval_threshold_credits",
                    "member_monthly_credit_limit",
                )
            },
        ),
    )
    inlines = [UserInline]


class AdminUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "role", "organization", "org_role", "full_name", "language")


class AdminUserChangeForm(UserChangeForm):
    def clean(self):
        cleaned = super().clean()
        from django.core.exceptions import ValidationError

        from accounts.people import leaves_a_manager

        if self.instance.pk and not leaves_a_manager(
            self.instance,
            org_role=cleaned.get("org_role", self.instance.org_role),
            is_active=cleaned.get("is_active", self.instance.is_active),
        ):
            raise ValidationError(
                _(
                    "This is the organization's last manager: make someone else a manager "
                    "before demoting or deactivating them."
                )
            )
        return cleaned

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
        from accounts.security import reset_second_factor

        for user in queryset:
            reset_second_factor(user, by=request.user, request=request)
        self.message_user(
            request,
            _("Second factor reset for %(count)d users: they set up a new one at next login.")
            % {"count": len(queryset)},
        )


@admin.register(LoginEvent)
class LoginEventAdmin(ReadOnlyAdmin):
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


@admin.register(WebAuthnCredential)
class PasskeyAdmin(WebAuthnCredentialAdmin):
    """Users' passkeys (django-otp-webauthn's admin, which the library leaves unregistered).
    Deleting one here is recorded and ends the user's sessions, as an admin reset does."""

    search_fields = ("name", "user__email")

    def _removed(self, request, passkey):
        from django.db.models import F

        from accounts.security import record

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


class InvitationAddForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ("organization", "email", "org_role", "language")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("This address already has an account."))
        return email


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations: admins may invite on an organization's behalf (the email is queued
    as when a manager invites); the link's token is never shown or stored."""

    list_display = (
        "email",
        "organization",
        "org_role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    )
    list_filter = ("org_role",)
    search_fields = ("email", "organization__name")
    list_select_related = ("organization",)
    autocomplete_fields = ("organization",)
    readonly_fields = (
        "organization",
        "email",
        "org_role",
        "language",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_user",
        "revoked_at",
    )

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = InvitationAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("organization", "email", "org_role", "language")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        from accounts.invitations import invite

        invitation, _token = invite(
            form.cleaned_data["organization"],
            form.cleaned_data["email"],
            by=request.user,
            org_role=form.cleaned_data["org_role"],
            language=form.cleaned_data["language"],
        )
        obj.pk = invitation.pk
        obj.__dict__.update(
            {f.attname: getattr(invitation, f.attname) for f in Invitation._meta.concrete_fields}
        )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Approval)
class ApprovalAdmin(admin.ModelAdmin):
    """Approvals, read-only: they are decided by the organization's managers, once."""

    list_display = ("what", "organization", "credits", "requested_by", "outcome", "decided_by")
    list_filter = ("outcome", "kind")
    search_fields = ("what", "organization__name", "requested_by__email")
    list_select_related = ("organization", "requested_by", "decided_by")
    date_hierarchy = "requested_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
