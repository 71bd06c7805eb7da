"""application: the sections county forms carry (联农带农, 绩效目标 产出 / 效益 / 满意度, 用地合规说明,
收益分配预案, 资产权属) and the meeting's members expected (应到人数) for its quorum

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-24 00:05:19.893748

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

COUNTY_FORM_TEXT_COLUMNS = ('benefit_linkage', 'target_output', 'target_benefit', 'target_satisfaction',
                            'land_use_compliance', 'income_distribution', 'asset_ownership')


def upgrade():
    # Server defaults fill the new NOT NULL columns of projects that already exist (their applications
    # were complete under the rules of their day; the empty sections show as "—").
    with op.batch_alter_table('projects', schema=None) as batch_op:
        for column in COUNTY_FORM_TEXT_COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('meeting_members_expected', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_projects_meeting_members_expected_positive'),
            'meeting_members_expected IS NULL OR meeting_members_expected > 0')


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_projects_meeting_members_expected_positive'), type_='check')
        batch_op.drop_column('meeting_members_expected')
        for column in reversed(COUNTY_FORM_TEXT_COLUMNS):
            batch_op.drop_column(column)
