"""Shared helpers of the disbursement tests: signed-in clients, one-time tokens from pages, and a
snapshot of everything a refused action must leave as it was."""
import re
from datetime import date

from sqlalchemy import func, select

from fundtracker.audit.models import AuditEvent
from fundtracker.disbursements import services
from fundtracker.disbursements.models import (
    Disbursement,
    DisbursementEvent,
    ProgressReport,
    Tranche,
    TranchePlanVersion,
)
from fundtracker.extensions import db
from fundtracker.idempotency import UsedFormToken
from fundtracker.pools.models import Commitment, FundPool, LedgerEntry
from fundtracker.pools.services import (
    committed_to_project_fen,
    paid_to_project_fen,
    recomputed_paid_out_by_pool_fen,
    recomputed_pool_figures,
)
from fundtracker.pools.verify import verify_ledger
from fundtracker.projects.models import Project

from ..conftest import login

LONG_AGO = date(2020, 1, 6)  # an acceptance so old that any retention has fallen due
COUNTED = (LedgerEntry, Commitment, Disbursement, DisbursementEvent, ProgressReport, Tranche, TranchePlanVersion,
           AuditEvent, UsedFormToken)


def client_for(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 303
    return client


def token_in(page: str) -> str:
    match = re.search(r'name="token"[^>]*value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="token"', page)
    assert match, "the form has no one-time token"
    return match.group(1)


def snapshot() -> dict:
    """Row counts of every table a disbursement writes, the stored pool figures, and every status:
    equal before and after means nothing was written."""
    db.session.expire_all()
    counts = {model.__tablename__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
              for model in COUNTED}
    pools = {pool_id: (balance, committed) for pool_id, balance, committed in db.session.execute(
        select(FundPool.id, FundPool.balance_fen, FundPool.committed_fen)).all()}
    payments = dict(db.session.execute(select(Disbursement.id, Disbursement.status)).all())
    projects = dict(db.session.execute(select(Project.id, Project.status)).all())
    tranches = dict(db.session.execute(select(Tranche.id, Tranche.amount_fen)).all())
    return {"counts": counts, "pools": pools, "payments": payments, "projects": projects, "tranches": tranches}


def assert_books_consistent(*projects, verify: bool = True) -> None:
    """Stored pool figures equal their recomputed sums, the ledger verifies, and for every project
    paid <= committed <= approved (and per tranche paid <= its share)."""
    db.session.expire_all()
    pools = select(FundPool)
    if not verify and projects:  # a quick check after each step: the projects' own pools
        pools = pools.where(FundPool.id.in_(select(Project.pool_id).where(Project.id.in_([p.id for p in projects]))))
    stored_pools = db.session.execute(pools).scalars().all()
    stored = {p.id: (p.balance_fen, p.committed_fen) for p in stored_pools}
    pool_ids = list(stored)
    recomputed = {pool_id: (f.balance_fen, f.committed_fen) for pool_id, f in recomputed_pool_figures(pool_ids).items()}
    assert stored == recomputed
    assert {p.id: p.paid_out_fen for p in stored_pools} == recomputed_paid_out_by_pool_fen(pool_ids)
    for balance, committed in stored.values():
        assert balance >= 0 and committed >= 0 and balance - committed >= 0
    for project in projects:
        project = db.session.get(Project, project.id)
        paid, committed = paid_to_project_fen(project.id), committed_to_project_fen(project.id)
        assert 0 <= paid <= committed <= project.approved_amount_fen, (paid, committed, project.approved_amount_fen)
        tranches = services.tranches_of(project)
        by_tranche = services.paid_by_tranche(t.id for t in tranches)
        for tranche in tranches:
            assert 0 <= by_tranche.get(tranche.id, 0) <= tranche.amount_fen
    if verify:
        report = verify_ledger()
        assert report.ok, report.violations
