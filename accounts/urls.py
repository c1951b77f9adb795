from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import team_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("organization/", views.organization, name="organization"),
    path("language/", views.set_language, name="set_language"),
    path("password/change/", views.password_change, name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("password/reset/", views.password_reset, name="password_reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("2fa/setup/", views.mfa_setup, name="mfa_setup"),
    path("2fa/verify/", views.mfa_verify, name="mfa_verify"),
    path("2fa/disable/", views.mfa_disable, name="mfa_disable"),
    path("confirm/", views.reauthenticate, name="reauthenticate"),
    path("passkeys/<int:pk>/rename/", views.passkey_rename, name="passkey_rename"),
    path("passkeys/<int:pk>/remove/", views.passkey_remove, name="passkey_remove"),
    path("sessions/logout-others/", views.logout_other_sessions, name="logout_other_sessions"),
    # Teams (issue 19): the organization's people, invitations and roles.
    path("people/", team_views.people_list, name="people"),
    path("people/<int:pk>/role/", team_views.person_role, name="person_role"),
    path("people/<int:pk>/remove/", team_views.person_remove, name="person_remove"),
    path(
        "invitations/<int:pk>/withdraw/",
        team_views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("invitations/<str:token>/", team_views.invitation_accept, name="invitation_accept"),
    path("organization/settings/", team_views.team_settings, name="team_settings"),
    path("approvals/<str:token>/", team_views.approval_decide, name="approval_decide"),
]
