from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    # The client's own organization (no id in the URL).
    path("", views.overview, name="overview"),
    path("subscribe/", views.subscribe, name="subscribe"),
    path("change/", views.change, name="change"),
    path("cancel/", views.cancel, name="cancel"),
    path("keep/", views.keep, name="keep"),
    path("retry/", views.retry, name="retry"),
    path("card/", views.card_save, name="card_save"),
    path("card/setup/", views.card_setup, name="card_setup"),
    path("card/setup/done/", views.card_setup_done, name="card_setup_done"),
    path("card/setup/cancelled/", views.card_setup_cancelled, name="card_setup_cancelled"),
    path("card/remove/", views.card_remove, name="card_remove"),
    path("auto-recharge/", views.auto_recharge, name="auto_recharge"),
]
