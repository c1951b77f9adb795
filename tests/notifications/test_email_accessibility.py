"""Issue 21, HTML emails: every kind, in both languages, is an HTML document in the
recipient's language with a title, every image (if any) has alt text, and the message is
real text, not a picture of it."""

from html.parser import HTMLParser

import pytest

from notifications.models import Kind
from tests.notifications.test_rendering import render


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.lang, self.images_without_alt, self.text, self._in_body = None, [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "body":
            self._in_body = True
        if tag == "img" and "alt" not in attrs:  # alt="" is a decorative image: allowed
            self.images_without_alt.append(attrs.get("src"))

    def handle_data(self, data):
        if self._in_body and data.strip():
            self.text.append(data.strip())


@pytest.mark.parametrize("kind", Kind.values)
@pytest.mark.parametrize("language", ["es", "en"])
def test_every_email_is_text_in_the_recipients_language_with_alt_on_images(kind, language):
    email = render(kind, language)
    audit = _Audit()
    audit.feed(email.html)
    assert audit.lang == language
    assert not audit.images_without_alt, audit.images_without_alt
    assert "<title>" in email.html
    assert "</title>" in email.html
    assert len(" ".join(audit.text)) >= 40, audit.text  # the message itself, as text
