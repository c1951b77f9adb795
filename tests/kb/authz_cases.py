"""The knowledge base's URLs for tests/test_authorization.py. The help centre is public,
but the victim's internal article (with the marker in its title and body), its category
(only that article) and the victim's deflection must stay unseen; staff pages are 404
for clients."""

from kb import services
from kb.models import Article, Macro
from tests.authz import Access, Case, Victim
from tests.kb.factories import article, category


def build_victim(victim: Victim) -> None:
    from tests.accounts.factories import TechnicianFactory

    technician = TechnicianFactory()
    secret_category = category(slug="victima", name_es=Victim.MARKER, name_en=Victim.MARKER)
    internal = article(
        f"{Victim.MARKER} interno",
        f"{Victim.MARKER} procedimiento",
        by=technician,
        slug="victima-interno",
        visibility=Article.Visibility.INTERNAL,
        category=secret_category,
    )
    public = article("Artículo público", "Texto público", by=technician, slug="publico")
    deflection = services.open_deflection(public, user=victim.user, subject=Victim.MARKER)
    macro = Macro.objects.create(name=Victim.MARKER, body=Victim.MARKER, owner=technician)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.tickets.factories import PNG

    image = services.add_image(
        internal, SimpleUploadedFile(f"{Victim.MARKER}.png", PNG), by=technician
    )
    victim.objects.update(
        kb_internal=internal,
        kb_category=secret_category,
        kb_deflection=deflection,
        kb_macro=macro,
        kb_image=image,
    )


def _internal(victim):
    return {"language": "es", "slug": victim.objects["kb_internal"].slug}


def _article_pk(victim):
    return {"pk": victim.objects["kb_internal"].pk}


def _macro_pk(victim):
    return {"pk": victim.objects["kb_macro"].pk}


CASES = {
    "kb:help": Case(Access.PUBLIC, post=False),
    "kb:suggest": Case(Access.PUBLIC),
    "kb:index": Case(Access.PUBLIC, kwargs=lambda v: {"language": "es"}),
    "kb:search": Case(Access.PUBLIC, kwargs=lambda v: {"language": "es"}),
    "kb:category": Case(
        Access.PUBLIC, kwargs=lambda v: {"language": "es", "slug": v.objects["kb_category"].slug}
    ),
    "kb:article": Case(Access.PUBLIC, kwargs=_internal),
    "kb:vote": Case(Access.PUBLIC, kwargs=_internal),
    "kb:image": Case(Access.PUBLIC, kwargs=lambda v: {"pk": v.objects["kb_image"].pk}),
    "kb:image_upload": Case(Access.STAFF, kwargs=_article_pk),
    "kb:staff_articles": Case(Access.STAFF),
    "kb:article_create": Case(Access.STAFF),
    "kb:article_edit": Case(Access.STAFF, kwargs=_article_pk),
    "kb:article_history": Case(Access.STAFF, kwargs=_article_pk),
    "kb:stats": Case(Access.STAFF),
    "kb:lookup": Case(Access.STAFF),
    "kb:macro_list": Case(Access.STAFF),
    "kb:macro_create": Case(Access.STAFF),
    "kb:macro_edit": Case(Access.STAFF, kwargs=_macro_pk),
    "kb:macro_delete": Case(Access.STAFF, kwargs=_macro_pk),
    "kb:macro_apply": Case(
        Access.STAFF,
        kwargs=lambda v: {"pk": v.objects["kb_macro"].pk, "ticket_pk": v.objects["ticket"].pk},
    ),
}
