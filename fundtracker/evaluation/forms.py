from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from .settings import INDICATOR_BY_KEY, JUDGMENT_KEYS


class OpenForm(FlaskForm):
    year = SelectField(_l("Year"), coerce=int, validators=[InputRequired(message=_l("Choose the year."))])


class ActionForm(FlaskForm):
    comment = TextAreaField(_l("Comment / reason"), validators=[Optional(), Length(max=5000)])


class CountyDraftForm(FlaskForm):
    comment = TextAreaField(_l("The county's evaluation comment"), validators=[Optional(), Length(max=5000)])

    def adjustment_fields(self):
        return [(key, self[f"{key}_share"], self[f"{key}_reason"]) for key in JUDGMENT_KEYS]


for _key in JUDGMENT_KEYS:
    setattr(CountyDraftForm, f"{_key}_share", IntegerField(
        _l("%(indicator)s: share in percent (blank: as computed)", indicator=INDICATOR_BY_KEY[_key].label),
        validators=[Optional(), NumberRange(min=0, max=100, message=_l("Enter a whole number from 0 to 100."))]))
    setattr(CountyDraftForm, f"{_key}_reason", TextAreaField(
        _l("Reason for the adjustment"), validators=[Optional(), Length(max=1000)]))
