"""Money: yuan text <-> integer fen. The one place where amounts are parsed and formatted.

The database stores integer fen (1 yuan = 100 fen). Input is yuan with at most two
decimals, with or without thousands separators; everything else is refused with a
message a person can act on. Loan rates are integer basis points (385 = 3.85%), shown
and exported from here too; no amount or rate goes through a float.
"""
import re
from decimal import Decimal
from fractions import Fraction

from flask_babel import lazy_gettext as _l

FEN_PER_YUAN = 100
# Hard ceiling whatever the configuration says: 10^13 yuan does not exist in a county.
ABSOLUTE_MAX_YUAN = 10**13

_PLAIN = r"\d+"
_GROUPED = r"\d{1,3}(?:,\d{3})+"
_AMOUNT_RE = re.compile(rf"^(?P<int>{_GROUPED}|{_PLAIN})(?:\.(?P<dec>\d{{1,2}}))?$")
_STRIP_CHARS = " \u00a0\u3000"


class MoneyError(ValueError):
    """Raised with a translated message when an amount cannot be accepted."""


def _normalise(text: str) -> str:
    text = (text or "").strip(_STRIP_CHARS)
    text = text.replace("，", ",").replace("．", ".")
    for symbol in ("¥", "￥", "CNY", "RMB"):
        if text.startswith(symbol):
            text = text[len(symbol):].strip(_STRIP_CHARS)
    if text.endswith("元"):
        text = text[:-1].strip(_STRIP_CHARS)
    return text


def parse_yuan(text, *, max_yuan: int | None = None, allow_zero: bool = False) -> int:
    """Turn '1,234.56' into 123456 fen, or raise MoneyError saying what is wrong."""
    if isinstance(text, (int, Decimal)) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        raise MoneyError(_l("Enter an amount in yuan."))
    cleaned = _normalise(text)
    if not cleaned:
        raise MoneyError(_l("Enter an amount in yuan."))
    if cleaned.startswith("-"):
        raise MoneyError(_l("The amount cannot be negative."))
    match = _AMOUNT_RE.match(cleaned)
    if not match:
        if re.fullmatch(r"[\d,]+\.\d{3,}", cleaned):
            raise MoneyError(_l("Use at most two decimals (fen)."))
        raise MoneyError(_l("Enter the amount as digits, e.g. 1,234.56."))
    digits = match.group("int").replace(",", "")
    ceiling = min(max_yuan or ABSOLUTE_MAX_YUAN, ABSOLUTE_MAX_YUAN)
    # Longer than any accepted amount: refused before int(), which would not take thousands of digits.
    too_long = len(digits.lstrip("0")) > len(str(ABSOLUTE_MAX_YUAN))
    fen = 0 if too_long else int(digits) * FEN_PER_YUAN + int((match.group("dec") or "").ljust(2, "0"))
    if too_long or fen > ceiling * FEN_PER_YUAN:
        raise MoneyError(_l("The amount is above the maximum of %(max)s.", max=format_fen(ceiling * FEN_PER_YUAN)))
    if fen == 0 and not allow_zero:
        raise MoneyError(_l("The amount must be greater than zero."))
    return fen


def round_half_up(value: Fraction) -> int:
    """Exact rounding to the nearest integer, halves away from zero (0.5 -> 1, -0.5 -> -1)."""
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def hundredths(value: int | None) -> Decimal | None:
    """7825 -> Decimal('78.25'), exactly, always with two decimals; None stays None."""
    return None if value is None else Decimal(int(value)).scaleb(-2)


def fen_to_yuan_decimal(fen: int | None) -> Decimal | None:
    """123456 -> Decimal('1234.56'): yuan for spreadsheets (a number in Excel, '1234.56' in CSV)."""
    return hundredths(fen)


def fen_to_yuan_text(fen: int) -> str:
    """Plain '1234.56' for a form field's initial value (no symbol, no separators)."""
    return str(fen_to_yuan_decimal(fen))


def rate_percent(basis_points: int | None) -> Decimal | None:
    """385 basis points -> Decimal('3.85') percent."""
    return hundredths(basis_points)


def format_rate(basis_points: int | None) -> str:
    """385 -> '3.85%'."""
    return "—" if basis_points is None else f"{rate_percent(basis_points)}%"


def format_fen(fen) -> str:
    """123456789 -> '¥1,234,567.89'; negative amounts get a leading minus."""
    if fen is None:
        return "—"
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}¥{whole:,}.{part:02d}"


def format_wan(fen, decimals: int = 2) -> str:
    """Summary figure in 万元 (ten thousand yuan): 155000000_00 fen -> '15,500.00万元'."""
    if fen is None:
        return "—"
    wan = Decimal(int(fen)) / Decimal(FEN_PER_YUAN * 10_000)
    quantum = Decimal(1).scaleb(-decimals)
    return f"{wan.quantize(quantum):,}万元"


def share_percent(part_fen: int, whole_fen: int) -> Decimal:
    """Share of a whole as a percentage with one decimal; 0 when the whole is 0."""
    if not whole_fen:
        return Decimal("0.0")
    return (Decimal(int(part_fen)) * 100 / Decimal(int(whole_fen))).quantize(Decimal("0.1"))
