from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from .models import CONTACT_MAX_LENGTH, NOTICE_KIND_LABELS, OBJECTION_MAX_LENGTH


class ObjectionForm(FlaskForm):
    """The one public form: anyone may object during a notice. CSRF as every form of the app."""
    text = TextAreaField(_l("Your objection"), validators=[
        InputRequired(message=_l("Write your objection.")),
        Length(max=OBJECTION_MAX_LENGTH, message=_l("An objection has at most %(max)d characters."))])
    contact = StringField(_l("How the county can reach you (optional, never published)"), validators=[
        Optional(), Length(max=CONTACT_MAX_LENGTH, message=_l("A contact has at most %(max)d characters."))])


class NoticeForm(FlaskForm):
    kind = SelectField(_l("Kind of notice"), choices=list(NOTICE_KIND_LABELS.items()), validators=[InputRequired()])
    starts_on = DateField(_l("First day of the notice"),
                          validators=[InputRequired(message=_l("Enter the first day of the notice."))])
    period_days = IntegerField(_l("Period in days"), validators=[Optional(), NumberRange(
        min=1, max=366, message=_l("Enter a number of days from 1 to 366."))])
    text = TextAreaField(_l("Text of the notice"), validators=[
        InputRequired(message=_l("Write the text of the notice.")), Length(max=5000)])


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("The county's answer"), validators=[
        InputRequired(message=_l("Write the answer.")), Length(max=5000)])
