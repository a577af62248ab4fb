"""Rules the database itself keeps, whatever code writes to it.

- A contract version leaves its draft only if its milestones add up to its price exactly.
- The price, term, payment days and milestone schedule of a version that is no longer a
  draft cannot change.
- On PostgreSQL, journal entries and lines are append-only (TRUNCATE is left to the
  owner: test runs flush tables with it; SQLite's flush deletes rows, so there the
  services alone keep the journal append-only).
"""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER contract_version_adds_up
    BEFORE UPDATE OF state ON contracts_contractversion
    WHEN OLD.state = 'draft' AND NEW.state NOT IN ('draft', 'discarded')
      AND ROUND(COALESCE((SELECT SUM(amount) FROM contracts_milestoneterms WHERE version_id = NEW.id), 0), 2)
          <> ROUND(NEW.price, 2)
    BEGIN SELECT RAISE(ABORT, 'the milestone amounts must add up to the contract price'); END
    """,
    """
    CREATE TRIGGER contract_version_terms_fixed
    BEFORE UPDATE OF price, term_start, term_end, payment_days ON contracts_contractversion
    WHEN OLD.state <> 'draft'
      AND (NEW.price <> OLD.price OR NEW.term_start <> OLD.term_start OR NEW.term_end <> OLD.term_end
           OR NEW.payment_days <> OLD.payment_days)
    BEGIN SELECT RAISE(ABORT, 'the terms of a version sent for signature cannot change'); END
    """,
    """
    CREATE TRIGGER milestone_terms_insert_fixed
    BEFORE INSERT ON contracts_milestoneterms
    WHEN (SELECT state FROM contracts_contractversion WHERE id = NEW.version_id) <> 'draft'
    BEGIN SELECT RAISE(ABORT, 'the schedule of a version sent for signature cannot change'); END
    """,
    """
    CREATE TRIGGER milestone_terms_update_fixed
    BEFORE UPDATE ON contracts_milestoneterms
    WHEN (SELECT state FROM contracts_contractversion WHERE id = OLD.version_id) <> 'draft'
    BEGIN SELECT RAISE(ABORT, 'the schedule of a version sent for signature cannot change'); END
    """,
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS contract_version_adds_up",
    "DROP TRIGGER IF EXISTS contract_version_terms_fixed",
    "DROP TRIGGER IF EXISTS milestone_terms_insert_fixed",
    "DROP TRIGGER IF EXISTS milestone_terms_update_fixed",
]

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION contract_version_rules() RETURNS trigger AS $$
    BEGIN
        IF OLD.state = 'draft' AND NEW.state NOT IN ('draft', 'discarded') AND
           COALESCE((SELECT SUM(amount) FROM contracts_milestoneterms WHERE version_id = NEW.id), 0) <> NEW.price
        THEN
            RAISE EXCEPTION 'the milestone amounts must add up to the contract price'
                USING ERRCODE = 'check_violation';
        END IF;
        IF OLD.state <> 'draft' AND (NEW.price <> OLD.price OR NEW.term_start <> OLD.term_start
            OR NEW.term_end <> OLD.term_end OR NEW.payment_days <> OLD.payment_days) THEN
            RAISE EXCEPTION 'the terms of a version sent for signature cannot change'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER contract_version_rules BEFORE UPDATE ON contracts_contractversion
        FOR EACH ROW EXECUTE FUNCTION contract_version_rules()
    """,
    """
    CREATE OR REPLACE FUNCTION milestone_terms_fixed() RETURNS trigger AS $$
    DECLARE
        version_state text;
    BEGIN
        SELECT state INTO version_state FROM contracts_contractversion
            WHERE id = (CASE WHEN TG_OP = 'INSERT' THEN NEW.version_id ELSE OLD.version_id END);
        IF version_state IS DISTINCT FROM 'draft' THEN
            RAISE EXCEPTION 'the schedule of a version sent for signature cannot change'
                USING ERRCODE = 'check_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER milestone_terms_fixed BEFORE INSERT OR UPDATE OR DELETE ON contracts_milestoneterms
        FOR EACH ROW EXECUTE FUNCTION milestone_terms_fixed()
    """,
    """
    CREATE OR REPLACE FUNCTION journal_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER journal_entry_append_only BEFORE UPDATE OR DELETE ON contracts_journalentry
        FOR EACH ROW EXECUTE FUNCTION journal_append_only()
    """,
    """
    CREATE TRIGGER journal_line_append_only BEFORE UPDATE OR DELETE ON contracts_journalline
        FOR EACH ROW EXECUTE FUNCTION journal_append_only()
    """,
]

POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS journal_line_append_only ON contracts_journalline",
    "DROP TRIGGER IF EXISTS journal_entry_append_only ON contracts_journalentry",
    "DROP FUNCTION IF EXISTS journal_append_only()",
    "DROP TRIGGER IF EXISTS milestone_terms_fixed ON contracts_milestoneterms",
    "DROP FUNCTION IF EXISTS milestone_terms_fixed()",
    "DROP TRIGGER IF EXISTS contract_version_rules ON contracts_contractversion",
    "DROP FUNCTION IF EXISTS contract_version_rules()",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
