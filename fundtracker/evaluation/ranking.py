"""Rankings by the year's published score, from high to low, with ties sharing a rank (competition
ranking: 1, 1, 3). A project counts with its latest published version of the year; a village's score is
the mean of its projects' scores (rounded half up to the centi-point). The rankings page, its export,
the village history and the dashboard's top and bottom five all come from published_scores()."""
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import and_, func, select

from ..auth.access import Scope
from ..extensions import db
from ..geo.models import Township, Village
from ..money import round_half_up
from ..projects.models import Project
from .models import ProjectEvaluation
from .settings import grade_for


@dataclass(frozen=True)
class RankedProject:
    rank: int
    project_id: int
    title: str
    village_id: int
    village_name: str
    township_name: str
    score_centi: int
    grade: str
    evaluation_id: int
    version: int


@dataclass(frozen=True)
class RankedVillage:
    rank: int
    village_id: int
    village_name: str
    township_name: str
    score_centi: int
    grade: str
    projects: int


def competition_ranks(scores: list[int]) -> list[int]:
    """Ranks of scores sorted from high to low: equal scores share a rank, the next rank skips (1, 1, 3)."""
    ranks = []
    for position, score in enumerate(scores):
        ranks.append(ranks[-1] if position and score == scores[position - 1] else position + 1)
    return ranks


def latest_published():
    """Subquery: (project_id, year, version) of each project-year's latest published version."""
    return (select(ProjectEvaluation.project_id, ProjectEvaluation.year,
                   func.max(ProjectEvaluation.version).label("version"))
            .where(ProjectEvaluation.published_at.is_not(None))
            .group_by(ProjectEvaluation.project_id, ProjectEvaluation.year).subquery())


def _published_rows(scope: Scope | None, **conditions):
    latest = latest_published()
    stmt = (select(ProjectEvaluation, Project.title, Village.id, Village.name, Township.name, ProjectEvaluation.year)
            .join(latest, and_(latest.c.project_id == ProjectEvaluation.project_id,
                               latest.c.year == ProjectEvaluation.year, latest.c.version == ProjectEvaluation.version))
            .join(Project, Project.id == ProjectEvaluation.project_id)
            .join(Village, Village.id == Project.village_id).join(Township, Township.id == Village.township_id))
    if scope is not None:
        stmt = stmt.where(scope.villages(Project.village_id))
    if conditions.get("year") is not None:
        stmt = stmt.where(ProjectEvaluation.year == conditions["year"])
    if conditions.get("township_id") is not None:
        stmt = stmt.where(Village.township_id == conditions["township_id"])
    if conditions.get("pool_id") is not None:
        stmt = stmt.where(Project.pool_id == conditions["pool_id"])
    if conditions.get("village_id") is not None:
        stmt = stmt.where(Project.village_id == conditions["village_id"])
    return db.session.execute(stmt.order_by(ProjectEvaluation.score_centi.desc(), Project.title, Project.id)).all()


def published_scores(year: int, *, township_id: int | None = None, pool_id: int | None = None,
                     scope: Scope | None = None) -> list[RankedProject]:
    """The year's published project scores, ranked from high to low: one query, whatever their number."""
    rows = _published_rows(scope, year=year, township_id=township_id, pool_id=pool_id)
    ranks = competition_ranks([evaluation.score_centi for evaluation, *_ in rows])
    return [RankedProject(rank, evaluation.project_id, title, village_id, village_name, township_name,
                          evaluation.score_centi, evaluation.grade, evaluation.id, evaluation.version)
            for rank, (evaluation, title, village_id, village_name, township_name, _) in zip(ranks, rows)]


def village_ranking(projects: list[RankedProject]) -> list[RankedVillage]:
    """Villages by the mean score of their ranked projects, from high to low (no further query)."""
    grouped: dict[int, list[RankedProject]] = {}
    for project in projects:
        grouped.setdefault(project.village_id, []).append(project)
    means = sorted(((round_half_up(Fraction(sum(p.score_centi for p in members), len(members))), members)
                    for members in grouped.values()), key=lambda item: (-item[0], item[1][0].village_name))
    ranks = competition_ranks([mean for mean, _ in means])
    return [RankedVillage(rank, members[0].village_id, members[0].village_name, members[0].township_name, mean,
                          grade_for(mean), len(members)) for rank, (mean, members) in zip(ranks, means)]


@dataclass(frozen=True)
class VillageYear:
    year: int
    score_centi: int
    grade: str
    projects: list  # [(title, score_centi, grade, version)]


def village_history(village_id: int, scope: Scope | None = None) -> list[VillageYear]:
    """A village's published results year by year (latest first): its mean score and its projects'."""
    by_year: dict[int, list] = {}
    for evaluation, title, *_, year in _published_rows(scope, village_id=village_id):
        by_year.setdefault(year, []).append((title, evaluation.score_centi, evaluation.grade, evaluation.version))
    history = []
    for year in sorted(by_year, reverse=True):
        mean = round_half_up(Fraction(sum(score for _, score, _, _ in by_year[year]), len(by_year[year])))
        history.append(VillageYear(year, mean, grade_for(mean), by_year[year]))
    return history


def top_and_bottom(ranked: list[RankedProject], count: int = 5) -> tuple[list[RankedProject], list[RankedProject]]:
    """The first `count` and the last `count` (those not already among the first), in rank order."""
    top = ranked[:count]
    bottom = [project for project in ranked[-count:] if project not in top]
    return top, bottom
