from django.urls import path

from api import pages

app_name = "integrations"

urlpatterns = [
    path("keys/", pages.keys, name="keys"),
    path("keys/<int:pk>/revoke/", pages.key_revoke, name="key_revoke"),
    path("webhooks/", pages.endpoints, name="endpoints"),
    path("webhooks/<int:pk>/", pages.endpoint_detail, name="endpoint"),
    path("webhooks/<int:pk>/resume/", pages.endpoint_resume, name="endpoint_resume"),
    path("webhooks/deliveries/<int:pk>/resend/", pages.delivery_resend, name="delivery_resend"),
]
