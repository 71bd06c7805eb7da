from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..fields import MoneyField
from ..idempotency import OneTimeTokenField
from .models import PLAN_PARTS, PeriodKind

COUNT = [Optional(), NumberRange(min=0, max=1_000_000, message=_l("Enter a whole number from 0 to 1,000,000."))]


class ReturnForm(FlaskForm):
    token = OneTimeTokenField()
    period_kind = SelectField(_l("Kind of period"), choices=list(PeriodKind.labels().items()), validators=[InputRequired()])
    period_start = DateField(_l("First day of the period"),
                             validators=[InputRequired(message=_l("Enter the first day of the period."))])
    revenue = MoneyField(_l("Revenue (yuan)"), allow_zero=True,
                         validators=[InputRequired(message=_l("Enter the revenue."))])
    cost = MoneyField(_l("Cost (yuan)"), allow_zero=True, validators=[InputRequired(message=_l("Enter the cost."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
    evidence = FileField(_l("Evidence (accounts, receipts; optional)"))
    reason = TextAreaField(_l("Reason for the correction"), validators=[Optional(), Length(max=1000)])


class PlanForm(FlaskForm):
    token = OneTimeTokenField()
    collective_fen = MoneyField(PLAN_PARTS["collective_fen"], allow_zero=True, validators=[Optional()])
    dividends_fen = MoneyField(PLAN_PARTS["dividends_fen"], allow_zero=True, validators=[Optional()])
    households = IntegerField(_l("Households receiving dividends"), validators=COUNT)
    reinvestment_fen = MoneyField(PLAN_PARTS["reinvestment_fen"], allow_zero=True, validators=[Optional()])
    risk_reserve_fen = MoneyField(PLAN_PARTS["risk_reserve_fen"], allow_zero=True, validators=[Optional()])
    loan_service_fen = MoneyField(PLAN_PARTS["loan_service_fen"], allow_zero=True, validators=[Optional()])


class PlanStepForm(FlaskForm):
    comment = TextAreaField(_l("Comment / reason"), validators=[Optional(), Length(max=5000)])
    meeting_on = DateField(_l("Date of the members' (representatives') meeting"), validators=[Optional()])
    attendance_expected = IntegerField(_l("Expected to attend (应到)"), validators=COUNT)
    attendance_present = IntegerField(_l("Present (实到)"), validators=COUNT)
    votes_for = IntegerField(_l("Votes for"), validators=COUNT)
    votes_against = IntegerField(_l("Votes against"), validators=COUNT)
    votes_abstain = IntegerField(_l("Abstentions"), validators=COUNT)
    notice_starts_on = DateField(_l("First day of the notice"), validators=[Optional()])
    paid_on = DateField(_l("Payment date"), validators=[Optional()])
    payment_reference = StringField(_l("Payment reference"), validators=[Optional(), Length(max=100)])

    FIELDS = {"adopt": ("meeting_on", "attendance_expected", "attendance_present", "votes_for", "votes_against",
                        "votes_abstain"),
              "publish": ("notice_starts_on",), "pay_out": ("paid_on", "payment_reference"), "withdraw": ()}


class ObjectionForm(FlaskForm):
    raised_on = DateField(_l("Raised on"), validators=[InputRequired(message=_l("Enter the date."))])
    objection = TextAreaField(_l("Objection"), validators=[InputRequired(message=_l("Record the objection.")),
                                                           Length(max=5000)])
    answer = TextAreaField(_l("Answer given"), validators=[InputRequired(message=_l("Record the answer.")),
                                                           Length(max=5000)])


class RulesForm(FlaskForm):
    min_collective = IntegerField(_l("Minimum share of the collective fund (%)"),
                                  validators=[InputRequired(), NumberRange(min=0, max=100)])
    min_risk_reserve = IntegerField(_l("Minimum share of the risk reserve (%)"),
                                    validators=[InputRequired(), NumberRange(min=0, max=100)])
    max_dividends = IntegerField(_l("Maximum share of member dividends (%)"),
                                 validators=[InputRequired(), NumberRange(min=0, max=100)])
