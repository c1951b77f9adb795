from django.urls import path

from mailchannel import webhooks

app_name = "mailchannel"

urlpatterns = [
    path("inbound/<slug:provider>/", webhooks.inbound, name="inbound"),
]
