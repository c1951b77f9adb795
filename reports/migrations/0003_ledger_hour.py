"""The ledger's hourly sums per organization and kind, kept by the database.

A statement-level trigger on credits_ledgerentry adds the rows each INSERT wrote (one
consumption, or a bulk insert of thousands) to their hours, in the same transaction: a
rolled-back movement leaves no trace. The ledger is append-only (credits/0004), so
inserts are the only change to follow; TRUNCATE (test databases) empties the sums too.

The trigger is created before the backfill: CREATE TRIGGER locks the ledger against
inserts until this migration commits, so no entry is counted twice or missed.
"""

import django.db.models.deletion
from django.db import migrations, models

from reports.dbops import RunSQLOn

PG_FORWARD = """
CREATE OR REPLACE FUNCTION reports_ledgerhour_add() RETURNS trigger AS $$
BEGIN
    INSERT INTO reports_ledgerhour (organization_id, kind, hour, amount, entries)
    SELECT w.organization_id, n.kind, date_trunc('hour', n.created_at, 'UTC'),
           SUM(n.amount), COUNT(*)
    FROM reports_new_entries n JOIN credits_wallet w ON w.id = n.wallet_id
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (organization_id, kind, hour) DO UPDATE
        SET amount = reports_ledgerhour.amount + EXCLUDED.amount,
            entries = reports_ledgerhour.entries + EXCLUDED.entries;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_ledgerhour_add
    AFTER INSERT ON credits_ledgerentry
    REFERENCING NEW TABLE AS reports_new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION reports_ledgerhour_add();

CREATE OR REPLACE FUNCTION reports_ledgerhour_truncate() RETURNS trigger AS $$
BEGIN
    DELETE FROM reports_ledgerhour;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_ledgerhour_truncate
    AFTER TRUNCATE ON credits_ledgerentry
    FOR EACH STATEMENT EXECUTE FUNCTION reports_ledgerhour_truncate();

INSERT INTO reports_ledgerhour (organization_id, kind, hour, amount, entries)
SELECT w.organization_id, e.kind, date_trunc('hour', e.created_at, 'UTC'),
       SUM(e.amount), COUNT(*)
FROM credits_ledgerentry e JOIN credits_wallet w ON w.id = e.wallet_id
GROUP BY 1, 2, 3;
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS reports_ledgerhour_add ON credits_ledgerentry;
DROP FUNCTION IF EXISTS reports_ledgerhour_add();
DROP TRIGGER IF EXISTS reports_ledgerhour_truncate ON credits_ledgerentry;
DROP FUNCTION IF EXISTS reports_ledgerhour_truncate();
"""
# SQLite (the embedded default): a row trigger (no transition tables); Django stores
# datetimes there as UTC text, 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
SQLITE_FORWARD = [
    """
CREATE TRIGGER reports_ledgerhour_add AFTER INSERT ON credits_ledgerentry
BEGIN
    INSERT INTO reports_ledgerhour (organization_id, kind, hour, amount, entries)
    SELECT w.organization_id, NEW.kind, strftime('%Y-%m-%d %H:00:00', NEW.created_at),
           NEW.amount, 1
    FROM credits_wallet w WHERE w.id = NEW.wallet_id
    ON CONFLICT (organization_id, kind, hour) DO UPDATE
        SET amount = amount + excluded.amount, entries = entries + 1;
END;
""",
    """
INSERT INTO reports_ledgerhour (organization_id, kind, hour, amount, entries)
SELECT w.organization_id, e.kind, strftime('%Y-%m-%d %H:00:00', e.created_at),
       SUM(e.amount), COUNT(*)
FROM credits_ledgerentry e JOIN credits_wallet w ON w.id = e.wallet_id
GROUP BY 1, 2, 3;
""",
]
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS reports_ledgerhour_add;"



class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_second_factor_login_audit_session_epoch'),
        ('reports', '0002_ledger_time_index'),
        ('credits', '0006_low_balance_alert'),
    ]

    operations = [
        migrations.CreateModel(
            name='LedgerHour',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=16, verbose_name='kind')),
                ('hour', models.DateTimeField(verbose_name='hour')),
                ('amount', models.BigIntegerField(verbose_name='credits')),
                ('entries', models.PositiveIntegerField(verbose_name='entries')),
                ('organization', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organization', verbose_name='organization')),
            ],
            options={
                'verbose_name': 'ledger hour',
                'verbose_name_plural': 'ledger hours',
                'indexes': [models.Index(fields=['hour', 'kind'], name='ledgerhour_hour_kind')],
                'constraints': [models.UniqueConstraint(fields=('organization', 'kind', 'hour'), name='ledgerhour_org_kind_hour')],
            },
        ),
        RunSQLOn("postgresql", PG_FORWARD, PG_REVERSE),
        RunSQLOn("sqlite", SQLITE_FORWARD, SQLITE_REVERSE),
    ]
