"""An admin finds a failed email in Django admin, reads its preview and sends it again."""

from django.core import mail
from django.utils import timezone

from notifications.models import OutboxEmail
from tests.accounts.factories import PASSWORD, AdminFactory, UserFactory
from tests.e2e.conftest import login, screenshot
from tests.notifications.factories import OutboxEmailFactory


def test_admin_previews_and_resends_a_failed_email(page, transactional_db):
    admin = AdminFactory(email="admin@soporte.example")
    marta = UserFactory(email="marta@laespiga.example", full_name="Marta Ruiz")
    email = OutboxEmailFactory(
        recipient=marta,
        status=OutboxEmail.Status.FAILED,
        attempts=6,
        failed_at=timezone.now(),
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    login(page, admin.email, PASSWORD)
    page.wait_for_url("**/dashboard/")

    page.goto(f"{page.base_url}/admin/notifications/outboxemail/?status__exact=failed")
    row = page.locator("#result_list tbody tr", has_text="marta@laespiga.example")
    assert "SMTPServerDisconnected" in row.inner_text()

    row.locator("th a, td a").first.click()
    page.wait_for_load_state()
    assert page.get_by_text("Saldo bajo en Talleres Norte: quedan 25 créditos").is_visible()
    frame = page.frame_locator("iframe[title='Vista previa HTML']")
    button = frame.get_by_role("link", name="Comprar créditos")
    button.wait_for()
    # The email's inline styles apply inside the preview (its own policy), not elsewhere.
    colour = button.evaluate("el => getComputedStyle(el.closest('td')).backgroundColor")
    assert colour == "rgb(13, 110, 253)"
    screenshot(page, "outbox-admin-change")
    # (Chromium leaves a sandboxed frame out of page screenshots: the email on its own.)
    page.goto(f"{page.base_url}/admin/notifications/outboxemail/{email.pk}/preview/")
    screenshot(page, "outbox-admin-email-preview")

    page.goto(f"{page.base_url}/admin/notifications/outboxemail/?status__exact=failed")
    page.locator("#result_list tbody tr", has_text="marta@laespiga.example").locator(
        "input.action-select"
    ).check()
    page.select_option("select[name=action]", "resend_failed")
    page.get_by_role("button", name="Ir").click()
    page.wait_for_load_state()
    assert page.get_by_text("1 correo fallido vuelve a la cola.").is_visible()
    email.refresh_from_db()
    assert email.status == OutboxEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [["marta@laespiga.example"]]
