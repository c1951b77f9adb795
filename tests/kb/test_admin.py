from django.urls import reverse

from kb.models import Article


def test_admins_save_articles_through_the_service(admin_client):
    data = {
        "group": "",
        "language": "es",
        "title": "Desde el admin",
        "slug": "desde-admin",
        "body": "<script>x</script> **hola**",
        "category": "",
        "tags": "",
        "visibility": "public",
        "status": "published",
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(reverse("admin:kb_article_add"), data)
    assert response.status_code == 302, response.content[:2000]
    article = Article.objects.get(slug="desde-admin")
    assert "<strong>hola</strong>" in article.body_html
    assert "<script>" not in article.body_html
    assert article.versions.count() == 1
    changelist = admin_client.get(reverse("admin:kb_article_changelist"))
    assert changelist.status_code == 200
