"""pool day totals: money into and out of each pool per value date and kind of entry
(pool_day_totals), kept with every entry under the pool's lock and backfilled here from the ledger,
so that a dated statement's opening and closing balances and its period's totals add up a row per day
instead of every entry, and a statement from a date starts at the day's lowest sequence; verify-ledger
recomputes them.

Revision ID: 0023
Revises: 0022
"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('pool_day_totals',
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.Column('value_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('received_fen', sa.BigInteger(), nullable=False),
    sa.Column('paid_out_fen', sa.BigInteger(), nullable=False),
    sa.Column('first_sequence', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pool_id'], ['fund_pools.id'], name=op.f('fk_pool_day_totals_pool_id_fund_pools')),
    sa.PrimaryKeyConstraint('pool_id', 'value_date', 'kind', name=op.f('pk_pool_day_totals'))
    )
    op.execute("""
        INSERT INTO pool_day_totals (pool_id, value_date, kind, received_fen, paid_out_fen, first_sequence)
        SELECT pool_id, value_date, kind,
               SUM(CASE WHEN amount_fen > 0 THEN amount_fen ELSE 0 END),
               SUM(CASE WHEN amount_fen < 0 THEN amount_fen ELSE 0 END), MIN(sequence)
        FROM ledger_entries GROUP BY pool_id, value_date, kind
    """)


def downgrade():
    op.drop_table('pool_day_totals')
