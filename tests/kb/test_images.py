from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kb.models import Article, ArticleImage
from tests.kb.factories import article
from tests.tickets.factories import PDF, PNG


def _png(name="captura.png", data=PNG):
    return SimpleUploadedFile(name, data, content_type="image/png")


def test_a_technician_adds_an_image_that_readers_of_the_article_get(client, writer, technician):
    item = article(by=writer, slug="con-imagen")
    client.force_login(technician)
    response = client.post(reverse("kb:image_upload", args=[item.pk]), {"image": _png()})
    assert response.status_code == 302
    image = ArticleImage.objects.get()
    client.logout()
    served = client.get(image.get_absolute_url())
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == PNG


def test_an_internal_articles_image_is_404_for_clients(client, writer, client_user):
    from kb import services

    item = article(by=writer, slug="interna", visibility=Article.Visibility.INTERNAL)
    image = services.add_image(item, _png(), by=writer)
    client.force_login(client_user)
    assert client.get(image.get_absolute_url()).status_code == 404


def test_programs_and_documents_are_refused_and_nothing_is_stored(client, writer, technician):
    item = article(by=writer, slug="sin-imagen")
    client.force_login(technician)
    for upload in (
        _png("virus.exe", b"MZ" + b"\x00" * 30),
        _png("falsa.png", b"MZ" + b"\x00" * 30),
        SimpleUploadedFile("manual.pdf", PDF, content_type="application/pdf"),
    ):
        response = client.post(reverse("kb:image_upload", args=[item.pk]), {"image": upload},
                               follow=True)  # fmt: skip
        assert response.status_code == 200
    assert not ArticleImage.objects.exists()
    response = client.post(reverse("kb:image_upload", args=[item.pk]), {}, follow=True)
    assert response.status_code == 200


def test_an_image_in_markdown_is_shown_in_the_article(client, writer):
    from kb import services

    item = article(by=writer, slug="guia")
    image = services.add_image(item, _png(), by=writer)
    services.save_article(
        item, by=writer, title=item.title, slug=item.slug, language="es",
        body=f"Mira: ![captura]({image.get_absolute_url()})", status=item.status,
        visibility=item.visibility, tags="",
    )  # fmt: skip
    page = client.get(item.get_absolute_url())
    assert f'<img src="{image.get_absolute_url()}" alt="captura">'.encode() in page.content
