from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..fields import MoneyField, RateField
from ..idempotency import OneTimeTokenField
from ..errors import DomainError, attach_to_form
from .applications import COLUMNS, COUNTY_FORM_FIELDS, PLAN_YEARS, ApplicationInput, refuse_inconsistent_application
from .models import ATTACHMENT_KIND_LABELS, FUNDING_SOURCES, PROJECT_CATEGORY_LABELS


def _field_name(column: str) -> str:
    """Form fields are named like the columns, without the unit: total_investment_fen -> total_investment."""
    return "loan_rate" if column == "loan_rate_bp" else column.removesuffix("_fen")


def _money(label, **kwargs):
    return MoneyField(label, validators=[Optional()], allow_zero=True, **kwargs)


def _text(label):
    return TextAreaField(label, validators=[Optional(), Length(max=5000)])


def _count(label):
    return IntegerField(label, validators=[Optional(), NumberRange(min=0, max=100_000)])


class ApplicationForm(FlaskForm):
    """The application in sections; field names match the Project columns (money without _fen)."""

    title = StringField(_l("Project title"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Category"), choices=list(PROJECT_CATEGORY_LABELS.items()))
    description = TextAreaField(_l("Works and scale"), validators=[Optional(), Length(max=10_000)])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=200)])
    start_on = DateField(_l("Start date"), validators=[Optional()])
    end_on = DateField(_l("End date"), validators=[Optional()])
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=100)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])

    total_investment = _money(_l("Total investment (yuan)"))
    requested = _money(_l("Amount asked from the pool (yuan)"))
    funding_subsidy = _money(FUNDING_SOURCES["funding_subsidy_fen"])
    funding_loan = _money(FUNDING_SOURCES["funding_loan_fen"])
    funding_self_raised = _money(FUNDING_SOURCES["funding_self_raised_fen"])
    funding_donation = _money(FUNDING_SOURCES["funding_donation_fen"])
    funding_other = _money(FUNDING_SOURCES["funding_other_fen"])
    loan_rate = RateField(_l("Loan rate (% a year)"))
    loan_term_months = IntegerField(_l("Loan term (months)"), validators=[Optional(), NumberRange(min=1, max=600)])

    year_1_revenue = _money(_l("Year 1 revenue"))
    year_1_cost = _money(_l("Year 1 cost"))
    year_2_revenue = _money(_l("Year 2 revenue"))
    year_2_cost = _money(_l("Year 2 cost"))
    year_3_revenue = _money(_l("Year 3 revenue"))
    year_3_cost = _money(_l("Year 3 cost"))

    risks = TextAreaField(_l("Main risks"), validators=[Optional(), Length(max=5000)])
    mitigation = TextAreaField(_l("Mitigation"), validators=[Optional(), Length(max=5000)])

    benefit_linkage = _text(COUNTY_FORM_FIELDS["benefit_linkage"])
    target_output = _text(COUNTY_FORM_FIELDS["target_output"])
    target_benefit = _text(COUNTY_FORM_FIELDS["target_benefit"])
    target_satisfaction = _text(COUNTY_FORM_FIELDS["target_satisfaction"])
    land_use_compliance = _text(COUNTY_FORM_FIELDS["land_use_compliance"])
    income_distribution = _text(COUNTY_FORM_FIELDS["income_distribution"])
    asset_ownership = _text(COUNTY_FORM_FIELDS["asset_ownership"])

    meeting_on = DateField(_l("Date of the villagers' meeting"), validators=[Optional()])
    meeting_members_expected = IntegerField(_l("Members expected"),
                                            validators=[Optional(), NumberRange(min=1, max=100_000)])
    meeting_attendance = _count(_l("Attendance"))
    meeting_votes_for = _count(_l("Votes for"))
    meeting_votes_against = _count(_l("Votes against"))

    SECTIONS = {
        "basics": (_l("The project"), ["title", "category", "description", "location", "start_on", "end_on",
                                        "contact_name", "contact_phone"]),
        "funding": (_l("Investment and funding plan"), ["total_investment", "requested", "funding_subsidy",
                                                         "funding_loan", "funding_self_raised", "funding_donation",
                                                         "funding_other", "loan_rate", "loan_term_months"]),
        "plan": (_l("Expected revenue and cost"), [f"year_{n}_{part}" for n in range(1, PLAN_YEARS + 1)
                                                   for part in ("revenue", "cost")]),
        "risks": (_l("Risks"), ["risks", "mitigation"]),
        "benefits": (_l("Benefits to farmers and performance targets"),
                     ["benefit_linkage", "target_output", "target_benefit", "target_satisfaction"]),
        "land_and_assets": (_l("Land, income and assets"),
                            ["land_use_compliance", "income_distribution", "asset_ownership"]),
        "meeting": (_l("Village meeting (四议两公开)"), ["meeting_on", "meeting_members_expected", "meeting_attendance",
                                                     "meeting_votes_for", "meeting_votes_against"]),
    }

    def validate(self, extra_validators=None) -> bool:
        """Every problem in one answer: the rules across fields run even when a field is wrong."""
        fields_valid = super().validate(extra_validators)
        try:
            refuse_inconsistent_application(self.to_input(), self.unreadable_columns())
        except DomainError as error:
            attach_to_form(self, error)
            return False
        return fields_valid

    def unreadable_columns(self) -> frozenset:
        return frozenset(column for column in COLUMNS if self[_field_name(column)].errors
                         or self[_field_name(column)].process_errors)

    def fill_from(self, project) -> None:
        """Show a saved project in the form (GET)."""
        for column in COLUMNS:
            self[_field_name(column)].data = getattr(project, column)
        for plan in project.year_plans:
            if plan.year_number <= PLAN_YEARS:
                getattr(self, f"year_{plan.year_number}_revenue").data = plan.revenue_fen
                getattr(self, f"year_{plan.year_number}_cost").data = plan.cost_fen

    def to_input(self) -> ApplicationInput:
        values = {}
        for column in COLUMNS:
            value = self[_field_name(column)].data
            values[column] = (value or 0) if column.endswith("_fen") else value
        values["year_plans"] = [
            (getattr(self, f"year_{n}_revenue").data or 0, getattr(self, f"year_{n}_cost").data or 0)
            for n in range(1, PLAN_YEARS + 1)
        ]
        return ApplicationInput(**values)


class TransitionForm(FlaskForm):
    comment = TextAreaField(_l("Comment or reasons"), validators=[Optional(), Length(max=5000)])


class ApprovalForm(TransitionForm):
    token = OneTimeTokenField()  # approval commits pool money: a second click commits nothing
    approved_amount = MoneyField(_l("Approved amount (yuan)"), validators=[Optional()])
    pool_id = SelectField(_l("Fund pool"), coerce=int, validators=[Optional()])


class CityFilingForm(TransitionForm):
    filed_on = DateField(_l("Filing date"), validators=[Optional()])
    filing_reference = StringField(_l("City's filing reference"), validators=[Optional(), Length(max=100)])


class AttachmentForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired()])
    kind = SelectField(_l("Kind"), choices=list(ATTACHMENT_KIND_LABELS.items()))
