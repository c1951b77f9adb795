"""The transition table: one place, consistent with itself."""

from tickets import workflow
from tickets.models import FINISHED_STATUSES, Ticket

S = Ticket.Status


def test_every_status_has_a_row():
    assert set(workflow.TRANSITIONS) == set(S.values)
    assert set(workflow.CLIENT_TRANSITIONS) == set(S.values)


def test_clients_can_do_only_what_staff_can_do():
    for status, targets in workflow.CLIENT_TRANSITIONS.items():
        assert targets <= workflow.TRANSITIONS[status], status


def test_clients_cannot_resolve_or_work_a_ticket():
    for targets in workflow.CLIENT_TRANSITIONS.values():
        assert not targets & {S.RESOLVED, S.IN_PROGRESS, S.OUT_OF_SCOPE, S.AWAITING_CREDITS}


def test_out_of_scope_is_final_and_finished_tickets_only_close_or_reopen():
    assert workflow.TRANSITIONS[S.OUT_OF_SCOPE] == frozenset()
    for status in FINISHED_STATUSES:
        assert workflow.TRANSITIONS[status] <= {S.OPEN, S.CLOSED}


def test_no_status_moves_to_itself_or_back_to_new():
    for status, targets in workflow.TRANSITIONS.items():
        assert status not in targets
        assert S.NEW not in targets


def test_allowed_targets_by_role():
    assert workflow.can_move(S.AWAITING_CLIENT, S.OPEN, staff=False)
    assert not workflow.can_move(S.OPEN, S.IN_PROGRESS, staff=False)
    assert workflow.can_move(S.OPEN, S.IN_PROGRESS, staff=True)
    assert not workflow.can_move(S.CLOSED, S.IN_PROGRESS, staff=True)
