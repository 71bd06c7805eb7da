"""Readings (append-only, corrections supersede), warnings opened by a red project, the warning
machine over (state, action, role), and the disbursement guard."""
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from fundtracker.auth.roles import Role
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.monitoring import services
from fundtracker.monitoring.models import Indicator, ProjectWarning, Reading, ReadingSource, WarningEvent, WarningStatus
from fundtracker.monitoring.services import payment_guard
from fundtracker.monitoring.status import Colour, project_status
from fundtracker.monitoring.warnings import (
    TRANSITIONS,
    WarningAction,
    WarningInput,
    apply_warning_action,
    has_override,
)
from fundtracker.signals import Hook, handlers
from fundtracker.statemachine import ActionNotOpen, RoleNotAllowed

from .conftest import read


def test_a_red_reading_opens_one_warning_for_the_county(monitored, village_user):
    project, indicator = monitored()
    read(project, indicator, 320, date(2026, 7, 31), village_user)
    assert db.session.execute(select(ProjectWarning)).first() is None
    read(project, indicator, 280, date(2026, 8, 31), village_user)
    read(project, indicator, 270, date(2026, 9, 30), village_user)
    [warning] = db.session.execute(select(ProjectWarning)).scalars().all()
    assert warning.status == WarningStatus.OPEN and warning.red_since == date(2026, 8, 31)
    assert "below the minimum of 300" in warning.causes


def test_a_correction_supersedes_with_a_reason_and_both_are_kept(monitored, village_user):
    project, indicator = monitored()
    wrong = read(project, indicator, 28, date(2026, 10, 31), village_user)
    with pytest.raises(DomainError, match="reason for the correction"):
        read(project, indicator, 280, date(2026, 10, 31), village_user, supersedes=wrong)
    db.session.rollback()
    right = read(project, indicator, 320, date(2026, 10, 31), village_user, supersedes=wrong, reason="少输一位")
    assert db.session.execute(select(Reading.id).order_by(Reading.id)).scalars().all() == [wrong.id, right.id]
    assert project_status(project, date(2026, 11, 15)).indicators[0].latest.id == right.id
    with pytest.raises(DomainError, match="already corrected"):
        read(project, indicator, 321, date(2026, 10, 31), village_user, supersedes=wrong, reason="again")


def test_only_a_later_reading_in_force_counts(monitored, village_user):
    project, indicator = monitored()
    read(project, indicator, 320, date(2026, 10, 31), village_user)
    read(project, indicator, 250, date(2026, 9, 30), village_user)  # an older reading entered late
    assert project_status(project, date(2026, 11, 15)).indicators[0].latest.value_centi == 32_000


def test_who_records_what(monitored, village_user, make_user, make_village):
    project, indicator = monitored()
    town = make_user(Role.TOWN, township=project.village.township)
    reviewer = make_user(Role.REVIEWER)
    other_village = make_user(Role.VILLAGE, village=make_village())
    assert services.reading_source(project, indicator, village_user) == ReadingSource.VILLAGE
    assert services.reading_source(project, indicator, town) == ReadingSource.TOWN
    assert services.reading_source(project, indicator, reviewer) == ReadingSource.COUNTY
    assert services.reading_source(project, indicator, other_village) is None
    with pytest.raises(DomainError, match="roles do not allow"):
        read(project, indicator, 300, date(2026, 10, 31), other_village)


@pytest.mark.parametrize("changes, message", [
    ({"read_on": date(2099, 1, 1)}, "in the future"),
    ({"value_centi": "N/A"}, "as a number"),
])
def test_bad_readings_change_nothing(monitored, village_user, changes, message):
    project, indicator = monitored()
    values = {"value_centi": 30_000, "read_on": date(2026, 10, 31), **changes}
    with pytest.raises(DomainError, match=message):
        services.record_reading(project, indicator, actor=village_user, **values)
    db.session.rollback()
    assert db.session.execute(select(Reading)).first() is None


def test_readings_only_for_approved_projects(make_project, approver):
    project = make_project(status="vetting")
    with pytest.raises(DomainError, match="approver sets indicators of approved projects"):
        services.add_indicator(project, services.IndicatorInput("产量", "吨", 100, None), actor=approver)


@pytest.mark.parametrize("data, message", [
    (services.IndicatorInput("产量", "吨", None, None), "minimum, a maximum or both"),
    (services.IndicatorInput("产量", "吨", 500, 100), "minimum is above the maximum"),
    (services.IndicatorInput("最低存栏数", "头", 100, None), "already has an indicator"),
    (services.IndicatorInput(" ", "吨", 100, None), "name and unit"),
])
def test_bad_indicators_are_refused(monitored, approver, data, message):
    project, _ = monitored()
    with pytest.raises(DomainError, match=message):
        services.add_indicator(project, data, actor=approver)


# --- the warning machine over (state, action, role) ----------------------------------------------------------

ROLES = [Role.VILLAGE, Role.TOWN, Role.REVIEWER, Role.APPROVER, Role.FINANCE, Role.ADMIN]
DEADLINE = WarningInput(comment="理由", rectify_by=date(2026, 12, 31), required_changes="补栏")


@pytest.fixture
def warning_in(monitored, village_user):
    def factory(status):
        project, indicator = monitored()
        read(project, indicator, 250, date(2026, 10, 31), village_user)
        warning = services.open_warning(project)
        warning.status = status
        db.session.commit()
        return warning

    return factory


def _actor(role, make_user, warning, village_user):
    if role == Role.VILLAGE:
        return village_user
    if role == Role.TOWN:
        return make_user(Role.TOWN, township=warning.project.village.township)
    return make_user(role)


CASES = [(status, action, role) for status in WarningStatus for action in WarningAction
         for role in (ROLES if (status, action) in TRANSITIONS else [Role.APPROVER])]


@pytest.mark.parametrize("status, action, role", CASES)
def test_the_warning_table_over_state_action_role(warning_in, make_user, village_user, status, action, role):
    """Every (state, action) pair: a missing one is not open to anyone; an existing one is open to its
    roles only, and moves the warning to the table's state with a timeline entry."""
    warning = warning_in(status)
    actor = _actor(role, make_user, warning, village_user)
    transition = TRANSITIONS.get((status, action))
    if transition is None:
        with pytest.raises(ActionNotOpen):
            apply_warning_action(warning, action, actor, DEADLINE)
    elif role not in transition.roles:
        with pytest.raises(RoleNotAllowed):
            apply_warning_action(warning, action, actor, DEADLINE)
    else:
        event = apply_warning_action(warning, action, actor, DEADLINE)
        assert warning.status == transition.to_status == event.to_status and event.from_status == status


def test_confirming_needs_a_deadline_after_the_red_reading_and_what_must_change(warning_in, approver):
    warning = warning_in(WarningStatus.OPEN)
    for data, message in [(WarningInput(required_changes="补栏"), "deadline"),
                          (WarningInput(rectify_by=date(2026, 10, 31), required_changes="补栏"), "must be after"),
                          (WarningInput(rectify_by=date(2026, 12, 31)), "what must change")]:
        with pytest.raises(DomainError, match=message):
            apply_warning_action(warning, WarningAction.CONFIRM, approver, data)
        assert warning.status == WarningStatus.OPEN
    apply_warning_action(warning, WarningAction.CONFIRM, approver, DEADLINE)
    assert (warning.rectify_by, warning.required_changes) == (date(2026, 12, 31), "补栏")


@pytest.mark.parametrize("action", [WarningAction.DISMISS, WarningAction.ESCALATE, WarningAction.OVERRIDE])
def test_dismissal_escalation_and_override_need_a_reason(warning_in, approver, action):
    warning = warning_in(WarningStatus.OPEN if action != WarningAction.ESCALATE else WarningStatus.CONFIRMED)
    with pytest.raises(DomainError, match="Give the reasons"):
        apply_warning_action(warning, action, approver, WarningInput(comment="  "))


def test_the_village_answers_only_for_its_own_village(warning_in, make_user, make_village):
    warning = warning_in(WarningStatus.CONFIRMED)
    stranger = make_user(Role.VILLAGE, village=make_village())
    with pytest.raises(RoleNotAllowed):
        apply_warning_action(warning, WarningAction.ANSWER, stranger, WarningInput(comment="已补栏"))


# --- the guard the disbursement machine asks ---------------------------------------------------------------

class Approve(str):
    """An action that is not a plain str but prints as one, like a StrEnum member."""


def test_the_guard_is_connected_to_the_disbursement_machine(app):
    assert payment_guard in handlers(Hook.TRANSITION_GUARD, "disbursement")


def test_a_red_project_with_an_open_warning_is_not_paid_until_an_override(warning_in, approver):
    warning = warning_in(WarningStatus.CONFIRMED)
    disbursement = SimpleNamespace(project_id=warning.project_id)
    assert project_status(warning.project, date(2026, 11, 15)).colour == Colour.RED
    payment_guard(disbursement, "prepare", approver, None)  # only the approval is guarded
    with pytest.raises(DomainError, match="red with an open warning"):
        payment_guard(disbursement, Approve("approve"), approver, None)
    with pytest.raises(DomainError, match="Give the reasons"):
        apply_warning_action(warning, WarningAction.OVERRIDE, approver, WarningInput())
    apply_warning_action(warning, WarningAction.OVERRIDE, approver, WarningInput(comment="防疫物资急需，先行拨付"))
    assert has_override(warning) and warning.status == WarningStatus.CONFIRMED
    payment_guard(disbursement, "approve", approver, None)
    with pytest.raises(ActionNotOpen):  # once per warning
        apply_warning_action(warning, WarningAction.OVERRIDE, approver, WarningInput(comment="again"))
    assert db.session.execute(select(WarningEvent.action)).scalars().all() == ["override"]


def test_a_dismissed_warning_or_a_project_back_in_bounds_does_not_block(warning_in, approver, village_user):
    warning = warning_in(WarningStatus.OPEN)
    apply_warning_action(warning, WarningAction.DISMISS, approver, WarningInput(comment="容错：洪灾不可抗力"))
    payment_guard(SimpleNamespace(project_id=warning.project_id), "approve", approver, None)
    other = warning_in(WarningStatus.CONFIRMED)
    indicator = db.session.execute(select(Indicator).where(Indicator.project_id == other.project_id)).scalar_one()
    read(other.project, indicator, 400, date(2026, 11, 20), village_user)  # back within its bounds
    payment_guard(SimpleNamespace(project_id=other.project_id), "approve", approver, None)


def test_the_county_may_require_indicators_before_the_first_payment(app, make_project, approver):
    project = make_project(status="approved")
    payment_guard(SimpleNamespace(project_id=project.id), "approve", approver, None)
    app.config["INDICATORS_REQUIRED_BEFORE_PAYMENT"] = True
    with pytest.raises(DomainError, match="indicators before its first payment"):
        payment_guard(SimpleNamespace(project_id=project.id), "approve", approver, None)


def test_an_overdue_instalment_of_the_pools_loan_turns_its_projects_yellow(monitored, village_user, make_user):
    from fundtracker.pools.models import FundPool
    from fundtracker.pools.services import CollateralInput, ContributionInput, LoanTerms, record_contribution

    pool = FundPool(name="贷款资金池", year=2024)
    db.session.add(pool)
    db.session.flush()
    record_contribution(pool.id, ContributionInput(
        "loan", "农业银行", 1_000_000_00, date(2024, 2, 1), loan=LoanTerms("农业银行", 385, 60, date(2024, 2, 1),
                                                                           "interest_yearly"),
        collateral=[CollateralInput("闲置厂房", "factory", 500_000_00)]), actor=make_user(Role.FINANCE))
    project, indicator = monitored()
    project.pool_id, project.approved_amount_fen = pool.id, 100_000_00
    db.session.commit()
    read(project, indicator, 500, date(2026, 10, 31), village_user)
    assert project_status(project, date(2025, 2, 1)).causes == []  # the first instalment is due that day
    [cause] = project_status(project, date(2025, 2, 2)).causes
    assert cause.colour == Colour.YELLOW and "overdue since 2025-02-01" in str(cause)


EXPECTED_TABLE = {  # (status, action): (next status, roles) — written out, not read from the table
    ("open", "confirm"): ("confirmed", {Role.APPROVER}),
    ("open", "dismiss"): ("dismissed", {Role.APPROVER}),
    ("confirmed", "answer"): ("answered", {Role.VILLAGE}),
    ("confirmed", "escalate"): ("escalated", {Role.APPROVER}),
    ("answered", "close"): ("closed", {Role.APPROVER}),
    ("answered", "reopen"): ("confirmed", {Role.APPROVER}),
    ("answered", "escalate"): ("escalated", {Role.APPROVER}),
    ("open", "override"): ("open", {Role.APPROVER}),
    ("confirmed", "override"): ("confirmed", {Role.APPROVER}),
    ("answered", "override"): ("answered", {Role.APPROVER}),
    ("escalated", "override"): ("escalated", {Role.APPROVER}),
}


def test_the_warning_table_is_the_one_agreed():
    assert {(str(s), str(a)): (str(t.to_status), set(t.roles)) for (s, a), t in TRANSITIONS.items()} == EXPECTED_TABLE


def test_a_superseded_reading_never_counts_even_with_a_later_date(monitored, village_user):
    project, indicator = monitored()
    typo = read(project, indicator, 100, date(2026, 11, 20), village_user)  # red, and dated later
    read(project, indicator, 400, date(2026, 10, 31), village_user, supersedes=typo, reason="日期和数值录错")
    status = project_status(project, date(2026, 11, 21))
    assert status.indicators[0].latest.value_centi == 40_000 and status.colour == Colour.GREEN
