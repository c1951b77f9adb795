import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind, OutboxEmail
from tests.accounts.factories import UserFactory
from tests.notifications.factories import OutboxEmailFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:notifications_outboxemail_changelist")


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def failed(recipient, **fields):
    return OutboxEmailFactory(
        recipient=recipient,
        status=OutboxEmail.Status.FAILED,
        attempts=6,
        failed_at=timezone.now(),
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        **fields,
    )


def test_admins_see_pending_sent_and_failed_mail_with_filters_and_search(admin_client, client_user):
    OutboxEmailFactory(recipient=client_user, to_email="pending@example.com")
    OutboxEmailFactory(
        recipient=client_user,
        to_email="sent@example.com",
        status=OutboxEmail.Status.SENT,
        sent_at=timezone.now(),
        subject="Saldo bajo en Talleres Norte",
    )
    failed(client_user, to_email="failed@example.com")

    page = admin_client.get(CHANGELIST).content.decode()
    for address in ("pending@example.com", "sent@example.com", "failed@example.com"):
        assert address in page
    assert "SMTPServerDisconnected" in page

    only_failed = admin_client.get(CHANGELIST, {"status__exact": "failed"}).content.decode()
    assert "failed@example.com" in only_failed
    assert "sent@example.com" not in only_failed
    found = admin_client.get(CHANGELIST, {"q": "Talleres"}).content.decode()
    assert "sent@example.com" in found
    assert "pending@example.com" not in found


@pytest.mark.parametrize("rows", [1, 30])
def test_the_list_runs_a_fixed_number_of_queries(
    admin_client, client_user, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        OutboxEmailFactory(recipient=client_user)
    # 9: session, user, two counts, the page, date and language filters, and the admin
    # sidebar's check of the credits settings singleton; the same for 1 row or many.
    with django_assert_max_num_queries(9):
        assert admin_client.get(CHANGELIST).status_code == 200


def test_the_change_page_previews_the_rendered_email(admin_client, client_user):
    email = OutboxEmailFactory(recipient=client_user)
    page = admin_client.get(
        reverse("admin:notifications_outboxemail_change", args=[email.pk])
    ).content.decode()
    assert "Saldo bajo en Talleres Norte: quedan 25 créditos" in page
    assert "El saldo de créditos de Talleres Norte ha bajado" in page
    preview = reverse("admin:notifications_outboxemail_preview", args=[email.pk])
    assert f'<iframe src="{preview}" sandbox=""' in page


def test_the_html_preview_keeps_the_email_styles_and_nothing_else(admin_client, client_user):
    email = OutboxEmailFactory(recipient=client_user)
    response = admin_client.get(reverse("admin:notifications_outboxemail_preview", args=[email.pk]))
    assert response.status_code == 200
    assert 'style="' in response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_a_row_that_cannot_render_shows_why(admin_client, client_user):
    email = OutboxEmailFactory(recipient=client_user, language="fr")
    page = admin_client.get(
        reverse("admin:notifications_outboxemail_change", args=[email.pk])
    ).content.decode()
    assert "unknown language" in page
    preview = admin_client.get(reverse("admin:notifications_outboxemail_preview", args=[email.pk]))
    assert "unknown language" in preview.content.decode()


def test_resend_puts_a_failed_email_back_and_sends_it(
    admin_client, client_user, django_capture_on_commit_callbacks
):
    email = failed(client_user)
    sent = OutboxEmailFactory(
        recipient=client_user, status=OutboxEmail.Status.SENT, sent_at=timezone.now()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            CHANGELIST,
            {"action": "resend_failed", "_selected_action": [email.pk, sent.pk]},
            follow=True,
        )
    assert "1 correo fallido vuelve a la cola." in response.content.decode()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_rows_are_read_only(admin_client, client_user):
    email = failed(client_user)
    change = reverse("admin:notifications_outboxemail_change", args=[email.pk])
    assert admin_client.get(reverse("admin:notifications_outboxemail_add")).status_code == 403
    delete = reverse("admin:notifications_outboxemail_delete", args=[email.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    admin_client.post(change, {"kind": Kind.TICKET_REPLY, "status": "sent", "to_email": "x@y.z"})
    email.refresh_from_db()
    assert (email.kind, email.status) == (Kind.LOW_BALANCE, OutboxEmail.Status.FAILED)
    assert OutboxEmail.objects.count() == 1


def test_clients_and_technicians_never_see_the_outbox(client, client_user, technician):
    email = OutboxEmailFactory(recipient=UserFactory())
    preview = reverse("admin:notifications_outboxemail_preview", args=[email.pk])
    for user in (client_user, technician):
        client.force_login(user)
        assert client.get(preview).status_code == 302  # to the admin login
        assert client.get(CHANGELIST).status_code == 302
