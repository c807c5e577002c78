"""On PostgreSQL, refuse UPDATE and DELETE of ledger entries from any client, not only Django.

Chain heads may only move forward, to an entry that exists with that hash, and cannot be deleted.
TRUNCATE is deliberately not refused: Django's test flush (and pytest-django's transactional
tests) empties tables with TRUNCATE. Row triggers do not fire for TRUNCATE; a database role that
can TRUNCATE can also rewrite the chain, and the defence against that is shipping the chain heads
elsewhere (docs/ledger.md).

SQLite has no such triggers (Django's test flush there is DELETE): the model and queryset guards
and the hash chain are what protect it.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$;

CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON ledger_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE OR REPLACE FUNCTION ledger_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'access ledger chain heads cannot be deleted';
    END IF;
    IF NEW.shard <> OLD.shard OR NEW.last_seq <= OLD.last_seq OR NOT EXISTS (
        SELECT 1 FROM ledger_ledgerentry e
        WHERE e.shard = NEW.shard AND e.seq = NEW.last_seq AND e.entry_hash = NEW.last_hash
    ) THEN
        RAISE EXCEPTION 'an access ledger chain head only moves forward, to an entry that exists';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER ledger_head_forward_only
    BEFORE UPDATE OR DELETE ON ledger_ledgerchainhead
    FOR EACH ROW EXECUTE FUNCTION ledger_head_forward_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS ledger_head_forward_only ON ledger_ledgerchainhead;
DROP FUNCTION IF EXISTS ledger_head_forward_only();
DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_ledgerentry;
DROP FUNCTION IF EXISTS ledger_refuse_change();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # No parameters: the % in RAISE are PL/pgSQL placeholders, not the driver's.
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_access_ledger")]

    operations = [migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False)]
