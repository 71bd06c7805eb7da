"""Hypothesis: random plans (the template with a random retention, then random edits), payments of
random amounts on random tranches, reversals and commitment releases keep, after every step,
paid <= commitment <= approved for the project, every tranche paid within its share, every pool's
stored figures equal to their recomputed sums, and verify-ledger OK."""
from itertools import count

from hypothesis import example, given, settings
from hypothesis import strategies as st

from fundtracker.disbursements import services
from fundtracker.disbursements.models import Disbursement
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.pools.models import FundPool
from fundtracker.pools.services import (
    ContributionInput,
    commit_to_project,
    outstanding_for_project_fen,
    record_contribution,
    release_commitment,
)
from fundtracker.projects.applications import save_application

from ..projects.conftest import WAN, complete_application
from .conftest import PAYEE, confirmed_report, documents_for
from .helpers import LONG_AGO, assert_books_consistent

_examples = count(1)

steps = st.lists(st.tuples(
    st.sampled_from(["pay", "pay", "pay", "reverse", "release", "replan"]),
    st.integers(0, 5),  # which tranche (pay, replan: modulo the plan's length) or which paid request (reverse)
    st.integers(0, 200),  # percent: of what the tranche still allows (pay; above 100 is refused), of the
    # outstanding commitment (release), of the tranche's amount (replan)
), min_size=1, max_size=8)
FEW_TRANCHES = 2  # pays and replans aim at the first tranches, so that they meet each other


def _world(people, approved_fen: int, retention_percent: int):
    n = next(_examples)
    pool = FundPool(name=f"性质资金池{n}", year=2026)
    db.session.add(pool)
    db.session.flush()
    record_contribution(pool.id, ContributionInput("subsidy", "县财政局", approved_fen + WAN, LONG_AGO),
                        actor=people["preparer"])
    project = save_application(None, complete_application(title=f"性质项目{n}", requested_wan=300),
                               village_id=people["village"].id, actor=people["collective"])
    project.status, project.approved_amount_fen, project.pool_id = "approved", approved_fen, pool.id
    commit_to_project(pool.id, project.id, approved_fen, actor=people["approver"])
    for tranche in services.save_plan(project, services.default_plan(project, retention_percent),
                                      actor=people["preparer"]):
        if tranche.needs_acceptance:
            services.confirm_acceptance(tranche, actor=people["approver"], accepted_on=LONG_AGO)
    db.session.commit()
    return project, {}


def _evidence(project, tranche, people, evidence: dict):
    """The tranche's confirmed report and documents, made (and committed) the first time they are needed."""
    if tranche.id not in evidence:
        evidence[tranche.id] = (confirmed_report(project, tranche, people).id,
                                documents_for(project, tranche, people["preparer"]))
        db.session.commit()
    return evidence[tranche.id]


def _pay(project, evidence, people, index, percent):
    tranches = services.tranches_of(project)
    tranche = tranches[index % FEW_TRANCHES]
    remaining = services.tranche_remaining_fen(tranche)
    amount = max(1, remaining * percent // 100)  # above 100 % asks for too much: must be refused
    report_id, documents = _evidence(project, tranche, people, evidence)
    payment = services.prepare_payment(project, services.PaymentInput(
        tranche_id=tranche.id, amount_fen=amount, purpose="工程款", progress_report_id=report_id,
        documents=documents, **PAYEE), actor=people["preparer"])
    services.decide_payment(payment, "approve", actor=people["checker"])


def _reverse(project, people, index):
    paid = db.session.execute(db.select(Disbursement).where(
        Disbursement.project_id == project.id, Disbursement.status == "approved").order_by(Disbursement.id)
    ).scalars().all()
    if paid:
        services.decide_payment(paid[index % len(paid)], "reverse", actor=people["checker"],
                                data=services.PaymentDecision(comment="冲回"))


def _release(project, people, percent):
    amount = outstanding_for_project_fen(project.id) * percent // 100
    release_commitment(project.pool_id, project.id, max(amount, 1), actor=people["approver"], reason="核减")


def _replan(project, people, index, percent):
    tranches = services.tranches_of(project)
    changed = tranches[index % FEW_TRANCHES]
    plan = [services.TrancheInput(t.description, t.amount_fen * percent // 100 if t.id == changed.id else t.amount_fen,
                                  t.planned_on, tuple(t.required_documents), t.needs_acceptance, t.is_retention)
            for t in tranches]
    services.save_plan(project, plan, actor=people["preparer"], reason="按进度调整")


@settings(max_examples=15)  # the suite's bounded profile, fewer examples: each one builds a project
@example(approved_wan=100, extra_fen=0, retention=3, actions=[("pay", 0, 100), ("pay", 0, 100)])
@example(approved_wan=100, extra_fen=1, retention=0, actions=[("pay", 1, 60), ("replan", 1, 10), ("pay", 1, 100)])
@example(approved_wan=7, extra_fen=3, retention=2,
         actions=[("pay", 0, 100), ("reverse", 0, 0), ("pay", 0, 100), ("release", 0, 100), ("pay", 1, 100)])
@given(approved_wan=st.integers(1, 300), extra_fen=st.integers(0, 99_999), retention=st.integers(0, 3),
       actions=steps)
def test_random_plans_payments_and_reversals_keep_the_books(app, people, approved_wan, extra_fen, retention, actions):
    project, evidence = _world(people, approved_wan * WAN + extra_fen, retention)
    for kind, index, percent in actions:
        try:
            if kind == "pay":
                _pay(project, evidence, people, index, percent)
            elif kind == "reverse":
                _reverse(project, people, index)
            elif kind == "release":
                _release(project, people, percent)
            else:
                _replan(project, people, index, percent)
            db.session.commit()
        except DomainError:
            db.session.rollback()
        assert_books_consistent(project, verify=False)
    assert_books_consistent(project)
