"""What acceptance adds to the warning board (Hook.MONITORING_CAUSES): a project accepted more than
ASSET_REGISTRATION_DAYS ago whose assets are still not registered is yellow."""
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..monitoring.status import Cause, Colour
from ..projects.models import ProjectStatus
from .models import Acceptance


def unregistered_asset_causes(projects, today: date) -> dict[int, list[Cause]]:
    """One query for the page's accepted projects (none when the page has none)."""
    accepted = [project.id for project in projects if project.status == ProjectStatus.ACCEPTED]
    if not accepted:
        return {}
    days = current_app.config["ASSET_REGISTRATION_DAYS"]
    rows = db.session.execute(select(Acceptance.project_id, Acceptance.accepted_on).where(
        Acceptance.project_id.in_(accepted), Acceptance.accepted_on < today - timedelta(days=days))).all()
    return {project_id: [Cause(Colour.YELLOW, _l(
        "Accepted on %(date)s, and its assets are still not registered after %(days)d days.",
        date=accepted_on.isoformat(), days=days))] for project_id, accepted_on in rows}
