"""The life cycle end to end through the state machines: a failed township check with its rectification,
a conditional county acceptance with its rectification, the county's pass, the final tranche, the assets,
a disposal with its recovery, closing; an exit with recoveries and a write-off. verify-ledger after each step."""
from datetime import date

import pytest
from sqlalchemy import select

from fundtracker.acceptance import assets, checks, exits
from fundtracker.acceptance.models import AcceptanceEvent, ExitStatus, Rectification
from fundtracker.disbursements import services as payments
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.pools.services import outstanding_for_project_fen, paid_to_project_fen
from fundtracker.pools.verify import verify_ledger
from fundtracker.projects.models import Project, ProjectEvent

from ..projects.conftest import WAN
from .conftest import accepted, answer, asset_input, county_check, prepared_payment, town_check


def ledger_ok():
    report = verify_ledger()
    assert report.ok, report.violations


def status_of(project) -> str:
    db.session.expire_all()
    return db.session.get(Project, project.id).status


def test_two_levels_with_rectifications_then_assets_disposal_and_closing(finished_works, people, second_approver):
    project = finished_works()
    assert status_of(project) == "in_progress"
    ledger_ok()

    town_check(project, people, result="fail")
    acceptance = checks.acceptance_of(project)
    assert acceptance.status == "town_fix"
    [rectification] = checks.rectifications_of(project)
    assert (rectification.level, rectification.required_changes, rectification.answered_on) == ("town", "路面开裂", None)
    answer(project, people)
    assert checks.acceptance_of(project).status == "town_due"
    town_check(project, people)
    db.session.expire_all()
    assert checks.acceptance_of(project).status == "county_due"
    assert db.session.get(Rectification, rectification.id).closed_by_check_id is not None
    ledger_ok()

    county_check(project, people["approver"], result="conditional")
    assert checks.acceptance_of(project).status == "county_fix"
    assert status_of(project) == "in_progress"
    answer(project, people, day=date(2026, 10, 20))
    county_check(project, people["approver"], day=date(2026, 10, 25))
    acceptance = checks.acceptance_of(project)
    assert (acceptance.status, acceptance.accepted_on, acceptance.settlement_fen) == ("accepted", date(2026, 10, 25),
                                                                                       98 * WAN)
    assert status_of(project) == "accepted"
    final, retention = payments.tranches_of(project)[3:]
    assert final.acceptance_confirmed_on == retention.acceptance_confirmed_on == date(2026, 10, 25)
    assert payments.retention_release_on(retention) == date(2027, 10, 25)
    ledger_ok()

    payments.decide_payment(prepared_payment(project, people, 4), "approve", actor=people["checker"])
    db.session.commit()
    assert paid_to_project_fen(project.id) == 97 * WAN
    ledger_ok()

    for asset_class, value in (("operating", 60), ("public", 25), ("household", 10)):
        assets.register_asset(project, asset_input(asset_class, value, name=f"{asset_class} 资产"),
                              actor=people["approver"])
        db.session.commit()
        assert status_of(project) == "operating"
    gap = assets.settlement_gap(project)
    assert (gap.settlement_fen, gap.assets_fen, gap.difference_fen) == (98 * WAN, 95 * WAN, 3 * WAN)
    assert "difference ¥30,000.00" in str(assets.settlement_warning(gap))
    ledger_ok()

    sold = assets.assets_of(project)[0]
    disposal = assets.propose_disposal(project, sold, assets.DisposalInput(
        "sale", "设备老化，转让", date(2026, 11, 1), "成员大会纪要 2026-11"), actor=people["collective"])
    db.session.commit()
    with pytest.raises(DomainError, match="already waiting"):
        assets.propose_disposal(project, sold, assets.DisposalInput(
            "sale", "再卖一次", date(2026, 11, 1), "纪要"), actor=people["collective"])
    db.session.rollback()
    assets.decide_disposal(disposal, "approve", actor=second_approver)
    db.session.commit()
    assert (disposal.status, sold.status) == ("approved", "disposed")
    exits.record_recovery(project, exits.RecoveryInput("asset_sale", 5 * WAN, date(2026, 11, 5), "青财缴 1",
                                                       disposal_id=disposal.id), actor=people["preparer"])
    db.session.commit()
    assert exits.recoverable_fen(project) == 92 * WAN
    ledger_ok()

    with pytest.raises(DomainError, match="Give the reasons"):
        exits.close_project(project, reason=" ", actor=people["approver"])
    db.session.rollback()
    retention_outstanding = outstanding_for_project_fen(project.id)
    assert retention_outstanding == 3 * WAN
    exits.close_project(project, reason="运营期满，资产移交村集体长期经营。", actor=people["approver"])
    db.session.commit()
    assert status_of(project) == "closed"
    assert outstanding_for_project_fen(project.id) == 0
    ledger_ok()
    actions = db.session.execute(select(ProjectEvent.action).where(ProjectEvent.project_id == project.id)
                                 .order_by(ProjectEvent.id)).scalars().all()
    assert actions[-3:] == ["accept", "register_assets", "close"]
    timeline = db.session.execute(select(AcceptanceEvent.action).where(AcceptanceEvent.subject == "acceptance")
                                  .order_by(AcceptanceEvent.id)).scalars().all()
    assert timeline == ["town_reject", "answer", "town_pass", "county_reject", "answer", "county_pass"]


def test_an_exit_releases_the_commitment_then_recoveries_and_a_write_off(finished_works, people, second_approver):
    project = finished_works(pay=(1,), progress=0)
    assert (paid_to_project_fen(project.id), outstanding_for_project_fen(project.id)) == (30 * WAN, 70 * WAN)
    pool_before = db.session.get(Project, project.id).pool
    available_before = pool_before.available_fen
    project_exit = exits.trigger_exit(project, reason_kind="stopped", reason="合作企业退出", actor=people["approver"])
    db.session.commit()
    assert status_of(project) == "exited"
    assert (project_exit.released_fen, outstanding_for_project_fen(project.id)) == (70 * WAN, 0)
    db.session.expire_all()
    assert db.session.get(Project, project.id).pool.available_fen == available_before + 70 * WAN
    ledger_ok()

    exits.record_recovery(project, exits.RecoveryInput("repayment", 6 * WAN, date(2026, 11, 10), "青财缴 112"),
                          actor=people["preparer"])
    db.session.commit()
    exits.record_recovery(project, exits.RecoveryInput("insurance", 4 * WAN, date(2026, 11, 12)),
                          actor=people["preparer"])
    db.session.commit()
    assert exits.recoverable_fen(project) == 20 * WAN
    ledger_ok()

    with pytest.raises(DomainError, match="Give the reason for the write-off"):
        exits.write_off(project_exit, reason="", actor=second_approver)
    db.session.rollback()
    with pytest.raises(DomainError, match="another county approver decides the write-off"):
        exits.write_off(project_exit, reason="我启动的退出，我来核销。", actor=people["approver"])
    db.session.rollback()
    assert project_exit.status == ExitStatus.OPEN
    exits.write_off(project_exit, reason="村集体无力偿还，经县政府常务会议同意核销。", actor=second_approver)
    db.session.commit()
    assert (project_exit.status, project_exit.written_off_fen) == (ExitStatus.WRITTEN_OFF, 20 * WAN)
    with pytest.raises(DomainError, match="until its exit is settled or written off"):
        exits.record_recovery(project, exits.RecoveryInput("repayment", WAN, date(2026, 11, 20)),
                              actor=people["preparer"])
    db.session.rollback()
    ledger_ok()


def test_an_exit_is_settled_once_everything_paid_is_recovered(finished_works, people):
    project = finished_works(pay=(1,), progress=0)
    project_exit = exits.trigger_exit(project, reason_kind="misuse", reason="挪用资金", actor=people["approver"])
    exits.record_recovery(project, exits.RecoveryInput("misused", 30 * WAN, date(2026, 11, 10)),
                          actor=people["preparer"])
    db.session.commit()
    assert project_exit.status == ExitStatus.SETTLED
    ledger_ok()


def test_an_exit_before_any_payment_is_settled_at_once(finished_works, people):
    project = finished_works(pay=(), progress=0)
    assert status_of(project) == "approved"
    project_exit = exits.trigger_exit(project, reason_kind="stopped", reason="村集体撤回", actor=people["approver"])
    db.session.commit()
    assert project_exit.status == ExitStatus.SETTLED and project_exit.released_fen == 100 * WAN
    assert outstanding_for_project_fen(project.id) == 0
    ledger_ok()


def test_a_county_pass_unlocks_the_final_tranche_that_was_refused_before(finished_works, people):
    project = finished_works()
    payment = prepared_payment(project, people, 4)
    with pytest.raises(DomainError, match="after the county's acceptance"):
        payments.decide_payment(payment, "approve", actor=people["checker"])
    db.session.rollback()
    accepted(project, people)
    payments.decide_payment(db.session.merge(payment), "approve", actor=people["checker"])
    db.session.commit()
    ledger_ok()
