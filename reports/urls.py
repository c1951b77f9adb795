from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.staff_dashboard, name="staff_dashboard"),
    path("usage/", views.usage, name="usage"),
    path("export/<slug:dataset>.<slug:fmt>", views.export, name="export"),
    path("rate/<str:token>/<int:score>/", views.rate, name="rate"),
    path("rate/<str:token>/comment/", views.rate_comment, name="rate_comment"),
]
