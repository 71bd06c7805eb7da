"""The project library (项目库): filters, text search, sorting and counts by status, in SQL."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..geo.models import Village
from .loaders import scoped_projects
from .models import Project, ProjectStatus

SORTS = {
    "title": Project.title,
    "village": Village.name,
    "status": Project.status,
    "requested": Project.requested_fen,
    "approved": Project.approved_amount_fen,
    "created": Project.created_at,
}
DEFAULT_SORT = "-created"


@dataclass(frozen=True)
class LibraryFilter:
    status: str = ""
    township_id: int | None = None
    village_id: int | None = None
    category: str = ""
    year: int | None = None
    pool_id: int | None = None
    min_fen: int | None = None
    max_fen: int | None = None
    text: str = ""
    sort: str = DEFAULT_SORT


def _filtered(filters: LibraryFilter, with_status: bool = True) -> Select:
    stmt = scoped_projects().join(Village, Village.id == Project.village_id)
    if with_status and filters.status in set(ProjectStatus):
        stmt = stmt.where(Project.status == filters.status)
    if filters.township_id:
        stmt = stmt.where(Village.township_id == filters.township_id)
    if filters.village_id:
        stmt = stmt.where(Project.village_id == filters.village_id)
    if filters.category:
        stmt = stmt.where(Project.category == filters.category)
    if filters.year:
        stmt = stmt.where(Project.created_at >= datetime(filters.year, 1, 1),
                          Project.created_at < datetime(filters.year + 1, 1, 1))
    if filters.pool_id:
        stmt = stmt.where(Project.pool_id == filters.pool_id)
    if filters.min_fen is not None:
        stmt = stmt.where(Project.requested_fen >= filters.min_fen)
    if filters.max_fen is not None:
        stmt = stmt.where(Project.requested_fen <= filters.max_fen)
    if filters.text:
        like = f"%{filters.text.lower()}%"
        stmt = stmt.where(or_(func.lower(Project.title).like(like), func.lower(Project.description).like(like),
                              func.lower(Project.location).like(like), func.lower(Village.name).like(like)))
    return stmt


def library_select(filters: LibraryFilter) -> Select:
    column = SORTS.get(filters.sort.lstrip("-"), Project.created_at)
    order = column.desc() if filters.sort.startswith("-") else column.asc()
    return (_filtered(filters).options(selectinload(Project.pool))
            .order_by(order, Project.id.desc()))


def project_ids_select(filters: LibraryFilter, with_status: bool = True) -> Select:
    """SELECT of the ids of the projects in scope under these filters (for figures of other domains)."""
    return _filtered(filters, with_status).with_only_columns(Project.id)


def counts_by_status(filters: LibraryFilter) -> dict[str, int]:
    """How many projects per status under every filter but the status one (for the status tabs)."""
    ids = project_ids_select(filters, with_status=False).subquery()
    rows = db.session.execute(
        select(Project.status, func.count(Project.id)).where(Project.id.in_(select(ids.c.id))).group_by(Project.status)
    ).all()
    return {status: count for status, count in rows}
