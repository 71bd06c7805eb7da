import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundtracker.money import MoneyError, fen_to_yuan_text, format_fen, format_wan, parse_yuan, share_percent


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1", 100),
        ("0.01", 1),
        ("1234.5", 123450),
        ("1234.56", 123456),
        ("1,234,567.89", 123456789),
        (" 12,345 ", 1234500),
        ("¥7,400,000", 740000000),
        ("￥600000.00", 60000000),
        ("600000元", 60000000),
        ("1，234．50", 123450),
        ("0007", 700),
    ],
)
def test_parse_accepts_yuan_with_at_most_two_decimals(app, text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter an amount"),
        ("   ", "Enter an amount"),
        (None, "Enter an amount"),
        ("-5", "negative"),
        ("-0.01", "negative"),
        ("1.234", "two decimals"),
        ("1,234.567", "two decimals"),
        ("12a", "digits"),
        ("abc", "digits"),
        ("1e5", "digits"),
        ("1,23", "digits"),
        ("12,34,567", "digits"),
        ("1.", "digits"),
        (".5", "digits"),
        ("1 000", "digits"),
        ("NaN", "digits"),
        ("Infinity", "digits"),
        ("0", "greater than zero"),
        ("0.00", "greater than zero"),
        ("10000000000001", "maximum"),
        ("99999999999999999999999", "maximum"),
    ],
)
def test_parse_refuses_bad_input_with_a_clear_message(app, text, message):
    with pytest.raises(MoneyError, match=message):
        parse_yuan(text)


def test_parse_respects_a_configured_maximum(app):
    assert parse_yuan("1000", max_yuan=1000) == 100000
    with pytest.raises(MoneyError, match="maximum"):
        parse_yuan("1000.01", max_yuan=1000)


def test_zero_is_allowed_only_when_asked(app):
    assert parse_yuan("0", allow_zero=True) == 0


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "¥0.00"), (1, "¥0.01"), (123456789, "¥1,234,567.89"), (-150, "-¥1.50"), (10**15, "¥10,000,000,000,000.00")],
)
def test_format_fen(fen, text):
    assert format_fen(fen) == text


def test_format_wan_for_summaries():
    assert format_wan(155_000_000_00) == "15,500.00万元"
    assert format_wan(740_000_000) == "740.00万元"
    assert format_wan(12_345_678) == "12.35万元"


def test_share_percent_handles_an_empty_whole():
    assert str(share_percent(1, 3)) == "33.3"
    assert str(share_percent(5, 0)) == "0.0"


@given(st.integers(min_value=1, max_value=10**13 * 100))
def test_format_then_parse_round_trips(app, fen):
    assert parse_yuan(format_fen(fen)) == fen
    assert parse_yuan(fen_to_yuan_text(fen)) == fen
