from tests.authz import Access, Case, Victim
from tests.tickets.factories import PDF, open_ticket, upload
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


def _ticket(victim):
    return {"pk": victim.objects["ticket"].pk}


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
}
