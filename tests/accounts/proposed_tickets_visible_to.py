"""The replacement of ``tickets.selectors.tickets_visible_to`` for issue 19, verbatim as
the teams report gives it to the merger (the teams branch may not edit tickets/).

tests/accounts/test_member_visibility.py runs its checks against this function on a
branch where tickets/ still lacks the rule. Delete this file once the merge has put the
function in tickets/selectors/__init__.py (the tests then run against the real one).
"""

from django.db.models import QuerySet

from accounts.models import User
from accounts.permissions import sees_all_org_tickets
from tickets.models import Ticket


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Technicians and admins see all tickets; a client's manager their organization's;
    a member the tickets they requested, or all of the organization's when it lets
    members see them (accounts.permissions.sees_all_org_tickets)."""
    if not user.is_authenticated:
        return Ticket.objects.none()
    if user.is_support_staff:
        return Ticket.objects.all()
    if user.organization_id is None:
        return Ticket.objects.none()
    tickets = Ticket.objects.filter(organization_id=user.organization_id)
    if sees_all_org_tickets(user):
        return tickets
    return tickets.filter(requester_id=user.pk)
