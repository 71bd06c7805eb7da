"""The disbursement journey through the pages: the village reports progress, the township confirms,
one finance user prepares a payment with its documents, another approves it in the queue while the
pool's figures update in place; and the rules that stop it."""
import io
import re

import pytest
from sqlalchemy import func, select

from fundtracker.disbursements import services
from fundtracker.disbursements.models import Disbursement, ProgressReport
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.pools.models import FundPool, LedgerEntry
from fundtracker.pools.verify import verify_ledger
from fundtracker.projects.models import Project

from ..conftest import login
from ..projects.conftest import PDF, WAN
from .conftest import PAYEE, documents_for, prepared_payment


def client_for(app, user):
    client = app.test_client()
    assert login(client, user).status_code == 303
    return client


def test_report_confirm_prepare_approve_through_the_pages(app, people, approved_project):
    project = approved_project()
    first = services.tranches_of(project)[0]
    assert first.amount_fen == 30 * WAN
    village = client_for(app, people["collective"])
    sent = village.post(f"/projects/{project.id}/progress-reports", data={
        "tranche_id": str(first.id), "progress_percent": "12", "narrative": "基础开挖完成",
        "files": [(io.BytesIO(PDF), "现场.pdf")]}, content_type="multipart/form-data")
    assert sent.status_code == 303
    report = db.session.execute(select(ProgressReport)).scalar_one()
    town = client_for(app, people["town"])
    assert town.post(f"/projects/{project.id}/progress-reports/{report.id}/confirm").status_code == 303
    documents = documents_for(project, first, people["preparer"])
    db.session.commit()
    preparer = client_for(app, people["preparer"])
    form_page = preparer.get(f"/projects/{project.id}/tranches/{first.id}/payment").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', form_page) or \
        re.search(r'name="token" value="([^"]+)"', form_page)
    data = {"tranche_id": str(first.id), "amount": "300,000", "purpose": "工程款", "progress_report_id": str(report.id),
            "token": token.group(1) if token else "t-prepare", **PAYEE,
            **{f"document_{i}": str(documents[name]) for i, name in enumerate(first.required_documents)}}
    prepared = preparer.post(f"/projects/{project.id}/tranches/{first.id}/payment", data=data)
    assert prepared.status_code == 303, prepared.get_data(as_text=True)
    payment = db.session.execute(select(Disbursement)).scalar_one()
    own = preparer.post(f"/disbursements/{payment.id}/approve", data={"back": "queue", "token": "own"},
                        headers={"HX-Request": "true"})
    assert own.status_code == 422 and "another finance user" in own.get_data(as_text=True)
    checker = client_for(app, people["checker"])
    queue = checker.get("/disbursements").get_data(as_text=True)
    assert f'id="payment-{payment.id}"' in queue
    answer = checker.post(f"/disbursements/{payment.id}/approve", data={"back": "queue", "token": "t-approve"},
                          headers={"HX-Request": "true"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and f'id="payment-{payment.id}"' in body
    assert 'hx-swap-oob="innerHTML:.pool-available-' in body and 'id="queue-count"' in body
    again = checker.post(f"/disbursements/{payment.id}/approve", data={"back": "queue", "token": "t-approve"})
    assert again.status_code == 303
    db.session.expire_all()
    assert db.session.execute(select(func.count(LedgerEntry.id)).where(LedgerEntry.tranche_id == first.id)).scalar_one() == 1
    assert db.session.get(Project, project.id).status == "in_progress"
    pool = db.session.get(FundPool, project.pool_id)
    assert (pool.balance_fen, pool.committed_fen) == (470 * WAN, 70 * WAN)
    assert verify_ledger().ok


def test_a_plain_decision_redirects(app, people, approved_project):
    project = approved_project()
    payment = prepared_payment(project, people)
    response = client_for(app, people["checker"]).post(f"/disbursements/{payment.id}/decline",
                                                        data={"comment": "材料不符", "token": "d1"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/disbursements/{payment.id}")
    db.session.expire_all()
    assert db.session.get(Disbursement, payment.id).status == "declined"


@pytest.mark.parametrize("change, message", [
    ({"amount_fen": 30 * WAN + 1}, "allows ¥300,000.00 more"),
    ({"purpose": "偿还债务和垫资"}, "negative list"),
    ({"purpose": "工程款", "purpose_detail": "发放村干部奖金"}, "奖金津贴福利"),
    ({"documents": {}}, "missing"),
    ({"progress_report_id": None}, "progress report"),
    ({"payee_account": "abc"}, "8 to 32 digits"),
])
def test_a_payment_request_with_bad_input_is_refused_and_writes_nothing(people, approved_project, change, message):
    project = approved_project()
    first = services.tranches_of(project)[0]
    from .conftest import confirmed_report

    report = confirmed_report(project, first, people)
    values = dict(tranche_id=first.id, amount_fen=first.amount_fen, purpose="工程款", progress_report_id=report.id,
                  documents=documents_for(project, first, people["preparer"]), **PAYEE)
    values.update(change)
    with pytest.raises(DomainError, match=message):
        services.prepare_payment(project, services.PaymentInput(**values), actor=people["preparer"])
    db.session.rollback()
    assert db.session.execute(select(func.count(Disbursement.id))).scalar_one() == 0


def test_a_pool_short_of_money_refuses_the_approval(people, approved_project):
    project = approved_project(approved_wan=100, pool_wan=100)
    payment = prepared_payment(project, people)
    pool = db.session.get(FundPool, project.pool_id)
    from fundtracker.pools.services import release_commitment

    release_commitment(pool.id, project.id, 80 * WAN, actor=people["approver"], reason="核减")
    db.session.commit()
    with pytest.raises(DomainError, match="still committed"):
        services.decide_payment(payment, "approve", actor=people["checker"])
    db.session.rollback()


def test_a_repeated_approval_gets_the_first_answer_not_an_error(app, people, approved_project):
    project = approved_project()
    payment = prepared_payment(project, people)
    checker = client_for(app, people["checker"])
    data = {"token": "same-click"}
    assert checker.post(f"/disbursements/{payment.id}/approve", data=data).status_code == 303
    again = checker.post(f"/disbursements/{payment.id}/approve", data=data)
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/disbursements/{payment.id}")
    assert "already submitted" in checker.get(again.headers["Location"]).get_data(as_text=True)
    htmx_again = checker.post(f"/disbursements/{payment.id}/approve", data={**data, "back": "queue"},
                              headers={"HX-Request": "true"})
    assert htmx_again.status_code == 200 and f'id="payment-{payment.id}"' in htmx_again.get_data(as_text=True)
    assert db.session.execute(select(func.count(LedgerEntry.id)).where(
        LedgerEntry.tranche_id == payment.tranche_id)).scalar_one() == 1


def test_finance_sees_retentions_falling_due(app, people, approved_project):
    from datetime import date

    from fundtracker.disbursements.todo import retentions_falling_due

    project = approved_project(retention_percent=3)
    retention = services.tranches_of(project)[-1]
    assert retention.is_retention and retentions_falling_due() == 0
    services.confirm_acceptance(retention, actor=people["approver"], accepted_on=date(2025, 1, 10))
    db.session.commit()
    assert retentions_falling_due() == 1
    home = client_for(app, people["checker"]).get("/").get_data(as_text=True)
    assert "Quality retentions falling due within 30 days" in home
