from tests.authz import Access, Case, Victim
from tests.tickets.factories import (
    PDF,
    grant_credits,
    log_time,
    open_ticket,
    send_estimate,
    store_credential,
    upload,
)
from tickets import services


def build_victim(victim: Victim) -> None:
    """The victim's ticket with a public message, an internal note and attachments."""
    from tests.accounts.factories import TechnicianFactory

    technician = TechnicianFactory()
    ticket = open_ticket(
        victim.user,
        subject=f"{Victim.MARKER} asunto",
        description=f"{Victim.MARKER} descripción",
        attachments=[upload(f"{Victim.MARKER}-apertura.pdf", PDF)],
    )
    message = services.add_reply(
        ticket,
        author=technician,
        body=f"{Victim.MARKER} respuesta pública",
        attachments=[upload(f"{Victim.MARKER}-publico.pdf", PDF)],
    )
    note = services.add_note(
        ticket,
        author=technician,
        body=f"{Victim.MARKER} nota interna",
        attachments=[upload(f"{Victim.MARKER}-interno.pdf", PDF)],
    )
    victim.objects.update(
        ticket=ticket,
        message=message,
        note=note,
        attachment=message.attachments.get(),
        note_attachment=note.attachments.get(),
    )
    _charging_victims(victim, ticket, technician)


def _charging_victims(victim: Victim, ticket, technician) -> None:
    """Time entries, an estimate, a quote, credentials and a reveal of the victim's."""
    grant_credits(victim.organization, 500)
    entry = log_time(ticket, technician, 25, "phone", note=f"{Victim.MARKER} tiempo")
    estimate = send_estimate(ticket, technician, 90, description=f"{Victim.MARKER} estimación")
    custom = open_ticket(
        victim.user,
        kind="customization",
        subject=f"{Victim.MARKER} personalización",
        description=f"{Victim.MARKER} exportar pedidos",
    )
    quote = send_estimate(
        custom, technician, 240, kind="quote", description=f"{Victim.MARKER} presupuesto"
    )
    shared = store_credential(victim.user, label=f"{Victim.MARKER} panel")
    for_ticket = store_credential(victim.user, ticket=ticket, label=f"{Victim.MARKER} FTP")
    services.reveal_credential(shared, by=technician)
    victim.objects.update(
        time_entry=entry,
        estimate=estimate,
        quote=quote,
        credential=shared,
        ticket_credential=for_ticket,
    )


def _ticket(victim):
    return {"pk": victim.objects["ticket"].pk}


def _pk(victim, name):
    return {"pk": victim.objects[name].pk}


CASES = {
    "tickets:list": Case(Access.OWN),
    "tickets:create": Case(Access.OWN),
    "tickets:request_renewal": Case(Access.OWN),
    "tickets:detail": Case(Access.OBJECT, kwargs=_ticket),
    "tickets:reply": Case(Access.OBJECT, kwargs=_ticket),
    "tickets:close": Case(Access.OBJECT, kwargs=_ticket),
    "tickets:reopen": Case(Access.OBJECT, kwargs=_ticket),
    "tickets:attachment": Case(
        Access.OBJECT, kwargs=lambda victim: {"pk": victim.objects["attachment"].pk}
    ),
    "tickets:queue": Case(Access.STAFF),
    "tickets:assign": Case(Access.STAFF, kwargs=_ticket),
    "tickets:change_status": Case(Access.STAFF, kwargs=_ticket),
    "tickets:note": Case(Access.STAFF, kwargs=_ticket),
    "tickets:out_of_scope": Case(Access.STAFF, kwargs=_ticket),
    "tickets:set_product": Case(Access.STAFF, kwargs=_ticket),
    # Time, charging, estimates, the vault
    "tickets:time_add": Case(Access.STAFF, kwargs=_ticket),
    "tickets:time_edit": Case(Access.STAFF, kwargs=lambda v: _pk(v, "time_entry")),
    "tickets:time_delete": Case(Access.STAFF, kwargs=lambda v: _pk(v, "time_entry")),
    "tickets:timer": Case(Access.STAFF, kwargs=_ticket),
    "tickets:security_checklist": Case(Access.STAFF, kwargs=_ticket),
    "tickets:resolve": Case(Access.STAFF, kwargs=_ticket),
    "tickets:estimate_create": Case(Access.STAFF, kwargs=_ticket),
    "tickets:estimate_accept": Case(Access.OBJECT, kwargs=lambda v: _pk(v, "estimate")),
    "tickets:estimate_decline": Case(Access.OBJECT, kwargs=lambda v: _pk(v, "quote")),
    "tickets:credentials": Case(Access.OWN, manager_only=True),
    "tickets:credential_reveal_emails": Case(Access.OWN, manager_only=True),
    "tickets:credential_add": Case(Access.OBJECT, kwargs=_ticket),
    "tickets:credential_delete": Case(
        Access.OBJECT, kwargs=lambda v: _pk(v, "credential"), manager_only=True
    ),
    "tickets:credential_reveal": Case(Access.STAFF, kwargs=lambda v: _pk(v, "credential")),
}
