from django.urls import path

from . import webhooks

app_name = "mailchannel"

urlpatterns = [
    path("inbound/<slug:provider>/", webhooks.inbound, name="inbound"),
]
