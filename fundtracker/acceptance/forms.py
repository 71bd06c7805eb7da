from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..fields import MoneyField
from ..idempotency import OneTimeTokenField
from .models import AssetClass, CheckResult, DisposalKind, ExitReason, JointDepartment, RecoveryKind

TEXT = [Optional(), Length(max=5000)]


class CheckForm(FlaskForm):
    checked_on = DateField(_l("Date of the check"), validators=[InputRequired(message=_l("Enter the date."))])
    members = TextAreaField(_l("Members (names and departments)"),
                            validators=[InputRequired(message=_l("Name the members of the check.")),
                                        Length(max=2000)])
    joint_departments = SelectMultipleField(
        _l("Joint departments"), choices=list(JointDepartment.labels().items()), validators=[Optional()],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))
    result = SelectField(_l("Result"), choices=list(CheckResult.labels().items()), validators=[InputRequired()])
    findings = TextAreaField(_l("Findings (what must be rectified, when not a pass)"), validators=TEXT)
    rectify_by = DateField(_l("Rectification deadline"), validators=[Optional()])
    settlement = MoneyField(_l("Audited settlement amount (yuan)"), validators=[Optional()])
    report_attachment_id = FileField(_l("Acceptance report (验收报告)"))
    audit_attachment_id = FileField(_l("Price review or audit report (审价或审计报告)"))
    completion_attachment_id = FileField(_l("Completion documents (竣工资料)"))


class AnswerForm(FlaskForm):
    answered_on = DateField(_l("Date of the answer"), validators=[InputRequired(message=_l("Enter the date."))])
    answer = TextAreaField(_l("What was rectified"),
                           validators=[InputRequired(message=_l("Describe what was rectified.")), Length(max=5000)])
    evidence = FileField(_l("Evidence (photos, documents; optional)"))


class AssetForm(FlaskForm):
    token = OneTimeTokenField()
    name = StringField(_l("Asset"), validators=[InputRequired(message=_l("Name the asset.")), Length(max=200)])
    asset_class = SelectField(_l("Class (国办函〔2021〕51号)"), choices=list(AssetClass.labels().items()),
                              validators=[InputRequired()])
    value = MoneyField(_l("Value from the audited settlement (yuan)"),
                       validators=[InputRequired(message=_l("Enter the value."))])
    owner = StringField(_l("Owner (the village collective, or which households)"),
                        validators=[InputRequired(message=_l("Name the owner.")), Length(max=200)])
    household_count = IntegerField(_l("Households owning it (household assets)"),
                                   validators=[Optional(), NumberRange(min=1, max=1_000_000)])
    upkeep_party = StringField(_l("Upkeep party (管护责任人): an organisation or a role, not a person's name"),
                               validators=[InputRequired(message=_l("Name the upkeep party.")), Length(max=200)])
    upkeep_duties = TextAreaField(_l("Upkeep duties"),
                                  validators=[InputRequired(message=_l("Describe the upkeep duties.")),
                                              Length(max=5000)])
    registered_on = DateField(_l("Registration date"), validators=[InputRequired(message=_l("Enter the date."))])
    certificate_reference = StringField(_l("Certificate reference"),
                                        validators=[InputRequired(message=_l("Enter the certificate reference.")),
                                                    Length(max=100)])


class DisposalForm(FlaskForm):
    kind = SelectField(_l("Disposal"), choices=list(DisposalKind.labels().items()), validators=[InputRequired()])
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(message=_l("Give the reason.")), Length(max=5000)])
    meeting_on = DateField(_l("Date of the members' meeting"), validators=[Optional()])
    meeting_reference = StringField(_l("Minutes reference"), validators=[Optional(), Length(max=200)])
    minutes = FileField(_l("Minutes (optional)"))


class DecisionForm(FlaskForm):
    comment = TextAreaField(_l("Comment / reason"), validators=TEXT)


class ExitForm(FlaskForm):
    reason_kind = SelectField(_l("Why the project exits"), choices=list(ExitReason.labels().items()),
                              validators=[InputRequired()])
    reason = TextAreaField(_l("Reasons"), validators=TEXT)


class RecoveryForm(FlaskForm):
    token = OneTimeTokenField()
    kind = SelectField(_l("Kind of recovery"), choices=list(RecoveryKind.labels().items()),
                       validators=[InputRequired()])
    amount = MoneyField(_l("Amount (yuan)"), validators=[InputRequired(message=_l("Enter the amount."))])
    received_on = DateField(_l("Received on"), validators=[InputRequired(message=_l("Enter the date."))])
    reference = StringField(_l("Reference (bank slip, voucher)"), validators=[Optional(), Length(max=100)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)])
    disposal_id = SelectField(_l("From the approved sale"), coerce=int, choices=[(0, "—")], validate_choice=False)


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reasons"), validators=TEXT)
