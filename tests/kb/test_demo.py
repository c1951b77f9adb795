from django.core.management import call_command

from kb.models import Article, Macro


def test_seed_demo_adds_linked_articles_in_both_languages_and_runs_twice(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    spanish = Article.objects.get(language="es", slug="descargar-factura")
    english = Article.objects.get(language="en", slug="download-invoice")
    assert spanish.group == english.group
    assert Article.objects.filter(visibility=Article.Visibility.INTERNAL).count() == 1
    assert Article.objects.count() == 6
    assert Macro.objects.filter(owner=None).count() == 2
    assert "<strong>Facturas</strong>" in spanish.body_html
