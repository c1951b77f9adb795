"""Money emails go to an organization's managers, not its members (issue 19)."""

import pytest

from notifications.models import Kind, OutboxEmail
from notifications.services import queue_email_to_organization
from tests.accounts.factories import MemberFactory
from tests.notifications.factories import SAMPLE_CONTEXTS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", [Kind.INVOICE_ISSUED, Kind.LOW_BALANCE, Kind.CREDITS_EXPIRING])
def test_money_emails_reach_only_the_managers(client_user, kind):
    member = MemberFactory(organization=client_user.organization)
    queue_email_to_organization(client_user.organization, kind, SAMPLE_CONTEXTS[kind])
    recipients = set(OutboxEmail.objects.values_list("recipient_id", flat=True))
    assert recipients == {client_user.pk}
    assert member.pk not in recipients


def test_other_organization_emails_still_reach_members(client_user):
    member = MemberFactory(organization=client_user.organization)
    kind = Kind.BALANCE_AFTER_DEDUCTION
    queue_email_to_organization(client_user.organization, kind, SAMPLE_CONTEXTS[kind])
    assert set(OutboxEmail.objects.values_list("recipient_id", flat=True)) == {
        client_user.pk,
        member.pk,
    }
