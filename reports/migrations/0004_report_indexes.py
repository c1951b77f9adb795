"""Indexes the dashboard's plans ask for (bench/README.md), on tables of other apps, so
they are created here, in the app that needs them, and only on PostgreSQL (INCLUDE and
partial indexes); the models stay as their apps define them.

- finished tickets by resolution time: the SLA compliance of a period read every ticket
  (a sequential scan of 20,000 rows for the 160 resolved this month);
- time entries by day: the minutes each technician logged this week;
- charges by time: the credits each technician charged in the period, and the client's
  breakdowns, read every charge of every organization.
"""

from django.db import migrations

from reports.dbops import RunSQLOn

FORWARD = """
CREATE INDEX IF NOT EXISTS reports_ticket_finished_resolved ON tickets_ticket (resolved_at)
    INCLUDE (severity, sla_paused_at, due_at) WHERE status IN ('resolved', 'closed');
CREATE INDEX IF NOT EXISTS reports_timeentry_day ON tickets_timeentry (work_date, technician_id)
    INCLUDE (minutes);
CREATE INDEX IF NOT EXISTS reports_ticketcharge_time ON tickets_ticketcharge (created_at)
    INCLUDE (created_by_id, credits, outcome, ticket_id, minutes, kind);
"""
REVERSE = """
DROP INDEX IF EXISTS reports_ticket_finished_resolved;
DROP INDEX IF EXISTS reports_timeentry_day;
DROP INDEX IF EXISTS reports_ticketcharge_time;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_ledger_hour"),
        ("tickets", "0008_assignment_changes"),
    ]

    operations = [RunSQLOn("postgresql", FORWARD, REVERSE)]
