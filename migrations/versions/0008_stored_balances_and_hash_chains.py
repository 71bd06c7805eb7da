"""stored balances and hash chains: every ledger entry and commitment gets its pool's sequence
number, entries the balance after them, every entry, commitment and audit event its link in a
SHA-256 chain; the pool row keeps its balance, outstanding commitments and chain heads, and
pool_source_totals the money received by kind of source; TRUNCATE
is refused on every append-only table (PostgreSQL). Existing rows are backfilled in their order.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 21:22:26.349325

"""
from types import SimpleNamespace

from alembic import op
import sqlalchemy as sa

from fundtracker.append_only import (
    append_only_trigger_sql,
    drop_append_only_trigger_sql,
    drop_truncate_guard_sql,
    truncate_guard_sql,
)
from fundtracker.chain import SEED, audit_fields, commitment_fields, entry_fields, link

# The append-only tables as they were at this revision (a revision never changes: later revisions guard
# their own new tables, so this list must not follow fundtracker.append_only.APPEND_ONLY_TABLES).
APPEND_ONLY_TABLES = (
    "audit_events", "ledger_entries", "contributions", "collateral_assets", "loan_repayments",
    "project_events", "project_decisions", "project_versions", "pool_commitments",
)


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

CHAINED_TABLES = ("ledger_entries", "pool_commitments", "audit_events")

entries = sa.table(
    "ledger_entries", sa.column("id", sa.Integer), sa.column("pool_id", sa.Integer), sa.column("kind", sa.String),
    sa.column("amount_fen", sa.BigInteger), sa.column("project_id", sa.Integer), sa.column("tranche_id", sa.Integer),
    sa.column("reverses_id", sa.Integer), sa.column("value_date", sa.Date), sa.column("memo", sa.String),
    sa.column("actor_id", sa.Integer), sa.column("created_at", sa.DateTime), sa.column("sequence", sa.Integer),
    sa.column("balance_after_fen", sa.BigInteger), sa.column("hash", sa.String),
)
commitments = sa.table(
    "pool_commitments", sa.column("id", sa.Integer), sa.column("pool_id", sa.Integer),
    sa.column("project_id", sa.Integer), sa.column("kind", sa.String), sa.column("amount_fen", sa.BigInteger),
    sa.column("reason", sa.String), sa.column("actor_id", sa.Integer), sa.column("created_at", sa.DateTime),
    sa.column("sequence", sa.Integer), sa.column("hash", sa.String),
)
audit = sa.table(
    "audit_events", sa.column("id", sa.Integer), sa.column("occurred_at", sa.DateTime),
    sa.column("actor_id", sa.Integer), sa.column("action", sa.String), sa.column("object_type", sa.String),
    sa.column("object_id", sa.String), sa.column("summary", sa.String), sa.column("before", sa.JSON),
    sa.column("after", sa.JSON), sa.column("ip_address", sa.String), sa.column("chain_sequence", sa.Integer),
    sa.column("hash", sa.String),
)
pools = sa.table(
    "fund_pools", sa.column("id", sa.Integer), sa.column("balance_fen", sa.BigInteger),
    sa.column("committed_fen", sa.BigInteger), sa.column("last_sequence", sa.Integer),
    sa.column("entry_chain_hash", sa.String), sa.column("last_commitment_sequence", sa.Integer),
    sa.column("commitment_chain_hash", sa.String),
)
chain_heads = sa.table("chain_heads", sa.column("name", sa.String), sa.column("sequence", sa.Integer),
                       sa.column("hash", sa.String))


def _run(statements):
    for statement in statements:
        op.execute(statement)


def _backfill_entries(connection, pool_state) -> None:
    """Each pool's entries in id order: sequence, running balance, chain; payments draw down commitments."""
    kinds = dict(connection.execute(sa.select(entries.c.id, entries.c.kind)).all())
    for row in connection.execute(sa.select(entries).order_by(entries.c.id)).mappings().all():
        state = pool_state.setdefault(row["pool_id"], {"seq": 0, "balance": 0, "paid": 0, "hash": SEED})
        state["seq"] += 1
        state["balance"] += row["amount_fen"]
        pays = row["kind"] == "disbursement" or (row["kind"] == "reversal" and kinds.get(row["reverses_id"]) == "disbursement")
        state["paid"] += row["amount_fen"] if pays and row["project_id"] is not None else 0
        fields = SimpleNamespace(**{**row, "sequence": state["seq"], "balance_after_fen": state["balance"]})
        state["hash"] = link(state["hash"], entry_fields(fields))
        connection.execute(entries.update().where(entries.c.id == row["id"]).values(
            sequence=state["seq"], balance_after_fen=state["balance"], hash=state["hash"]))


def _backfill_commitments(connection, pool_state) -> None:
    for row in connection.execute(sa.select(commitments).order_by(commitments.c.id)).mappings().all():
        state = pool_state.setdefault(row["pool_id"], {"seq": 0, "balance": 0, "paid": 0, "hash": SEED})
        state["c_seq"] = state.get("c_seq", 0) + 1
        state["committed"] = state.get("committed", 0) + row["amount_fen"]
        fields = SimpleNamespace(**{**row, "sequence": state["c_seq"]})
        state["c_hash"] = link(state.get("c_hash", SEED), commitment_fields(fields))
        connection.execute(commitments.update().where(commitments.c.id == row["id"]).values(
            sequence=state["c_seq"], hash=state["c_hash"]))


def _store_pool_figures(connection, pool_state) -> None:
    for pool_id, state in pool_state.items():
        connection.execute(pools.update().where(pools.c.id == pool_id).values(
            balance_fen=state["balance"], committed_fen=state.get("committed", 0) + state["paid"],
            last_sequence=state["seq"], entry_chain_hash=state["hash"],
            last_commitment_sequence=state.get("c_seq", 0), commitment_chain_hash=state.get("c_hash", SEED)))


def _backfill_audit(connection) -> None:
    sequence, previous = 0, SEED
    for row in connection.execute(sa.select(audit).order_by(audit.c.id)).mappings().all():
        sequence += 1
        previous = link(previous, audit_fields(SimpleNamespace(**{**row, "chain_sequence": sequence})))
        connection.execute(audit.update().where(audit.c.id == row["id"]).values(chain_sequence=sequence, hash=previous))
    connection.execute(chain_heads.insert().values(name="audit", sequence=sequence, hash=previous))


def _backfill_source_totals(connection) -> None:
    """Net contributions by source: each contribution entry and the reversals of it."""
    connection.execute(sa.text("""
        INSERT INTO pool_source_totals (pool_id, source_type, amount_fen)
        SELECT e.pool_id, c.source_type, SUM(e.amount_fen)
        FROM ledger_entries e JOIN contributions c ON c.ledger_entry_id = COALESCE(e.reverses_id, e.id)
        GROUP BY e.pool_id, c.source_type
    """))


def upgrade():
    dialect = op.get_bind().dialect.name
    for table in CHAINED_TABLES:
        _run(drop_append_only_trigger_sql(dialect, table))
    op.create_table('chain_heads',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_chain_heads'))
    )
    op.create_table('pool_source_totals',
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('source_type', sa.String(length=20), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['fund_pools.id'], name=op.f('fk_pool_source_totals_pool_id_fund_pools')),
    sa.PrimaryKeyConstraint('pool_id', 'source_type', name=op.f('pk_pool_source_totals'))
    )
    with op.batch_alter_table('fund_pools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('balance_fen', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('committed_fen', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_sequence', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('entry_chain_hash', sa.String(length=64), server_default=SEED, nullable=False))
        batch_op.add_column(sa.Column('last_commitment_sequence', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('commitment_chain_hash', sa.String(length=64), server_default=SEED, nullable=False))
    for table, columns in (("audit_events", [("chain_sequence", sa.Integer()), ("hash", sa.String(length=64))]),
                           ("ledger_entries", [("sequence", sa.Integer()), ("balance_after_fen", sa.BigInteger()),
                                               ("hash", sa.String(length=64))]),
                           ("pool_commitments", [("sequence", sa.Integer()), ("hash", sa.String(length=64))])):
        for name, type_ in columns:
            op.add_column(table, sa.Column(name, type_, nullable=True))

    connection = op.get_bind()
    pool_state = {}
    _backfill_entries(connection, pool_state)
    _backfill_commitments(connection, pool_state)
    _store_pool_figures(connection, pool_state)
    _backfill_audit(connection)
    _backfill_source_totals(connection)

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.alter_column('chain_sequence', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('uq_audit_events_chain_sequence', ['chain_sequence'], unique=True)
    with op.batch_alter_table('fund_pools', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_fund_pools_balance_not_negative'), 'balance_fen >= 0')
        batch_op.create_check_constraint(op.f('ck_fund_pools_committed_not_negative'), 'committed_fen >= 0')
        batch_op.create_check_constraint(op.f('ck_fund_pools_available_not_negative'), 'balance_fen >= committed_fen')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.alter_column('sequence', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('balance_after_fen', existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('ix_ledger_entries_pool_value_date', ['pool_id', 'value_date'], unique=False)
        batch_op.create_index('uq_ledger_entries_pool_sequence', ['pool_id', 'sequence'], unique=True)
    with op.batch_alter_table('pool_commitments', schema=None) as batch_op:
        batch_op.alter_column('sequence', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('uq_pool_commitments_pool_sequence', ['pool_id', 'sequence'], unique=True)

    for table in CHAINED_TABLES:
        _run(append_only_trigger_sql(dialect, table))
    for table in APPEND_ONLY_TABLES:
        _run(truncate_guard_sql(dialect, table))


def downgrade():
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        _run(drop_truncate_guard_sql(dialect, table))
    for table in CHAINED_TABLES:
        _run(drop_append_only_trigger_sql(dialect, table))
    with op.batch_alter_table('pool_commitments', schema=None) as batch_op:
        batch_op.drop_index('uq_pool_commitments_pool_sequence')
        batch_op.drop_column('hash')
        batch_op.drop_column('sequence')

    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_ledger_entries_pool_sequence')
        batch_op.drop_index('ix_ledger_entries_pool_value_date')
        batch_op.drop_column('hash')
        batch_op.drop_column('balance_after_fen')
        batch_op.drop_column('sequence')

    with op.batch_alter_table('fund_pools', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_fund_pools_available_not_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_fund_pools_committed_not_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_fund_pools_balance_not_negative'), type_='check')
        batch_op.drop_column('commitment_chain_hash')
        batch_op.drop_column('last_commitment_sequence')
        batch_op.drop_column('entry_chain_hash')
        batch_op.drop_column('last_sequence')
        batch_op.drop_column('committed_fen')
        batch_op.drop_column('balance_fen')

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('uq_audit_events_chain_sequence')
        batch_op.drop_column('hash')
        batch_op.drop_column('chain_sequence')

    op.drop_table('pool_source_totals')
    op.drop_table('chain_heads')
    for table in CHAINED_TABLES:
        _run(append_only_trigger_sql(dialect, table))
