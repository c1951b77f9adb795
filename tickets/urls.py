from django.urls import path

from . import views

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
]
