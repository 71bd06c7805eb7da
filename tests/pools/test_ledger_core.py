from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from fundtracker.auth.roles import Role
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.idempotency import DuplicateSubmission, claim_form_token
from fundtracker.pools.models import EntryKind, FundPool, PoolStatus
from fundtracker.pools.services import append_entry, commit_to_project, figures_for, reverse_entry
from fundtracker.projects.models import Project, ProjectStatus

TODAY = date(2026, 11, 1)


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE)


@pytest.fixture
def pool(app):
    pool = FundPool(name="强村富民 2026", year=2026)
    db.session.add(pool)
    db.session.commit()
    return pool


def contribute(pool, fen, actor):
    return append_entry(pool.id, EntryKind.CONTRIBUTION, fen, actor=actor, value_date=TODAY)


def test_balance_is_the_sum_of_entries_and_reversal_undoes_one(pool, finance):
    first = contribute(pool, 500_00, finance)
    contribute(pool, 250_00, finance)
    assert figures_for(pool).balance_fen == 750_00
    reverse_entry(pool.id, first.id, actor=finance, reason="typo", value_date=TODAY)
    assert figures_for(pool).balance_fen == 250_00


def test_an_entry_is_reversed_once_and_a_reversal_never(pool, finance):
    entry = contribute(pool, 100_00, finance)
    reversal = reverse_entry(pool.id, entry.id, actor=finance, reason="wrong pool", value_date=TODAY)
    with pytest.raises(DomainError, match="already been reversed"):
        reverse_entry(pool.id, entry.id, actor=finance, reason="again", value_date=TODAY)
    with pytest.raises(DomainError, match="cannot itself be reversed"):
        reverse_entry(pool.id, reversal.id, actor=finance, reason="undo", value_date=TODAY)


def test_reversal_of_another_pools_entry_is_refused(pool, finance):
    other = FundPool(name="other")
    db.session.add(other)
    db.session.flush()
    entry = contribute(pool, 100_00, finance)
    with pytest.raises(DomainError, match="does not belong"):
        reverse_entry(other.id, entry.id, actor=finance, reason="x", value_date=TODAY)


def test_overdraw_and_closed_pool_are_refused(pool, finance, make_village):
    contribute(pool, 100_00, finance)
    db.session.commit()
    with pytest.raises(DomainError, match="balance"):
        append_entry(pool.id, EntryKind.LOAN_REPAYMENT, 100_01, actor=finance, value_date=TODAY)
    db.session.rollback()
    village = make_village()
    project = Project(village_id=village.id, title="牧场扩建", status=ProjectStatus.APPROVED,
                      approved_amount_fen=80_00, pool_id=pool.id, created_by_id=finance.id)
    db.session.add(project)
    db.session.flush()
    commit_to_project(pool.id, project.id, 80_00, actor=finance)
    figures = figures_for(pool)
    assert (figures.balance_fen, figures.committed_fen, figures.available_fen) == (100_00, 80_00, 20_00)
    with pytest.raises(DomainError, match="available"):
        append_entry(pool.id, EntryKind.LOAN_REPAYMENT, 20_01, actor=finance, value_date=TODAY)
    db.session.rollback()
    pool.status = PoolStatus.CLOSED
    db.session.commit()
    with pytest.raises(DomainError, match="closed"):
        contribute(pool, 1, finance)


def test_paying_a_project_moves_money_from_committed_to_paid(pool, finance, make_village):
    contribute(pool, 100_00, finance)
    project = Project(village_id=make_village().id, title="渔场", status=ProjectStatus.IN_PROGRESS,
                      approved_amount_fen=60_00, pool_id=pool.id, created_by_id=finance.id)
    db.session.add(project)
    db.session.flush()
    commit_to_project(pool.id, project.id, 60_00, actor=finance)
    paid = append_entry(pool.id, EntryKind.DISBURSEMENT, 30_00, actor=finance, value_date=TODAY, project_id=project.id)
    assert figures_for(pool) == type(figures_for(pool))(balance_fen=70_00, committed_fen=30_00)
    reverse_entry(pool.id, paid.id, actor=finance, reason="paid twice by the bank", value_date=TODAY)
    assert figures_for(pool).committed_fen == 60_00


@pytest.mark.parametrize("statement", ["UPDATE ledger_entries SET amount_fen = 1", "DELETE FROM ledger_entries"])
def test_ledger_rows_cannot_be_changed_in_sql(pool, finance, statement):
    contribute(pool, 100_00, finance)
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    assert figures_for(pool).balance_fen == 100_00


def test_a_form_token_is_claimed_once(app, finance):
    used = claim_form_token("token-1", finance)
    used.result_url = "/pools/1"
    db.session.commit()
    with pytest.raises(DuplicateSubmission) as duplicate:
        claim_form_token("token-1", finance)
    assert duplicate.value.result_url == "/pools/1"
    with pytest.raises(DomainError):
        claim_form_token("", finance)
