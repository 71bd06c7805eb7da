"""stored money paid out: fund_pools.paid_out_fen (each pool's net payments to projects, moved with every
payment and its reversal under the pool's lock, backfilled here from the ledger; verify-ledger recomputes
it), and a partial index over the ledger rows that name a project (payments, their reversals, recoveries)
so that per-project and per-month payment figures never walk the whole ledger.

Revision ID: 0021
Revises: 0020
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

PROJECT_ROWS = sa.text("project_id IS NOT NULL")


def upgrade():
    op.add_column('fund_pools', sa.Column('paid_out_fen', sa.BigInteger(), server_default='0', nullable=False))
    op.execute("""
        UPDATE fund_pools SET paid_out_fen = COALESCE((
            SELECT -SUM(entry.amount_fen) FROM ledger_entries AS entry
            LEFT JOIN ledger_entries AS original ON original.id = entry.reverses_id
            WHERE entry.pool_id = fund_pools.id AND entry.project_id IS NOT NULL
              AND (entry.kind = 'disbursement' OR (entry.kind = 'reversal' AND original.kind = 'disbursement'))
        ), 0)
    """)
    op.create_index('ix_ledger_entries_project_rows', 'ledger_entries', ['project_id', 'value_date'], unique=False,
                    sqlite_where=PROJECT_ROWS, postgresql_where=PROJECT_ROWS)


def downgrade():
    op.drop_index('ix_ledger_entries_project_rows', table_name='ledger_entries',
                  sqlite_where=PROJECT_ROWS, postgresql_where=PROJECT_ROWS)
    with op.batch_alter_table('fund_pools', schema=None) as batch_op:
        batch_op.drop_column('paid_out_fen')
