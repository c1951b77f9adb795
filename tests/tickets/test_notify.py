"""The tickets emails: SLA warning and breach from the sweep (once per ticket, on the stored
dates, never for a paused or finished ticket), and ticket replies (never for notes)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from notifications.models import Kind, OutboxEmail
from notifications.services import sweep_outbox
from tests.accounts.factories import AdminFactory, TechnicianFactory, UserFactory
from tests.tickets.factories import ProductFactory, open_ticket
from tickets import notify, services
from tickets.models import SlaNotice, Ticket
from tickets.tasks import sweep_sla_task

MADRID = ZoneInfo("Europe/Madrid")
S = Ticket.Status
# A critical ticket (8 business hours) opened on Monday 9 March 2026 at 09:00 is at 75 %
# at 15:00 and due at 17:00 the same day.
OPENED = datetime(2026, 3, 9, 9, tzinfo=MADRID)
WARNING = datetime(2026, 3, 9, 15, tzinfo=MADRID)
DUE = datetime(2026, 3, 9, 17, tzinfo=MADRID)
MINUTE = timedelta(minutes=1)


def madrid(*args) -> datetime:
    return datetime(*args, tzinfo=MADRID)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run ``func`` at ``moment`` and send what it queued (eager Celery, after commit)."""

    def run(moment, func, *args, **kwargs):
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return func(*args, **kwargs)

    return run


@pytest.fixture
def staff(db, technician):
    """The assigned technician (Spanish), another technician, an admin reading English."""
    return {
        "assigned": technician,
        "other": TechnicianFactory(email="jorge@soporte.example"),
        "admin": AdminFactory(email="jefa@soporte.example", language="en"),
    }


@pytest.fixture
def ticket(office, client_user, staff):
    with time_machine.travel(OPENED, tick=False):
        ticket = open_ticket(
            client_user,
            product=ProductFactory(name="Tienda online"),
            severity=Ticket.Severity.CRITICAL,
            subject="La web no carga",
        )
        services.assign(ticket, staff["assigned"], by=staff["assigned"])
    assert (ticket.sla_warning_at, ticket.due_at) == (WARNING, DUE)
    return ticket


def sweep(send, moment):
    return send(moment, notify.sweep_sla)


def sla_emails(kind):
    return OutboxEmail.objects.filter(kind=kind).order_by("pk")


def recipients(kind):
    return sorted(sla_emails(kind).values_list("to_email", flat=True))


# --- The SLA sweep ----------------------------------------------------------------------


def test_the_warning_goes_at_75_percent_to_the_assignees_and_admins_in_their_language(
    ticket, staff, send
):
    assert sweep(send, WARNING - MINUTE) == 0
    assert sweep(send, WARNING) == 1

    assert recipients(Kind.SLA_WARNING) == sorted([staff["assigned"].email, staff["admin"].email])
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {
        staff["assigned"].email: f"Aviso de SLA, 75 % del objetivo: [{ticket.reference}] "
        "La web no carga",
        staff[
            "admin"
        ].email: f"SLA warning, 75% of the target: [{ticket.reference}] La web no carga",
    }
    spanish = next(m for m in mail.outbox if m.to == [staff["assigned"].email])
    assert "Cliente Uno S.L." in spanish.body
    assert f"/tickets/{ticket.pk}/" in spanish.body
    assert "Crítica" in spanish.body
    notice = SlaNotice.objects.get(ticket=ticket)
    assert (notice.kind, notice.judged_on, notice.emails) == ("warning", WARNING, 2)

    # The next minutes find nothing more to say until the due date.
    assert sweep(send, WARNING + MINUTE) == 0
    assert sweep(send, DUE - MINUTE) == 0
    assert len(mail.outbox) == 2


def test_the_breach_is_told_once_at_the_due_date(ticket, staff, send):
    sweep(send, WARNING)
    mail.outbox.clear()
    assert sweep(send, DUE) == 1
    assert recipients(Kind.SLA_BREACH) == sorted([staff["assigned"].email, staff["admin"].email])
    assert {m.subject for m in mail.outbox} == {
        f"Objetivo de SLA superado: [{ticket.reference}] La web no carga",
        f"SLA target passed: [{ticket.reference}] La web no carga",
    }
    assert sweep(send, DUE + timedelta(days=3)) == 0
    assert len(mail.outbox) == 2
    assert sla_emails(Kind.SLA_WARNING).count() == 2  # not again


def test_a_ticket_found_already_breached_gets_only_the_breach(ticket, send):
    assert sweep(send, DUE + timedelta(hours=1)) == 1
    assert not sla_emails(Kind.SLA_WARNING).exists()
    assert sla_emails(Kind.SLA_BREACH).count() == 2
    warning = SlaNotice.objects.get(ticket=ticket, kind=SlaNotice.Kind.WARNING)
    assert warning.emails == 0  # recorded, so that it is never sent late


def test_nobody_assigned_tells_every_technician_and_admin(ticket, staff, send):
    services.unassign(ticket, staff["assigned"], by=staff["assigned"])
    sweep(send, WARNING)
    assert recipients(Kind.SLA_WARNING) == sorted(u.email for u in staff.values())


def test_inactive_people_are_not_told(ticket, staff, send):
    for user in (staff["assigned"], staff["other"]):
        user.is_active = False
        user.save()
    # The only assignee left: nobody is assigned, so every active technician and admin.
    fresh = TechnicianFactory(email="nueva@soporte.example")
    sweep(send, WARNING)
    assert recipients(Kind.SLA_WARNING) == sorted([staff["admin"].email, fresh.email])


def test_a_paused_ticket_is_not_warned_and_is_judged_on_its_moved_dates(
    ticket, client_user, staff, send
):
    with time_machine.travel(madrid(2026, 3, 9, 14), tick=False):
        services.change_status(ticket, S.AWAITING_CLIENT, by=staff["assigned"])
    # Waiting on the client: the old warning and due dates pass in silence.
    assert sweep(send, WARNING) == 0
    assert sweep(send, DUE + timedelta(hours=1)) == 0

    # The client answers on Tuesday at 10:00: the clock restarts, the dates move later by
    # the business time it waited (14:00-18:00 and 09:00-10:00: 5 hours).
    send(madrid(2026, 3, 10, 10), services.add_reply, ticket, author=client_user, body="Hecho")
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN
    assert ticket.sla_warning_at == madrid(2026, 3, 10, 11)
    assert ticket.due_at == madrid(2026, 3, 10, 13)

    assert sweep(send, madrid(2026, 3, 10, 10, 59)) == 0
    assert sweep(send, madrid(2026, 3, 10, 11)) == 1
    assert sweep(send, madrid(2026, 3, 10, 12, 59)) == 0
    assert sweep(send, madrid(2026, 3, 10, 13)) == 1
    assert [n.judged_on for n in SlaNotice.objects.filter(ticket=ticket)] == [
        madrid(2026, 3, 10, 11),
        madrid(2026, 3, 10, 13),
    ]


def test_a_warned_ticket_paused_and_restarted_is_not_warned_twice(ticket, staff, send):
    sweep(send, WARNING)
    with time_machine.travel(WARNING + timedelta(minutes=30), tick=False):
        services.change_status(ticket, S.AWAITING_CREDITS, by=staff["assigned"])
    with time_machine.travel(madrid(2026, 3, 10, 9), tick=False):
        services.change_status(ticket, S.IN_PROGRESS, by=staff["assigned"])
    ticket.refresh_from_db()
    assert ticket.due_at == madrid(2026, 3, 10, 10, 30)  # 1.5 h of target left
    assert sweep(send, madrid(2026, 3, 10, 10, 29)) == 0
    assert sweep(send, madrid(2026, 3, 10, 10, 30)) == 1
    assert sla_emails(Kind.SLA_WARNING).count() == 2
    assert sla_emails(Kind.SLA_BREACH).count() == 2


@pytest.mark.parametrize("finish", ["resolve", "close", "out_of_scope"])
def test_a_finished_ticket_is_never_warned(ticket, staff, send, finish):
    by = staff["assigned"]
    with time_machine.travel(madrid(2026, 3, 9, 12), tick=False):
        if finish == "resolve":
            services.resolve(ticket, by=by)
        elif finish == "close":
            services.close(ticket, by=by)
        else:
            services.close_out_of_scope(ticket, by=by, reason=Ticket.OutOfScopeReason.VIRUS)
    assert sweep(send, DUE + timedelta(days=10)) == 0
    assert not SlaNotice.objects.exists()
    assert not OutboxEmail.objects.filter(kind__in=[Kind.SLA_WARNING, Kind.SLA_BREACH]).exists()


def test_one_technician_without_an_email_does_not_stop_the_others(ticket, staff, send):
    other = staff["other"]
    type(other).objects.filter(pk=other.pk).update(email="")
    services.unassign(ticket, staff["assigned"], by=staff["assigned"])  # everyone is told
    sweep(send, WARNING)
    outcome = {e.recipient_id: e for e in sla_emails(Kind.SLA_WARNING)}
    assert outcome[other.pk].status == OutboxEmail.Status.FAILED
    assert outcome[other.pk].last_error == "The recipient has no email address."
    assert outcome[staff["assigned"].pk].status == OutboxEmail.Status.SENT
    assert outcome[staff["admin"].pk].status == OutboxEmail.Status.SENT
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [staff["assigned"].email, staff["admin"].email]
    )


def test_many_due_tickets_are_swept_in_batches_with_a_fixed_number_of_queries(
    office, client_user, staff, send, django_assert_max_num_queries
):
    product = ProductFactory(name="Tienda online")
    with time_machine.travel(OPENED, tick=False):
        tickets = [
            open_ticket(client_user, product=product, severity="critical", subject=f"T{n}")
            for n in range(5)
        ]
    with time_machine.travel(WARNING, tick=False):
        assert notify.sweep_sla(batch_size=2) == 5
    assert set(SlaNotice.objects.values_list("ticket_id", flat=True)) == {t.pk for t in tickets}
    # Nothing due: one select (and the savepoint around it).
    with time_machine.travel(WARNING, tick=False), django_assert_max_num_queries(3):
        assert notify.sweep_sla() == 0


def test_the_beat_task_runs_the_sweep(ticket, send):
    assert send(WARNING, sweep_sla_task.delay).get() == 1
    assert send(WARNING, sweep_sla_task.delay).get() == 0


# --- Replies ----------------------------------------------------------------------------


@pytest.fixture
def colleagues(client_user):
    """Another client user of the same organization, reading English, and an inactive one."""
    english = UserFactory(organization=client_user.organization, language="en")
    UserFactory(organization=client_user.organization, is_active=False)
    return english


def reply_emails():
    return OutboxEmail.objects.filter(kind=Kind.TICKET_REPLY).order_by("pk")


def test_a_technician_s_reply_is_mailed_to_the_organization_s_client_users(
    ticket, client_user, colleagues, other_client_user, staff, send
):
    body = "Hemos vaciado la caché.\n\nPruebe ahora & díganos."
    message = send(
        madrid(2026, 3, 9, 10), services.add_reply, ticket, author=staff["assigned"], body=body
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([client_user.email, colleagues.email])
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[client_user.email] == (
        f"Nueva respuesta en [{ticket.reference}]: La web no carga"
    )
    assert subjects[colleagues.email] == f"New reply on [{ticket.reference}]: La web no carga"
    spanish = next(m for m in mail.outbox if m.to == [client_user.email])
    assert "Lucía Técnica" in spanish.body
    assert "Pruebe ahora & díganos." in spanish.body  # plain text: not escaped
    assert "Pruebe ahora &amp; díganos." in spanish.alternatives[0][0]
    assert {e.dedupe_key.rsplit(":", 1)[0] for e in reply_emails()} == {
        f"ticket_reply:message:{message.pk}"
    }


def test_a_client_s_reply_is_mailed_to_the_assigned_technicians(ticket, client_user, staff, send):
    send(madrid(2026, 3, 9, 10), services.add_reply, ticket, author=client_user, body="Gracias")
    assert [m.to for m in mail.outbox] == [[staff["assigned"].email]]


def test_a_client_s_reply_on_an_unassigned_ticket_goes_to_all_support_staff(
    ticket, client_user, staff, send
):
    services.unassign(ticket, staff["assigned"], by=staff["assigned"])
    send(madrid(2026, 3, 9, 10), services.add_reply, ticket, author=client_user, body="¿Y bien?")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in staff.values())


def test_an_internal_note_emails_nobody(ticket, staff, colleagues, send):
    send(madrid(2026, 3, 9, 10), services.add_note, ticket, author=staff["assigned"], body="Ojo")
    assert not reply_emails().exists()
    assert mail.outbox == []


def test_a_reply_with_a_status_change_emails_once(ticket, client_user, staff, send):
    send(
        madrid(2026, 3, 9, 10),
        services.add_reply,
        ticket,
        author=staff["assigned"],
        body="¿Nos manda el acceso?",
        status=S.AWAITING_CLIENT,
    )
    assert [m.to for m in mail.outbox] == [[client_user.email]]


def test_a_refused_reply_emails_nobody(ticket, staff, send):
    services.resolve(ticket, by=staff["assigned"])
    with pytest.raises(services.TicketClosed):
        send(madrid(2026, 3, 9, 10), services.add_reply, ticket, author=staff["assigned"], body="x")
    assert not reply_emails().exists()


def test_a_long_reply_is_shortened_in_the_email(ticket, client_user, staff, send):
    send(
        madrid(2026, 3, 9, 10),
        services.add_reply,
        ticket,
        author=staff["assigned"],
        body="a" * 5000,
    )
    [email] = reply_emails()
    excerpt = email.context["message_excerpt"]
    assert len(excerpt) == notify.EXCERPT_CHARS
    assert excerpt.endswith("…")


def test_an_sla_email_whose_publish_was_lost_is_sent_once_by_the_outbox_sweep(
    ticket, staff, send, django_capture_on_commit_callbacks
):
    # The process dies right after the sweep's COMMIT, before publishing the send tasks.
    with time_machine.travel(WARNING, tick=False), django_capture_on_commit_callbacks():
        assert notify.sweep_sla() == 1
    assert set(sla_emails(Kind.SLA_WARNING).values_list("status", flat=True)) == {"pending"}
    assert mail.outbox == []

    # The SLA sweep does not tell it again; the outbox sweep publishes what was lost.
    assert sweep(send, WARNING + 3 * MINUTE) == 0
    assert send(WARNING + 3 * MINUTE, sweep_outbox) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [staff["assigned"].email, staff["admin"].email]
    )
    assert send(WARNING + 4 * MINUTE, sweep_outbox) == 0
    assert len(mail.outbox) == 2
