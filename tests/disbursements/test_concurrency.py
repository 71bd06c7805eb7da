"""Approvals from separate OS processes, each with its own app and connection, against one database
(SQLite file or PostgreSQL): many finance users approving requests that together ask for more than
the pool holds never overdraw it, every refusal is a clean message and verify-ledger stays OK; two
processes submitting the same approval pay once."""
import multiprocessing
from datetime import date

from sqlalchemy import func, select

from fundtracker.auth.roles import Role
from fundtracker.disbursements import services
from fundtracker.disbursements.models import Disbursement
from fundtracker.extensions import db
from fundtracker.pools.models import EntryKind, FundPool, LedgerEntry
from fundtracker.pools.services import (
    ContributionInput,
    append_entry,
    commit_to_project,
    outstanding_for_project_fen,
    paid_to_project_fen,
    record_contribution,
    release_commitment,
)
from fundtracker.projects.applications import save_application

from ..conftest import BASE_CONFIG, PASSWORD
from ..projects.conftest import WAN, complete_application
from .conftest import PAYEE, confirmed_report, documents_for
from .helpers import assert_books_consistent

CONTEXT = multiprocessing.get_context("spawn")
CLEAN_REFUSALS = ("allows", "still committed", "not possible while", "Refused:")


def _approve_all(database_url, upload_folder, approver_id, payment_ids, start, results):
    """One server: approve each request in turn through the service path, as the view does
    (request row locked, one transaction, commit or roll back)."""
    from fundtracker import create_app
    from fundtracker.auth.models import User
    from fundtracker.disbursements import services as disbursements
    from fundtracker.errors import DomainError

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_FOLDER": upload_folder})
    with app.app_context():
        approver = db.session.get(User, approver_id)
        db.session.rollback()
        start.wait(30)
        for payment_id in payment_ids:
            try:
                payment = disbursements.lock_payment(payment_id)
                disbursements.decide_payment(payment, "approve", actor=approver)
                db.session.commit()
                results.put((payment_id, "approved", ""))
            except DomainError as error:
                db.session.rollback()
                results.put((payment_id, "refused", str(error)))
            except Exception as error:  # a crash, a deadlock, a busy database: the test fails on it
                db.session.rollback()
                results.put((payment_id, "error", f"{type(error).__name__}: {error}"))
        db.session.remove()
        db.engine.dispose()


def _make_project(people, pool, title, approved_wan):
    project = save_application(None, complete_application(title=title, requested_wan=approved_wan),
                               village_id=people["village"].id, actor=people["collective"])
    project.status, project.approved_amount_fen, project.pool_id = "approved", approved_wan * WAN, pool.id
    commit_to_project(pool.id, project.id, approved_wan * WAN, actor=people["approver"])
    services.save_plan(project, services.default_plan(project), actor=people["preparer"])
    return project


def _request(project, people, position, amount_fen=None):
    tranche = services.tranches_of(project)[position - 1]
    report = confirmed_report(project, tranche, people)
    return services.prepare_payment(project, services.PaymentInput(
        tranche_id=tranche.id, amount_fen=amount_fen or tranche.amount_fen, purpose="工程款",
        progress_report_id=report.id, documents=documents_for(project, tranche, people["preparer"]), **PAYEE),
        actor=people["preparer"])


def test_many_finance_users_cannot_overdraw_a_pool(app, database_url, tmp_path, people, make_user):
    """Three projects share one pool. Requests are prepared for two tranches of each (and the first
    tranche of the first project twice); then the county cuts each project's commitment and the pool
    repays a loan with the money set free, so the pool holds 60 万 against 108 万 of requests: each
    project can be paid one request at most. Three finance users approve everything at once."""
    pool = FundPool(name="共享资金池", year=2026)
    db.session.add(pool)
    db.session.flush()
    record_contribution(pool.id, ContributionInput("subsidy", "县财政局", 180 * WAN, date(2026, 1, 5)),
                        actor=people["preparer"])
    projects = [_make_project(people, pool, f"共享项目{i}", 60) for i in range(3)]
    requests = []
    for project in projects:
        requests += [_request(project, people, 1), _request(project, people, 2)]  # 18 万 and 12 万
    requests.append(_request(projects[0], people, 1))
    for project in projects:
        release_commitment(pool.id, project.id, 40 * WAN, actor=people["approver"], reason="核减")
    append_entry(pool.id, EntryKind.LOAN_REPAYMENT, 120 * WAN, actor=people["preparer"],
                 value_date=date(2026, 2, 1), memo="归还贷款")
    approvers = [make_user(Role.FINANCE, username=f"approver{i}") for i in range(3)]
    db.session.commit()
    assert (pool.balance_fen, pool.committed_fen) == (60 * WAN, 60 * WAN)
    assert sum(r.amount_fen for r in requests) == 108 * WAN
    ids, approver_ids = [r.id for r in requests], [user.id for user in approvers]
    db.session.rollback()  # the test's own connection holds no lock while the servers work

    start, results = CONTEXT.Event(), CONTEXT.Queue()
    orders = [ids, ids[::-1], ids[1::2] + ids[::2]]
    workers = [CONTEXT.Process(target=_approve_all, args=(database_url, str(tmp_path / "uploads"), user_id, order,
                                                           start, results))
               for user_id, order in zip(approver_ids, orders)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0] * len(workers)
    outcomes = [results.get(timeout=5) for _ in range(len(ids) * len(workers))]
    assert not [o for o in outcomes if o[1] == "error"], outcomes
    for _payment_id, outcome, message in outcomes:
        assert outcome == "approved" or any(part in message for part in CLEAN_REFUSALS), message
    approved = [o[0] for o in outcomes if o[1] == "approved"]
    assert len(approved) == len(set(approved)) == 3  # one per project, each approved once

    db.session.expire_all()
    pool = db.session.get(FundPool, pool.id)
    assert pool.balance_fen >= 0 and pool.committed_fen >= 0 and pool.balance_fen >= pool.committed_fen
    for project in projects:
        assert paid_to_project_fen(project.id) <= 20 * WAN
        assert outstanding_for_project_fen(project.id) >= 0
    entries = db.session.execute(select(func.count(LedgerEntry.id)).where(
        LedgerEntry.kind == EntryKind.DISBURSEMENT)).scalar_one()
    assert entries == 3
    statuses = db.session.execute(select(Disbursement.status)).scalars().all()
    assert sorted(statuses).count("approved") == 3 and set(statuses) <= {"approved", "prepared"}
    assert_books_consistent(*projects)


def _submit_approval(database_url, upload_folder, username, payment_id, start, results):
    """One server receiving the approval form (same one-time token as the other server)."""
    from fundtracker import create_app

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url, "UPLOAD_FOLDER": upload_folder})
    client = app.test_client()
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 303
    start.wait(30)
    answer = client.post(f"/disbursements/{payment_id}/approve", data={"token": "the-same-click"})
    results.put((answer.status_code, answer.headers.get("Location", "")))
    with app.app_context():
        db.engine.dispose()


def test_two_processes_submitting_the_same_approval_pay_once(app, database_url, tmp_path, people,
                                                              approved_project):
    from .conftest import prepared_payment

    project = approved_project()
    payment = prepared_payment(project, people)
    payment_id, username = payment.id, people["checker"].username
    db.session.rollback()
    start, results = CONTEXT.Event(), CONTEXT.Queue()
    workers = [CONTEXT.Process(target=_submit_approval, args=(database_url, str(tmp_path / "uploads"), username,
                                                               payment_id, start, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    answers = [results.get(timeout=5) for _ in workers]
    assert [status for status, _ in answers] == [303, 303], answers
    assert all(location.endswith(f"/disbursements/{payment_id}") for _, location in answers), answers
    db.session.expire_all()
    assert db.session.execute(select(func.count(LedgerEntry.id)).where(
        LedgerEntry.kind == EntryKind.DISBURSEMENT)).scalar_one() == 1
    assert db.session.get(Disbursement, payment_id).status == "approved"
    assert_books_consistent(project)
