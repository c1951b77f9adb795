"""Pages of time, charging and estimates: the ticket page on both sides, the confirmation of
a resolution, estimates answered in the browser; fixed queries whatever the row counts."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from credits import selectors as credit_selectors
from credits.models import EntryKind, LedgerEntry
from tests.tickets.factories import (
    grant_credits,
    log_time,
    open_ticket,
    send_estimate,
    store_credential,
)
from tickets import services
from tickets.models import Estimate, RunningTimer, Ticket, TicketCharge, TimeEntry

S = Ticket.Status


@pytest.fixture
def ticket(client_user, technician):
    grant_credits(client_user.organization, 100)
    ticket = open_ticket(client_user)
    services.assign(ticket, technician, by=technician)
    return ticket


def charged():
    return LedgerEntry.objects.filter(kind=EntryKind.CONSUMPTION)


def test_a_technician_logs_time_with_the_form(staff_client, ticket):
    url = reverse("tickets:time_add", args=[ticket.pk])
    response = staff_client.post(
        url, {"time-minutes": "25", "time-channel": "phone", "time-work_date": "2026-01-05"}
    )
    assert response.status_code == 302
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.channel, str(entry.work_date)) == (25, "phone", "2026-01-05")
    page = staff_client.get(ticket.get_absolute_url())
    assert page.text.count('data-testid="time-entry"') == 1


@pytest.mark.parametrize("minutes", ["0", "-5", "abc", ""])
def test_bad_minutes_show_a_clear_error(staff_client, ticket, minutes):
    response = staff_client.post(
        reverse("tickets:time_add", args=[ticket.pk]),
        {"time-minutes": minutes, "time-channel": "portal", "time-work_date": "2026-01-05"},
    )
    assert response.status_code == 200
    assert "invalid-feedback" in response.text
    assert not TimeEntry.objects.exists()


def test_logging_on_a_resolved_ticket_is_refused_with_the_reason(staff_client, ticket, technician):
    services.resolve(ticket, by=technician)
    response = staff_client.post(
        reverse("tickets:time_add", args=[ticket.pk]),
        {"time-minutes": "10", "time-channel": "portal", "time-work_date": "2026-01-05"},
    )
    assert response.status_code == 200
    assert "can no longer be changed" in response.text or "ya no se puede" in response.text
    assert not TimeEntry.objects.exists()


def test_edit_and_delete_an_entry(staff_client, ticket, technician):
    entry = log_time(ticket, technician, 10)
    edit = reverse("tickets:time_edit", args=[entry.pk])
    assert staff_client.get(edit).status_code == 200
    staff_client.post(
        edit, {"time-minutes": "40", "time-channel": "video", "time-work_date": "2026-01-05"}
    )
    entry.refresh_from_db()
    assert (entry.minutes, entry.channel) == (40, "video")
    staff_client.post(reverse("tickets:time_delete", args=[entry.pk]))
    assert not TimeEntry.objects.exists()


def test_the_timer_survives_a_reload_and_fills_an_entry(staff_client, ticket):
    url = reverse("tickets:timer", args=[ticket.pk])
    staff_client.post(url, {"action": "start", "timer-channel": "remote"})
    page = staff_client.get(ticket.get_absolute_url())
    assert 'data-testid="timer-running"' in page.text
    assert re.search(r'data-elapsed="\d+"', page.text)
    assert RunningTimer.objects.filter(ticket=ticket).exists()
    staff_client.post(url, {"action": "stop", "timer-note": "Sesión remota"})
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.channel, entry.note) == (1, "remote", "Sesión remota")
    assert 'data-testid="timer-start"' in staff_client.get(ticket.get_absolute_url()).text
    assert staff_client.post(url, {"action": "dance"}).status_code == 404


def test_the_resolve_page_shows_the_breakdown_and_the_balance_after(
    staff_client, ticket, technician
):
    log_time(ticket, technician, 20, "portal")
    log_time(ticket, technician, 5, "phone")  # 25 min: 15 + 15 (1 block) + 15 (1 call) = 45
    page = staff_client.get(reverse("tickets:resolve", args=[ticket.pk]))
    text = page.text

    def cell(name):
        return re.search(rf'data-testid="{name}">([^<]*)<', text).group(1)

    assert cell("breakdown-minutes") == "25"
    assert cell("breakdown-minimum") == "15"
    assert cell("breakdown-blocks") == "15"
    assert cell("breakdown-surcharges") == "15"
    assert cell("breakdown-total") == "45"
    assert cell("to-charge") == "45"
    assert cell("available") == "100"
    assert cell("balance-after") == "55"
    assert 'data-testid="charge-refused"' not in text
    assert not charged().exists()  # looking charges nothing


def test_confirming_resolves_and_deducts_once(staff_client, ticket, technician, client_user):
    log_time(ticket, technician, 16)
    url = reverse("tickets:resolve", args=[ticket.pk])
    form = {"how": "charge", "expected_credits": "30", "note": ""}
    response = staff_client.post(url, form)
    assert response.status_code == 302
    assert staff_client.post(url, form).status_code == 200  # a second tab: refused
    assert [e.amount for e in charged()] == [-30]
    assert credit_selectors.balance(client_user.organization) == 70
    assert "already" in staff_client.get(url).text or "ya está" in staff_client.get(url).text


def test_a_changed_charge_asks_to_confirm_again(staff_client, ticket, technician):
    log_time(ticket, technician, 10)
    log_time(ticket, technician, 10)
    response = staff_client.post(
        reverse("tickets:resolve", args=[ticket.pk]), {"how": "charge", "expected_credits": "15"}
    )
    assert response.status_code == 200
    assert 'data-testid="to-charge">30<' in response.text
    assert not charged().exists()


def test_goodwill_needs_its_reason_in_the_form(staff_client, ticket, technician):
    log_time(ticket, technician, 10)
    url = reverse("tickets:resolve", args=[ticket.pk])
    response = staff_client.post(url, {"how": "goodwill", "expected_credits": "15"})
    assert response.status_code == 200
    assert "invalid-feedback" in response.text
    staff_client.post(
        url, {"how": "goodwill", "goodwill_reason": "Cortesía", "expected_credits": "15"}
    )
    assert TicketCharge.objects.get().outcome == "goodwill"
    assert not charged().exists()


def test_a_charge_above_the_balance_shows_the_options(staff_client, client_user, technician):
    ticket = open_ticket(client_user)  # the organization has no credits
    log_time(ticket, technician, 30)
    url = reverse("tickets:resolve", args=[ticket.pk])
    page = staff_client.get(url)
    assert 'data-testid="charge-refused"' in page.text
    assert 'data-testid="ask-credits-form"' in page.text
    response = staff_client.post(url, {"how": "charge", "expected_credits": "30"})
    assert response.status_code == 200
    assert 'data-testid="charge-refused"' in response.text
    assert Ticket.objects.get().status != S.RESOLVED
    # Option 3: ask the client for the credits.
    staff_client.post(
        reverse("tickets:estimate_create", args=[ticket.pk]),
        {
            "estimate-kind": "estimate",
            "estimate-credits": "30",
            "estimate-description": "Trabajo hecho",
        },
    )
    assert Ticket.objects.get().status == S.AWAITING_CREDITS


def test_the_status_form_and_a_resolving_reply_go_to_the_confirmation(staff_client, ticket):
    response = staff_client.post(
        reverse("tickets:change_status", args=[ticket.pk]),
        {"status": "resolved", "note": "listo"},
    )
    assert response.status_code == 302
    assert response.url == reverse("tickets:resolve", args=[ticket.pk]) + "?note=listo"
    response = staff_client.post(
        reverse("tickets:reply", args=[ticket.pk]), {"body": "Solucionado.", "status": "resolved"}
    )
    assert response.url == reverse("tickets:resolve", args=[ticket.pk])
    ticket.refresh_from_db()
    assert ticket.status == S.OPEN  # the reply was sent; resolving waits for the confirmation
    assert ticket.public_message_count == 1


def test_the_client_sees_minutes_and_the_charge_with_its_breakdown(
    client_client, ticket, technician
):
    log_time(ticket, technician, 20, "portal")
    log_time(ticket, technician, 5, "video")
    before = client_client.get(ticket.get_absolute_url()).text
    assert before.count('data-testid="time-entry"') == 2
    assert 'data-testid="charge-so-far"' in before
    services.resolve(ticket, by=technician)
    page = client_client.get(ticket.get_absolute_url()).text
    assert 'data-testid="charge-credits">45<' in page
    assert 'data-testid="charge-balance-after">55<' in page
    assert 'data-testid="breakdown-minimum">15<' in page
    assert 'data-testid="breakdown-surcharges">15<' in page
    listing = client_client.get(reverse("tickets:list")).text
    assert 'data-testid="ticket-minutes">25<' in listing
    assert 'data-testid="ticket-credits">45<' in listing


def test_the_client_accepts_an_estimate_in_the_browser(client_client, ticket, technician):
    estimate = send_estimate(ticket, technician, 60)
    page = client_client.get(ticket.get_absolute_url()).text
    assert 'data-testid="awaiting-acceptance-banner"' in page
    client_client.post(reverse("tickets:estimate_accept", args=[estimate.pk]))
    estimate.refresh_from_db()
    assert estimate.status == Estimate.Status.ACCEPTED
    assert Ticket.objects.get().status == S.IN_PROGRESS


def test_the_client_declines_with_a_reason(client_client, ticket, technician):
    estimate = send_estimate(ticket, technician, 60)
    url = reverse("tickets:estimate_decline", args=[estimate.pk])
    response = client_client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert Estimate.objects.get().status == Estimate.Status.PENDING
    client_client.post(url, {"reason": "Lo haremos nosotros"})
    assert Estimate.objects.get().decline_reason == "Lo haremos nosotros"
    assert Ticket.objects.get().status == S.OPEN


def test_above_the_balance_the_client_is_told_how_many_credits_to_buy(
    client_client, ticket, technician
):
    send_estimate(ticket, technician, 130)
    page = client_client.get(ticket.get_absolute_url()).text
    banner = page.split('data-testid="awaiting-credits-banner"')[1].split("</div>")[0]
    assert "<strong>30 " in banner  # 130 estimated, 100 available
    assert f'href="{reverse("billing:buy")}?need=30"' in banner
    assert re.search(r'data-testid="estimate-accept"\s+disabled', page)


def test_staff_cannot_answer_and_clients_cannot_send_estimates(
    staff_client, ticket, technician, client_user, client
):
    estimate = send_estimate(ticket, technician, 60)
    assert (
        staff_client.post(reverse("tickets:estimate_accept", args=[estimate.pk])).status_code == 404
    )
    client.force_login(client_user)
    response = client.post(
        reverse("tickets:estimate_create", args=[ticket.pk]),
        {"estimate-kind": "estimate", "estimate-credits": "5", "estimate-description": "x"},
    )
    assert response.status_code == 404
    assert Estimate.objects.count() == 1


def test_the_security_checklist_from_the_page(staff_client, client_user, technician):
    ticket = open_ticket(client_user, kind="security_update")
    url = reverse("tickets:security_checklist", args=[ticket.pk])
    staff_client.post(url, {"code_backup": "on", "database_backup": "on", "very_old_version": "on"})
    page = staff_client.get(ticket.get_absolute_url()).text
    assert 'data-testid="needs-quote"' in page
    checklist = ticket.security_checklist
    assert checklist.backup_done
    assert checklist.needs_quote


def test_clients_store_access_data_for_a_ticket(client_client, ticket):
    response = client_client.post(
        reverse("tickets:credential_add", args=[ticket.pk]),
        {
            "credential-label": "Panel",
            "credential-kind": "website",
            "credential-password": "clave-secreta-123",
        },
    )
    assert response.status_code == 302
    page = client_client.get(ticket.get_absolute_url()).text
    assert "Panel" in page
    assert "clave-secreta-123" not in page


@pytest.mark.parametrize("count", [1, 30])
def test_the_ticket_pages_run_a_fixed_number_of_queries(
    client, ticket, technician, client_user, django_assert_max_num_queries, count
):
    for number in range(count):
        log_time(ticket, technician, 5 + number, "phone" if number % 3 else "portal")
        store_credential(
            client_user, label=f"Acceso {number}", ticket=ticket if number % 2 else None
        )
    send_estimate(ticket, technician, 30)
    client.force_login(technician)
    with django_assert_max_num_queries(17):
        page = client.get(ticket.get_absolute_url())
    assert page.text.count('data-testid="time-entry"') == count
    assert page.text.count('data-testid="credential"') == count
    client.force_login(client_user)
    with django_assert_max_num_queries(14):
        page = client.get(ticket.get_absolute_url())
    assert page.text.count('data-testid="time-entry"') == count


@pytest.mark.parametrize("count", [1, 20])
def test_the_client_list_runs_a_fixed_number_of_queries(
    client_client, client_user, technician, django_assert_max_num_queries, count
):
    grant_credits(client_user.organization, 10_000)
    for _number in range(count):
        ticket = open_ticket(client_user)
        log_time(ticket, technician, 10)
        services.resolve(ticket, by=technician)
    with django_assert_max_num_queries(8):
        page = client_client.get(reverse("tickets:list"))
    assert page.text.count('data-testid="ticket-credits">15<') == count


@pytest.mark.parametrize("count", [10, 200])
def test_the_ticket_pages_stay_within_ten_queries(
    client, ticket, technician, client_user, django_assert_max_num_queries, count
):
    """Issue 15: the page's charging and vault state is read in one query, whatever the
    number of time entries, access data, replies and estimates."""
    for number in range(count):
        log_time(ticket, technician, 5 + number % 50, "phone" if number % 3 else "portal")
        store_credential(
            client_user, label=f"Acceso {number}", ticket=ticket if number % 2 else None
        )
    for number in range(3):
        services.add_reply(ticket, author=technician, body=f"Respuesta {number}")
        services.add_note(ticket, author=technician, body=f"Nota {number}")
    send_estimate(ticket, technician, 30)
    client.force_login(technician)
    with django_assert_max_num_queries(10):
        page = client.get(ticket.get_absolute_url())
    assert page.text.count('data-testid="time-entry"') == count
    assert page.text.count('data-testid="credential"') == count
    assert page.text.count('data-testid="credential-reveal"') == count  # assigned: all
    client.force_login(client_user)
    # Session, user, ticket, charging state, balance, thread (two), history: the navbar's
    # organization is the ticket's (no query of its own).
    with django_assert_max_num_queries(8):
        page = client.get(ticket.get_absolute_url())
    assert page.text.count('data-testid="time-entry"') == count
    assert page.text.count('data-testid="credential"') == count // 2  # the ticket's own
    assert "Nota 0" not in page.text


# A row a SELECT names: ``"table"."id" = 1`` (the ORM), ``alias.id = 1`` or, for the
# wallet (one per organization), ``alias.organization_id = 1`` (credits' hand-written SQL).
_ORM_ROW = re.compile(r'"(\w+)"\."id" = (\d+)')
_ALIAS = re.compile(r"\bFROM (\w+) (\w+)\b")
_SQL_ROW = re.compile(r"\b(\w+)\.(id|organization_id) = (\d+)")


def rows_selected(sqls: list[str]) -> list[tuple[str, str]]:
    """(table, row) for every row each SELECT reads by its key, once per statement."""
    read = []
    for sql in sqls:
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        found = {(table, pk) for table, pk in _ORM_ROW.findall(sql)}
        aliases = {alias: table for table, alias in _ALIAS.findall(sql)}
        for alias, column, value in _SQL_ROW.findall(sql):
            table = aliases.get(alias)
            if table and (column == "id" or table == "credits_wallet"):
                found.add((table, f"{column}={value}"))
        read += sorted(found)
    return read


def test_rows_selected_finds_a_row_read_twice():
    ticket = 'SELECT "tickets_ticket"."id" FROM "tickets_ticket" WHERE "tickets_ticket"."id" = 7'
    wallet = "SELECT w.balance FROM credits_wallet w WHERE w.organization_id = 3"
    read = rows_selected([ticket, wallet, ticket + " FOR UPDATE", wallet, "UPDATE x SET y = 1"])
    assert read.count(("tickets_ticket", "7")) == 2
    assert read.count(("credits_wallet", "organization_id=3")) == 2
    assert len(read) == 4


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the budget is PostgreSQL's (production's); the ledger's queries differ on SQLite",
)
def test_a_resolve_post_reads_each_row_once(
    staff_client, ticket, technician, client_user, django_assert_max_num_queries
):
    """Issue 11: the ticket is read once, locked, by the service (through the tickets the
    user may see), with its charging rows in the same query; the wallet once, locked, with
    the replay lookup; the outbox queues in one statement. 45 queries, then 33, now 17 on
    PostgreSQL (two of them the test's own transaction savepoint)."""
    services.accept_estimate(send_estimate(ticket, technician, 30), by=client_user)
    for number in range(4):  # 12 minutes, two calls: 45 credits of the 100
        log_time(ticket, technician, 3, "phone" if number % 2 else "portal")
    url = reverse("tickets:resolve", args=[ticket.pk])
    expected = re.search(r'name="expected_credits" value="(\d+)"', staff_client.get(url).text)
    with django_assert_max_num_queries(25) as captured:
        response = staff_client.post(
            url, {"how": "charge", "expected_credits": expected[1], "note": ""}
        )
    read = rows_selected([query["sql"] for query in captured.captured_queries])
    twice = sorted({row for row in read if read.count(row) > 1})
    assert twice == []
    assert ("tickets_ticket", str(ticket.pk)) in read
    assert ("credits_wallet", f"organization_id={ticket.organization_id}") in read
    selects = [
        re.sub(r"'[^']*'", "?", q["sql"])
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert len(selects) == len(set(selects)), "the same SELECT twice"
    assert response.status_code == 302
    assert Ticket.objects.get().status == S.RESOLVED
    assert [e.amount for e in charged()] == [-int(expected[1])]


def test_a_resolve_post_for_a_ticket_not_there_is_404_and_charges_nothing(staff_client, ticket):
    """The POST reads the ticket only through the service's locked, scoped read."""
    log_time(ticket, ticket.assignees.get(), 10)
    url = reverse("tickets:resolve", args=[ticket.pk + 1000])
    for how in ("charge", "goodwill"):
        response = staff_client.post(
            url, {"how": how, "expected_credits": "15", "goodwill_reason": "x", "note": ""}
        )
        assert response.status_code == 404
    assert Ticket.objects.get().status != S.RESOLVED
    assert not charged().exists()
    assert not TicketCharge.objects.exists()
