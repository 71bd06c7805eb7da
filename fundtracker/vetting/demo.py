"""Demo panels: reviewers declare and score through the real services."""
from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..projects.models import Project
from . import services
from .models import Recommendation


def _reviewer(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def panel_demo_step(project: Project, plan: dict) -> None:
    """Hook.DEMO_STEP "panel": the projects' demo plan sends a project through the county panel."""
    approver = db.session.execute(select(User).where(User.username == "approver")).scalar_one()
    run_panel(project, approver, plan["sheets"], visit=plan.get("visit"))


def run_panel(project: Project, approver: User, sheets: dict, visit: dict | None = None) -> None:
    """sheets: reviewer username -> list of scores (submitted), "draft:<scores>" tuples, "recuse" or None (pending)."""
    for username, plan in sheets.items():
        reviewer = _reviewer(username)
        member = services.assign_reviewer(project, reviewer, approver)
        if plan is None:
            continue
        services.declare(member, recuse=plan == "recuse", reason="本人系该村村民，申请回避。" if plan == "recuse" else "",
                         actor=reviewer)
        if plan == "recuse":
            continue
        submit, scores = (False, plan[1]) if plan[0] == "draft" else (True, plan)
        criteria = services.vetting_for(project).criteria_set.criteria
        given = [score for score in scores if score is not None]
        total = sum(given) / len(given)
        recommendation = Recommendation.APPROVE if total >= 75 else (
            Recommendation.APPROVE_WITH_CONDITIONS if total >= 60 else Recommendation.REJECT)
        services.save_sheet(project, services.SheetInput(
            scores={c.id: score for c, score in zip(criteria, scores)},
            comments={criteria[0].id: "市场前景较好。", criteria[3].id: "需落实防疫和保险措施。"},
            recommendation=recommendation), submit=submit, actor=reviewer)
    if visit:  # recorded by the first member who declared no conflict (site visits are the panel's)
        visitor = next(_reviewer(name) for name, plan in sheets.items() if plan not in (None, "recuse"))
        services.record_site_visit(project, actor=visitor, **visit)
