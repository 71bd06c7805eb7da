"""The application ("one project, one plan"): saving drafts and the rules a submission must meet."""
from dataclasses import dataclass, field, fields
from datetime import date

from flask_babel import lazy_gettext as _l

from ..audit.services import record_audit
from ..clock import refuse_future_date, refuse_implausible_plan_date
from ..errors import DomainError, refuse_all
from ..extensions import db
from ..meetings import attendance_problem, decision_problem
from ..money import format_fen
from .loaders import acts_as_village
from .models import FUNDING_SOURCES, Project, ProjectCategory, ProjectStatus, ProjectYearPlan

PLAN_YEARS = 3
EDITABLE_STATUSES = frozenset({ProjectStatus.DRAFT, ProjectStatus.RETURNED})


@dataclass
class ApplicationInput:
    title: str
    category: str = ProjectCategory.OTHER
    description: str = ""
    location: str = ""
    start_on: date | None = None
    end_on: date | None = None
    total_investment_fen: int = 0
    requested_fen: int = 0
    funding_subsidy_fen: int = 0
    funding_loan_fen: int = 0
    funding_self_raised_fen: int = 0
    funding_donation_fen: int = 0
    funding_other_fen: int = 0
    loan_rate_bp: int | None = None
    loan_term_months: int | None = None
    risks: str = ""
    mitigation: str = ""
    benefit_linkage: str = ""
    target_output: str = ""
    target_benefit: str = ""
    target_satisfaction: str = ""
    land_use_compliance: str = ""
    income_distribution: str = ""
    asset_ownership: str = ""
    meeting_on: date | None = None
    meeting_members_expected: int | None = None
    meeting_attendance: int | None = None
    meeting_votes_for: int | None = None
    meeting_votes_against: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    year_plans: list[tuple[int, int]] = field(default_factory=list)  # (revenue_fen, cost_fen) for years 1, 2, …


COLUMNS = [f.name for f in fields(ApplicationInput) if f.name != "year_plans"]

# The sections of county application forms beyond the plan and its risks, in the form's order: column -> label.
COUNTY_FORM_FIELDS = {
    "benefit_linkage": _l("Benefits to farmers (benefit-linkage mechanism)"),
    "target_output": _l("Performance target: output"),
    "target_benefit": _l("Performance target: benefits"),
    "target_satisfaction": _l("Performance target: satisfaction"),
    "land_use_compliance": _l("Land-use compliance"),
    "income_distribution": _l("Planned distribution of income"),
    "asset_ownership": _l("Ownership of the assets"),
}


def _refuse_implausible_plan_dates(data) -> None:
    refuse_all(lambda column=column: refuse_implausible_plan_date(getattr(data, column), column)
               for column in ("start_on", "end_on") if getattr(data, column))


def _refuse_end_before_start(data) -> None:
    if data.start_on and data.end_on and data.end_on < data.start_on:
        raise DomainError(_l("The end date is before the start date."), field="end_on")


def _refuse_request_above_total(data) -> None:
    if data.requested_fen and data.requested_fen > data.total_investment_fen:
        raise DomainError(_l("The amount asked from the pool (%(requested)s) is above the total investment (%(total)s).",
                             requested=format_fen(data.requested_fen), total=format_fen(data.total_investment_fen)),
                          field="requested")


def _refuse_more_votes_than_attendance(data) -> None:
    attendance, votes = data.meeting_attendance, (data.meeting_votes_for or 0) + (data.meeting_votes_against or 0)
    if attendance is not None and votes > attendance:
        raise DomainError(_l("More votes (%(votes)d) than people attending (%(attendance)d).",
                          votes=votes, attendance=attendance), field="meeting_votes_for")


def _refuse_attendance_above_expected(data) -> None:
    expected, attendance = data.meeting_members_expected, data.meeting_attendance
    if expected is not None and expected < 1:
        raise DomainError(_l("A meeting has at least one member."), field="meeting_members_expected")
    if expected is not None and attendance is not None and attendance > expected:
        raise DomainError(attendance_problem(expected, attendance), field="meeting_attendance")


def _refuse_future_meeting(data) -> None:
    if data.meeting_on:
        refuse_future_date(data.meeting_on, "meeting_on")


# Each rule across fields, with the columns it reads: a rule is skipped while one of them could not be read
# (an unreadable total is not ¥0.00), so that the form shows every other problem in the same answer.
CONSISTENCY_RULES = (
    (("start_on", "end_on"), _refuse_implausible_plan_dates),
    (("start_on", "end_on"), _refuse_end_before_start),
    (("requested_fen", "total_investment_fen"), _refuse_request_above_total),
    (("meeting_attendance", "meeting_votes_for", "meeting_votes_against"), _refuse_more_votes_than_attendance),
    (("meeting_members_expected", "meeting_attendance"), _refuse_attendance_above_expected),
    (("meeting_on",), _refuse_future_meeting),
)


def refuse_inconsistent_application(data, unreadable: frozenset = frozenset()) -> None:
    """Rules that hold for a draft as well as a submission (data: an ApplicationInput or a Project), all
    problems at once. unreadable: columns whose input could not be read (their rules wait)."""
    refuse_all(lambda rule=rule: rule(data) for columns, rule in CONSISTENCY_RULES
               if unreadable.isdisjoint(columns))


def funding_gap_fen(data) -> int:
    """Total investment minus the funding plan: 0 when the plan adds up."""
    return data.total_investment_fen - sum(getattr(data, column) or 0 for column in FUNDING_SOURCES)


REQUIRED_TEXT = {
    "description": _l("Describe the project."),
    "location": _l("Give the location."),
    "risks": _l("Name the main risks."),
    "mitigation": _l("Say how the risks are mitigated."),
    "benefit_linkage": _l("Say how farmers take part in the project and share its benefits."),
    "target_output": _l("Give the output targets."),
    "target_benefit": _l("Give the benefit targets."),
    "target_satisfaction": _l("Give the satisfaction target."),
    "land_use_compliance": _l("Explain the land use and its approvals, or say that no land is used."),
    "income_distribution": _l("Say how the project's income is to be distributed."),
    "asset_ownership": _l("Say who will own the assets the project creates."),
    "contact_name": _l("Name a contact person."),
    "contact_phone": _l("Give the contact's phone number."),
}


def refuse_incomplete_application(project: Project) -> None:
    """What a submission needs beyond a consistent draft: every problem in one answer."""
    refuse_all([lambda: refuse_inconsistent_application(project),
                *(lambda column=column, message=message: _refuse_blank(project, column, message)
                  for column, message in REQUIRED_TEXT.items()),
                lambda: _refuse_without_dates(project), lambda: _refuse_funding_plan_gaps(project),
                lambda: _refuse_without_revenue(project), lambda: _refuse_without_meeting_quorum(project)])


def _refuse_blank(project: Project, column: str, message) -> None:
    if not (getattr(project, column) or "").strip():
        raise DomainError(message, field=column)


def _refuse_without_dates(project: Project) -> None:
    if not project.start_on or not project.end_on:
        raise DomainError(_l("Give the start and end dates."), field="start_on")


def _refuse_funding_plan_gaps(project: Project) -> None:
    if project.total_investment_fen <= 0 or project.requested_fen <= 0:
        raise DomainError(_l("Give the total investment and the amount asked from the pool."), field="total_investment")
    if funding_gap_fen(project):
        raise DomainError(_l("The funding plan adds up to %(plan)s, not the total investment %(total)s.",
                             plan=format_fen(project.funding_plan_total_fen),
                             total=format_fen(project.total_investment_fen)), field="funding_subsidy")
    if project.funding_loan_fen and (project.loan_rate_bp is None or not project.loan_term_months):
        raise DomainError(_l("A bank loan in the plan needs its rate and term."), field="loan_rate")


def _refuse_without_revenue(project: Project) -> None:
    if not any(plan.revenue_fen for plan in project.year_plans):
        raise DomainError(_l("Give the expected revenue and cost of the first years."), field="year_1_revenue")


def _refuse_without_meeting_quorum(project: Project) -> None:
    """四议两公开: the villagers' (representatives') meeting decided it with its quorum — two thirds of its
    members present, a majority of those present for it (村民委员会组织法 第二十六条)."""
    recorded = {"meeting_on": project.meeting_on, "meeting_members_expected": project.meeting_members_expected,
                "meeting_attendance": project.meeting_attendance}
    missing = [column for column, value in recorded.items() if not value]
    if missing:
        raise DomainError(_l("Record the villagers' meeting that decided the project (date, members expected and "
                             "attendance)."), field=missing[0])
    problem = attendance_problem(project.meeting_members_expected, project.meeting_attendance)
    if problem:
        raise DomainError(problem, field="meeting_attendance")
    votes_for, votes_against = project.meeting_votes_for or 0, project.meeting_votes_against or 0
    problem = decision_problem(project.meeting_attendance, votes_for, votes_for + votes_against)
    if problem:
        raise DomainError(problem, field="meeting_votes_for")


def application_snapshot(project: Project) -> dict:
    snapshot = {column: getattr(project, column) for column in COLUMNS}
    snapshot["year_plans"] = [[plan.revenue_fen, plan.cost_fen] for plan in project.year_plans]
    return {key: value.isoformat() if isinstance(value, date) else value for key, value in snapshot.items()}


def save_application(project: Project | None, data: ApplicationInput, *, village_id: int, actor) -> Project:
    """Create a draft (project=None) or change a draft or a returned application."""
    if project is not None and project.status not in EDITABLE_STATUSES:
        raise DomainError(_l("The application can only be changed as a draft or after it was returned."))
    if project is not None and not acts_as_village(actor, project):
        raise DomainError(_l("Only the village collective of the project's own village can change its application."))
    refuse_inconsistent_application(data)
    before = application_snapshot(project) if project else None
    if project is None:
        project = Project(village_id=village_id, created_by_id=actor.id, status=ProjectStatus.DRAFT)
        db.session.add(project)
    for column in COLUMNS:
        setattr(project, column, getattr(data, column))
    project.last_edited_by_id = actor.id
    _replace_year_plans(project, data.year_plans)
    db.session.flush()
    record_audit("project.save", "project", project.id, summary=project.title, before=before,
                 after=application_snapshot(project), actor=actor)
    return project


def _replace_year_plans(project: Project, year_plans) -> None:
    wanted = {number: plan for number, plan in enumerate(year_plans, start=1) if any(plan)}
    for plan in list(project.year_plans):
        if plan.year_number not in wanted:
            project.year_plans.remove(plan)
    existing = {plan.year_number: plan for plan in project.year_plans}
    for number, (revenue, cost) in wanted.items():
        plan = existing.get(number) or ProjectYearPlan(year_number=number)
        plan.revenue_fen, plan.cost_fen = revenue, cost
        if number not in existing:
            project.year_plans.append(plan)
