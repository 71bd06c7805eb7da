"""counts by status from an index: ix_projects_status (status) becomes ix_projects_status_village_id
(status, village_id), which holds every column the project library's counts by status read under the
county's visibility rule (a draft is its village's own), so that PostgreSQL counts with an index-only
scan instead of reading every project

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-24 07:05:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index('ix_projects_status_village_id', ['status', 'village_id'], unique=False)
        batch_op.drop_index('ix_projects_status')


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index('ix_projects_status', ['status'], unique=False)
        batch_op.drop_index('ix_projects_status_village_id')
