"""Demo monitoring, through the services: two more approved projects, indicators and readings that
put the demo projects in each colour, and a confirmed warning past its rectification deadline."""
from datetime import date

from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..pools.models import FundPool
from ..projects.applications import ApplicationInput, save_application
from ..projects.demo import COUNTY_FORM_TEXT, FULL_PANEL, SITE_VISIT
from ..projects.models import Project
from ..projects.workflow import Action, TransitionInput, apply_transition
from ..signals import Hook, handlers
from . import services
from .models import Reporter, ReportingInterval
from .warnings import WarningAction, WarningInput, apply_warning_action

WAN = 10_000 * 100
HUNDRED = 100  # value_centi of one unit

EXTRA_PROJECTS = [
    # (village user, title, category, total 万元, requested 万元, years [(revenue, cost)] in 万元)
    ("village3", "船寮村溪畔民宿提升项目", "rural_tourism", 160, 80, [(60, 32), (70, 36), (75, 38)]),
    ("village4", "赤岩村杨梅冷链仓储项目", "processing", 120, 60, [(45, 25), (50, 27), (52, 28)]),
]

# project title -> [(indicator name, unit, minimum, maximum, interval, [(date, value, note)])]
PLANS = {
    "高市村牧场扩建项目": [
        ("最低存栏数", "头", 300, None, ReportingInterval.MONTHLY,
         [(date(2026, 7, 31), 320, "存栏正常"), (date(2026, 8, 31), 310, "出栏 20 头"),
          (date(2026, 9, 30), 280, "出栏后未及时补栏")]),
        ("流动资金", "元", 500_000, None, ReportingInterval.QUARTERLY, [(date(2026, 9, 30), 800_000, "")]),
    ],
    "船寮村溪畔民宿提升项目": [
        ("入住率", "%", 40, None, ReportingInterval.MONTHLY,
         [(date(2026, 9, 30), 58, "国庆前预订良好"), (date(2026, 10, 31), 65, "")]),
    ],
    "赤岩村杨梅冷链仓储项目": [
        ("流动资金", "元", 200_000, None, ReportingInterval.QUARTERLY, [(date(2026, 9, 30), 210_000, "电费支出较大")]),
    ],
}


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _approve_extra_project(author: User, title, category, total_wan, requested_wan, years, pool) -> None:
    application = ApplicationInput(
        title=title, category=category, description="县级示范项目。", location=title[:3], start_on=date(2026, 3, 1),
        end_on=date(2027, 2, 28), total_investment_fen=total_wan * WAN, requested_fen=requested_wan * WAN,
        funding_subsidy_fen=requested_wan * WAN, funding_self_raised_fen=(total_wan - requested_wan) * WAN,
        risks="市场波动。", mitigation="订单经营。", meeting_on=date(2026, 1, 18), meeting_members_expected=58,
        meeting_attendance=45, meeting_votes_for=41, meeting_votes_against=2, **COUNTY_FORM_TEXT, contact_name="王建国", contact_phone="0578-6512345",
        year_plans=[(revenue * WAN, cost * WAN) for revenue, cost in years])
    project = save_application(None, application, village_id=author.village_id, actor=author)
    town, approver = _user("town"), _user("approver")
    apply_transition(project, Action.SUBMIT, author)
    apply_transition(project, Action.TOWN_PASS, town, TransitionInput(comment="材料齐全，同意上报。"))
    apply_transition(project, Action.START_VETTING, approver, TransitionInput(comment="提交县级联审小组评审。"))
    for step in handlers(Hook.DEMO_STEP, "panel"):
        step(project, {"sheets": FULL_PANEL, "visit": SITE_VISIT})
    apply_transition(project, Action.APPROVE, approver, TransitionInput(
        comment="联审通过，同意立项。", approved_amount_fen=project.requested_fen, pool_id=pool.id))


def seed_monitoring(scale: int) -> None:
    pool = db.session.execute(select(FundPool).where(FundPool.year == 2026).order_by(FundPool.id)).scalars().first()
    for username, *project in EXTRA_PROJECTS:
        _approve_extra_project(_user(username), *project, pool=pool)
    approver = _user("approver")
    projects = {p.title: p for p in db.session.execute(select(Project).where(Project.title.in_(PLANS))).scalars()}
    for title, indicators in PLANS.items():
        project = projects[title]
        reporter = db.session.get(User, project.created_by_id)
        for name, unit, minimum, maximum, interval, readings in indicators:
            indicator = services.add_indicator(project, services.IndicatorInput(
                name=name, unit=unit, minimum_centi=minimum * HUNDRED if minimum is not None else None,
                maximum_centi=maximum * HUNDRED if maximum is not None else None, reporting_interval=interval,
                reporter=Reporter.VILLAGE, monitored_from=date(2026, 6, 30)), actor=approver)
            for read_on, value, note in readings:
                services.record_reading(project, indicator, value_centi=value * HUNDRED, read_on=read_on, note=note,
                                        actor=reporter)
    warning = services.open_warning(projects["高市村牧场扩建项目"])
    apply_warning_action(warning, WarningAction.CONFIRM, approver, WarningInput(
        comment="经核实，存栏低于方案下限。", rectify_by=date(2026, 10, 31),
        required_changes="10 月底前补栏至 300 头以上，并报送补栏凭证。"))
