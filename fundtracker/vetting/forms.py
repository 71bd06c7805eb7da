from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..fields import WholeNumberField
from .models import RECOMMENDATION_LABELS, RISK_GRADE_LABELS


class AssignReviewerForm(FlaskForm):
    reviewer_id = SelectField(_l("Reviewer"), coerce=int, validators=[DataRequired()])


class DeclarationForm(FlaskForm):
    decision = RadioField(_l("Declaration"), choices=[("no_conflict", _l("I have no conflict of interest with this project")),
                                                      ("recuse", _l("I recuse myself"))], validators=[InputRequired()])
    reason = TextAreaField(_l("Reason for the recusal"), validators=[Optional(), Length(max=2000)])


def score_sheet_form(criteria, formdata=None, **kwargs):
    """A form with one score and one comment field per criterion of the project's criteria set."""

    class ScoreSheetForm(FlaskForm):
        recommendation = SelectField(_l("Recommendation"), choices=[("", "—"), *RECOMMENDATION_LABELS.items()],
                                     validators=[Optional()])

    for criterion in criteria:
        setattr(ScoreSheetForm, f"score_{criterion.id}", WholeNumberField(
            f"{criterion.name} ({criterion.weight}%)", validators=[Optional()], low=0, high=100))
        setattr(ScoreSheetForm, f"comment_{criterion.id}",
                TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)]))
    return ScoreSheetForm(formdata=formdata, **kwargs) if formdata is not None else ScoreSheetForm(**kwargs)


class SiteVisitForm(FlaskForm):
    visited_on = DateField(_l("Date of the visit"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)])
    participants = TextAreaField(_l("Participants"), validators=[DataRequired(), Length(max=2000)])
    findings = TextAreaField(_l("Findings"), validators=[DataRequired(), Length(max=10_000)])
    photos = MultipleFileField(_l("Photos (JPEG or PNG)"))


class RiskGradeForm(FlaskForm):
    grade = SelectField(_l("Final risk grade"), choices=[("", _l("As suggested")), *RISK_GRADE_LABELS.items()],
                        validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])


class CriterionForm(Form):
    name = StringField(_l("Criterion"), validators=[Optional(), Length(max=100)])
    description = StringField(_l("Description"), validators=[Optional(), Length(max=500)])
    weight = WholeNumberField(_l("Weight"), validators=[Optional()], low=1, high=100)


class CriteriaSetForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    pass_mark = WholeNumberField(_l("Pass mark"), default=60, validators=[InputRequired()], low=0, high=100)
    trim_from_sheets = WholeNumberField(_l("Drop the highest and lowest from this many sheets"), default=5,
                                       validators=[InputRequired()], low=3, high=50)
    spread_threshold = WholeNumberField(_l("Flag a spread of more than (points)"), default=20,
                                       validators=[InputRequired()], low=0, high=100)
    criteria = FieldList(FormField(CriterionForm), min_entries=6, max_entries=12)
