"""Bad input gets a clear error and changes nothing (issue 12): every case through the services, the
main ones through the pages (422 with the message, never 500; rows and pool figures as before)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from fundtracker.auth.roles import Role
from fundtracker.clock import local_today
from fundtracker.disbursements import services, settings
from fundtracker.disbursements.models import Disbursement, TranchePlanVersion
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.money import fen_to_yuan_text
from fundtracker.pools.models import EntryKind, FundPool, LedgerEntry
from fundtracker.pools.verify import verify_ledger
from fundtracker.pools.services import (
    append_entry,
    paid_out_by_pool_fen,
    outstanding_for_project_fen,
    paid_to_project_fen,
    release_commitment,
    reverse_entry,
)
from fundtracker.projects.models import Project

from ..projects.conftest import WAN
from .conftest import PAYEE, confirmed_report, documents_for, prepared_payment
from .helpers import LONG_AGO, assert_books_consistent, client_for, snapshot, token_in

REASON = services.PaymentDecision(comment="材料有误，冲回")


def payment_input(project, tranche, report, documents, **change) -> services.PaymentInput:
    values = dict(tranche_id=tranche.id, amount_fen=tranche.amount_fen, purpose="工程款", progress_report_id=report.id,
                  documents=documents, **PAYEE)
    values.update(change)
    return services.PaymentInput(**values)


@pytest.fixture
def evidence(people, approved_project):
    """An approved project with a confirmed report and the documents of its first tranche."""
    project = approved_project()
    first = services.tranches_of(project)[0]
    report = confirmed_report(project, first, people)
    documents = documents_for(project, first, people["preparer"])
    db.session.commit()
    return project, first, report, documents


def refused_and_nothing_written(call, message):
    before = snapshot()
    with pytest.raises(DomainError, match=message):
        call()
    db.session.rollback()
    assert snapshot() == before


# --- the amount ------------------------------------------------------------------------------

def test_amount_above_the_tranche_is_refused_when_prepared_and_when_approved(people, evidence):
    project, first, report, documents = evidence
    refused_and_nothing_written(lambda: services.prepare_payment(project, payment_input(
        project, first, report, documents, amount_fen=first.amount_fen + 1), actor=people["preparer"]),
        "Tranche 1 allows ¥300,000.00 more; ¥300,000.01 is too much")
    one = prepared_payment(project, people)
    two = prepared_payment(project, people)  # both ask for the whole tranche: only one can be paid
    services.decide_payment(one, "approve", actor=people["checker"])
    db.session.commit()
    refused_and_nothing_written(lambda: services.decide_payment(db.session.get(Disbursement, two.id), "approve",
                                                                actor=people["checker"]), "Tranche 1 allows ¥0.00 more")
    assert_books_consistent(project)


def test_amount_above_the_outstanding_commitment_is_refused(people, evidence):
    project, first, report, documents = evidence
    payment = prepared_payment(project, people)
    release_commitment(project.pool_id, project.id, 80 * WAN, actor=people["approver"], reason="核减投资")
    db.session.commit()
    assert outstanding_for_project_fen(project.id) == 20 * WAN
    refused_and_nothing_written(lambda: services.prepare_payment(project, payment_input(
        project, first, report, documents, amount_fen=20 * WAN + 1), actor=people["preparer"]),
        "Only ¥200,000.00 is still committed")
    refused_and_nothing_written(lambda: services.decide_payment(db.session.get(Disbursement, payment.id), "approve",
                                                                actor=people["checker"]), "still committed")
    services.prepare_payment(project, payment_input(project, first, report, documents, amount_fen=20 * WAN),
                             actor=people["preparer"])
    db.session.commit()
    assert_books_consistent(project)


def test_amount_above_what_the_pool_holds_for_the_project_is_refused(people, approved_project):
    """The pool's balance never falls below its commitments (every write checks the available money),
    so the pool side is reached when the paying pool does not hold the project's money: the project
    was committed in one pool and its requests are paid from another, empty one."""
    project = approved_project(title="甲")
    payment = prepared_payment(project, people)
    empty = FundPool(name="空资金池", year=2026)
    db.session.add(empty)
    db.session.flush()
    payment.pool_id = empty.id
    db.session.commit()
    refused_and_nothing_written(lambda: services.decide_payment(db.session.get(Disbursement, payment.id), "approve",
                                                                actor=people["checker"]),
                                r"still committed|Refused: ")
    with pytest.raises(DomainError, match=r"still committed|Refused: "):
        append_entry(empty.id, EntryKind.LOAN_REPAYMENT, 1, actor=people["preparer"], value_date=date(2026, 1, 7))
    db.session.rollback()
    assert db.session.get(FundPool, empty.id).balance_fen == 0
    assert_books_consistent(project)


def test_amount_must_be_positive(people, evidence):
    project, first, report, documents = evidence
    for amount in (0, -1):
        refused_and_nothing_written(lambda: services.prepare_payment(project, payment_input(
            project, first, report, documents, amount_fen=amount), actor=people["preparer"]), "greater than zero")


# --- the plan --------------------------------------------------------------------------------

def plan(*amounts_wan, retention_last=False):
    return [services.TrancheInput(f"第{i}期", wan * WAN, is_retention=retention_last and i == len(amounts_wan))
            for i, wan in enumerate(amounts_wan, start=1)]


BAD_PLANS = [
    ((30, 30, 41), "add up to ¥1,010,000.00, more than the approved ¥1,000,000.00"),
    ((31, 69), r"at most 30% of the approved amount, ¥300,000.00"),
    ((30, 0, 70), "above zero"),
    ((), "at least one tranche"),
]


def test_a_bad_plan_is_refused(people, approved_project):
    project = approved_project()
    for amounts, message in BAD_PLANS:
        refused_and_nothing_written(lambda: services.save_plan(project, plan(*amounts), actor=people["preparer"]),
                                    message)


def test_a_retention_above_its_cap_is_refused(people, approved_project):
    project = approved_project()
    refused_and_nothing_written(lambda: services.save_plan(project, services.default_plan(project, 4),
                                                           actor=people["preparer"]),
                                r"quality retention may be at most 3%")
    refused_and_nothing_written(lambda: services.save_plan(project, plan(30, 20, 3, retention_last=False)[:2] + [
        services.TrancheInput("质保金", 3 * WAN, is_retention=True), services.TrancheInput("尾款", 10 * WAN)],
        actor=people["preparer"]), "it is the last tranche")
    services.save_plan(project, services.default_plan(project, 3), actor=people["preparer"])
    db.session.commit()
    assert services.tranches_of(project)[-1].amount_fen == 3 * WAN


def test_plan_changes_after_a_payment_need_a_reason_are_versioned_and_never_go_below_the_paid(people,
                                                                                              approved_project):
    project = approved_project()
    versions = db.session.execute(select(func.count(TranchePlanVersion.id))).scalar_one()
    assert versions == 1
    # Before any payment a change needs no reason.
    services.save_plan(project, plan(30, 20, 30, 20), actor=people["preparer"])
    db.session.commit()
    payment = prepared_payment(project, people, amount_fen=10 * WAN)
    services.decide_payment(payment, "approve", actor=people["checker"])
    db.session.commit()
    refused_and_nothing_written(lambda: services.save_plan(project, plan(25, 25, 30, 20), actor=people["preparer"]),
                                "give the reason for the change")
    refused_and_nothing_written(lambda: services.save_plan(project, plan(5, 45, 30, 20), actor=people["preparer"],
                                                           reason="调整"),
                                "Tranche 1 has ¥100,000.00 paid already; it cannot be smaller")
    refused_and_nothing_written(lambda: services.save_plan(project, plan(30, 20, 30, 21), actor=people["preparer"],
                                                           reason="增加"), "more than the approved")
    prepared_payment(project, people, position=4, amount_fen=WAN)
    refused_and_nothing_written(lambda: services.save_plan(project, plan(30, 20, 30), actor=people["preparer"],
                                                           reason="删"),
                                "Tranche 4 has payments or requests and stays in the plan")
    services.save_plan(project, plan(10, 40, 30, 20), actor=people["preparer"], reason="按实际进度调整")
    db.session.commit()
    rows = db.session.execute(select(TranchePlanVersion).where(TranchePlanVersion.project_id == project.id)
                              .order_by(TranchePlanVersion.number)).scalars().all()
    assert [v.number for v in rows] == [1, 2, 3]
    assert rows[-1].reason == "按实际进度调整" and rows[-2].reason == ""
    assert [step["amount_fen"] for step in rows[-1].snapshot] == [10 * WAN, 40 * WAN, 30 * WAN, 20 * WAN]
    assert [step["amount_fen"] for step in rows[0].snapshot] == [30 * WAN, 20 * WAN, 30 * WAN, 20 * WAN]
    assert_books_consistent(project)


# --- the retention and the acceptance --------------------------------------------------------

def test_a_tranche_after_acceptance_waits_for_it_and_the_retention_for_its_date(people, approved_project):
    project = approved_project(retention_percent=3)
    tranches = services.tranches_of(project)
    assert [t.amount_fen for t in tranches] == [30 * WAN, 20 * WAN, 30 * WAN, 17 * WAN, 3 * WAN]
    final, retention = tranches[3], tranches[4]
    assert final.needs_acceptance and retention.is_retention
    assert retention.release_after_months == settings.retention_months() == 12
    for tranche in (final, retention):
        payment = prepared_payment(project, people, position=tranche.position)
        refused_and_nothing_written(lambda: services.decide_payment(
            db.session.get(Disbursement, payment.id), "approve", actor=people["checker"]),
            "paid after the county.s acceptance of the works, which is not recorded yet")
    # Accepted today: the final tranche may be paid, the retention only a year later.
    services.confirm_acceptance(db.session.get(type(final), final.id), actor=people["approver"],
                                accepted_on=local_today())
    services.confirm_acceptance(db.session.get(type(retention), retention.id), actor=people["approver"],
                                accepted_on=local_today())
    db.session.commit()
    waiting = db.session.execute(select(Disbursement).where(Disbursement.tranche_id == retention.id)).scalar_one()
    due = services.retention_release_on(db.session.get(type(retention), retention.id))
    assert due > local_today()
    refused_and_nothing_written(lambda: services.decide_payment(waiting, "approve", actor=people["checker"]),
                                f"released on {due.isoformat()} at the earliest")
    final_payment = db.session.execute(select(Disbursement).where(Disbursement.tranche_id == final.id)).scalar_one()
    services.decide_payment(final_payment, "approve", actor=people["checker"])
    db.session.commit()
    # Accepted long ago: the retention has fallen due and is paid.
    services.confirm_acceptance(db.session.get(type(retention), retention.id), actor=people["approver"],
                                accepted_on=LONG_AGO)
    db.session.commit()
    services.decide_payment(db.session.get(Disbursement, waiting.id), "approve", actor=people["checker"])
    db.session.commit()
    assert services.tranche_remaining_fen(db.session.get(type(retention), retention.id)) == 0
    assert_books_consistent(project)


def test_the_retention_date_follows_the_setting(app, people, approved_project):
    app.config["RETENTION_MONTHS"] = 0
    try:
        project = approved_project(retention_percent=2)
        retention = services.tranches_of(project)[-1]
        assert retention.is_retention and retention.release_after_months == 0
        payment = prepared_payment(project, people, position=retention.position)
        services.confirm_acceptance(retention, actor=people["approver"], accepted_on=local_today())
        db.session.commit()
        services.decide_payment(db.session.get(Disbursement, payment.id), "approve", actor=people["checker"])
        db.session.commit()
    finally:
        app.config.pop("RETENTION_MONTHS")
    assert_books_consistent(project)


def test_acceptance_is_recorded_only_for_a_tranche_that_waits_for_it(people, approved_project):
    project = approved_project()
    first = services.tranches_of(project)[0]
    refused_and_nothing_written(lambda: services.confirm_acceptance(first, actor=people["approver"],
                                                                    accepted_on=LONG_AGO), "does not wait")


# --- purpose, documents, report --------------------------------------------------------------

# The national negative list (国家财政项目资金负面清单) and words that name each rule in a purpose's detail.
NEGATIVE_LIST = {
    "单位基本支出": ("基本支出", "办公经费", "人员工资"),
    "交通通讯工具": ("交通工具", "通讯工具", "购车", "车辆", "手机"),
    "楼堂馆所": ("楼堂馆所", "办公楼", "培训中心", "宾馆"),
    "奖金津贴福利": ("奖金", "津贴", "福利", "补贴发放"),
    "偿还债务和垫资": ("偿还债务", "还债", "垫资"),
}


def test_every_rule_of_the_negative_list_is_refused_by_name_and_by_keyword(people, evidence):
    project, first, report, documents = evidence
    assert tuple(settings.negative_list()) == tuple(NEGATIVE_LIST)
    for rule in NEGATIVE_LIST:
        _refused_by_name_and_keyword(people, project, first, report, documents, rule)


def _refused_by_name_and_keyword(people, project, first, report, documents, rule):
    refused_and_nothing_written(lambda: services.prepare_payment(project, payment_input(
        project, first, report, documents, purpose=rule), actor=people["preparer"]),
        f"negative list \\({rule}\\)")
    for keyword in NEGATIVE_LIST[rule]:
        refused_and_nothing_written(lambda: services.prepare_payment(project, payment_input(
            project, first, report, documents, purpose_detail=f"用于{keyword}"), actor=people["preparer"]),
            f"negative list \\({rule}\\)")


def test_a_purpose_outside_the_list_is_refused(people, evidence):
    project, first, report, documents = evidence
    refused_and_nothing_written(lambda: services.prepare_payment(project, payment_input(
        project, first, report, documents, purpose="随便"), actor=people["preparer"]), "Choose the purpose")


def test_the_approval_checks_the_purpose_and_the_documents_again(people, evidence):
    """A request that slipped past the preparation (an older rule, a changed list) is refused at approval."""
    project, first, report, documents = evidence
    for change, message in (({"purpose": "偿还债务和垫资"}, "negative list"), ({"documents": {}}, "missing"),
                            ({"progress_report_id": None}, "progress report")):
        values = dict(project_id=project.id, tranche_id=first.id, pool_id=project.pool_id, amount_fen=WAN,
                      progress_report_id=report.id, purpose="工程款", documents=documents,
                      prepared_by_id=people["preparer"].id, **PAYEE)
        values.update(change)
        payment = Disbursement(**values)
        db.session.add(payment)
        db.session.commit()
        refused_and_nothing_written(lambda: services.decide_payment(db.session.get(Disbursement, payment.id),
                                                                    "approve", actor=people["checker"]), message)


def test_a_missing_document_or_report_is_refused(people, evidence):
    project, first, report, documents = evidence
    for name in first.required_documents:
        partial = {k: v for k, v in documents.items() if k != name}
        refused_and_nothing_written(lambda: services.prepare_payment(project, payment_input(
            project, first, report, partial), actor=people["preparer"]), f"missing: {name}")
    other = services.tranches_of(project)[1]
    other_documents = documents_for(project, other, people["preparer"])
    db.session.commit()
    foreign = {name: 999_999 for name in first.required_documents}
    refused_and_nothing_written(lambda: services.prepare_payment(project, payment_input(
        project, first, report, foreign), actor=people["preparer"]), "missing")
    refused_and_nothing_written(lambda: services.prepare_payment(project, payment_input(
        project, other, report, other_documents, amount_fen=WAN), actor=people["preparer"]),
        "confirmed progress report of this tranche")
    unconfirmed = services.submit_progress_report(project, first, progress_percent=5, narrative="x",
                                                  actor=people["collective"])
    db.session.commit()
    refused_and_nothing_written(lambda: services.prepare_payment(project, payment_input(
        project, first, unconfirmed, documents), actor=people["preparer"]), "not confirmed by the township")


# --- reversal, the first payment ------------------------------------------------------------

def test_a_paid_entry_is_reversed_only_through_its_payment_request(people, approved_project):
    project = approved_project()
    pool_id = project.pool_id
    payment = prepared_payment(project, people, amount_fen=25 * WAN)
    first = services.tranches_of(project)[0]
    before_figures = snapshot()["pools"][pool_id]
    services.decide_payment(payment, "approve", actor=people["checker"])
    db.session.commit()
    assert db.session.get(Project, project.id).status == "in_progress"
    assert services.tranche_remaining_fen(first) == 5 * WAN
    assert outstanding_for_project_fen(project.id) == 75 * WAN
    entry_id = db.session.get(Disbursement, payment.id).ledger_entry_id
    refused_and_nothing_written(lambda: reverse_entry(pool_id, entry_id, actor=people["checker"], reason="直接冲回",
                                                      value_date=local_today()),
                                "reversed from its payment request")
    services.decide_payment(db.session.get(Disbursement, payment.id), "reverse", actor=people["checker"], data=REASON)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Disbursement, payment.id).status == "reversed"
    assert services.tranche_remaining_fen(first) == 30 * WAN
    assert outstanding_for_project_fen(project.id) == 100 * WAN and paid_to_project_fen(project.id) == 0
    assert snapshot()["pools"][pool_id] == before_figures
    reversal = db.session.execute(select(LedgerEntry).where(LedgerEntry.reverses_id == entry_id)).scalar_one()
    assert reversal.memo == REASON.comment and reversal.amount_fen == 25 * WAN
    # Reversed once: neither the request nor the ledger reverses it again.
    refused_and_nothing_written(lambda: services.decide_payment(db.session.get(Disbursement, payment.id), "reverse",
                                                                actor=people["checker"], data=REASON),
                                "not possible while")
    refused_and_nothing_written(lambda: reverse_entry(pool_id, entry_id, actor=people["checker"], reason="再冲",
                                                      value_date=local_today(), payment_reversal=True),
                                "already been reversed")
    # The tranche's share is whole again: it can be paid in full.
    again = prepared_payment(project, people)
    services.decide_payment(again, "approve", actor=people["checker"])
    db.session.commit()
    assert_books_consistent(project)


def test_the_first_payment_starts_the_works_and_the_second_keeps_them_going(people, approved_project):
    project = approved_project()
    assert project.status == "approved"
    first = prepared_payment(project, people, amount_fen=10 * WAN)
    second = prepared_payment(project, people, amount_fen=10 * WAN)
    services.decide_payment(first, "return", actor=people["checker"], data=REASON)
    db.session.commit()
    assert db.session.get(Project, project.id).status == "approved"  # a returned request pays nothing
    services.decide_payment(second, "approve", actor=people["checker"])
    db.session.commit()
    assert db.session.get(Project, project.id).status == "in_progress"
    third = prepared_payment(project, people, amount_fen=10 * WAN)
    services.decide_payment(third, "approve", actor=people["checker"])
    db.session.commit()
    assert db.session.get(Project, project.id).status == "in_progress"
    assert paid_to_project_fen(project.id) == 20 * WAN


def test_a_project_that_is_not_payable_is_refused(people, approved_project):
    project = approved_project()
    payment = prepared_payment(project, people)
    for status in ("vetting", "rejected", "closed"):
        db.session.get(Project, project.id).status = status
        db.session.commit()
        refused_and_nothing_written(lambda: services.decide_payment(db.session.get(Disbursement, payment.id),
                                                                    "approve", actor=people["checker"]),
                                    "cannot be paid")


# --- through the pages -----------------------------------------------------------------------

def payment_form_data(page, tranche, report, documents, **change):
    data = {"tranche_id": str(tranche.id), "amount": fen_to_yuan_text(tranche.amount_fen), "purpose": "工程款",
            "progress_report_id": str(report.id), "token": token_in(page), **PAYEE,
            **{f"document_{i}": str(documents[name]) for i, name in enumerate(tranche.required_documents)}}
    data.update(change)
    return data


PAGE_CASES = [
    ({"amount": "300,000.01"}, "Tranche 1 allows ¥300,000.00 more"),
    ({"purpose": "偿还债务和垫资"}, "negative list (偿还债务和垫资)"),
    ({"purpose_detail": "购车"}, "negative list (交通通讯工具)"),
    ({"document_0": "0"}, "missing: 合同"),
    ({"progress_report_id": "0"}, "progress report of this tranche"),
]


def test_the_payment_page_answers_422_with_the_message(app, people, evidence):
    project, first, report, documents = evidence
    client = client_for(app, people["preparer"])
    url = f"/projects/{project.id}/tranches/{first.id}/payment"
    for change, message in PAGE_CASES:
        page = client.get(url).get_data(as_text=True)
        before = snapshot()
        answer = client.post(url, data=payment_form_data(page, first, report, documents, **change))
        assert answer.status_code == 422 and message in answer.get_data(as_text=True), change
        assert snapshot() == before


def test_a_double_submitted_payment_form_makes_one_request(app, people, evidence):
    project, first, report, documents = evidence
    client = client_for(app, people["preparer"])
    url = f"/projects/{project.id}/tranches/{first.id}/payment"
    data = payment_form_data(client.get(url).get_data(as_text=True), first, report, documents)
    first_answer = client.post(url, data=data)
    assert first_answer.status_code == 303
    payment = db.session.execute(select(Disbursement)).scalar_one()
    assert first_answer.headers["Location"].endswith(f"/disbursements/{payment.id}")
    before = snapshot()
    second = client.post(url, data=data)
    assert second.status_code == 303 and second.headers["Location"] == first_answer.headers["Location"]
    assert snapshot() == before


def test_a_double_submitted_approval_pays_once(app, people, approved_project):
    project = approved_project()
    payment = prepared_payment(project, people)
    client = client_for(app, people["checker"])
    data = {"token": "one-approval"}
    first = client.post(f"/disbursements/{payment.id}/approve", data=data)
    assert first.status_code == 303
    before = snapshot()
    second = client.post(f"/disbursements/{payment.id}/approve", data=data)
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    from_queue = client.post(f"/disbursements/{payment.id}/approve", data=data, headers={"HX-Request": "true"})
    assert from_queue.status_code < 500
    assert snapshot() == before
    assert db.session.execute(select(func.count(LedgerEntry.id)).where(
        LedgerEntry.kind == EntryKind.DISBURSEMENT)).scalar_one() == 1
    assert_books_consistent(project)


def test_a_token_used_for_one_approval_does_not_approve_another(app, people, approved_project):
    project = approved_project()
    one = prepared_payment(project, people, amount_fen=10 * WAN)
    two = prepared_payment(project, people, amount_fen=10 * WAN)
    client = client_for(app, people["checker"])
    assert client.post(f"/disbursements/{one.id}/approve", data={"token": "reused"}).status_code == 303
    before = snapshot()
    repeat = client.post(f"/disbursements/{two.id}/approve", data={"token": "reused"})
    assert repeat.status_code == 303 and repeat.headers["Location"].endswith(f"/disbursements/{one.id}")
    assert snapshot() == before
    assert db.session.get(Disbursement, two.id).status == "prepared"


def plan_form(rows, reason=""):
    data = {"reason": reason}
    for i, (description, yuan) in enumerate(rows):
        data[f"tranches-{i}-description"] = description
        data[f"tranches-{i}-amount"] = yuan
    return data


PLAN_PAGE_CASES = [
    ((("预付", "300,000"), ("中期", "300,000"), ("尾款", "410,000")), "more than the approved ¥1,000,000.00"),
    ((("预付", "310,000"), ("尾款", "690,000")), "at most 30% of the approved amount"),
]


def test_the_plan_page_answers_422_with_the_message(app, people, approved_project):
    project = approved_project()
    client = client_for(app, people["preparer"])
    before = snapshot()
    for rows, message in PLAN_PAGE_CASES:
        answer = client.post(f"/projects/{project.id}/tranches/plan", data=plan_form(rows))
        assert answer.status_code == 422 and message in answer.get_data(as_text=True)
        assert snapshot() == before


def test_the_generate_page_refuses_a_retention_above_its_cap(app, people, approved_project):
    project = approved_project()
    other = approved_project(title="无计划项目")
    for tranche in services.tranches_of(other):
        db.session.delete(tranche)
    db.session.commit()
    client = client_for(app, people["preparer"])
    before = snapshot()
    answer = client.post(f"/projects/{other.id}/tranches/generate", data={"retention_percent": "4"})
    assert answer.status_code == 422 and "quality retention may be at most 3%" in answer.get_data(as_text=True)
    assert snapshot() == before
    assert client.post(f"/projects/{other.id}/tranches/generate", data={"retention_percent": "3"}).status_code == 303
    assert len(services.tranches_of(other)) == 5 and project.id != other.id


def test_an_early_retention_is_refused_in_the_queue_row(app, people, approved_project):
    project = approved_project(retention_percent=3)
    retention = services.tranches_of(project)[-1]
    payment = prepared_payment(project, people, position=retention.position)
    services.confirm_acceptance(retention, actor=people["approver"], accepted_on=local_today())
    db.session.commit()
    client = client_for(app, people["checker"])
    before = snapshot()
    answer = client.post(f"/disbursements/{payment.id}/approve", data={"back": "queue", "token": "early"},
                         headers={"HX-Request": "true"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422 and "at the earliest" in body and f'id="payment-{payment.id}"' in body
    assert snapshot() == before


def test_a_payment_outside_the_users_scope_is_not_found(app, people, approved_project, make_user, make_village):
    project = approved_project()
    payment = prepared_payment(project, people)
    tranche = services.tranches_of(project)[0]
    stranger = make_user(Role.VILLAGE, username="other-cun", village=make_village(name="别村"))
    other_town = make_user(Role.TOWN, username="other-zhen", township=make_village().township)
    for user in (stranger, other_town):
        client = client_for(app, user)
        before = snapshot()
        assert client.get(f"/disbursements/{payment.id}").status_code in (403, 404)
        assert client.get(f"/projects/{project.id}/tranches").status_code == 404
        assert client.get(f"/projects/{project.id}/tranches/{tranche.id}/payment").status_code in (403, 404)
        assert client.post(f"/disbursements/{payment.id}/approve", data={"token": "x"}).status_code in (403, 404)
        assert client.post(f"/projects/{project.id}/progress-reports", data={
            "tranche_id": str(tranche.id), "progress_percent": "10", "narrative": "x"}).status_code in (403, 404)
        assert snapshot() == before
    # The project's own village sees its tab; finance sees every project.
    assert client_for(app, people["collective"]).get(f"/projects/{project.id}/tranches").status_code == 200
    assert client_for(app, people["checker"]).get(f"/disbursements/{payment.id}").status_code == 200


def test_the_pool_row_keeps_the_money_paid_out_and_verify_ledger_rechecks_it(people, approved_project):
    """The pool list reads each pool's paid-out money from its row: moved by a payment and by its
    reversal, recomputed from the entries by verify-ledger, which names a stored figure that drifted."""
    project = approved_project()
    payment = prepared_payment(project, people, amount_fen=25 * WAN)
    services.decide_payment(payment, "approve", actor=people["checker"])
    db.session.commit()
    assert paid_out_by_pool_fen([project.pool_id]) == {project.pool_id: 25 * WAN}
    services.decide_payment(db.session.get(Disbursement, payment.id), "reverse", actor=people["checker"], data=REASON)
    db.session.commit()
    assert paid_out_by_pool_fen([project.pool_id]) == {project.pool_id: 0}
    assert verify_ledger().ok
    db.session.execute(FundPool.__table__.update().where(FundPool.id == project.pool_id).values(paid_out_fen=1))
    db.session.commit()
    assert any("stored money paid out 1" in violation for violation in verify_ledger().violations)
