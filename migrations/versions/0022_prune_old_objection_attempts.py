"""prune old objection attempts: an index on public_objection_attempts.attempted_at, so that filing an
objection deletes the attempts older than the rate-limit window (of every client) without a scan

Revision ID: 0022
Revises: 0021
Create Date: 2026-11-24 03:41:11.782541

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('public_objection_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_public_objection_attempts_attempted_at', ['attempted_at'], unique=False)


def downgrade():
    with op.batch_alter_table('public_objection_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_public_objection_attempts_attempted_at')
