"""The stored colours: each monitored project's colour and causes as status.project_statuses() computes
them (the one function), kept in project_monitoring_status so the warning board and the dashboard read
and count them with indexed queries instead of computing every project per request.

When they are recomputed:
- on every write that changes an input: a reading or an indicator (services.py), a transition of a
  project, a payment or a warning (Hook.TRANSITION_EFFECT, connected in __init__.py), an acceptance
  (connected by the acceptance domain to recompute_after_transition);
- for the causes that come with time alone (a reading falling due, a tranche slipping, a loan instalment
  falling overdue, assets still unregistered 90 days after acceptance) and the writes no hook reaches (a
  tranche plan's dates, a loan repayment): `flask refresh-monitoring`, run daily by cron, and after
  `flask seed-demo` / `flask db upgrade` on a fresh machine (see README "Speed").
"""
import json
from datetime import date

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, select

from ..clock import local_today
from ..database import utcnow
from ..extensions import db
from ..projects.models import Project
from .models import StoredMonitoringStatus
from .services import MONITORED_STATUSES
from .status import ProjectMonitoring, project_statuses

CHUNK = 500


def rendered_causes(statuses: dict[int, ProjectMonitoring]) -> dict[int, str]:
    """Each project's causes as sentences in every language of the application, {"zh": […], "en": […]}
    as JSON (one switch of language per chunk: switching reloads the catalogue)."""
    sentences: dict[int, dict] = {project_id: {} for project_id in statuses}
    for locale in current_app.config["LANGUAGES"]:
        with force_locale(locale):
            for project_id, monitoring in statuses.items():
                sentences[project_id][locale] = [f"{cause.colour}:{cause}" for cause in monitoring.causes]
    return {project_id: json.dumps(text, ensure_ascii=False) for project_id, text in sentences.items()}


def stored_causes(row: StoredMonitoringStatus, locale) -> list[tuple[str, str]]:
    """[(colour, sentence)] of a stored row in this language (the default one if it is missing)."""
    sentences = json.loads(row.causes or "{}")
    chosen = sentences.get(str(locale)) or sentences.get(current_app.config["BABEL_DEFAULT_LOCALE"], [])
    return [tuple(sentence.split(":", 1)) for sentence in chosen]


def recompute_projects(project_ids, today: date | None = None) -> int:
    """Store today's colour of these projects (monitored ones; the others lose their row) in a fixed number
    of queries per CHUNK projects. Returns how many stored colours changed."""
    today = today or local_today()
    project_ids = sorted(set(project_ids))
    changed = 0
    for start in range(0, len(project_ids), CHUNK):
        changed += _recompute_chunk(project_ids[start:start + CHUNK], today)
    return changed


def _recompute_chunk(project_ids: list[int], today: date) -> int:
    projects = db.session.execute(select(Project).where(Project.id.in_(project_ids),
                                                        Project.status.in_(MONITORED_STATUSES))).scalars().all()
    monitored = {project.id for project in projects}
    stored = {row.project_id: row for row in db.session.execute(select(StoredMonitoringStatus).where(
        StoredMonitoringStatus.project_id.in_(project_ids))).scalars()}
    gone = [project_id for project_id in stored if project_id not in monitored]
    if gone:
        db.session.execute(delete(StoredMonitoringStatus).where(StoredMonitoringStatus.project_id.in_(gone)))
    changed = len(gone)
    statuses = project_statuses(projects, today)
    causes = rendered_causes(statuses)
    for project_id, monitoring in statuses.items():
        row = stored.get(project_id)
        if row is None:
            row = StoredMonitoringStatus(project_id=project_id)
            db.session.add(row)
        changed += row.colour != monitoring.colour
        row.colour, row.causes = str(monitoring.colour), causes[project_id]
        row.computed_on, row.computed_at = today, utcnow()
    db.session.flush()
    return changed


def recompute_project(project) -> None:
    recompute_projects([project.id])


def recompute_after_transition(obj, action, actor, data) -> None:
    """Hook.TRANSITION_EFFECT of any machine whose object is a project or belongs to one."""
    recompute_projects([obj.id if isinstance(obj, Project) else obj.project_id])


def refresh_all(today: date | None = None) -> int:
    """Every project that is or was monitored (`flask refresh-monitoring`)."""
    ids = db.session.execute(select(Project.id).where(Project.status.in_(MONITORED_STATUSES))
                             .union(select(StoredMonitoringStatus.project_id))).scalars().all()
    return recompute_projects(ids, today)


def stale_colours(today: date | None = None) -> list[str]:
    """`flask refresh-monitoring --check`: every stored colour equals the one computed now (and every
    monitored project has one), chunk by chunk. Not a ledger check: colours that time alone changes are
    stale until the day's refresh, which is no violation of the money's integrity."""
    today = today or local_today()
    violations = []
    ids = db.session.execute(select(Project.id).where(Project.status.in_(MONITORED_STATUSES))
                             .order_by(Project.id)).scalars().all()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        projects = db.session.execute(select(Project).where(Project.id.in_(chunk))).scalars().all()
        stored = dict(db.session.execute(select(StoredMonitoringStatus.project_id, StoredMonitoringStatus.colour)
                                         .where(StoredMonitoringStatus.project_id.in_(chunk))).all())
        for project_id, monitoring in project_statuses(projects, today).items():
            if stored.get(project_id) != monitoring.colour:
                violations.append(f"project {project_id}: stored colour {stored.get(project_id)}, "
                                  f"computed {monitoring.colour} (run `flask refresh-monitoring`)")
    orphans = db.session.execute(select(StoredMonitoringStatus.project_id).join(Project).where(
        Project.status.not_in(MONITORED_STATUSES))).scalars().all()
    violations += [f"project {project_id}: a stored colour but not monitored" for project_id in orphans]
    return violations
