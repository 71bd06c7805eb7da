"""What the evaluation gives the public project page and the county dashboard (Hook.PUBLIC_PROJECT_SECTION,
Hook.DASHBOARD_SECTION). Neither names a person."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..clock import local_today
from ..extensions import db
from ..signals import Section
from .models import ProjectEvaluation
from .ranking import published_scores, top_and_bottom


def public_project_section(project) -> Section | None:
    """The project's latest published result: the latest year, its latest published version."""
    evaluation = db.session.execute(
        select(ProjectEvaluation).where(ProjectEvaluation.project_id == project.id,
                                        ProjectEvaluation.published_at.is_not(None))
        .order_by(ProjectEvaluation.year.desc(), ProjectEvaluation.version.desc()).limit(1)).scalar_one_or_none()
    if evaluation is None:
        return None
    return Section(_l("Performance evaluation"), "evaluation/_public.html",
                   {"year": evaluation.year, "version": evaluation.version, "score_centi": evaluation.score_centi,
                    "grade": evaluation.grade, "published_on": evaluation.published_at.date()}, position=80)


def _filter(filters, name):
    """A filter's attribute; None when absent or not a whole number."""
    value = getattr(filters, name, None)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def dashboard_section(filters) -> Section:
    """The top five and bottom five projects by the year's published score. filters: the dashboard's, with
    year (default: this year), township_id and pool_id (each optional, whole numbers or None)."""
    year = _filter(filters, "year") or local_today().year
    ranked = published_scores(year, township_id=_filter(filters, "township_id"), pool_id=_filter(filters, "pool_id"))
    top, bottom = top_and_bottom(ranked)
    return Section(_l("Performance evaluation"), "evaluation/_dashboard.html",
                   {"year": year, "top": top, "bottom": bottom, "ranked_count": len(ranked)}, position=80)
