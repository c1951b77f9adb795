from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView, TemplateView

from accounts import views as account_views
from helpdesk import health, views

admin.site.site_header = "Soporte Créditos"
admin.site.site_title = "Soporte Créditos"
# Django admin sits behind the site's login: its second factor, lockout and audit.
admin.site.login = account_views.admin_login

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard", permanent=False), name="home"),
    # The accessibility statement (European Accessibility Act, Ley 11/2023): public.
    path(
        "accessibility/",
        TemplateView.as_view(template_name="accessibility.html"),
        name="accessibility",
    ),
    path("dashboard/", views.dashboard, name="dashboard"),
    # Passkey ceremonies (django-otp-webauthn's script posts here).
    path("accounts/passkeys/", include("accounts.passkey_urls")),
    path("accounts/", include("accounts.urls")),
    path("credits/", include("credits.urls")),
    path("tickets/", include("tickets.urls")),
    path("billing/", include("billing.urls")),
    path("plans/", include("plans.urls")),
    path("reports/", include("reports.urls")),
    path("api/", include("api.urls")),
    path("integrations/", include("api.page_urls")),
    path("admin/", admin.site.urls),
    # The email channel: providers' inbound webhooks (mailchannel).
    path("mail/", include("mailchannel.urls")),
    # Health (deploy): liveness without the database; readiness of every service.
    path("health/", health.health, name="health"),
    path("health/live/", health.live, name="health-live"),
    # Knowledge base: the help centre at /help/, the technicians' pages at /kb/.
    path("", include("kb.urls")),
]

handler403 = "helpdesk.views.error_403"
handler404 = "helpdesk.views.error_404"
handler500 = "helpdesk.views.error_500"
