"""Issue 21, reflow (WCAG 1.4.10): every page of the URL walk (``_pages(role, victim)`` of
tests/e2e/test_accessibility.py, the list the authorization and axe walks share, so a new
page is measured here too), for each role (visitor, client, technician, admin), never
scrolls sideways at 320 CSS px wide (320x640) nor at 200 % zoom (a 1280x800 window zoomed
to 200 % is a 640x400 CSS px viewport). Only data tables may be wider than the screen,
inside their own scroll box (.table-responsive); a <pre> may scroll in its own box too.

What is measured on each page, after loading it at 320x640 and again after resizing the
same page to 640x400: the document's scroll width against the viewport, and every element
*and every text* that reaches past the right (or left) edge of the viewport without a data
table's scroll box around it. Texts count on their own: an unbreakable string (a URL in a
heading) overflows its element's box, which stays within the screen, so walking elements
alone does not find it (that is why the webhook delivery log scrolled to 413 px unseen).
Text clipped by a box of 1 px (.visually-hidden, read by screen readers) is not shown, so
it is not counted.

In Spanish and English (English found the people page's «Withdraw» button 15 px past the
edge). One browser for the file, one context per role and language (device scale factor 2,
as a phone at 320 CSS px and the zoomed window have) and one page in it, reused page after
page; GET only, as axe.
"""

import time

import pytest

from tests.e2e.test_accessibility import ROLE_ACCESS, _context, _is_page, _pages, _person

SIZES = {"320px": {"width": 320, "height": 640}, "zoom200": {"width": 640, "height": 400}}
LANGUAGES = ("es", "en")

MEASURE = """() => {
  const doc = document.scrollingElement;
  const width = doc.clientWidth;
  const name = el => {
    const cls = typeof el.className === 'string' && el.className.trim()
      ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls;
  };
  // The nearest ancestor (from ``start`` up, the body excluded) that does not let its
  // content overflow: a scroll box or a clipping box.
  const boxOf = start => {
    for (let p = start; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return p;
    }
    return null;
  };
  const problems = [];
  const check = (what, rect, start) => {
    if (rect.width <= 1 && rect.height <= 1) return;  // nothing shown (.visually-hidden)
    if (rect.right <= width + 0.5 && rect.left >= -0.5) return;
    const where = `left=${Math.round(rect.left)} right=${Math.round(rect.right)}`;
    const box = boxOf(start);
    if (box) {
      const overflow = getComputedStyle(box).overflowX;
      const scrolls = overflow === 'auto' || overflow === 'scroll';
      if (scrolls && (box.querySelector('table') || box.tagName === 'PRE')) return;
      const clip = box.getBoundingClientRect();
      if (clip.width <= 1 || clip.height <= 1) return;  // visually hidden text
      problems.push(`${what} ${where} in ${name(box)} (overflow-x: ${overflow})`);
    } else {
      problems.push(`${what} ${where}`);
    }
  };
  const shown = el => el.checkVisibility({visibilityProperty: true, opacityProperty: false});
  for (const el of document.body.querySelectorAll('*')) {
    if (shown(el)) check(name(el), el.getBoundingClientRect(), el.parentElement);
  }
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = texts.nextNode(); node; node = texts.nextNode()) {
    const text = node.textContent.trim();
    if (!text || !node.parentElement || !shown(node.parentElement)) continue;
    range.selectNodeContents(node);
    check(`text "${text.slice(0, 40)}" of ${name(node.parentElement)}`,
          range.getBoundingClientRect(), node.parentElement);
  }
  return {scrollWidth: doc.scrollWidth, clientWidth: width, problems: problems.slice(0, 8)};
}"""


@pytest.mark.parametrize("role", list(ROLE_ACCESS))
def test_every_page_of_the_walk_reflows_without_sideways_scrolling(
    browser, live_server, victim, role
):
    user = _person(role, victim)
    pages = _pages(role, victim)
    failures = {}
    for language in LANGUAGES:
        started = time.monotonic()
        found, measured = _measure_walk(browser, live_server, user, language, pages)
        seconds = time.monotonic() - started
        print(f"reflow {role}/{language}: {measured} pages x 2 sizes in {seconds:.1f} s")  # noqa: T201
        assert measured >= 3, f"{role}/{language}: only {measured} pages were measured"
        failures.update({f"{role}/{language} {where}": what for where, what in found.items()})
    assert not failures, "\n".join(f"{where}: {what}" for where, what in failures.items())


def _measure_walk(browser, live_server, user, language: str, pages) -> tuple[dict, int]:
    context = _context(
        browser, live_server, user, language, viewport=SIZES["320px"], device_scale_factor=2
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    failures, measured, seen = {}, 0, set()
    for name, path in pages:
        url = live_server.url + path
        if not _is_page(page, url):
            continue
        page.set_viewport_size(SIZES["320px"])
        page.goto(url)
        final = page.url.split("#")[0]
        if final in seen:  # a redirect to a page already measured
            continue
        seen.add(final)
        measured += 1
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            found = page.evaluate(MEASURE)
            if found["scrollWidth"] > found["clientWidth"] or found["problems"]:
                failures[f"{size} {name} ({final.removeprefix(live_server.url)})"] = found
    if user is not None:  # the session lasted the whole walk (no page logged out)
        page.goto(live_server.url + "/accounts/profile/")
        assert "/accounts/login/" not in page.url, f"logged out during the {language} walk"
    context.close()
    return failures, measured
