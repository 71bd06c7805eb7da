"""the home page's counts of what waits from an index: ix_projects_status_dates (status, start_on,
city_filed_on, village_id) holds every column the approver's counts read (the city filings due, the
projects whose evaluation is due, each under the visibility rule), so that they read an index range
of the statuses counted instead of every project

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-24 09:20:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index('ix_projects_status_dates', ['status', 'start_on', 'city_filed_on', 'village_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index('ix_projects_status_dates')
