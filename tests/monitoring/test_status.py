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
