"""Form fields shared by every domain."""
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import StringField

from .money import MoneyError, fen_to_yuan_text, parse_yuan, rate_percent


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
    """An annual rate typed in percent with at most two decimals (3.85), kept as basis points (385)."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(rate_percent(self.data))

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip().rstrip("%").strip()
        if not text:
            return
        try:
            basis_points = Decimal(text) * 100
        except InvalidOperation:
            raise ValueError(_l("Enter the rate in percent, e.g. 3.85.")) from None
        if not basis_points.is_finite() or basis_points != basis_points.to_integral_value():
            raise ValueError(_l("Use at most two decimals for the rate."))
        self.data = int(basis_points)
