"""Database triggers that make a table append-only (no UPDATE, no DELETE).

Called from migrations; the statements depend only on the dialect and the table name.
"""

# Every table the migrations (migrations/versions/) make append-only with append_only_trigger_sql.
# The migrations keep their own lists (a revision never changes); tests/test_append_only.py checks this
# one against the triggers of the migrated database, so a table added there must be added here too.
APPEND_ONLY_TABLES = (
    "audit_events",  # 0001
    "ledger_entries",  # 0002
    "contributions", "collateral_assets", "loan_repayments",  # 0004
    "project_events", "project_decisions", "project_versions",  # 0005
    "pool_commitments",  # 0007
    "tranche_plan_versions", "disbursement_events",  # 0011
    "indicator_readings", "warning_events",  # 0013
    "return_records", "distribution_events", "distribution_objections",  # 0014
    "acceptance_events", "acceptance_checks", "recoveries",  # 0017
    "evaluation_events",  # 0018
)


def append_only_trigger_sql(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [
            """
            CREATE OR REPLACE FUNCTION forbid_append_only_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION 'table % is append-only: % refused', TG_TABLE_NAME, TG_OP;
            END
            $$ LANGUAGE plpgsql
            """,
            f"""
            CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION forbid_append_only_change()
            """,
        ]
    if dialect == "sqlite":
        return [
            f"""
            CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table}
            BEGIN SELECT RAISE(ABORT, 'table {table} is append-only: {operation} refused'); END
            """
            for operation in ("UPDATE", "DELETE")
        ]
    raise NotImplementedError(f"append-only triggers for {dialect}")


def drop_append_only_trigger_sql(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_{operation} " for operation in ("update", "delete")]


def truncate_guard_sql(dialect: str, table: str) -> list[str]:
    """PostgreSQL: a statement-level trigger that refuses TRUNCATE (row triggers do not see it).
    SQLite has no TRUNCATE."""
    if dialect != "postgresql":
        return []
    return [
        """
        CREATE OR REPLACE FUNCTION forbid_append_only_truncate() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'table % is append-only: TRUNCATE refused', TG_TABLE_NAME;
        END
        $$ LANGUAGE plpgsql
        """,
        f"""
        CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_append_only_truncate()
        """,
    ]


def drop_truncate_guard_sql(dialect: str, table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}"] if dialect == "postgresql" else []
