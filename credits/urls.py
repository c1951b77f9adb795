from django.urls import path

from credits import views

app_name = "credits"

urlpatterns = [
    # The client's own organization: no organization id in these URLs.
    path("", views.balance, name="balance"),
    path("lots/", views.lots, name="lots"),
    path("movements/", views.movements, name="movements"),
    path("statements/", views.statements, name="statements"),
    path("statements/<int:pk>/download/", views.statement_download, name="statement_download"),
    # Support staff: any organization, by id.
    path("organizations/", views.staff_organizations, name="staff_organizations"),
    path("organizations/<int:organization_pk>/", views.staff_balance, name="staff_balance"),
    path("organizations/<int:organization_pk>/lots/", views.staff_lots, name="staff_lots"),
    path(
        "organizations/<int:organization_pk>/movements/",
        views.staff_movements,
        name="staff_movements",
    ),
    path(
        "organizations/<int:organization_pk>/statements/",
        views.staff_statements,
        name="staff_statements",
    ),
]
