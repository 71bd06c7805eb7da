"""The finance queue and the project's tranches tab as pages: the htmx row answer with its
out-of-band figures, the plain-form redirect, full pages and fragments, and query counts that do
not grow with the number of requests, reports and tranches."""
import re

import pytest

from fundtracker.auth.roles import Role
from fundtracker.disbursements import services
from fundtracker.disbursements.models import Disbursement
from fundtracker.extensions import db
from fundtracker.money import format_fen
from fundtracker.pools.models import FundPool

from ..projects.conftest import WAN
from ..query_counter import count_queries
from .conftest import prepared_payment
from .helpers import client_for, snapshot

HX = {"HX-Request": "true"}


def queue_count(body: str) -> int:
    match = re.search(r'id="queue-count"[^>]*>\s*(\d+)\s*<', body)
    assert match, body
    return int(match.group(1))


def oob_available(body: str, pool_id: int) -> str:
    match = re.search(rf'hx-swap-oob="innerHTML:\.pool-available-{pool_id}"[^>]*>([^<]*)<', body)
    assert match, body
    return match.group(1).strip()


def test_approving_in_the_queue_answers_the_row_and_the_figures_out_of_band(app, people, approved_project):
    project = approved_project()
    first = prepared_payment(project, people, amount_fen=10 * WAN)
    second = prepared_payment(project, people, amount_fen=5 * WAN)
    third = prepared_payment(project, people, amount_fen=5 * WAN)
    client = client_for(app, people["checker"])
    queue = client.get("/disbursements").get_data(as_text=True)
    assert queue_count(queue) == 3
    answer = client.post(f"/disbursements/{first.id}/approve", data={"back": "queue", "token": "q1"}, headers=HX)
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "<html" not in body
    assert f'id="payment-{first.id}"' in body and f'id="payment-{second.id}"' not in body
    pool = db.session.get(FundPool, project.pool_id)
    db.session.refresh(pool)
    assert pool.balance_fen == 490 * WAN
    assert oob_available(body, pool.id) == format_fen(pool.available_fen)
    assert queue_count(body) == 2
    assert "Approved, money paid out of the pool" in body and 'action="/disbursements/' not in body
    # Returning without reasons: the error appears in the row, nothing changes.
    before = snapshot()
    refused = client.post(f"/disbursements/{second.id}/return", data={"back": "queue", "token": "q2"}, headers=HX)
    refused_body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Give the reason." in refused_body
    assert f'id="payment-{second.id}"' in refused_body and queue_count(refused_body) == 2
    assert snapshot() == before
    returned = client.post(f"/disbursements/{second.id}/return", data={"back": "queue", "token": "q3",
                                                                       "comment": "补充监理报告"}, headers=HX)
    assert returned.status_code == 200 and queue_count(returned.get_data(as_text=True)) == 1
    assert "Returned for changes" in returned.get_data(as_text=True)
    # Without htmx the same buttons redirect (303) back to the queue.
    plain = client.post(f"/disbursements/{third.id}/decline", data={"back": "queue", "token": "q4",
                                                                    "comment": "重复申请"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith("/disbursements")
    db.session.expire_all()
    assert [db.session.get(Disbursement, p.id).status for p in (first, second, third)] == \
        ["approved", "returned", "declined"]
    assert queue_count(client.get("/disbursements").get_data(as_text=True)) == 0


def test_a_plain_approval_redirects_to_the_request(app, people, approved_project):
    project = approved_project()
    payment = prepared_payment(project, people)
    answer = client_for(app, people["checker"]).post(f"/disbursements/{payment.id}/approve", data={"token": "p1"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/disbursements/{payment.id}")
    db.session.expire_all()
    assert db.session.get(Disbursement, payment.id).status == "approved"


def test_the_queue_shows_pending_requests_as_a_page_and_to_htmx(app, people, approved_project):
    project = approved_project()
    waiting = prepared_payment(project, people, amount_fen=WAN)
    done = prepared_payment(project, people, amount_fen=WAN)
    services.decide_payment(done, "approve", actor=people["checker"])
    db.session.commit()
    client = client_for(app, people["checker"])
    page = client.get("/disbursements")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in body
    assert f'id="payment-{waiting.id}"' in body and f'id="payment-{done.id}"' not in body
    assert f'class="pool-available-{project.pool_id}"' in body and queue_count(body) == 1
    fragment = client.get("/disbursements", headers=HX)
    assert fragment.status_code == 200 and f'id="payment-{waiting.id}"' in fragment.get_data(as_text=True)
    assert client_for(app, people["approver"]).get("/disbursements").status_code == 403


def test_the_tranches_tab_as_a_page_and_as_a_fragment(app, people, approved_project):
    project = approved_project(retention_percent=3)
    payment = prepared_payment(project, people)
    services.decide_payment(payment, "approve", actor=people["checker"])
    services.decide_payment(payment, "record_voucher", actor=people["preparer"], data=services.PaymentDecision(
        payment_reference="青财支付〔2026〕0418号", paid_on=payment.created_at.date()))
    db.session.commit()
    client = client_for(app, people["checker"])
    page = client.get(f"/projects/{project.id}/tranches")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "<html" in body
    for region in ('id="tranche-plan"', 'id="progress-reports"', 'id="payments"', "青财支付〔2026〕0418号"):
        assert region in body
    fragment = client.get(f"/projects/{project.id}/tranches", headers=HX)
    fragment_body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in fragment_body
    assert 'id="tranche-plan"' in fragment_body and "青财支付〔2026〕0418号" in fragment_body
    assert format_fen(30 * WAN) in fragment_body  # paid on the first tranche
    village = client_for(app, people["collective"]).get(f"/projects/{project.id}/tranches", headers=HX)
    assert village.status_code == 200 and "Report progress" in village.get_data(as_text=True)


def _queue_of(n, people, approved_project, make_user, make_village):
    for i in range(n):
        village = make_village()
        preparer = make_user(Role.FINANCE, username=f"preparer-{n}-{i}")
        project = approved_project(title=f"队列项目{n}-{i}")
        prepared_payment(project, people, amount_fen=WAN, preparer=preparer)
        project.village_id = village.id  # every row of another village
        db.session.commit()


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_the_queue_does_not_grow_queries_with_requests(app, people, approved_project, make_user, make_village,
                                                       headers):
    client = client_for(app, people["checker"])
    counts = []
    for n in (1, 7):  # 1 request, then 8
        _queue_of(n, people, approved_project, make_user, make_village)
        db.session.rollback()
        with count_queries() as counter:
            body = client.get("/disbursements", headers=headers).get_data(as_text=True)
        assert body.count('class="card queue-item"') == len(counts) * 7 + 1
        counts.append(counter.count)
    assert counts[1] == counts[0], counts


def _busy_project(people, approved_project, tranches, requests):
    project = approved_project(title=f"忙碌项目{tranches}-{requests}")
    plan = [services.TrancheInput(f"第{i}期", 10 * WAN) for i in range(1, tranches + 1)]
    services.save_plan(project, plan, actor=people["preparer"])
    db.session.commit()
    for i in range(requests):
        payment = prepared_payment(project, people, position=i % tranches + 1, amount_fen=WAN)
        if i % 2:
            services.decide_payment(payment, "approve", actor=people["checker"])
            db.session.commit()
    return project


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_the_tranches_tab_does_not_grow_queries_with_tranches_and_requests(app, people, approved_project, headers):
    small = _busy_project(people, approved_project, tranches=1, requests=1)
    large = _busy_project(people, approved_project, tranches=8, requests=8)
    small_id, large_id = small.id, large.id
    db.session.rollback()
    counts = []
    for user in ("checker", "collective"):
        client = client_for(app, people[user])
        for project_id in (small_id, large_id):
            client.get(f"/projects/{project_id}/tranches", headers=headers)  # warm the caches of the first request
            with count_queries() as counter:
                answer = client.get(f"/projects/{project_id}/tranches", headers=headers)
            assert answer.status_code == 200
            counts.append(counter.count)
    assert counts[0] == counts[1] and counts[2] == counts[3], counts
