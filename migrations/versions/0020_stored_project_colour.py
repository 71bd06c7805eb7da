"""stored project colour: project_monitoring_status (each monitored project's red / yellow / green and
its causes, kept by the monitoring domain) and the statement's covering index (pool_id, value_date,
sequence).

The colours are not backfilled here: the rules (readings, margins, tranche slips, loans, acceptance) live
in the application, not in SQL. An empty table shows every project as unflagged until `flask
refresh-monitoring` runs; `flask seed-demo` fills it, and an upgraded database must run it once after
`flask db upgrade` (README "Speed").

Revision ID: 0020
Revises: 0019
"""
from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('project_monitoring_status',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('colour', sa.String(length=10), nullable=False),
    sa.Column('causes', sa.Text(), nullable=False),
    sa.Column('computed_on', sa.Date(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("colour IN ('green', 'yellow', 'red')", name=op.f('ck_project_monitoring_status_known_colour')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_monitoring_status_project_id_projects')),
    sa.PrimaryKeyConstraint('project_id', name=op.f('pk_project_monitoring_status'))
    )
    with op.batch_alter_table('project_monitoring_status', schema=None) as batch_op:
        batch_op.create_index('ix_project_monitoring_status_colour', ['colour', 'project_id'], unique=False)
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_pool_value_date_sequence', ['pool_id', 'value_date', 'sequence'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_pool_value_date_sequence')
    with op.batch_alter_table('project_monitoring_status', schema=None) as batch_op:
        batch_op.drop_index('ix_project_monitoring_status_colour')
    op.drop_table('project_monitoring_status')
