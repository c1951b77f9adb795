"""A new technician logs in, is made to set up TOTP before any page, and logs in again
with a code computed from the shown secret (pyotp plays the authenticator app)."""

import time

import pyotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.factories import PASSWORD, TechnicianFactory
from tests.e2e.conftest import next_totp_code, screenshot


def test_new_technician_sets_up_totp_then_logs_in_with_a_code(page, transactional_db):
    tech = TechnicianFactory(second_factor=False, full_name="Nuevo Técnico")
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", tech.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/accounts/2fa/setup/**")
    assert page.locator("img[alt]").first.get_attribute("src").startswith("data:image/svg+xml")
    # Any other page sends the technician back here.
    page.goto(f"{page.base_url}/tickets/queue/")
    page.wait_for_url("**/accounts/2fa/setup/**")
    secret = page.locator("#totp-secret").inner_text().strip()
    screenshot(page, "second-factor-setup")

    page.fill("input[name=code]", pyotp.TOTP(secret).now())
    page.click("#second-factor-form button[type=submit]")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Los he guardado, continuar").click()
    page.wait_for_load_state()
    assert "/accounts/2fa/" not in page.url

    # The navbar's logout form (in the user menu).
    page.eval_on_selector("form[action='/accounts/logout/']", "form => form.submit()")
    page.wait_for_url("**/accounts/login/**")

    page.fill("input[name=username]", tech.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/accounts/2fa/verify/**")
    # The set-up used this time step's code: the next login takes the next one.
    device = TOTPDevice.objects.get(user=tech)
    assert device.last_t >= int(time.time()) // 30 - 1
    page.fill("input[name=code]", next_totp_code(tech.email))
    page.click("#second-factor-form button[type=submit]")
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading").first.is_visible()
    screenshot(page, "second-factor-dashboard")
