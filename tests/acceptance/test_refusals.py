"""Bad input gets a clear error and changes nothing; nobody takes a step they may not take."""
from datetime import date

import pytest
from sqlalchemy import func, select

from fundtracker.acceptance import assets, checks, exits
from fundtracker.acceptance.models import (
    Acceptance,
    AcceptanceCheck,
    AcceptanceEvent,
    AssetDisposal,
    ProjectAsset,
    ProjectExit,
    Recovery,
    Rectification,
)
from fundtracker.auth.roles import Role
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.pools.models import EntryKind
from fundtracker.pools.services import append_entry
from fundtracker.pools.verify import verify_ledger
from fundtracker.statemachine import RoleNotAllowed

from ..disbursements.helpers import snapshot
from ..projects.conftest import WAN
from .conftest import accepted, asset_input, county_check, town_check

ACCEPTANCE_TABLES = (Acceptance, AcceptanceCheck, AcceptanceEvent, Rectification, ProjectAsset, AssetDisposal,
                     ProjectExit, Recovery)


def everything() -> dict:
    state = snapshot()
    state["acceptance"] = {model.__tablename__: db.session.execute(select(func.count()).select_from(model)).scalar_one()
                           for model in ACCEPTANCE_TABLES}
    return state


def refused(call, match):
    before = everything()
    with pytest.raises(DomainError, match=match):
        call()
    db.session.rollback()
    assert everything() == before


def test_a_county_acceptance_before_the_township_pass_is_refused(finished_works, people):
    project = finished_works()
    refused(lambda: county_check(project, people["approver"]), "township's check .* has not passed yet")
    town_check(project, people, result="fail")
    refused(lambda: county_check(project, people["approver"]), "township's check .* has not passed yet")


def test_a_county_pass_with_unpaid_tranches_before_the_final_one_is_refused(finished_works, people):
    project = finished_works(pay=(1, 2))
    town_check(project, people)
    refused(lambda: county_check(project, people["approver"]), r"not all paid \(tranche 3\)")


def test_a_county_pass_below_full_confirmed_progress_is_refused(finished_works, people):
    project = finished_works(progress=90)
    town_check(project, people)
    refused(lambda: county_check(project, people["approver"]), "confirmed 90% progress")
    county_check(project, people["approver"], result="fail")  # a failed check is still recorded
    assert checks.acceptance_of(project).status == "county_fix"


def test_a_county_pass_without_the_settlement_is_refused(finished_works, people):
    project = finished_works()
    town_check(project, people)
    refused(lambda: county_check(project, people["approver"], settlement_fen=None), "audited settlement")


@pytest.mark.parametrize("changes, match", [
    ({"members": " "}, "Name the members"),
    ({"result": "fail", "findings": ""}, "Record the findings"),
    ({"result": "conditional", "rectify_by": None}, "rectification deadline"),
    ({"checked_on": date(2030, 1, 1)}, "in the future"),
])
def test_an_incomplete_check_is_refused(finished_works, people, changes, match):
    project = finished_works()
    refused(lambda: town_check(project, people, **changes), match)


def test_registering_assets_before_the_county_pass_is_refused(finished_works, people):
    project = finished_works()
    town_check(project, people)
    refused(lambda: assets.register_asset(project, asset_input(), actor=people["approver"]),
            "after the county's acceptance has passed")


def test_a_household_asset_without_its_households_is_refused(finished_works, people):
    project = accepted(finished_works(), people)
    refused(lambda: assets.register_asset(project, asset_input("household", household_count=None),
                                          actor=people["approver"]), "how many households")


def test_assets_not_adding_up_to_the_settlement_are_a_warning_not_a_refusal(finished_works, people):
    project = accepted(finished_works(), people)
    assets.register_asset(project, asset_input(value_wan=100), actor=people["approver"])
    db.session.commit()
    warning = str(assets.settlement_warning(assets.settlement_gap(project)))
    assert "¥1,000,000.00" in warning and "¥980,000.00" in warning and "-¥20,000.00" in warning
    assert assets.settlement_gap(project).difference_fen == -2 * WAN
    assert checks.acceptance_of(project).project.status == "operating"


def test_a_disposal_without_its_meeting_record_is_refused(finished_works, people):
    project = accepted(finished_works(), people)
    asset = assets.register_asset(project, asset_input(), actor=people["approver"])
    db.session.commit()
    refused(lambda: assets.propose_disposal(project, asset, assets.DisposalInput("sale", "出售", None, ""),
                                            actor=people["collective"]), "members' meeting")
    refused(lambda: assets.propose_disposal(project, asset, assets.DisposalInput("scrap", " ", date(2026, 11, 1),
                                                                                  "纪要"), actor=people["collective"]),
            "reason for the disposal")


def test_the_proposer_does_not_approve_the_disposal(finished_works, people):
    project = accepted(finished_works(), people)
    asset = assets.register_asset(project, asset_input(), actor=people["approver"])
    disposal = assets.propose_disposal(project, asset, assets.DisposalInput("scrap", "损毁", date(2026, 11, 1), "纪要"),
                                       actor=people["approver"])
    db.session.commit()
    refused(lambda: assets.decide_disposal(disposal, "approve", actor=people["approver"]), "You proposed")


def test_an_exit_without_a_reason_is_refused(finished_works, people):
    project = finished_works(pay=(1,), progress=0)
    refused(lambda: exits.trigger_exit(project, reason_kind="stopped", reason="  ", actor=people["approver"]),
            "Give the reasons")


def test_a_recovery_above_what_was_paid_and_not_yet_recovered_is_refused(finished_works, people):
    project = finished_works(pay=(1,), progress=0)
    exits.trigger_exit(project, reason_kind="misuse", reason="挪用", actor=people["approver"])
    exits.record_recovery(project, exits.RecoveryInput("misused", 25 * WAN, date(2026, 11, 1)),
                          actor=people["preparer"])
    db.session.commit()
    refused(lambda: exits.record_recovery(project, exits.RecoveryInput("misused", 5 * WAN + 1, date(2026, 11, 2)),
                                          actor=people["preparer"]), "At most ¥50,000.00 can be recovered")


def test_a_recovery_without_an_exit_or_a_sale_is_refused(finished_works, people):
    project = finished_works(pay=(1,), progress=0)
    refused(lambda: exits.record_recovery(project, exits.RecoveryInput("repayment", WAN, date(2026, 11, 1)),
                                          actor=people["preparer"]), "for an exited project")


def test_verify_ledger_finds_a_recovery_above_the_payments(finished_works, people):
    project = finished_works(pay=(1,), progress=0)
    append_entry(project.pool_id, EntryKind.RECOVERY, 31 * WAN, actor=people["preparer"], value_date=date(2026, 11, 1),
                 project_id=project.id)
    db.session.commit()
    report = verify_ledger()
    assert f"project #{project.id}: recovered {31 * WAN}, more than the {30 * WAN} paid to it" in report.violations


# --- who may do what -------------------------------------------------------------------------------------

def test_a_village_collective_cannot_check_or_accept(finished_works, people):
    project = finished_works()
    with pytest.raises(RoleNotAllowed):
        town_check(project, people, actor=people["collective"])
    db.session.rollback()
    town_check(project, people)
    with pytest.raises(RoleNotAllowed):
        county_check(project, people["collective"])


def test_a_township_reviewer_of_another_township_cannot_check(finished_works, people, make_user):
    project = finished_works()
    stranger = make_user(Role.TOWN, username="other-town")
    with pytest.raises(RoleNotAllowed):
        town_check(project, people, actor=stranger)


def test_the_township_checker_does_not_take_the_county_acceptance(finished_works, people, make_user):
    project = finished_works()
    both = make_user(Role.TOWN, Role.APPROVER, username="both", township=people["village"].township)
    town_check(project, people, actor=both)
    refused(lambda: county_check(project, both), "someone else takes the county's acceptance")


def test_only_the_projects_own_village_answers_a_rectification(finished_works, people, make_user):
    project = finished_works()
    town_check(project, people, result="fail")
    other = make_user(Role.VILLAGE, username="other-village")
    with pytest.raises(RoleNotAllowed):
        checks.answer_rectification(project, answer="x", answered_on=date(2026, 9, 20), actor=other)


def test_finance_cannot_exit_and_an_approver_cannot_record_recoveries(finished_works, people):
    project = finished_works(pay=(1,), progress=0)
    with pytest.raises(RoleNotAllowed):
        exits.trigger_exit(project, reason_kind="stopped", reason="x", actor=people["preparer"])
    db.session.rollback()
    exits.trigger_exit(project, reason_kind="stopped", reason="x", actor=people["approver"])
    db.session.commit()
    refused(lambda: exits.record_recovery(project, exits.RecoveryInput("repayment", WAN, date(2026, 11, 1)),
                                          actor=people["approver"]), "Finance records recoveries")
