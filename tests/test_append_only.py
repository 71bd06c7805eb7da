"""Append-only tables: the database itself refuses UPDATE and DELETE (triggers made by the migrations)."""
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from fundtracker.append_only import APPEND_ONLY_TABLES
from fundtracker.audit.services import record_audit
from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.monitoring import services as monitoring
from fundtracker.monitoring.warnings import WarningAction, WarningInput, apply_warning_action
from fundtracker.returns import services as returns
from fundtracker.returns.distribution import PlanAction, PlanStep, apply_plan_action, record_objection
from fundtracker.pools.models import EntryKind, FundPool, LoanRepayment
from fundtracker.pools.services import (
    CollateralInput,
    ContributionInput,
    LoanTerms,
    append_entry,
    commit_to_project,
    record_contribution,
)
from fundtracker.disbursements.models import DisbursementEvent, TranchePlanVersion
from fundtracker.evaluation import services as evaluation_services
from fundtracker.projects.models import ProjectDecision, ProjectEvent, ProjectVersion
from fundtracker.acceptance.models import Acceptance, AcceptanceCheck, AcceptanceEvent, Recovery

from .conftest import USE_POSTGRES
from .projects.conftest import make_project, village_user  # noqa: F401  (shared fixtures)

# A change to one ordinary column of each table, the kind of forgery the triggers are there to stop.
FORGERIES = {
    "audit_events": "action = 'forged'",
    "ledger_entries": "memo = 'forged'",
    "contributions": "contributor = 'forged'",
    "collateral_assets": "name = 'forged'",
    "loan_repayments": "interest_fen = interest_fen + 1",
    "project_events": "comment = 'forged'",
    "project_decisions": "reason = 'forged'",
    "tranche_plan_versions": "reason = 'forged'",
    "disbursement_events": "comment = 'forged'",
    "project_versions": "number = number + 1",
    "pool_commitments": "reason = 'forged'",
    "indicator_readings": "value_centi = value_centi + 1",
    "warning_events": "comment = 'forged'",
    "return_records": "revenue_fen = revenue_fen + 1, net_fen = net_fen + 1",
    "distribution_events": "comment = 'forged'",
    "distribution_objections": "answer = 'forged'",
    "acceptance_events": "comment = 'forged'",
    "acceptance_checks": "findings = 'forged'",
    "recoveries": "reference = 'forged'",
    "evaluation_events": "comment = 'forged'",
}


@pytest.fixture
def a_row_in_every_append_only_table(make_user, make_project, village_user):
    """At least one row in each append-only table; returns {table: id of one row}."""
    finance, approver = make_user(Role.FINANCE), make_user(Role.APPROVER)
    record_audit("test.event", "test", 1, summary="original")
    pool = FundPool(name="append-only pool", year=2026)
    db.session.add(pool)
    db.session.flush()
    loan = record_contribution(pool.id, ContributionInput(
        "loan", "农商银行", 100_000_00, date(2026, 1, 5), loan=LoanTerms("农商银行", 385, 12, date(2026, 1, 5), "bullet"),
        collateral=[CollateralInput("闲置办公楼", "office_building", 50_000_00)]), actor=finance)
    repaid = append_entry(pool.id, EntryKind.LOAN_REPAYMENT, 10_00, actor=finance, value_date=date(2026, 2, 1))
    db.session.add(LoanRepayment(contribution_id=loan.id, ledger_entry_id=repaid.id, principal_fen=10_00,
                                 interest_fen=0, paid_on=date(2026, 2, 1)))
    project = make_project(status="vetting")
    db.session.add_all([
        ProjectEvent(project_id=project.id, action="return", from_status="vetting", to_status="returned",
                     comment="original", actor_id=approver.id),
        ProjectDecision(project_id=project.id, outcome="return", reason="original", decided_by_id=approver.id),
        ProjectVersion(project_id=project.id, number=1, snapshot={"title": project.title}, submitted_by_id=approver.id),
    ])
    commit_to_project(pool.id, project.id, 10_00, actor=approver)
    db.session.add_all([
        TranchePlanVersion(project_id=project.id, number=1, snapshot=[], reason="original", actor_id=finance.id),
        DisbursementEvent(subject="payment", subject_id=1, project_id=project.id, action="prepare", from_status="",
                          to_status="prepared", comment="original", actor_id=finance.id),
    ])
    _monitoring_rows(make_project, approver)
    _returns_rows(make_project, village_user)
    _acceptance_rows(project, pool, approver, finance)
    _evaluation_rows(make_project, approver)
    db.session.commit()
    return {table: db.session.execute(text(f"SELECT min(id) FROM {table}")).scalar_one()
            for table in APPEND_ONLY_TABLES}


def _monitoring_rows(make_project, approver) -> None:
    """A reading that turns a project red (a warning opens) and a warning event."""
    monitored = make_project(status="approved", title="监测")
    indicator = monitoring.add_indicator(monitored, monitoring.IndicatorInput("最低存栏数", "头", 30_000, None),
                                         actor=approver)
    monitoring.record_reading(monitored, indicator, value_centi=10_000, read_on=date(2026, 10, 31), actor=approver)
    apply_warning_action(monitoring.open_warning(monitored), WarningAction.DISMISS, approver,
                         WarningInput(comment="original"))


def _returns_rows(make_project, village) -> None:
    """A return record, a plan taken to its notice (two events) and an objection."""
    project = make_project(status="approved", title="收益")
    record = returns.record_return(project, returns.ReturnInput("year", date(2025, 1, 1), 100_00, 40_00), actor=village)
    plan = returns.draft_plan(project, record, returns.PlanInput(collective_fen=60_00), actor=village)
    apply_plan_action(plan, PlanAction.ADOPT, village, PlanStep(
        meeting_on=date(2026, 1, 18), attendance_expected=3, attendance_present=3, votes_for=3, votes_against=0,
        votes_abstain=0))
    apply_plan_action(plan, PlanAction.PUBLISH, village, PlanStep(notice_starts_on=date(2026, 1, 20)))
    record_objection(plan, raised_on=date(2026, 1, 21), objection="原文", answer="original", actor=village)


def _acceptance_rows(project, pool, approver, finance) -> None:
    """A township check, its timeline row and a recovery with its ledger entry."""
    acceptance = Acceptance(project_id=project.id, status="county_due")
    db.session.add(acceptance)
    db.session.flush()
    db.session.add_all([
        AcceptanceCheck(acceptance_id=acceptance.id, project_id=project.id, level="town", checked_on=date(2026, 9, 1),
                        members="镇农办", result="pass", recorded_by_id=approver.id),
        AcceptanceEvent(subject="acceptance", subject_id=acceptance.id, project_id=project.id, action="town_pass",
                        from_status="town_due", to_status="county_due", comment="original", actor_id=approver.id),
    ])
    entry = append_entry(pool.id, EntryKind.RECOVERY, 10_00, actor=finance, value_date=date(2026, 10, 1),
                         project_id=project.id)
    db.session.add(Recovery(project_id=project.id, pool_id=pool.id, ledger_entry_id=entry.id, kind="repayment",
                            amount_fen=10_00, received_on=date(2026, 10, 1), recorded_by_id=finance.id))
def _evaluation_rows(make_project, approver) -> None:
    """An evaluation taken up by the county (one timeline row)."""
    project = make_project(status="approved", title="评价")
    evaluation = evaluation_services.open_evaluation(project, 2026, actor=approver)
    evaluation_services.apply_evaluation_action(evaluation, evaluation_services.EvaluationAction.TAKE_UP, approver,
                                                evaluation_services.TransitionData(comment="original"))


def _row(table, row_id):
    return db.session.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id}).one()


@pytest.mark.parametrize("table", APPEND_ONLY_TABLES)
def test_append_only_tables_refuse_update_and_delete_in_the_database(a_row_in_every_append_only_table, table):
    row_id = a_row_in_every_append_only_table[table]
    assert row_id is not None, f"the fixture wrote no row in {table}"
    original = _row(table, row_id)
    for statement in (f"UPDATE {table} SET {FORGERIES[table]} WHERE id = :id", f"DELETE FROM {table} WHERE id = :id"):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement), {"id": row_id})
            db.session.flush()
        db.session.rollback()
        assert _row(table, row_id) == original


def _tables_with_append_only_triggers() -> dict[str, set[str]]:
    """{table: {"UPDATE", "DELETE"}} as the migrated database has them."""
    found: dict[str, set[str]] = {}
    if USE_POSTGRES:
        rows = db.session.execute(text(
            "SELECT c.relname, t.tgtype FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_proc p ON p.oid = t.tgfoid"
            " WHERE NOT t.tgisinternal AND p.proname = 'forbid_append_only_change'"
        ))
        for table, tgtype in rows:  # tgtype bits: 8 DELETE, 16 UPDATE (pg_trigger.h)
            found.setdefault(table, set()).update(op for bit, op in ((8, "DELETE"), (16, "UPDATE")) if tgtype & bit)
    else:
        rows = db.session.execute(text("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"))
        for table, sql in rows:
            if "append-only" in sql:
                found.setdefault(table, set()).update(op for op in ("UPDATE", "DELETE") if f"BEFORE {op}" in sql)
    return found


def test_the_list_of_append_only_tables_is_what_the_migrations_protect(app):
    assert _tables_with_append_only_triggers() == {table: {"UPDATE", "DELETE"} for table in APPEND_ONLY_TABLES}
