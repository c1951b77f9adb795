"""An organization with several products under contract: the email names one, or the ticket
is filed "product to confirm" and a technician confirms or changes it on the staff page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.accounts.factories import OrganizationFactory, UserFactory
from tests.mailchannel.conftest import corpus
from tests.tickets.factories import ContractFactory, ProductFactory, log_time
from tickets import selectors, services
from tickets.inbound import receive_email
from tickets.models import ProductChange, Ticket

pytestmark = pytest.mark.django_db


def _contract(organization, product, **fields):
    today = timezone.localdate()
    fields.setdefault("starts_on", today - timedelta(days=30))
    fields.setdefault("ends_on", today + timedelta(days=300))
    return ContractFactory(organization=organization, product=product, **fields)


@pytest.fixture
def blog(client_org):
    """A second product under contract (client_org already has Tienda)."""
    product = ProductFactory(name="Blog")
    _contract(client_org, product)
    return product


def _mail(subject: str, body: str, message_id: str = "<several-1@cliente.example>") -> bytes:
    return (
        "From: Ana Cliente <ana@cliente.example>\r\n"
        "To: soporte@example.com\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: {message_id}\r\n"
        "Date: Tue, 01 Dec 2026 10:00:00 +0100\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"{body}\r\n"
    ).encode()


def test_one_product_under_contract_is_taken_without_asking(ana):
    ticket = receive_email(_mail("No carga", "Nada funciona.")).ticket
    assert ticket.product.name == "Tienda"
    assert not ticket.product_to_confirm


def test_the_product_named_in_the_subject_is_taken(ana, blog):
    received = receive_email(corpus("new_plain.eml"))  # "La tienda no carga"
    assert received.outcome == "created"
    assert received.ticket.product.name == "Tienda"
    assert not received.ticket.product_to_confirm
    assert "confirm" not in received.reason


def test_the_product_named_in_the_body_is_taken(ana, blog):
    ticket = receive_email(_mail("Una duda", "Las entradas del blog salen sin fecha.")).ticket
    assert ticket.product == blog
    assert ticket.contract.product == blog
    assert not ticket.product_to_confirm


def test_a_longer_name_wins_over_the_shorter_it_contains(ana, client_org, blog):
    pro = ProductFactory(name="Tienda Pro")
    _contract(client_org, pro)
    ticket = receive_email(_mail("Tienda Pro caída", "No abre.")).ticket
    assert ticket.product == pro
    assert not ticket.product_to_confirm


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Una consulta", "No sé qué pasa."),  # names none
        ("Tienda y blog", "Los dos fallan."),  # names both
        ("Tiendas", "Blogger dice que no."),  # no whole word
    ],
)
def test_no_single_product_named_files_it_to_confirm(ana, blog, subject, body):
    received = receive_email(_mail(subject, body))
    ticket = received.ticket
    assert received.outcome == "created"
    assert ticket.product_to_confirm
    assert ticket.product.name == "Blog"  # the first by name, under its contract
    assert ticket.contract.product == ticket.product
    assert "confirms the product" in received.reason


def test_expired_contracts_are_not_candidates(ana, client_org):
    old = ProductFactory(name="Antiguo")
    today = timezone.localdate()
    _contract(client_org, old, starts_on=today - timedelta(days=400), ends_on=today - timedelta(1))
    ticket = receive_email(_mail("Antiguo", "El antiguo falla.")).ticket
    assert ticket.product.name == "Tienda"
    assert not ticket.product_to_confirm


@pytest.fixture(autouse=True)
def _technician_reads_english(request):
    """The pages follow the user's language: the technician's here is English (the
    client's, Spanish)."""
    if "technician" in request.fixturenames:
        technician = request.getfixturevalue("technician")
        technician.language = "en"
        technician.save(update_fields=["language"])


@pytest.fixture
def to_confirm(ana, blog):
    ticket = receive_email(_mail("Una consulta", "No sé qué pasa.")).ticket
    assert ticket.product_to_confirm
    return ticket


def test_staff_page_shows_the_banner_with_the_contracted_products(
    client, technician, to_confirm, blog
):
    ProductFactory(name="Ajeno")  # under nobody's contract here: not offered
    client.force_login(technician)
    page = client.get(to_confirm.get_absolute_url()).content.decode()
    assert 'data-testid="product-to-confirm"' in page
    banner = page.split('data-testid="product-to-confirm"')[1].split("</form>")[0]
    assert ">Blog</option>" in banner
    assert ">Tienda</option>" in banner
    assert "Ajeno" not in banner


def test_client_page_shows_no_banner(client, ana, to_confirm):
    client.force_login(ana)
    response = client.get(to_confirm.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "product-to-confirm" not in page
    assert "Blog" in page  # the product, as on any ticket


def test_technician_confirms_another_product_logged_in_history(client, technician, to_confirm):
    tienda = selectors.contracted_products(to_confirm.organization)[1]
    assert tienda.name == "Tienda"
    client.force_login(technician)
    url = f"/tickets/{to_confirm.pk}/product/"
    response = client.post(url, {"product": tienda.pk}, follow=True)
    assert response.status_code == 200
    to_confirm.refresh_from_db()
    assert to_confirm.product == tienda
    assert to_confirm.contract.product == tienda
    assert not to_confirm.product_to_confirm
    change = ProductChange.objects.get()
    assert (change.from_product.name, change.to_product, change.by) == ("Blog", tienda, technician)
    page = response.content.decode()
    assert "The product is now Tienda." in page
    assert "product-to-confirm" not in page
    assert 'data-testid="history-product"' in page
    assert "Product Blog → Tienda" in page


def test_confirming_the_same_product_clears_the_flag(client, technician, to_confirm, blog):
    client.force_login(technician)
    client.post(f"/tickets/{to_confirm.pk}/product/", {"product": blog.pk})
    to_confirm.refresh_from_db()
    assert to_confirm.product == blog
    assert not to_confirm.product_to_confirm
    page = client.get(to_confirm.get_absolute_url()).content.decode()
    assert "Product Blog confirmed" in page


@pytest.mark.parametrize("value", ["other_org", "no_contract", "999999", "abc", ""])
def test_bad_product_is_refused_with_a_message_and_changes_nothing(
    client, technician, to_confirm, value
):
    other = OrganizationFactory()
    if value == "other_org":
        product = ProductFactory(name="De otros")
        _contract(other, product)
        value = str(product.pk)
    elif value == "no_contract":
        value = str(ProductFactory(name="Sin contrato").pk)
    client.force_login(technician)
    response = client.post(f"/tickets/{to_confirm.pk}/product/", {"product": value}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "is not under an active contract of Cliente SL" in page
        or "Choose one of the products of the list." in page
    )
    to_confirm.refresh_from_db()
    assert to_confirm.product.name == "Blog"
    assert to_confirm.product_to_confirm
    assert not ProductChange.objects.exists()


def test_clients_get_404_and_nothing_changes(client, ana, to_confirm):
    tienda = selectors.contracted_products(to_confirm.organization)[1]
    stranger = UserFactory()  # another organization's client
    for user in (ana, stranger):
        client.force_login(user)
        assert (
            client.post(f"/tickets/{to_confirm.pk}/product/", {"product": tienda.pk}).status_code
            == 404
        )
    to_confirm.refresh_from_db()
    assert to_confirm.product.name == "Blog"
    assert to_confirm.product_to_confirm
    assert not ProductChange.objects.exists()


def test_get_is_not_allowed(client, technician, to_confirm):
    client.force_login(technician)
    assert client.get(f"/tickets/{to_confirm.pk}/product/").status_code == 405


def test_time_logged_changes_no_price(technician, to_confirm):
    """The price does not depend on the product: a change with time logged is allowed and
    the charge stays what it was."""
    log_time(to_confirm, technician, 40, "phone")
    before = selectors.charging.charge_preview(to_confirm).breakdown
    tienda = selectors.contracted_products(to_confirm.organization)[1]
    ticket = services.set_product(to_confirm, tienda, by=technician)
    after = selectors.charging.charge_preview(Ticket.objects.get(pk=ticket.pk)).breakdown
    assert ticket.product == tienda
    assert after == before


def test_only_staff_set_products(ana, to_confirm):
    tienda = selectors.contracted_products(to_confirm.organization)[1]
    with pytest.raises(services.NotAllowed):
        services.set_product(to_confirm, tienda, by=ana)


def test_banner_in_spanish(client, to_confirm):
    from tests.accounts.factories import TechnicianFactory

    client.force_login(TechnicianFactory(language="es"))
    page = client.get(to_confirm.get_absolute_url()).content.decode()
    assert "Producto por confirmar" in page
    assert "Confirmar el producto" in page
