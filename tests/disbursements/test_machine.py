"""The two machines of disbursements as tables: every (state, action, role) of the payment machine
and of the progress-report machine. Allowed pairs work for the right role and record their step;
every other pair is refused with a clean message and writes nothing. Four eyes holds for a user
holding every role; the writer of a report never confirms it; a township reviewer of another
township has no say (403)."""
from datetime import date

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from fundtracker.auth.roles import Role
from fundtracker.clock import local_today
from fundtracker.disbursements import services
from fundtracker.disbursements.models import Disbursement, PaymentStatus, ProgressReport, ReportStatus
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.pools.models import LedgerEntry
from fundtracker.statemachine import ActionNotOpen, RoleNotAllowed

from ..projects.conftest import WAN
from .conftest import prepared_payment
from .helpers import assert_books_consistent, client_for, snapshot

ALL_ROLES = tuple(Role)
PAYMENT_STATES = tuple(PaymentStatus)
PAYMENT_ACTIONS = ("approve", "return", "decline", "record_voucher", "reverse")
REPORT_STATES = tuple(ReportStatus)
REPORT_ACTIONS = ("confirm", "return")

# What the table must say: (state, action) -> the state it leads to; only finance takes these.
PAYMENT_TABLE = {
    ("prepared", "approve"): "approved",
    ("prepared", "return"): "returned",
    ("prepared", "decline"): "declined",
    ("approved", "record_voucher"): "paid",
    ("approved", "reverse"): "reversed",
    ("paid", "reverse"): "reversed",
}
REPORT_TABLE = {("submitted", "confirm"): "confirmed", ("submitted", "return"): "returned"}


def test_the_tables_cover_every_state_and_action():
    assert {str(a) for a in services.PAYMENT_MACHINE.actions()} == set(PAYMENT_ACTIONS)
    assert {str(s) for s in PaymentStatus} == {"prepared", "approved", "paid", "returned", "declined", "reversed"}
    assert {(str(s), str(a)): str(t.to_status) for (s, a), t in services.PAYMENT_MACHINE.transitions.items()} \
        == PAYMENT_TABLE
    assert {(str(s), str(a)): str(t.to_status) for (s, a), t in services.REPORT_MACHINE.transitions.items()} \
        == REPORT_TABLE


@pytest.fixture
def actors(people, make_user):
    """One user per role, each able to act on the project's village and township where the role is local;
    the finance user is not the preparer."""
    return {
        Role.VILLAGE: people["collective"], Role.TOWN: people["town"],
        Role.REVIEWER: make_user(Role.REVIEWER, username="county-reviewer"),
        Role.APPROVER: people["approver"], Role.FINANCE: people["checker"],
        Role.ADMIN: make_user(Role.ADMIN, username="administrator"),
    }


def decision_for(action) -> services.PaymentDecision:
    if action == "record_voucher":
        return services.PaymentDecision(payment_reference="青财支付〔2026〕0001号", paid_on=local_today())
    return services.PaymentDecision(comment="理由：测试")


def payment_in_state(project, people, state) -> Disbursement:
    payment = prepared_payment(project, people, amount_fen=WAN)
    checker = people["checker"]
    if state in ("approved", "paid", "reversed"):
        services.decide_payment(payment, "approve", actor=checker)
    if state == "paid":
        services.decide_payment(payment, "record_voucher", actor=people["preparer"],
                                data=decision_for("record_voucher"))
    if state == "reversed":
        services.decide_payment(payment, "reverse", actor=checker, data=decision_for("reverse"))
    if state in ("returned", "declined"):
        services.decide_payment(payment, {"returned": "return", "declined": "decline"}[state], actor=checker,
                                data=decision_for("return"))
    db.session.commit()
    assert payment.status == state
    return payment


def _entries() -> int:
    return db.session.execute(select(func.count(LedgerEntry.id))).scalar_one()


@pytest.mark.parametrize("state", PAYMENT_STATES, ids=str)
def test_payment_machine_every_state_action_and_role(people, approved_project, actors, state):
    """One request in `state`; every (action, role) is tried on it and rolled back (one set-up per state
    keeps the 180 cases fast)."""
    project = approved_project()
    payment_id = payment_in_state(project, people, state).id
    for action in PAYMENT_ACTIONS:
        target = PAYMENT_TABLE.get((str(state), action))
        for role in ALL_ROLES:
            case = (str(state), action, str(role))
            payment = db.session.get(Disbursement, payment_id)
            before = snapshot()
            entries = _entries()
            if target is not None and role == Role.FINANCE:
                event = services.decide_payment(payment, action, actor=actors[role], data=decision_for(action))
                db.session.flush()
                assert payment.status == target and event.to_status == target, case
                assert snapshot()["counts"]["disbursement_events"] == before["counts"]["disbursement_events"] + 1
                assert _entries() == entries + (1 if action in ("approve", "reverse") else 0), case
            else:
                error, message = (RoleNotAllowed, "Your roles do not allow") if target is not None else \
                    (ActionNotOpen, "not possible while")
                with pytest.raises(error, match=message):
                    services.decide_payment(payment, action, actor=actors[role], data=decision_for(action))
                db.session.flush()
                assert snapshot() == before, case
            db.session.rollback()
    assert_books_consistent(project)


def test_four_eyes_holds_for_a_preparer_holding_every_role(app, people, approved_project, make_user):
    project = approved_project()
    village = people["village"]
    everything = make_user(*ALL_ROLES, username="all-roles", village=village, township=village.township)
    other = make_user(*ALL_ROLES, username="all-roles-2", village=village, township=village.township)
    assert set(everything.roles) == set(Role)
    for action in ("approve", "return", "decline"):
        _four_eyes_case(app, people, project, everything, other, action)


def _four_eyes_case(app, people, project, everything, other, action):
    payment = prepared_payment(project, people, amount_fen=WAN, preparer=everything)
    before = snapshot()
    with pytest.raises(DomainError, match="You prepared this payment request"):
        services.decide_payment(payment, action, actor=everything, data=decision_for(action))
    db.session.flush()
    assert snapshot() == before
    db.session.rollback()
    # Through the queue (htmx) and the plain form: refused with the message, nothing written.
    client = client_for(app, everything)
    before = snapshot()  # signing in is audited
    answer = client.post(f"/disbursements/{payment.id}/{action}",
                         data={"back": "queue", "token": f"own-{action}", "comment": "理由"},
                         headers={"HX-Request": "true"})
    assert answer.status_code == 422 and "another finance user must decide it" in answer.get_data(as_text=True)
    plain = client.post(f"/disbursements/{payment.id}/{action}", data={"token": f"own2-{action}", "comment": "理由"},
                        follow_redirects=True)
    assert plain.status_code == 200 and "another finance user must decide it" in plain.get_data(as_text=True)
    assert snapshot() == before
    # Another person holding every role may decide it: the roles were never the problem.
    services.decide_payment(db.session.get(Disbursement, payment.id), action, actor=other, data=decision_for(action))
    db.session.commit()
    assert db.session.get(Disbursement, payment.id).status == PAYMENT_TABLE[("prepared", action)]


def test_the_database_refuses_an_approval_by_the_preparer(people, approved_project):
    payment = prepared_payment(approved_project(), people)
    with pytest.raises(IntegrityError):
        db.session.execute(update(Disbursement).where(Disbursement.id == payment.id)
                           .values(approved_by_id=payment.prepared_by_id))
        db.session.flush()
    db.session.rollback()


def test_approving_a_decided_request_is_refused_through_the_page(app, people, approved_project):
    project = approved_project()
    for state in ("declined", "returned", "approved", "paid", "reversed"):
        _approve_again(app, people, project, state)
    assert_books_consistent(project)


def _approve_again(app, people, project, state):
    payment = payment_in_state(project, people, state)
    other = people["checker"] if state in ("declined", "returned") else people["preparer"]
    client = client_for(app, other if other.id != payment.approved_by_id else people["preparer"])
    before = snapshot()
    answer = client.post(f"/disbursements/{payment.id}/approve", data={"back": "queue", "token": f"again-{state}"},
                         headers={"HX-Request": "true"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 409 and "not possible while" in body and f'id="payment-{payment.id}"' in body
    plain = client.post(f"/disbursements/{payment.id}/approve", data={"token": f"again2-{state}"})
    assert plain.status_code == 303
    assert snapshot() == before


# --- progress reports ------------------------------------------------------------------------

def report_in_state(project, people, state) -> ProgressReport:
    tranche = services.tranches_of(project)[0]
    report = services.submit_progress_report(project, tranche, progress_percent=30, narrative="开工",
                                             actor=people["collective"])
    if state != "submitted":
        services.REPORT_MACHINE.apply(report, {"confirmed": "confirm", "returned": "return"}[state], people["town"],
                                      services.TransitionData(comment="理由"))
    db.session.commit()
    assert report.status == state
    return report


@pytest.mark.parametrize("state", REPORT_STATES, ids=str)
def test_report_machine_every_state_action_and_role(people, approved_project, actors, state):
    project = approved_project()
    report_id = report_in_state(project, people, state).id
    for action in REPORT_ACTIONS:
        target = REPORT_TABLE.get((str(state), action))
        for role in ALL_ROLES:
            case = (str(state), action, str(role))
            report = db.session.get(ProgressReport, report_id)
            before = snapshot()
            data = services.TransitionData(comment="请补充照片")
            if target is not None and role == Role.TOWN:
                services.REPORT_MACHINE.apply(report, action, actors[role], data)
                db.session.flush()
                assert report.status == target, case
                assert snapshot()["counts"]["disbursement_events"] == before["counts"]["disbursement_events"] + 1
            else:
                error, message = (RoleNotAllowed, "Your roles do not allow") if target is not None else \
                    (ActionNotOpen, "not possible while")
                with pytest.raises(error, match=message):
                    services.REPORT_MACHINE.apply(report, action, actors[role], data)
                db.session.flush()
                assert snapshot() == before, case
            db.session.rollback()


def test_the_writer_of_a_report_cannot_confirm_or_return_it(app, people, approved_project, make_user):
    project = approved_project()
    village = people["village"]
    both = make_user(Role.VILLAGE, Role.TOWN, username="cun-and-zhen", village=village, township=village.township)
    report = services.submit_progress_report(project, services.tranches_of(project)[0], progress_percent=40,
                                             narrative="自报自审", actor=both)
    db.session.commit()
    for action in REPORT_ACTIONS:
        before = snapshot()
        with pytest.raises(DomainError, match="You wrote this report"):
            services.REPORT_MACHINE.apply(db.session.get(ProgressReport, report.id), action, both,
                                          services.TransitionData(comment="理由"))
        db.session.flush()
        assert snapshot() == before
        db.session.rollback()
    client = client_for(app, both)
    before = snapshot()
    answer = client.post(f"/projects/{project.id}/progress-reports/{report.id}/confirm")
    assert answer.status_code == 422 and "You wrote this report" in answer.get_data(as_text=True)
    assert snapshot() == before
    services.REPORT_MACHINE.apply(db.session.get(ProgressReport, report.id), "confirm", people["town"])
    db.session.commit()


def test_a_township_reviewer_of_another_township_has_no_say(app, people, approved_project, make_user, make_village):
    project = approved_project()
    elsewhere = make_user(Role.TOWN, username="other-zhen", township=make_village().township)
    report = report_in_state(project, people, "submitted")
    with pytest.raises(RoleNotAllowed):
        services.REPORT_MACHINE.apply(report, "confirm", elsewhere)
    db.session.rollback()
    assert services.REPORT_MACHINE.available(db.session.get(ProgressReport, report.id), elsewhere) == []
    client = client_for(app, elsewhere)
    village_client = client_for(app, people["collective"])
    before = snapshot()
    for action in REPORT_ACTIONS:
        answer = client.post(f"/projects/{project.id}/progress-reports/{report.id}/{action}", data={"comment": "x"})
        assert answer.status_code in (403, 404), action
    assert village_client.post(f"/projects/{project.id}/progress-reports/{report.id}/confirm").status_code == 403
    assert snapshot() == before
    town = client_for(app, people["town"])
    assert town.post(f"/projects/{project.id}/progress-reports/{report.id}/confirm").status_code == 303
    db.session.expire_all()
    assert db.session.get(ProgressReport, report.id).status == "confirmed"


def test_returning_a_report_needs_reasons(people, approved_project):
    project = approved_project()
    report = report_in_state(project, people, "submitted")
    before = snapshot()
    with pytest.raises(DomainError, match="Give the reasons"):
        services.REPORT_MACHINE.apply(report, "return", people["town"], services.TransitionData(comment="  "))
    db.session.flush()
    assert snapshot() == before
    db.session.rollback()


def test_return_decline_and_reverse_need_a_reason(people, approved_project):
    project = approved_project()
    payment = prepared_payment(project, people)
    for action in ("return", "decline"):
        before = snapshot()
        with pytest.raises(DomainError, match="Give the reason"):
            services.decide_payment(db.session.get(Disbursement, payment.id), action, actor=people["checker"])
        db.session.flush()
        assert snapshot() == before
        db.session.rollback()
    services.decide_payment(db.session.get(Disbursement, payment.id), "approve", actor=people["checker"])
    db.session.commit()
    before = snapshot()
    with pytest.raises(DomainError, match="Give the reason"):
        services.decide_payment(db.session.get(Disbursement, payment.id), "reverse", actor=people["checker"],
                                data=services.PaymentDecision(comment=" "))
    db.session.flush()
    assert snapshot() == before
    db.session.rollback()
    with pytest.raises(DomainError, match="voucher or bank slip"):
        services.decide_payment(db.session.get(Disbursement, payment.id), "record_voucher", actor=people["checker"],
                                data=services.PaymentDecision(payment_reference="", paid_on=date(2026, 1, 2)))
    db.session.rollback()
