from django.core.files.base import ContentFile

from credits.models import Statement
from tests.authz import Access, Case, Victim
from tests.credits.factories import StatementFactory, consume, grant, hold


def _organization(victim):
    return {"organization_pk": victim.organization.pk}


CASES = {
    # The client's own organization (no id in the URL).
    "credits:balance": Case(Access.OWN),
    "credits:lots": Case(Access.OWN, manager_only=True),
    "credits:movements": Case(Access.OWN, manager_only=True),
    "credits:statements": Case(Access.OWN, manager_only=True),
    "credits:statement_download": Case(
        Access.OBJECT,
        kwargs=lambda victim: {"pk": victim.objects["statement"].pk},
        manager_only=True,
    ),
    # Support staff, any organization by id.
    "credits:staff_organizations": Case(Access.STAFF),
    "credits:staff_balance": Case(Access.STAFF, kwargs=_organization),
    "credits:staff_lots": Case(Access.STAFF, kwargs=_organization),
    "credits:staff_movements": Case(Access.STAFF, kwargs=_organization),
    "credits:staff_statements": Case(Access.STAFF, kwargs=_organization),
}


def build_victim(victim: Victim) -> None:
    """Lots, movements, a hold and a stored statement, all carrying the marker."""
    org = victim.organization
    marker = Victim.MARKER
    victim.objects["grant"] = grant(org, 120, reason=f"{marker} pack de alta")
    victim.objects["consumption"] = consume(
        org, 15, reason=f"{marker} consulta", reference_label=f"{marker} ticket", work_minutes=9
    )
    victim.objects["hold"] = hold(org, 30, reason=f"{marker} presupuesto")
    statement = StatementFactory(
        organization=org, requested_by=victim.user, status=Statement.Status.READY
    )
    statement.file.save("statement.pdf", ContentFile(f"%PDF-1.4 {marker}".encode()))
    victim.objects["statement"] = statement
