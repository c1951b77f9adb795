"""`make run PORT=<other>` end to end: the app served on a non-default port (runserver and a
Celery worker, both given SITE_URL like the Makefile does); a client pays with the test
provider, comes back to that host:port, and follows the link of the invoice email to the
same host:port."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from accounts.models import User
from billing.models import Invoice
from notifications.models import OutboxEmail
from tests.e2e.conftest import login, screenshot

pytestmark = pytest.mark.celery_worker
PASSWORD = "demo-soporte-2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert port != 8000
    return port


@pytest.fixture
def served_site(_celery_worker_session, transactional_db, tmp_path, settings):
    """runserver on a free port (never 8000) and a worker with the same SITE_URL, on the test
    database and this test's own queue; yields the site's URL."""
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", stdout=devnull)
    # The served site checks passwords with the real hashers (the tests' MD5 is not there).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    client = User.objects.get(email="marta@laespiga.example")
    client.set_password(PASSWORD)
    client.save(update_fields=["password"])
    port = _free_port()
    site_url = f"http://127.0.0.1:{port}"
    queue = f"helpdesk-siteurl-{uuid.uuid4().hex[:8]}"
    worker = _celery_worker_session.another(tmp_path / "worker", queue, SITE_URL=site_url)
    worker.var_dir.mkdir(parents=True)
    worker.start()
    env = {**worker.env, "DEBUG": "true", "HELPDESK_VAR_DIR": str(tmp_path / "web")}
    log = (tmp_path / "runserver.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{site_url}/accounts/login/", timeout=2).close()  # noqa: S310
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail((tmp_path / "runserver.log").read_text(errors="replace"))
                time.sleep(0.3)
        yield site_url, worker
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        worker.stop()


def test_paying_and_email_links_stay_on_the_served_host_and_port(page, served_site):
    site_url, worker = served_site
    netloc = urlsplit(site_url).netloc
    page.base_url = site_url
    login(page, "marta@laespiga.example", PASSWORD)
    page.wait_for_url(f"{site_url}/dashboard/")

    page.goto(f"{site_url}/billing/buy/")
    page.get_by_test_id("pack-60").get_by_role("button", name="Comprar 60 créditos").click()
    page.wait_for_url(f"{site_url}/billing/orders/*/")
    page.get_by_role("button", name="Pagar en línea").click()
    page.wait_for_url(f"{site_url}/billing/payments/*/")
    page.get_by_test_id("payment-form").get_by_role("button", name="Pagar").click()

    # The provider's return URL: back on this host and port, the order paid.
    page.wait_for_url(f"{site_url}/billing/orders/*/")
    assert urlsplit(page.url).netloc == netloc
    assert page.get_by_test_id("order-status").inner_text() == "Pagado"
    screenshot(page, "site-url-order-paid")

    invoice = Invoice.objects.filter(order__organization__name__startswith="Panadería").latest("pk")
    sent = worker.wait_until_sent(OutboxEmail.objects.filter(kind="invoice_issued"))
    assert {email.status for email in sent} == {OutboxEmail.Status.SENT}
    invoice_mail = [m for m in worker.messages() if invoice.number in m["Subject"]]
    assert invoice_mail
    text = "\n".join(m.get_body(preferencelist=("plain",)).get_content() for m in invoice_mail)
    html = "\n".join(m.get_body(preferencelist=("html",)).get_content() for m in invoice_mail)
    # A link that ends a sentence is followed by its period.
    links = [u.rstrip(".,;)") for u in re.findall(r"https?://[^\s\"'<>]+", text + html)]
    assert links, text
    assert {urlsplit(link).netloc for link in links} == {netloc}

    invoice_link = next(link for link in links if "/billing/invoices/" in link)
    page.goto(invoice_link)
    assert urlsplit(page.url).netloc == netloc
    assert page.get_by_test_id("invoice-pdf").is_visible()
    screenshot(page, "site-url-invoice-from-email")
