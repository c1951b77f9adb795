import re

import pytest

from kb import services
from kb.errors import KbError, SlugTaken
from kb.markdown import render
from kb.models import Article, ArticleVersion
from tests.kb.factories import article, category


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "[pulsa](javascript:alert(1))",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "![x](javascript:alert(1))",
    ],
)
def test_script_in_markdown_is_never_rendered(text):
    html = render(text)
    assert "<script" not in html
    # Shown as text at most: never inside a tag (a link, an image source, an attribute).
    assert not re.search(r"<[^>]*(javascript:|onerror)", html), html


def test_markdown_keeps_formatting_and_safe_links():
    html = render("**negrita** y [web](https://example.com)")
    assert "<strong>negrita</strong>" in html
    assert 'href="https://example.com"' in html
    assert "nofollow" in html


def test_every_save_writes_a_version_with_who_and_what(writer):
    first = article(by=writer, title="Primero", slug="primero")
    services.save_article(
        first,
        by=writer,
        title="Segundo",
        body=first.body,
        slug="primero",
        language="es",
        status=first.status,
        visibility=first.visibility,
        tags="",
    )
    versions = list(ArticleVersion.objects.filter(article=first).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].title == "Segundo"
    assert versions[1].changed == "title"
    assert versions[1].edited_by == writer
    first.refresh_from_db()
    assert first.version == 2


def test_a_slug_that_clashes_is_refused_with_a_message(writer):
    article(by=writer, slug="factura")
    with pytest.raises(SlugTaken) as error:
        article(by=writer, slug="factura", title="Otra")
    assert "slug" in error.value.message
    assert Article.objects.count() == 1
    # The same slug in the other language is fine.
    article(by=writer, slug="factura", language="en", title="Invoice")


def test_a_ten_megabyte_article_is_refused(writer):
    with pytest.raises(KbError) as error:
        article(by=writer, body="a" * 10_000_000)
    assert str(100_000) in error.value.message
    assert not Article.objects.exists()


def test_clients_cannot_write_articles(client_user):
    with pytest.raises(KbError):
        article(by=client_user)


def test_votes_count_once_per_voter_and_can_change(writer):
    item = article(by=writer)
    services.vote(item, voter="u:1", user=None, helpful=True)
    services.vote(item, voter="u:1", user=None, helpful=True)
    services.vote(item, voter="s:abc", user=None, helpful=False)
    item.refresh_from_db()
    assert (item.helpful_yes, item.helpful_no) == (1, 1)
    services.vote(item, voter="u:1", user=None, helpful=False)
    item.refresh_from_db()
    assert (item.helpful_yes, item.helpful_no) == (0, 2)


def test_an_article_of_a_deleted_product_loses_only_the_link(writer):
    from tests.tickets.factories import ProductFactory

    product = ProductFactory()
    item = article(by=writer, products=[product], category=category())
    product.delete()
    item.refresh_from_db()
    assert list(item.products.all()) == []
    assert item.status == Article.Status.PUBLISHED


def test_a_deflection_is_only_for_clients(writer, client_user):
    item = article(by=writer)
    assert services.open_deflection(item, user=writer) is None
    deflection = services.open_deflection(item, user=client_user, subject="x" * 999)
    assert deflection.organization == client_user.organization
    assert len(deflection.subject) == 200
    assert len(deflection.token) >= 40
