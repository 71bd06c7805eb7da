"""public disclosure: notices (公示) with their objections (异议) and answers, the table of objection
attempts per client address (the rate limit across servers), and the public flag of project attachments

Revision ID: 0019
Revises: 0014
Create Date: 2026-11-24 00:06:21.294708

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_objection_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_key', sa.String(length=64), nullable=False),
    sa.Column('attempted_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_objection_attempts'))
    )
    with op.batch_alter_table('public_objection_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_public_objection_attempts_client_at', ['client_key', 'attempted_at'], unique=False)

    op.create_table('public_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('distribution_plan_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('period_days', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('application', 'approval', 'distribution', 'acceptance', 'other')", name=op.f('ck_public_notices_known_kind')),
    sa.CheckConstraint("text <> ''", name=op.f('ck_public_notices_has_text')),
    sa.CheckConstraint('period_days > 0', name=op.f('ck_public_notices_period_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_public_notices_created_by_id_users')),
    sa.ForeignKeyConstraint(['distribution_plan_id'], ['distribution_plans.id'], name=op.f('fk_public_notices_distribution_plan_id_distribution_plans')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_public_notices_project_id_projects')),
    sa.ForeignKeyConstraint(['village_id'], ['villages.id'], name=op.f('fk_public_notices_village_id_villages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_notices'))
    )
    with op.batch_alter_table('public_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_notices_distribution_plan_id'), ['distribution_plan_id'], unique=False)
        batch_op.create_index('ix_public_notices_project_kind', ['project_id', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_notices_village_id'), ['village_id'], unique=False)

    op.create_table('public_notice_objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=False),
    sa.Column('filed_at', sa.DateTime(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("text <> ''", name=op.f('ck_public_notice_objections_has_text')),
    sa.CheckConstraint('(answer IS NULL) = (answered_at IS NULL) AND (answer IS NULL) = (answered_by_id IS NULL)', name=op.f('ck_public_notice_objections_answer_complete')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_public_notice_objections_answered_by_id_users')),
    sa.ForeignKeyConstraint(['notice_id'], ['public_notices.id'], name=op.f('fk_public_notice_objections_notice_id_public_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_notice_objections'))
    )
    with op.batch_alter_table('public_notice_objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_notice_objections_notice_id'), ['notice_id'], unique=False)

    with op.batch_alter_table('project_attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('project_attachments', schema=None) as batch_op:
        batch_op.drop_column('public')

    with op.batch_alter_table('public_notice_objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_notice_objections_notice_id'))

    op.drop_table('public_notice_objections')
    with op.batch_alter_table('public_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_notices_village_id'))
        batch_op.drop_index('ix_public_notices_project_kind')
        batch_op.drop_index(batch_op.f('ix_public_notices_distribution_plan_id'))

    op.drop_table('public_notices')
    with op.batch_alter_table('public_objection_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_public_objection_attempts_client_at')

    op.drop_table('public_objection_attempts')
