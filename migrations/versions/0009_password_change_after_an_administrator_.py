"""a password set by an administrator is changed at the next sign-in (users.must_change_password);
the CHECK constraints the Project model declares and the earlier revisions left out
(funding_not_negative, loan_rate_range, loan_term_positive). Existing projects are checked first:
the upgrade stops, naming them, if any row would violate the constraints.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 21:35:01.504376

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

PROJECT_CHECKS = {
    "funding_not_negative": "funding_subsidy_fen >= 0 AND funding_loan_fen >= 0 AND funding_self_raised_fen >= 0"
                            " AND funding_donation_fen >= 0 AND funding_other_fen >= 0",
    "loan_rate_range": "loan_rate_bp IS NULL OR (loan_rate_bp >= 0 AND loan_rate_bp <= 3600)",
    "loan_term_positive": "loan_term_months IS NULL OR loan_term_months > 0",
}


def _refuse_violating_projects(connection) -> None:
    offenders = {}
    for name, condition in PROJECT_CHECKS.items():
        ids = connection.execute(sa.text(f"SELECT id FROM projects WHERE NOT ({condition}) ORDER BY id")).scalars().all()
        if ids:
            offenders[name] = ids
    if offenders:
        listing = "; ".join(f"{name}: project ids {', '.join(map(str, ids))}" for name, ids in offenders.items())
        raise RuntimeError(
            "Migration 0009 stopped, nothing was changed: these projects break the new CHECK constraints "
            f"({listing}). Correct them (negative funding, a loan rate outside 0–36 %, a loan term of zero "
            "months or less), then run the upgrade again."
        )


def upgrade():
    _refuse_violating_projects(op.get_bind())
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('projects', schema=None) as batch_op:
        for name, condition in PROJECT_CHECKS.items():
            batch_op.create_check_constraint(op.f(f'ck_projects_{name}'), condition)


def downgrade():
    with op.batch_alter_table('projects', schema=None) as batch_op:
        for name in reversed(PROJECT_CHECKS):
            batch_op.drop_constraint(op.f(f'ck_projects_{name}'), type_='check')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
