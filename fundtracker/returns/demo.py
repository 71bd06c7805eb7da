"""Demo returns, through the services: three years of the pasture's returns, a distribution paid out
and one published with an objection answered."""
from datetime import date

from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..projects.models import Project
from . import services
from .distribution import PlanAction, PlanStep, apply_plan_action, record_objection

WAN = 10_000 * 100

# year -> (revenue, cost) in 万元
YEARS = {2023: (150, 95), 2024: (190, 105), 2025: (210, 110)}
# year -> parts in yuan and the households, and its steps
PLANS = {
    2024: (services.PlanInput(collective_fen=255_000_00, dividends_fen=340_000_00, households=312,
                              reinvestment_fen=100_000_00, risk_reserve_fen=85_000_00, loan_service_fen=70_000_00),
           date(2025, 1, 20), date(2025, 1, 22), date(2025, 2, 10)),
    2025: (services.PlanInput(collective_fen=300_000_00, dividends_fen=400_000_00, households=315,
                              reinvestment_fen=150_000_00, risk_reserve_fen=100_000_00, loan_service_fen=50_000_00),
           date(2026, 1, 18), date(2026, 1, 20), None),
}


def seed_returns(scale: int) -> None:
    village = db.session.execute(select(User).where(User.username == "village")).scalar_one()
    project = db.session.execute(select(Project).where(Project.title == "高市村牧场扩建项目")).scalar_one()
    records = {}
    for year, (revenue, cost) in YEARS.items():
        records[year] = services.record_return(project, services.ReturnInput(
            period_kind="year", period_start=date(year, 1, 1), revenue_fen=revenue * WAN, cost_fen=cost * WAN,
            note="经村务监督委员会核对的年度收支。"), actor=village)
    for year, (parts, meeting_on, notice_on, paid_on) in PLANS.items():
        plan = services.draft_plan(project, records[year], parts, actor=village)
        apply_plan_action(plan, PlanAction.ADOPT, village, PlanStep(
            meeting_on=meeting_on, attendance_expected=45, attendance_present=38, votes_for=35, votes_against=1,
            votes_abstain=2, comment="股东代表大会表决通过。"))
        apply_plan_action(plan, PlanAction.PUBLISH, village, PlanStep(notice_starts_on=notice_on,
                                                                      comment="在村务公开栏公示。"))
        if paid_on:
            apply_plan_action(plan, PlanAction.PAY_OUT, village, PlanStep(paid_on=paid_on,
                                                                          payment_reference="农商银行代发 2025-021"))
        else:
            record_objection(plan, raised_on=date(2026, 1, 22), objection="外出务工户分红是否照发？",
                             answer="按股份经济合作社章程，在册成员户均照发。", actor=village)
