"""The email channel and the members of an organization (issue 19): a member's reply
is appended only to a ticket they may see."""

from tests.accounts.factories import MemberFactory
from tests.mailchannel.conftest import corpus
from tests.tickets.factories import ProductFactory
from tests.tickets.factories import open_ticket as open_ticket_factory
from tickets.inbound import receive_email
from tickets.models import Message


def _from(raw: bytes, address: str) -> bytes:
    new = f"<{address}>".encode()
    return raw.replace(b"<ana@cliente.example>\r\nTo", new + b"\r\nTo").replace(
        b"<ana@cliente.example>\nTo", new + b"\nTo"
    )


def test_a_member_replying_to_a_colleagues_ticket_appends_nothing(ana, client_org):
    member = MemberFactory(email="miembro@cliente.example", organization=client_org)
    ticket = open_ticket_factory(ana, product=ProductFactory(name="Tienda"))
    result = receive_email(_from(corpus("outlook_reply.eml", REF=ticket.reference), member.email))
    assert result.outcome == "rejected"
    assert "not one of the tickets you follow" in result.reason
    assert not Message.objects.filter(ticket=ticket, author=member).exists()


def test_a_member_may_reply_when_the_organization_lets_members_see_all(ana, client_org):
    member = MemberFactory(email="miembro@cliente.example", organization=client_org)
    client_org.members_see_all_tickets = True
    client_org.save(update_fields=["members_see_all_tickets"])
    ticket = open_ticket_factory(ana, product=ProductFactory(name="Tienda"))
    result = receive_email(_from(corpus("outlook_reply.eml", REF=ticket.reference), member.email))
    assert result.outcome == "appended"
    assert Message.objects.filter(ticket=ticket, author=member).exists()


def test_a_member_replies_to_their_own_ticket(client_org):
    member = MemberFactory(email="miembro@cliente.example", organization=client_org)
    ticket = open_ticket_factory(member, product=ProductFactory(name="Tienda"))
    result = receive_email(_from(corpus("outlook_reply.eml", REF=ticket.reference), member.email))
    assert result.outcome == "appended"
