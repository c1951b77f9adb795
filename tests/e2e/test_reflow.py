"""Issue 21, reflow (WCAG 1.4.10): the main client and staff pages of the URL walk
(tests/authz.py, the victim data of tests/e2e/test_accessibility.py) never scroll
sideways at 320x640 CSS px nor at 200 % zoom (a 1280x800 window zoomed to 200 % is a
640x400 CSS px viewport with 2 device pixels per CSS px). Only data tables may be wider
than the screen, inside their own scroll container (.table-responsive), which keeps the
document itself as wide as the screen."""

import pytest
from django.urls import reverse

from tests.authz import collect_cases
from tests.e2e.test_accessibility import _person

VIEWPORTS = {
    "320px": ({"width": 320, "height": 640}, 1),
    "zoom200": ({"width": 640, "height": 400}, 2),
}
CLIENT_PAGES = (
    "dashboard",
    "tickets:list",
    "tickets:create",
    "tickets:detail",
    "tickets:credentials",
    "credits:balance",
    "credits:movements",
    "credits:lots",
    "credits:statements",
    "billing:buy",
    "billing:order_list",
    "billing:order_detail",
    "billing:invoice_detail",
    "reports:usage",
    "accounts:profile",
    "accounts:organization",
    "accounts:people",
    "accounts:team_settings",
    "plans:overview",
    "integrations:endpoints",
    "kb:help",
)
STAFF_PAGES = (
    "dashboard",
    "tickets:queue",
    "tickets:detail",
    "tickets:resolve",
    "credits:staff_organizations",
    "credits:staff_balance",
    "credits:staff_movements",
    "reports:staff_dashboard",
    "kb:staff_articles",
    "kb:article_create",
    "kb:macro_list",
    "kb:stats",
    "accounts:profile",
    "integrations:keys",
)

# The document width against the viewport, what sticks out (outside any scroll box) and
# what reaches the right edge of the document (for the failure message).
MEASURE = """() => {
  const doc = document.scrollingElement;
  const width = doc.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    let inBox = false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) {
        inBox = true;
        break;
      }
    }
    const cls = typeof el.className === 'string' ? el.className.trim().split(/\\s+/).join('.') : '';
    if (!inBox) out.push(`${el.tagName.toLowerCase()}.${cls} right=${Math.round(box.right)}`);
  }
  const atEdge = [...document.body.querySelectorAll('*')]
    .map(el => [el, el.getBoundingClientRect().right])
    .filter(([, right]) => Math.abs(right - doc.scrollWidth) < 3)
    .slice(0, 6)
    .map(([el, right]) => `${el.tagName.toLowerCase()}.${el.className} right=${Math.round(right)}`);
  return {atEdge, scrollWidth: doc.scrollWidth, clientWidth: width, out: out.slice(0, 6)};
}"""


def _walk(browser, live_server, user, names, victim, viewport, scale) -> tuple[dict, int]:
    cases = collect_cases()
    context = browser.new_context(locale="es-ES", viewport=viewport, device_scale_factor=scale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _login_cookies(context, live_server, user)
    failures, checked = {}, 0
    for name in names:
        path = reverse(name, kwargs=cases[name].kwargs(victim))
        response = page.goto(live_server.url + path)
        assert response.ok, f"{name}: {response.status}"
        checked += 1
        found = page.evaluate(MEASURE)
        if found["scrollWidth"] > found["clientWidth"] or found["out"]:
            failures[name] = found
    context.close()
    return failures, checked


def _login_cookies(context, live_server, user) -> None:
    from django.conf import settings

    from tests.accounts.mfa import SecondFactorClient

    django_client = SecondFactorClient()
    django_client.force_login(user)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    session = django_client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}]
    )


@pytest.mark.parametrize("role", ["client", "technician"])
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_main_pages_reflow_without_sideways_scrolling(browser, live_server, victim, role, size):
    user = _person(role, victim)
    user.language = "es"
    user.save(update_fields=["language"])
    names = CLIENT_PAGES if role == "client" else STAFF_PAGES
    viewport, scale = VIEWPORTS[size]
    failures, checked = _walk(browser, live_server, user, names, victim, viewport, scale)
    assert checked == len(names)
    assert not failures, "\n".join(f"{role}/{size} {name}: {f}" for name, f in failures.items())
