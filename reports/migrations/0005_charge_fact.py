"""Ticket charges with their organization (reports.ChargeFact), kept by PostgreSQL.

The client's breakdowns read every organization's charges of the period (a sequential
scan of 18,000 charges for one organization's 900 in the bench, bench/README.md): charges
have no organization column. Statement triggers on tickets_ticketcharge copy each
inserted, updated or deleted charge, with its ticket's organization, in the same
transaction (a rolled-back resolution leaves no trace); a covering index on
(organization, outcome, created_at) then reads only one organization's rows.

The triggers are created before the backfill: CREATE TRIGGER locks the charges against
writes until this migration commits, so no charge is copied twice or missed. SQLite (the
embedded default) gets the table only: its breakdowns read the charges themselves.
"""

import django.db.models.deletion
from django.db import migrations, models

from reports.dbops import RunSQLOn

COLUMNS = "charge_id, organization_id, ticket_id, created_at, kind, outcome, credits, minutes"
SELECT = """
    SELECT c.id, t.organization_id, c.ticket_id, c.created_at, c.kind, c.outcome,
           c.credits, c.minutes
    FROM {source} c JOIN tickets_ticket t ON t.id = c.ticket_id
"""

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION reports_chargefact_insert() RETURNS trigger AS $$
BEGIN
    INSERT INTO reports_chargefact ({COLUMNS})
    {SELECT.format(source="reports_new_charges")};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_chargefact_insert
    AFTER INSERT ON tickets_ticketcharge
    REFERENCING NEW TABLE AS reports_new_charges
    FOR EACH STATEMENT EXECUTE FUNCTION reports_chargefact_insert();

CREATE OR REPLACE FUNCTION reports_chargefact_update() RETURNS trigger AS $$
BEGIN
    INSERT INTO reports_chargefact ({COLUMNS})
    {SELECT.format(source="reports_new_charges")}
    ON CONFLICT (charge_id) DO UPDATE SET
        organization_id = EXCLUDED.organization_id, ticket_id = EXCLUDED.ticket_id,
        created_at = EXCLUDED.created_at, kind = EXCLUDED.kind, outcome = EXCLUDED.outcome,
        credits = EXCLUDED.credits, minutes = EXCLUDED.minutes;
    DELETE FROM reports_chargefact f USING reports_old_charges o
        WHERE f.charge_id = o.id AND NOT EXISTS (
            SELECT 1 FROM reports_new_charges n WHERE n.id = o.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_chargefact_update
    AFTER UPDATE ON tickets_ticketcharge
    REFERENCING OLD TABLE AS reports_old_charges NEW TABLE AS reports_new_charges
    FOR EACH STATEMENT EXECUTE FUNCTION reports_chargefact_update();

CREATE OR REPLACE FUNCTION reports_chargefact_delete() RETURNS trigger AS $$
BEGIN
    DELETE FROM reports_chargefact f USING reports_old_charges o WHERE f.charge_id = o.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_chargefact_delete
    AFTER DELETE ON tickets_ticketcharge
    REFERENCING OLD TABLE AS reports_old_charges
    FOR EACH STATEMENT EXECUTE FUNCTION reports_chargefact_delete();

CREATE OR REPLACE FUNCTION reports_chargefact_truncate() RETURNS trigger AS $$
BEGIN
    DELETE FROM reports_chargefact;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_chargefact_truncate
    AFTER TRUNCATE ON tickets_ticketcharge
    FOR EACH STATEMENT EXECUTE FUNCTION reports_chargefact_truncate();

INSERT INTO reports_chargefact ({COLUMNS})
{SELECT.format(source="tickets_ticketcharge")};

CREATE INDEX IF NOT EXISTS reports_chargefact_org_time
    ON reports_chargefact (organization_id, outcome, created_at)
    INCLUDE (ticket_id, kind, credits, minutes);
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS reports_chargefact_insert ON tickets_ticketcharge;
DROP FUNCTION IF EXISTS reports_chargefact_insert();
DROP TRIGGER IF EXISTS reports_chargefact_update ON tickets_ticketcharge;
DROP FUNCTION IF EXISTS reports_chargefact_update();
DROP TRIGGER IF EXISTS reports_chargefact_delete ON tickets_ticketcharge;
DROP FUNCTION IF EXISTS reports_chargefact_delete();
DROP TRIGGER IF EXISTS reports_chargefact_truncate ON tickets_ticketcharge;
DROP FUNCTION IF EXISTS reports_chargefact_truncate();
DROP INDEX IF EXISTS reports_chargefact_org_time;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_passkey_login_events"),
        ("reports", "0004_report_indexes"),
        ("tickets", "0009_product_to_confirm"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChargeFact",
            fields=[
                (
                    "charge",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="tickets.ticketcharge",
                        verbose_name="charge",
                    ),
                ),
                ("created_at", models.DateTimeField(verbose_name="created")),
                ("kind", models.CharField(max_length=20, verbose_name="kind")),
                ("outcome", models.CharField(max_length=10, verbose_name="outcome")),
                ("credits", models.PositiveIntegerField(verbose_name="credits charged")),
                ("minutes", models.PositiveIntegerField(verbose_name="real minutes")),
                (
                    "organization",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="accounts.organization",
                        verbose_name="organization",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="tickets.ticket",
                        verbose_name="ticket",
                    ),
                ),
            ],
            options={"verbose_name": "charge fact", "verbose_name_plural": "charge facts"},
        ),
        RunSQLOn("postgresql", PG_FORWARD, PG_REVERSE),
    ]
