"""The county's view of red / yellow / green: every monitored project of a selection with its status (the
one function in status.py), the red and yellow ones, and the counts by colour and township. The warning
board and the county dashboard both read it, in a fixed number of queries."""
from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..projects.models import Project
from .services import MONITORED_STATUSES
from .status import SEVERITY, Colour, ProjectMonitoring, project_statuses


@dataclass(frozen=True)
class MonitoringBoard:
    rows: list  # (project, ProjectMonitoring), by project id

    @property
    def counts(self) -> Counter:
        return Counter(monitoring.colour for _, monitoring in self.rows)

    @property
    def flagged(self) -> list[tuple[Project, ProjectMonitoring]]:
        """The red projects, then the yellow ones."""
        return sorted(((project, monitoring) for project, monitoring in self.rows if monitoring.colour != Colour.GREEN),
                      key=lambda row: (-SEVERITY[row[1].colour], row[0].id))

    def counts_by_township(self) -> dict[int, Counter]:
        counts: dict[int, Counter] = {}
        for project, monitoring in self.rows:
            counts.setdefault(project.village.township_id, Counter())[monitoring.colour] += 1
        return counts


def monitoring_board(project_ids_select, today: date) -> MonitoringBoard:
    """The monitored projects among these ids with their status today."""
    projects = db.session.execute(
        select(Project).where(Project.id.in_(project_ids_select), Project.status.in_(MONITORED_STATUSES))
        .options(joinedload(Project.pool)).order_by(Project.id)).scalars().all()
    statuses = project_statuses(projects, today)
    return MonitoringBoard([(project, statuses[project.id]) for project in projects])
