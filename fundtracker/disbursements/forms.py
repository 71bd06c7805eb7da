from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, FieldList, Form, FormField, IntegerField, SelectField, StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..fields import MoneyField
from ..idempotency import OneTimeTokenField
from . import settings

DOCUMENT_SEPARATORS = ("、", ",", "，", ";", "；")


def split_documents(text: str) -> tuple:
    for separator in DOCUMENT_SEPARATORS[1:]:
        text = (text or "").replace(separator, DOCUMENT_SEPARATORS[0])
    return tuple(part.strip() for part in text.split(DOCUMENT_SEPARATORS[0]) if part.strip())


class TrancheRowForm(Form):
    description = StringField(_l("Milestone"), validators=[Optional(), Length(max=200)])
    amount = MoneyField(_l("Amount (yuan)"), validators=[Optional()])
    planned_on = DateField(_l("Planned date"), validators=[Optional()])
    documents = StringField(_l("Documents a payment needs (separated by 、)"), validators=[Optional(), Length(max=500)])
    needs_acceptance = BooleanField(_l("Paid after the county's acceptance"))
    is_retention = BooleanField(_l("Quality retention"))


class PlanForm(FlaskForm):
    tranches = FieldList(FormField(TrancheRowForm), min_entries=6, max_entries=12)
    reason = TextAreaField(_l("Reason for the change (needed once money was paid)"),
                           validators=[Optional(), Length(max=2000)])


class GeneratePlanForm(FlaskForm):
    retention_percent = IntegerField(_l("Quality retention (percent of the approved amount)"), default=0,
                                     validators=[InputRequired(), NumberRange(min=0, max=100)])


class ProgressReportForm(FlaskForm):
    tranche_id = SelectField(_l("Milestone"), coerce=int, validators=[DataRequired()])
    progress_percent = IntegerField(_l("Progress (percent)"), validators=[InputRequired(), NumberRange(min=0, max=100)],
                                    render_kw={"inputmode": "numeric", "min": 0, "max": 100})
    narrative = TextAreaField(_l("What was done"), validators=[DataRequired(), Length(max=5000)])
    files = MultipleFileField(_l("Photos and documents"))


class CommentForm(FlaskForm):
    comment = TextAreaField(_l("Comment or reasons"), validators=[Optional(), Length(max=5000)])


class AcceptanceForm(FlaskForm):
    accepted_on = DateField(_l("Date of the county's acceptance"), validators=[InputRequired()])


class DecisionForm(FlaskForm):
    """Approve, return or decline a payment request (money: a one-time token)."""

    token = OneTimeTokenField()
    comment = TextAreaField(_l("Comment or reasons"), validators=[Optional(), Length(max=5000)])


class VoucherForm(DecisionForm):
    payment_reference = StringField(_l("Voucher or bank slip number"), validators=[Optional(), Length(max=100)])
    paid_on = DateField(_l("Date paid"), validators=[Optional()])


def payment_form(required_documents, formdata=None, **kwargs):
    """The payment request, with one attachment choice per document the tranche requires."""

    class PaymentForm(FlaskForm):
        token = OneTimeTokenField()
        tranche_id = SelectField(_l("Tranche"), coerce=int, validators=[DataRequired()])
        amount = MoneyField(_l("Amount (yuan)"), validators=[InputRequired()])
        payee_name = StringField(_l("Payee (account name)"), validators=[DataRequired(), Length(max=200)])
        payee_account = StringField(_l("Account number"), validators=[DataRequired(), Length(max=64)],
                                    render_kw={"inputmode": "numeric", "autocomplete": "off"})
        payee_bank = StringField(_l("Bank"), validators=[DataRequired(), Length(max=200)])
        purpose = SelectField(_l("Purpose"), choices=[(p, p) for p in settings.allowed_purposes()],
                              validate_choice=False)
        purpose_detail = StringField(_l("Purpose in detail"), validators=[Optional(), Length(max=500)])
        progress_report_id = SelectField(_l("Progress report (confirmed by the township)"), coerce=int,
                                         validators=[Optional()])

    for index, name in enumerate(required_documents):
        setattr(PaymentForm, f"document_{index}", SelectField(name, coerce=int, validators=[Optional()]))
    return PaymentForm(formdata=formdata, **kwargs) if formdata is not None else PaymentForm(**kwargs)
