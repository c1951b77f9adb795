from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from . import selectors, services
from .forms import BillingDetailsForm, LocalizedPasswordResetForm, LoginForm, ProfileForm
from .models import Language
from .permissions import client_required


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
def profile(request):
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
    return render(request, "accounts/profile.html", {"form": form})


@require_POST
def set_language(request):
    """The language switcher: sets the cookie, and the profile of a logged-in user."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in Language.values:
        services.set_language(request.user, language)
    return django_set_language(request)


@client_required
def organization(request):
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


password_reset = auth_views.PasswordResetView.as_view(
    form_class=LocalizedPasswordResetForm,
    success_url=reverse_lazy("accounts:password_reset_done"),
    email_template_name="registration/password_reset_email.txt",
    html_email_template_name="registration/password_reset_email.html",
    subject_template_name="registration/password_reset_subject.txt",
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    success_url=reverse_lazy("accounts:password_reset_complete")
)
password_change = auth_views.PasswordChangeView.as_view(
    success_url=reverse_lazy("accounts:password_change_done")
)
