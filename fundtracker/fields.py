"""Form fields shared by every domain."""
import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import StopValidation

from .money import MoneyError, fen_to_yuan_text, parse_yuan, rate_percent

# The highest annual rate a form accepts (the projects' CHECK constraint loan_rate_range says the same).
MAX_RATE_PERCENT = 36
_RATE_RE = re.compile(r"^(?P<whole>[0-9]{1,3})(?:\.(?P<decimals>[0-9]{1,2}))?$")
_TOO_PRECISE_RATE_RE = re.compile(r"^[0-9]{1,3}\.[0-9]{3,}$")


class MoneyField(StringField):
    """Yuan in the form, integer fen in .data; a clear error for anything else."""

    def __init__(self, label=None, validators=None, allow_zero=False, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        super().__init__(label, validators, **kwargs)
        self.allow_zero = allow_zero

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return fen_to_yuan_text(self.data) if self.data is not None else ""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not (valuelist[0] or "").strip():
            return  # InputRequired/Optional decide; DataRequired would hide this field's own parse errors
        try:
            self.data = parse_yuan(
                valuelist[0], max_yuan=current_app.config["MAX_AMOUNT_YUAN"], allow_zero=self.allow_zero
            )
        except MoneyError as error:
            raise ValueError(str(error)) from error


class RateField(StringField):
    """An annual rate typed in percent with at most two decimals (3.85), kept as basis points (385).

    Read with a pattern, never through Decimal(): `1e999999`, `NaN`, `Infinity` are refused as text
    instead of overflowing or slipping through arithmetic."""

    def __init__(self, label=None, validators=None, max_percent: int = MAX_RATE_PERCENT, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        super().__init__(label, validators, **kwargs)
        self.max_percent = max_percent

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(rate_percent(self.data))

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip(" \u00a0\u3000").rstrip("%％").strip()
        if not text:
            return
        match = _RATE_RE.match(text)
        if match is None and text[:1] in ("-", "−"):
            raise ValueError(self._range_message())
        if match is None:
            if _TOO_PRECISE_RATE_RE.match(text):
                raise ValueError(_l("Use at most two decimals for the rate."))
            raise ValueError(_l("Enter the rate in percent, e.g. 3.85."))
        basis_points = int(match.group("whole")) * 100 + int((match.group("decimals") or "").ljust(2, "0"))
        if basis_points > self.max_percent * 100:
            raise ValueError(self._range_message())
        self.data = basis_points

    def _range_message(self):
        return _l("The rate must be between 0%% and %(max)d%%.", max=self.max_percent)


class WholeNumberField(IntegerField):
    """A whole number in [low, high] with one clear message for anything else (75.5, -3, 101, "abc"),
    instead of "not a valid integer" followed by a range error about the value it could not read.
    Its description says what it takes ("0–100, whole numbers"), shown under the input."""

    def __init__(self, label=None, validators=None, *, low: int = 0, high: int = 100, **kwargs):
        kwargs.setdefault("render_kw", {}).update({"inputmode": "numeric", "min": low, "max": high})
        kwargs.setdefault("description", _l("%(low)d–%(high)d, whole numbers", low=low, high=high))
        super().__init__(label, validators, **kwargs)
        self.low, self.high = low, high

    def _message(self):
        return _l("Enter a whole number from %(low)d to %(high)d.", low=self.low, high=self.high)

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        if not re.fullmatch(r"[0-9]{1,9}", text) or not self.low <= int(text) <= self.high:
            raise ValueError(self._message())
        self.data = int(text)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # the one message above is enough
