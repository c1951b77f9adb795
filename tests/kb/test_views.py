import pytest
from django.urls import reverse

from kb.models import Article, Deflection, Vote
from tests.kb.factories import article, category

Visibility = Article.Visibility
Status = Article.Status


@pytest.fixture
def articles(writer):
    billing = category()
    return {
        "public": article(
            "Descargar una factura",
            "Pulsa **Descargar** en Facturas.",
            by=writer,
            slug="descargar-factura",
            category=billing,
            tags="facturas, pdf",
        ),
        "clients": article(
            "Cambiar la contraseña de la factura",
            "Solo para clientes: facturas protegidas.",
            by=writer,
            slug="contrasena-factura",
            visibility=Visibility.CLIENTS,
            category=billing,
        ),
        "internal": article(
            "Secreto interno de facturas",
            "Procedimiento interno de facturas.",
            by=writer,
            slug="interno-factura",
            visibility=Visibility.INTERNAL,
            category=billing,
        ),
        "draft": article(
            "Borrador de facturas",
            "Aún no publicado: facturas.",
            by=writer,
            slug="borrador-factura",
            status=Status.DRAFT,
            category=billing,
        ),
        "english": article(
            "Download an invoice",
            "Press **Download** in Invoices.",
            by=writer,
            slug="download-invoice",
            language="en",
            category=billing,
        ),
    }


def _url(item):
    return reverse("kb:article", kwargs={"language": item.language, "slug": item.slug})


def test_anyone_reads_a_public_article_rendered(client, articles):
    response = client.get(_url(articles["public"]))
    assert response.status_code == 200
    assert b"<strong>Descargar</strong>" in response.content
    articles["public"].refresh_from_db()
    assert articles["public"].views == 1


@pytest.mark.parametrize("who", ["anonymous", "client"])
def test_a_client_never_sees_an_internal_or_draft_article(client, articles, client_user, who):
    if who == "client":
        client.force_login(client_user)
    hidden = [articles["internal"], articles["draft"]]
    if who == "anonymous":
        hidden.append(articles["clients"])
    for item in hidden:
        assert client.get(_url(item)).status_code == 404
        assert (
            client.post(
                reverse("kb:vote", args=[item.language, item.slug]), {"helpful": "yes"}
            ).status_code
            == 404
        )
    pages = [
        client.get(reverse("kb:search", args=["es"]), {"q": "facturas"}),
        client.get(reverse("kb:suggest"), {"q": "factura", "language": "es"}),
        client.get(_url(articles["public"])),  # related articles
        client.get(reverse("kb:index", args=["es"])),
        client.get(reverse("kb:category", args=["es", "facturacion"])),
    ]
    for page in pages:
        assert page.status_code == 200
        for item in hidden:
            assert item.title.encode() not in page.content, (page.request, item.title)
    assert not Vote.objects.exists()


def test_a_client_reads_articles_for_clients(client, articles, client_user):
    client.force_login(client_user)
    assert client.get(_url(articles["clients"])).status_code == 200


def test_staff_read_internal_articles(client, articles, technician):
    client.force_login(technician)
    assert client.get(_url(articles["internal"])).status_code == 200
    assert client.get(_url(articles["draft"])).status_code == 404


def test_a_language_outside_spanish_and_english_is_404(client, articles):
    assert client.get("/help/fr/descargar-factura/").status_code == 404
    # The Spanish slug is not found under English.
    assert client.get("/help/en/descargar-factura/").status_code == 404


def test_articles_link_their_other_language_version(client, writer, articles):
    from kb import services

    english = articles["english"]
    Article.objects.filter(pk=english.pk).update(group=articles["public"].group)
    page = client.get(_url(articles["public"]))
    assert b"/help/en/download-invoice/" in page.content
    assert services  # the service module is importable beside the views


@pytest.mark.postgres
def test_search_is_ranked_with_highlighted_snippets(client, articles):
    response = client.get(reverse("kb:search", args=["es"]), {"q": "descargar factura"})
    assert response.status_code == 200
    assert b"Descargar una factura" in response.content
    assert b"<mark>" in response.content


@pytest.mark.postgres
def test_search_snippets_escape_the_body(client, writer):
    article(
        "Error de script", "<script>alert('x')</script> error de script", by=writer, slug="script"
    )
    response = client.get(reverse("kb:search", args=["es"]), {"q": "script"})
    assert b"<script>alert" not in response.content
    assert b"<mark>script</mark>" in response.content


@pytest.mark.postgres
def test_spanish_search_matches_other_forms_of_a_word(client, articles):
    response = client.get(reverse("kb:search", args=["es"]), {"q": "descargando"})
    assert b"Descargar una factura" in response.content


@pytest.mark.parametrize("q", ["de la el", "the of", "!!! ¿?", "' OR 1=1 --", "a:* & | !"])
def test_a_search_of_only_stop_words_or_symbols_is_safe_and_empty(client, articles, q):
    response = client.get(reverse("kb:search", args=["es"]), {"q": q})
    assert response.status_code == 200
    suggest = client.get(reverse("kb:suggest"), {"q": q, "language": "es"})
    assert suggest.status_code == 200


def test_a_long_search_is_bounded(client, articles):
    response = client.get(reverse("kb:search", args=["es"]), {"q": "factura " * 10_000})
    assert response.status_code == 200


@pytest.mark.postgres
def test_suggestions_match_a_word_being_typed(client, articles, client_user):
    client.force_login(client_user)
    response = client.get(reverse("kb:suggest"), {"q": "no puedo desc", "language": "es"})
    assert b"Descargar una factura" in response.content
    assert b"from=ticket" in response.content


@pytest.mark.postgres
def test_suggestions_run_a_fixed_number_of_queries(
    client, writer, client_user, django_assert_num_queries
):
    for n in range(12):
        article(f"Factura número {n}", "facturas y recibos", by=writer, slug=f"f-{n}")
    client.force_login(client_user)
    client.get(reverse("kb:suggest"), {"q": "fac", "language": "es"})
    # The session and its user, then the suggestions.
    with django_assert_num_queries(3):
        response = client.get(reverse("kb:suggest"), {"q": "factura", "language": "es"})
    assert response.content.count(b'data-testid="kb-suggestion"') == 5


def test_the_article_page_runs_a_fixed_number_of_queries(
    client, articles, client_user, django_assert_num_queries
):
    client.force_login(client_user)
    client.get(_url(articles["public"]))
    # Session, user, article, translation, related, views +1, the navbar's organization.
    with django_assert_num_queries(7):
        client.get(_url(articles["public"]))


def test_opening_a_suggestion_and_answering_helpful_is_a_deflection(
    client, articles, client_user, technician
):
    client.force_login(client_user)
    page = client.get(_url(articles["public"]), {"from": "ticket", "q": "factura"})
    deflection = Deflection.objects.get()
    assert deflection.token.encode() in page.content
    response = client.post(
        reverse("kb:vote", args=["es", "descargar-factura"]),
        {"helpful": "yes", "token": deflection.token},
    )
    assert response.status_code == 302
    deflection.refresh_from_db()
    assert deflection.helpful is True
    client.force_login(technician)
    stats = client.get(reverse("kb:stats"))
    assert stats.context["total_avoided"] == 1
    assert "1 preguntas resueltas sin ticket" in stats.content.decode()


def test_a_ticket_opened_after_the_article_cancels_the_deflection(articles, client_user):
    from django.utils import timezone

    from kb import selectors, services
    from tests.tickets.factories import ContractFactory, open_ticket

    deflection = services.open_deflection(articles["public"], user=client_user)
    services.vote(
        articles["public"], voter="u:x", user=client_user, helpful=True, token=deflection.token
    )
    assert selectors.deflections_counted(timezone.now()).count() == 1
    ContractFactory(organization=client_user.organization)
    open_ticket(client_user)
    assert selectors.deflections_counted(timezone.now()).count() == 0


def test_a_vote_with_another_users_token_changes_nothing(
    client, articles, client_user, other_client_user
):
    from kb import services

    deflection = services.open_deflection(articles["public"], user=client_user)
    client.force_login(other_client_user)
    client.post(
        reverse("kb:vote", args=["es", "descargar-factura"]),
        {"helpful": "no", "token": deflection.token},
    )
    deflection.refresh_from_db()
    assert deflection.helpful is None


def test_a_vote_without_an_answer_changes_nothing(client, articles):
    response = client.post(reverse("kb:vote", args=["es", "descargar-factura"]), {"helpful": "x"})
    assert response.status_code == 302
    assert not Vote.objects.exists()


def test_articles_with_many_no_votes_are_listed_for_review(client, articles, technician):
    from kb import services

    for n in range(3):
        services.vote(articles["public"], voter=f"s:{n}", user=None, helpful=False)
    client.force_login(technician)
    page = client.get(reverse("kb:stats"))
    assert [a.pk for a in page.context["review"]] == [articles["public"].pk]


def test_the_stats_page_runs_a_fixed_number_of_queries(
    client, articles, technician, django_assert_num_queries
):
    client.force_login(technician)
    client.get(reverse("kb:stats"))
    with django_assert_num_queries(4):
        client.get(reverse("kb:stats"))


def test_technicians_write_and_edit_articles_with_history(client, technician):
    client.force_login(technician)
    data = {
        "language": "es",
        "title": "Nueva guía",
        "slug": "nueva-guia",
        "body": "Texto",
        "visibility": "public",
        "status": "published",
        "tags": "",
        "category": "",
    }
    response = client.post(reverse("kb:article_create"), data)
    assert response.status_code == 302
    item = Article.objects.get(slug="nueva-guia")
    data["body"] = "Texto corregido"
    client.post(reverse("kb:article_edit", args=[item.pk]), data)
    history = client.get(reverse("kb:article_history", args=[item.pk]))
    assert b"body" in history.content
    assert item.versions.count() == 2
    # A clashing slug: a clear message, nothing saved.
    data["slug"], data["title"] = "nueva-guia", "Otra guía"
    response = client.post(reverse("kb:article_create"), data)
    assert response.status_code == 400
    assert b"slug" in response.content
    assert Article.objects.count() == 1


def test_a_ten_megabyte_article_posted_is_refused(client, technician):
    client.force_login(technician)
    data = {
        "language": "es",
        "title": "Grande",
        "slug": "grande",
        "body": "x" * 10_000_000,
        "visibility": "public",
        "status": "draft",
    }
    response = client.post(reverse("kb:article_create"), data)
    assert response.status_code == 400
    assert not Article.objects.exists()


def test_clients_get_404_on_staff_pages(client, client_user, articles):
    client.force_login(client_user)
    for name, args in [
        ("kb:staff_articles", []),
        ("kb:stats", []),
        ("kb:lookup", []),
        ("kb:article_edit", [articles["public"].pk]),
        ("kb:macro_list", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404


def test_lookup_finds_published_non_internal_articles_by_title(client, technician, articles):
    client.force_login(technician)
    data = client.get(reverse("kb:lookup"), {"q": "factura"}).json()
    titles = {r["title"] for r in data["results"]}
    assert titles == {"Descargar una factura", "Cambiar la contraseña de la factura"}
    assert all(r["url"].startswith("http") for r in data["results"])


def test_pages_speak_the_articles_language(client, articles):
    spanish = client.get(_url(articles["public"]))
    assert "¿Te ha servido este artículo?" in spanish.content.decode()
    english = client.get(_url(articles["english"]))
    assert "Was this article helpful?" in english.content.decode()


def test_every_staff_page_opens_for_a_technician(client, technician, articles):
    from tests.kb.factories import macro

    own = macro(owner=technician)
    client.force_login(technician)
    item = articles["public"]
    for url in [
        reverse("kb:staff_articles"),
        reverse("kb:staff_articles") + "?status=draft&q=factura",
        reverse("kb:article_create"),
        reverse("kb:article_create") + f"?translate={item.pk}",
        reverse("kb:article_edit", args=[item.pk]),
        reverse("kb:article_history", args=[item.pk]),
        reverse("kb:stats"),
        reverse("kb:macro_list"),
        reverse("kb:macro_create"),
        reverse("kb:macro_edit", args=[own.pk]),
        reverse("kb:help"),
        reverse("kb:index", args=["en"]),
    ]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
