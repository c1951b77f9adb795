import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts import passkeys, security, selectors, services
from accounts.forms import (
    BillingDetailsForm,
    CodeForm,
    LocalizedPasswordResetForm,
    LoginForm,
    PasswordConfirmForm,
    ProfileForm,
)
from accounts.models import Language, LoginEvent
from accounts.permissions import manager_required


def _remember_language(response, language: str):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )
    return response


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The profile's language wins while logged in; the cookie keeps it after logout.
        return _remember_language(response, form.get_user().language)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_profile(request.user, **form.cleaned_data)
        except services.AccountError as exc:
            form.add_error(None, exc.message)
        else:
            translation.activate(request.user.language)
            messages.success(request, _("Your profile has been saved."))
            return _remember_language(redirect("accounts:profile"), request.user.language)
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "has_second_factor": security.has_second_factor(request.user),
            "has_totp": security.totp_device(request.user) is not None,
            "passkeys": passkeys.passkeys_of(request.user),
            "can_add_passkey": passkeys.can_register(request.user),
            "recently_authenticated": security.recently_authenticated(request),
            "passkey_name_max": passkeys.NAME_MAX_LENGTH,
            "unused_recovery_codes": security.unused_recovery_codes(request.user),
            "recent_logins": LoginEvent.objects.filter(user=request.user)[:10],
        },
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switcher: sets the cookie, and the profile of a logged-in user."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in Language.values:
        services.set_language(request.user, language)
    return django_set_language(request)


@manager_required
def organization(request: HttpRequest) -> HttpResponse:
    org = request.user.organization
    form = BillingDetailsForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_billing_details(
                org, by=request.user, **{f: form.cleaned_data[f] for f in form.changed_data}
            )
        except services.AccountError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Billing details saved."))
            return redirect("accounts:organization")
    org.refresh_from_db()
    return render(
        request,
        "accounts/organization.html",
        {"organization": org, "members": selectors.members_of(org), "form": form},
    )


_password_reset = auth_views.PasswordResetView.as_view(
    form_class=LocalizedPasswordResetForm,
    success_url=reverse_lazy("accounts:password_reset_done"),
)


def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link: the same answer whether or not the address has an account,
    throttled per address and per IP (counted in the login audit, so no cache needed)."""
    if request.method == "POST":
        email = request.POST.get("email", "").strip().lower()[:254]
        if security.password_reset_throttled(request, email):
            form = LocalizedPasswordResetForm(request.POST)
            form.is_valid()
            form.add_error(None, _("Too many password reset requests. Try again in an hour."))
            return render(
                request, "registration/password_reset_form.html", {"form": form}, status=429
            )
        security.record(LoginEvent.Kind.PASSWORD_RESET_REQUESTED, request, email=email)
    return _password_reset(request)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # A new password ends every session (Django's auth hash includes the password).
        security.record(LoginEvent.Kind.PASSWORD_CHANGED, self.request, user=form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        # Django keeps this session (update_session_auth_hash) and ends the others.
        response = super().form_valid(form)
        security.record(LoginEvent.Kind.PASSWORD_CHANGED, self.request, user=self.request.user)
        return response


password_reset_confirm = PasswordResetConfirmView.as_view()
password_change = PasswordChangeView.as_view()


# --- Second factor ---------------------------------------------------------------------


def _next_url(request: HttpRequest, default: str = "dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _qr_data_uri(url: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: scan the QR code (or type the key), enter a code."""
    device = security.pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"].replace(" ", "")
        if code.isdigit() and device.verify_token(code):
            codes = security.confirm_setup(request, device)
            messages.success(request, _("Two-step verification is on."))
            return render(
                request,
                "accounts/mfa_recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error(
            "code",
            _(
                "That code is not right. Enter the code your app shows now (it changes every "
                "30 seconds)."
            ),
        )
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            "secret": secret,
            "qr": _qr_data_uri(device.config_url),
            "required": security.requires_second_factor(request.user),
            "next": _next_url(request),
        },
    )


CODE_MESSAGES = {
    security.CodeResult.WRONG: gettext_lazy(
        "That code is wrong, expired or already used. Enter the code your app shows now, "
        "or one of your recovery codes."
    ),
    security.CodeResult.USED: gettext_lazy(
        "That recovery code has already been used. Each recovery code works once."
    ),
    security.CodeResult.THROTTLED: gettext_lazy(
        "Too many wrong codes. Wait a minute and try again with a new code."
    ),
}


def _check_code_form(request: HttpRequest, form: CodeForm) -> bool:
    result, how = security.check_code(request.user, form.cleaned_data["code"])
    if result == security.CodeResult.OK:
        kind = (
            LoginEvent.Kind.RECOVERY_CODE_USED
            if how == "recovery"
            else LoginEvent.Kind.SECOND_FACTOR_VERIFIED
        )
        security.record(kind, request, user=request.user)
        security.mark_verified(request)
        return True
    security.record(LoginEvent.Kind.SECOND_FACTOR_FAILED, request, user=request.user)
    form.add_error("code", CODE_MESSAGES[result])
    return False


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    """The second step of the login: a code from the app, or a recovery code."""
    if not security.has_second_factor(request.user):
        return redirect("accounts:mfa_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check_code_form(request, form):
        return redirect(_next_url(request))
    return render(
        request,
        "accounts/mfa_verify.html",
        {
            "form": form,
            "next": _next_url(request),
            "has_passkey": passkeys.has_passkey(request.user),
        },
    )


@login_required
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Step-up: the second factor again (or the password, without one), then back."""
    with_code = security.has_second_factor(request.user)
    form = (CodeForm if with_code else PasswordConfirmForm)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if with_code:
            if _check_code_form(request, form):
                return redirect(_next_url(request))
        elif request.user.check_password(form.cleaned_data["password"]):
            security.mark_password_confirmed(request)
            return redirect(_next_url(request))
        else:
            security.record(LoginEvent.Kind.LOGIN_FAILED, request, user=request.user)
            form.add_error("password", _("That password is not right."))
    return render(
        request,
        "accounts/reauthenticate.html",
        {
            "form": form,
            "with_code": with_code,
            "next": _next_url(request),
            "has_passkey": passkeys.has_passkey(request.user),
        },
    )


@login_required
def logout_other_sessions(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("accounts:profile")
    security.end_other_sessions(request)
    security.record(LoginEvent.Kind.OTHER_SESSIONS_ENDED, request, user=request.user)
    messages.success(request, _("Your other sessions have been logged out."))
    return redirect("accounts:profile")


@login_required
def mfa_disable(request: HttpRequest) -> HttpResponse:
    """A client turns the second factor off; staff cannot (it is required for them)."""
    if request.method != "POST":
        return redirect("accounts:profile")
    return _mfa_disable(request)


@security.recent_auth_required
def _mfa_disable(request: HttpRequest) -> HttpResponse:
    if security.requires_second_factor(request.user):
        raise Http404
    security.reset_second_factor(request.user, by=request.user, request=request)
    request.user.refresh_from_db(fields=["session_epoch"])
    update_session_auth_hash(request, request.user)
    request.session[security.HAS_FACTOR_KEY] = False
    request.session.pop(security.VERIFIED_KEY, None)
    messages.success(request, _("Two-step verification is off."))
    return redirect("accounts:profile")


# --- Passkeys (the ceremonies are in passkey_views) ------------------------------------


@login_required
@require_POST
def passkey_rename(request: HttpRequest, pk: int) -> HttpResponse:
    """Name one of the user's passkeys (right after adding it, or later)."""
    try:
        device = passkeys.rename(request.user, pk, request.POST.get("name", "")[:500])
    except passkeys.WebAuthnCredential.DoesNotExist:
        raise Http404 from None
    except passkeys.PasskeyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Passkey saved as “%(name)s”.") % {"name": device.name})
    return redirect(f"{reverse('accounts:profile')}#passkeys")


@login_required
@require_POST
def passkey_remove(request: HttpRequest, pk: int) -> HttpResponse:
    # Another user's passkey is not found before any step-up is asked for.
    if not passkeys.passkeys_of(request.user).filter(pk=pk).exists():
        raise Http404
    if not security.recently_authenticated(request):
        # Confirm, then back to the list (a POST is not replayed: remove it again there).
        return redirect(security.step_up_url(f"{reverse('accounts:profile')}#passkeys"))
    try:
        device = passkeys.remove(request, pk)
    except passkeys.WebAuthnCredential.DoesNotExist:
        raise Http404 from None
    except passkeys.PasskeyError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Passkey “%(name)s” removed. Your other sessions have been logged out.")
            % {"name": device.name},
        )
    return redirect(f"{reverse('accounts:profile')}#passkeys")


def locked_out(
    request: HttpRequest, credentials: dict | None = None, *args, **kwargs
) -> HttpResponse:
    """What django-axes answers once an address is locked from this IP: the same page
    whether or not the address has an account (AXES_LOCKOUT_CALLABLE)."""
    lockout = _(
        "Too many failed attempts. Try again in %(minutes)s minutes, or reset your password."
    ) % {"minutes": int(settings.AXES_COOLOFF_TIME * 60)}
    context = {"form": LoginForm(request), "lockout": lockout}
    return render(request, "registration/login.html", context, status=429)


def admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    """Django admin's login page sends people to the site's own login (with its
    second factor and lockout); once in, admin opens for admins."""
    target = request.GET.get("next") or reverse("admin:index")
    return redirect_to_login(target)
