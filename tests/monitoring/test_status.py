"""The status function at and around every threshold (DESIGN.md "Red / yellow / green")."""
from datetime import date
from types import SimpleNamespace

import pytest

from fundtracker.monitoring.status import Colour, format_value, indicator_status, parse_value

MARGIN = 10


def indicator(minimum=None, maximum=None, interval="monthly", monitored_from=date(2026, 6, 30)):
    return SimpleNamespace(id=1, name="最低存栏数", unit="头", minimum_centi=minimum, maximum_centi=maximum,
                           reporting_interval=interval, monitored_from=monitored_from)


def reading(value_centi, read_on=date(2026, 10, 31)):
    return SimpleNamespace(value_centi=value_centi, read_on=read_on)


ON_TIME = date(2026, 11, 15)


@pytest.mark.parametrize("value, colour", [
    (29_999, Colour.RED),      # one hundredth below the minimum of 300
    (30_000, Colour.YELLOW),   # exactly at the bound: inside, within the margin
    (30_001, Colour.YELLOW),
    (33_000, Colour.YELLOW),   # exactly 10 % above the minimum: still within the margin
    (33_001, Colour.GREEN),    # just outside the margin
    (100_000, Colour.GREEN),
])
def test_minimum_bound_and_its_margin(app, value, colour):
    assert indicator_status(indicator(minimum=30_000), reading(value), ON_TIME, MARGIN).colour == colour


@pytest.mark.parametrize("value, colour", [
    (10_001, Colour.RED),      # above the maximum of 100
    (10_000, Colour.YELLOW),   # exactly at the bound
    (9_000, Colour.YELLOW),    # exactly 10 % below the maximum
    (8_999, Colour.GREEN),
    (-5_000, Colour.GREEN),
])
def test_maximum_bound_and_its_margin(app, value, colour):
    assert indicator_status(indicator(maximum=10_000), reading(value), ON_TIME, MARGIN).colour == colour


@pytest.mark.parametrize("margin, value, colour", [(0, 30_000, Colour.YELLOW), (0, 30_001, Colour.GREEN),
                                                   (20, 36_000, Colour.YELLOW), (20, 36_001, Colour.GREEN)])
def test_the_margin_is_a_setting(app, margin, value, colour):
    assert indicator_status(indicator(minimum=30_000), reading(value), ON_TIME, margin).colour == colour


@pytest.mark.parametrize("interval, last, today, overdue", [
    ("monthly", date(2026, 9, 30), date(2026, 10, 30), False),   # due today
    ("monthly", date(2026, 9, 30), date(2026, 10, 31), True),    # overdue by one day
    ("quarterly", date(2026, 6, 30), date(2026, 9, 30), False),
    ("quarterly", date(2026, 6, 30), date(2026, 10, 1), True),
    ("yearly", date(2025, 12, 31), date(2026, 12, 31), False),
    ("yearly", date(2025, 12, 31), date(2027, 1, 1), True),
    ("monthly", date(2026, 1, 31), date(2026, 2, 28), False),    # the month's last day
    ("monthly", date(2026, 1, 31), date(2026, 3, 1), True),
])
def test_a_missing_reading_past_its_interval_is_yellow_from_the_day_after(app, interval, last, today, overdue):
    status = indicator_status(indicator(minimum=100, interval=interval), reading(50_000, last), today, MARGIN)
    assert (status.colour == Colour.YELLOW) is overdue
    assert [c.colour for c in status.causes] == ([Colour.YELLOW] if overdue else [])


def test_without_any_reading_the_first_is_due_one_interval_after_monitoring_starts(app):
    ind = indicator(minimum=100, monitored_from=date(2026, 6, 30))
    assert indicator_status(ind, None, date(2026, 7, 30), MARGIN).colour == Colour.GREEN
    assert indicator_status(ind, None, date(2026, 7, 31), MARGIN).colour == Colour.YELLOW


def test_red_and_overdue_give_two_causes_and_the_worst_colour(app):
    status = indicator_status(indicator(minimum=15_000), reading(14_200, date(2026, 10, 31)), date(2026, 12, 1),
                              MARGIN)
    assert status.colour == Colour.RED
    assert [c.colour for c in status.causes] == [Colour.RED, Colour.YELLOW]


def test_the_cause_says_why_in_a_sentence(app):
    from flask_babel import force_locale
    status = indicator_status(indicator(minimum=15_000), reading(14_200, date(2026, 10, 31)), ON_TIME, MARGIN)
    with force_locale("zh"):
        assert str(status.causes[0]) == "最低存栏数 142 头，低于下限 150 头（2026年10月读数）。"
    with force_locale("en"):
        assert str(status.causes[0]) == "最低存栏数 142 头, below the minimum of 150 头 (reading of Oct 2026)."


@pytest.mark.parametrize("text, centi", [("142", 14_200), ("87.5", 8_750), ("1,234.56", 123_456), ("-3", -300),
                                         (" 95% ", 9_500), ("0", 0)])
def test_values_are_read_exactly(app, text, centi):
    assert parse_value(text) == centi


@pytest.mark.parametrize("text", ["N/A", "yes", "", "1.234", "inf", "NaN", "12abc", "1e30"])
def test_non_numeric_values_are_refused_with_a_message(app, text):
    with pytest.raises(ValueError) as refused:
        parse_value(text)
    assert str(refused.value.args[0])


@pytest.mark.parametrize("centi, text", [(14_200, "142"), (8_750, "87.5"), (10_000, "100"), (1, "0.01"),
                                         (None, "—")])
def test_values_are_shown_without_trailing_zeros(centi, text):
    assert format_value(centi) == text


@pytest.mark.parametrize("days_late, colour", [
    (0, None),
    # one month after the planned date is still on time; the day after is yellow
    ("one_month", None), ("one_month+1", "yellow"),
    ("three_months", "yellow"), ("three_months+1", "red"),
])
def test_a_tranche_schedule_slip_turns_the_project_yellow_then_red(app, days_late, colour):
    from datetime import date, timedelta

    from fundtracker.clock import add_months
    from fundtracker.monitoring.status import slip_colour

    planned = date(2026, 3, 31)
    offsets = {0: planned, "one_month": add_months(planned, 1), "one_month+1": add_months(planned, 1) + timedelta(1),
               "three_months": add_months(planned, 3), "three_months+1": add_months(planned, 3) + timedelta(1)}
    result = slip_colour(planned, offsets[days_late])
    assert (str(result) if result else None) == colour


def test_the_slipped_tranche_is_named_in_the_projects_causes(app, make_user, make_village):
    from datetime import date

    from fundtracker.auth.roles import Role
    from fundtracker.disbursements import services as disbursements
    from fundtracker.extensions import db
    from fundtracker.monitoring.status import project_status
    from fundtracker.pools.models import FundPool
    from fundtracker.pools.services import ContributionInput, commit_to_project, record_contribution
    from fundtracker.projects.applications import save_application

    from ..projects.conftest import complete_application

    village = make_village()
    author = make_user(Role.VILLAGE, village=village)
    finance = make_user(Role.FINANCE)
    pool = FundPool(name="slip pool", year=2026)
    db.session.add(pool)
    db.session.flush()
    record_contribution(pool.id, ContributionInput("subsidy", "县财政", 10**9, date(2026, 1, 5)), actor=finance)
    project = save_application(None, complete_application(), village_id=village.id, actor=author)
    project.status, project.approved_amount_fen, project.pool_id = "approved", 10**8, pool.id
    commit_to_project(pool.id, project.id, 10**8, actor=finance)
    plan = disbursements.default_plan(project)
    plan[0] = disbursements.TrancheInput(plan[0].description, plan[0].amount_fen, date(2026, 1, 15),
                                         plan[0].required_documents)
    disbursements.save_plan(project, plan, actor=finance)
    status = project_status(project, date(2026, 6, 1))
    assert str(status.colour) == "red"
    assert any("Tranche 1" in str(cause) and "slipped" in str(cause) for cause in status.causes)
