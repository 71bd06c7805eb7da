"""The county's view of red / yellow / green, read from the stored colours (stored.py): counts by colour
and by township in one grouped query each, and the red and yellow projects as a query the board pages.
The warning board and the county dashboard both read it (one source of truth), in a fixed number of
queries whatever the number of projects."""
from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..geo.models import Village
from ..projects.loaders import of_joined_projects, of_projects
from ..projects.models import Project
from .models import StoredMonitoringStatus
from .status import SEVERITY, Colour


def _in_scope(project_ids_select):
    return of_projects(StoredMonitoringStatus.project_id, project_ids_select)


def colour_counts(project_ids_select) -> Counter:
    """{colour: count} of the monitored projects among these ids: one grouped query."""
    rows = db.session.execute(select(StoredMonitoringStatus.colour, func.count()).where(
        _in_scope(project_ids_select)).group_by(StoredMonitoringStatus.colour)).all()
    return Counter({Colour(colour): count for colour, count in rows})


def counts_by_township(project_ids_select) -> dict[int, Counter]:
    """{township id: {colour: count}}: one grouped query."""
    rows = db.session.execute(
        select(Village.township_id, StoredMonitoringStatus.colour, func.count())
        .join(Project, Project.id == StoredMonitoringStatus.project_id).join(Village, Village.id == Project.village_id)
        .where(of_joined_projects(StoredMonitoringStatus.project_id, project_ids_select))
        .group_by(Village.township_id, StoredMonitoringStatus.colour)).all()
    counts: dict[int, Counter] = {}
    for township_id, colour, count in rows:
        counts.setdefault(township_id, Counter())[Colour(colour)] = count
    return counts


def flagged_colours(colour: str | None = None) -> list[Colour]:
    """The colours the board lists: the one asked for (?colour=red, yellow or green), else red and yellow."""
    return [Colour(colour)] if colour in SEVERITY else [Colour.RED, Colour.YELLOW]


def flagged_total(counts: Counter, colour: str | None = None) -> int:
    """How many projects flagged_query lists, from the counts by colour."""
    return sum(counts[c] for c in flagged_colours(colour))


def flagged_query(project_ids_select, colour: str | None = None):
    """The stored rows (with their project, village, township and pool) of the red projects, then the yellow
    ones (or one colour's), by project id: for paging or streaming."""
    colours = flagged_colours(colour)
    project = joinedload(StoredMonitoringStatus.project)
    return (select(StoredMonitoringStatus)
            .where(_in_scope(project_ids_select), StoredMonitoringStatus.colour.in_([str(c) for c in colours]))
            .options(project.joinedload(Project.village).joinedload(Village.township),
                     project.joinedload(Project.pool))
            # 'red' sorts before 'yellow': red first walks the (colour, project) index, no sort of every row
            .order_by(StoredMonitoringStatus.colour, StoredMonitoringStatus.project_id))
