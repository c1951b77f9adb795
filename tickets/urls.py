from django.urls import path

from tickets import views

app_name = "tickets"

urlpatterns = [
    # Client portal
    path("", views.ticket_list, name="list"),
    path("new/", views.ticket_create, name="create"),
    path("renewal/", views.request_renewal, name="request_renewal"),
    # A ticket (clients and staff)
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/reply/", views.reply, name="reply"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    # Technicians
    path("queue/", views.queue, name="queue"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/status/", views.change_status, name="change_status"),
    path("<int:pk>/note/", views.note, name="note"),
    path("<int:pk>/out-of-scope/", views.out_of_scope, name="out_of_scope"),
    path("<int:pk>/product/", views.set_product, name="set_product"),
    # Time, charging, estimates (technicians)
    path("<int:pk>/time/", views.time_add, name="time_add"),
    path("time/<int:pk>/edit/", views.time_edit, name="time_edit"),
    path("time/<int:pk>/delete/", views.time_delete, name="time_delete"),
    path("<int:pk>/timer/", views.timer, name="timer"),
    path("<int:pk>/security-checklist/", views.security_checklist, name="security_checklist"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/estimates/new/", views.estimate_create, name="estimate_create"),
    # Estimates and quotes (the client answers)
    path("estimates/<int:pk>/accept/", views.estimate_accept, name="estimate_accept"),
    path("estimates/<int:pk>/decline/", views.estimate_decline, name="estimate_decline"),
    # Access data (the credential vault)
    path("access-data/", views.credentials, name="credentials"),
    path(
        "access-data/reveal-emails/",
        views.credential_reveal_emails,
        name="credential_reveal_emails",
    ),
    path("<int:pk>/access-data/", views.credential_add, name="credential_add"),
    path("access-data/<int:pk>/delete/", views.credential_delete, name="credential_delete"),
    path("access-data/<int:pk>/reveal/", views.credential_reveal, name="credential_reveal"),
]
