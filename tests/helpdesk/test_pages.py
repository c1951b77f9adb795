import pytest
from django.test import override_settings
from django.urls import path, reverse

from helpdesk import urls as project_urls


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [*project_urls.urlpatterns, path("boom/", _boom)]
handler500 = project_urls.handler500
handler404 = project_urls.handler404


@pytest.mark.django_db
def test_client_dashboard_shows_the_organization(client_client):
    response = client_client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert "Cliente Uno S.L." in response.content.decode()


@pytest.mark.django_db
def test_staff_dashboard_counts_organizations(staff_client, organization, other_organization):
    page = staff_client.get(reverse("dashboard")).content.decode()
    assert "Organizaciones cliente" in page or "Client organizations" in page


@pytest.mark.django_db
def test_404_page_is_the_products_own(client_client):
    response = client_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "No hemos encontrado esa página" in response.content.decode()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_500_page_renders_without_the_request(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Algo ha fallado" in response.content.decode()


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_without_cdn(client):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "cdn" not in response.content.decode().lower()


def test_bootstrap_is_vendored_in_static():
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/bootstrap/css/bootstrap.min.css")
    assert finders.find("vendor/bootstrap/js/bootstrap.bundle.min.js")
