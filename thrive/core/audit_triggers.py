"""Database triggers that make the audit table append-only (SQLite and PostgreSQL).

The test settings leave them out (`AUDIT_TRIGGERS`), because test isolation empties every table between
transactional tests; the tests install them inside a transaction to prove they refuse changes.
"""

from __future__ import annotations

from typing import Any

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_auditentry_refuse() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER IF EXISTS core_auditentry_no_change ON core_auditentry",
    """CREATE TRIGGER core_auditentry_no_change BEFORE UPDATE OR DELETE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_auditentry_refuse();""",
    "DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry",
    """CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_refuse();""",
]


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        for sql in POSTGRES if connection.vendor == "postgresql" else SQLITE:
            cursor.execute(sql)


def remove(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_change ON core_auditentry")
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_delete")
