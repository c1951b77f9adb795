from tests.authz import Access, Case, Victim


def _rate(victim):
    from reports import services

    return {"token": services.rating_token(victim.objects["resolved_ticket"]), "score": 5}


def _comment(victim):
    from reports import services

    return {"token": services.rating_token(victim.objects["resolved_ticket"])}


CASES = {
    "reports:staff_dashboard": Case(Access.STAFF),
    # The user's own organization, whatever ?organization= says.
    "reports:usage": Case(Access.OWN, manager_only=True),
    "reports:export": Case(
        Access.OWN,
        kwargs=lambda victim: {"dataset": "movements", "fmt": "csv"},
        manager_only=True,
    ),
    # A rating link of the victim's resolved ticket: another organization's client gets 404.
    "reports:rate": Case(Access.OBJECT, kwargs=_rate),
    "reports:rate_comment": Case(Access.OBJECT, kwargs=_comment),
}


def build_victim(victim: Victim) -> None:
    """A resolved ticket of the victim's (its rating links are the victim's)."""
    from tests.accounts.factories import TechnicianFactory
    from tests.tickets.factories import open_ticket
    from tickets import services

    technician = TechnicianFactory()
    ticket = open_ticket(victim.user, subject=f"{Victim.MARKER} incidencia")
    services.assign(ticket, technician, by=technician)
    services.resolve(ticket, by=technician, goodwill_reason="Prueba")
    victim.objects["resolved_ticket"] = ticket
