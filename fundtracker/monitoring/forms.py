from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from .models import Reporter, ReportingInterval
from .status import parse_value


class ValueField(StringField):
    """A number typed as text ('142', '87.5', '1,234.56'), kept in hundredths; a clear error otherwise."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        super().__init__(label, validators, **kwargs)

    def _value(self):
        return self.raw_data[0] if self.raw_data else ""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not (valuelist[0] or "").strip():
            return
        self.data = parse_value(valuelist[0])


class IndicatorForm(FlaskForm):
    name = StringField(_l("Indicator"), validators=[DataRequired(), Length(max=100)])
    unit = StringField(_l("Unit"), validators=[DataRequired(), Length(max=20)])
    minimum = ValueField(_l("Minimum"), validators=[Optional()])
    maximum = ValueField(_l("Maximum"), validators=[Optional()])
    reporting_interval = SelectField(_l("Reporting interval"), choices=list(ReportingInterval.labels().items()),
                                     validators=[InputRequired()])
    reporter = SelectField(_l("Who reports"), choices=list(Reporter.labels().items()), validators=[InputRequired()])
    monitored_from = DateField(_l("Monitored from"), validators=[Optional()])


class ReadingForm(FlaskForm):
    value = ValueField(_l("Value"), validators=[InputRequired(message=_l("Enter the value."))])
    read_on = DateField(_l("Date of the reading"), validators=[InputRequired(message=_l("Enter the date."))])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=1000)])
    photo = FileField(_l("Photo (JPEG or PNG, optional)"))
    reason = TextAreaField(_l("Reason for the correction"), validators=[Optional(), Length(max=1000)])


class WarningActionForm(FlaskForm):
    comment = TextAreaField(_l("Reasons / report"), validators=[Optional(), Length(max=5000)])
    rectify_by = DateField(_l("Rectification deadline"), validators=[Optional()])
    required_changes = TextAreaField(_l("What must change"), validators=[Optional(), Length(max=5000)])
