from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..fields import MoneyField, RateField
from ..idempotency import OneTimeTokenField
from .models import (
    ASSET_KIND_LABELS,
    ENTRY_KIND_LABELS,
    POOL_STATUS_LABELS,
    REPAYMENT_SCHEDULE_LABELS,
    SOURCE_TYPE_LABELS,
    AssetKind,
    RepaymentSchedule,
)


class PoolForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    programme = StringField(_l("Programme"), validators=[Optional(), Length(max=200)])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    status = SelectField(_l("Status"), choices=list(POOL_STATUS_LABELS.items()))


class CollateralForm(Form):
    name = StringField(_l("Asset"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=list(ASSET_KIND_LABELS.items()), default=AssetKind.OFFICE_BUILDING)
    estimated_value = MoneyField(_l("Estimated value (yuan)"), validators=[Optional()], allow_zero=True)


class ContributionForm(FlaskForm):
    token = OneTimeTokenField()
    source_type = SelectField(_l("Source"), choices=list(SOURCE_TYPE_LABELS.items()))
    contributor = StringField(_l("Contributor"), validators=[DataRequired(), Length(max=200)])
    amount = MoneyField(_l("Amount (yuan)"), validators=[InputRequired()])
    received_on = DateField(_l("Date received"), validators=[DataRequired()])
    reference = StringField(_l("Reference (voucher or transfer number)"), validators=[Optional(), Length(max=100)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    lender = StringField(_l("Lender"), validators=[Optional(), Length(max=200)])
    annual_rate = RateField(_l("Annual rate (%)"))
    term_months = IntegerField(_l("Term (months)"), validators=[
        Optional(), NumberRange(min=1, max=600, message=_l("The term must be at least one month (at most 600)."))])
    loan_start_on = DateField(_l("Loan start date"), validators=[Optional()])
    repayment_schedule = SelectField(_l("Repayment schedule"), choices=list(REPAYMENT_SCHEDULE_LABELS.items()),
                                     default=RepaymentSchedule.INTEREST_YEARLY_PRINCIPAL_AT_MATURITY)
    collateral = FieldList(FormField(CollateralForm), min_entries=3, max_entries=10)


class ReversalForm(FlaskForm):
    token = OneTimeTokenField()
    reason = TextAreaField(_l("Reason for the reversal"), validators=[DataRequired(), Length(max=500)])


class StatementFilterForm(Form):
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    kind = SelectField(_l("Kind"), choices=[("", _l("All kinds")), *ENTRY_KIND_LABELS.items()], validators=[Optional()])
    go_to = DateField(_l("Go to date"), validators=[Optional()])

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The period ends before it starts: swap the two dates."))


class RepaymentForm(FlaskForm):
    token = OneTimeTokenField()
    paid_on = DateField(_l("Repayment date"), validators=[InputRequired(message=_l("Enter the repayment date."))])
    principal = MoneyField(_l("Principal repaid (yuan)"), allow_zero=True, validators=[Optional()])
    interest = MoneyField(_l("Interest paid (yuan)"), allow_zero=True, validators=[Optional()])
    memo = StringField(_l("Reference"), validators=[Optional(), Length(max=200)])
