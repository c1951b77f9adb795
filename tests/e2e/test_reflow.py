"""Issue 21, reflow (WCAG 1.4.10): every page of the URL walk (tests/authz.py, the pages
and the victim data of tests/e2e/test_accessibility.py) for a client, a technician and an
admin never scrolls sideways at 320x640 CSS px nor at 200 % zoom (a 1280x800 window
zoomed to 200 % is a 640x400 CSS px viewport with 2 device pixels per CSS px). Only data
tables may be wider than the screen, inside their own scroll container
(.table-responsive), which keeps the document itself as wide as the screen."""

import pytest

from tests.e2e.test_accessibility import _pages, _person

VIEWPORTS = {
    "320px": ({"width": 320, "height": 640}, 1),
    "zoom200": ({"width": 640, "height": 400}, 2),
}
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


def _walk(browser, live_server, user, pages, viewport, scale) -> tuple[dict, int]:
    context = browser.new_context(locale="es-ES", viewport=viewport, device_scale_factor=scale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    _login_cookies(context, live_server, user)
    failures, checked, seen = {}, 0, set()
    for name, path in pages:
        # As the axe walk: POST-only URLs (405), files and htmx fragments are not pages.
        head = page.request.get(live_server.url + path, max_redirects=0)
        if head.status == 405 or (
            head.status == 200 and "text/html" not in head.headers.get("content-type", "")
        ):
            continue
        if head.status == 200 and "<html" not in head.text()[:2000].lower():
            continue
        response = page.goto(live_server.url + path)
        assert response.ok, f"{name}: {response.status}"
        final = page.url.split("#")[0]
        if final in seen:  # a redirect to a page already measured
            continue
        seen.add(final)
        checked += 1
        found = page.evaluate(MEASURE)
        if found["scrollWidth"] > found["clientWidth"] or found["out"]:
            failures[f"{name} ({final.removeprefix(live_server.url)})"] = found
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


@pytest.mark.parametrize("role", ["client", "technician", "admin"])
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_every_page_of_the_walk_reflows_without_sideways_scrolling(
    browser, live_server, victim, role, size
):
    user = _person(role, victim)
    user.language = "es"
    user.save(update_fields=["language"])
    viewport, scale = VIEWPORTS[size]
    failures, checked = _walk(browser, live_server, user, _pages(role, victim), viewport, scale)
    assert checked > 10, f"{role}/{size}: only {checked} pages measured"
    assert not failures, "\n".join(f"{role}/{size} {name}: {f}" for name, f in failures.items())
