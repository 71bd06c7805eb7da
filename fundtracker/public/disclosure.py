"""What the public pages show, and what they never show.

A project is public once it was published: it reached the county (passed by its township) and was
not sent back, or a notice of it was published. Drafts and applications returned or rejected before
they were ever published stay private; a private or unknown project is the same 404.

The project's notice content follows the national guideline for fund-project notices (项目名称,
实施地点, 建设内容及规模, 补助标准, 资金来源及规模, 实施期限, 实施单位及责任人, 绩效目标,
联农带农机制): each line is a NoticeField; a field the application does not have (yet) is skipped,
so a new application field is one line in NOTICE_FIELDS. The unit responsible is the village's
collective organisation and its township, never a person: the application's contact name and
phone are not shown; the county office's contact is.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select

from ..extensions import db
from ..geo.models import Township, Village
from ..money import format_fen
from ..pools.models import FundPool, LedgerEntry
from ..projects.models import FUNDING_SOURCES, Project, ProjectAttachment, ProjectDecision, ProjectStatus
from ..signals import Hook, handlers
from .models import Notice, NoticeObjection

S = ProjectStatus
# Statuses in which an application has reached the county and stays published.
PUBLISHED_STATUSES = (S.TOWN_PASSED, S.VETTING, S.APPROVED, S.IN_PROGRESS, S.ACCEPTED, S.OPERATING, S.CLOSED, S.EXITED)


def is_published():
    """SQL condition on Project: published (see the module's docstring)."""
    return or_(Project.status.in_(PUBLISHED_STATUSES), exists().where(Notice.project_id == Project.id))


def public_projects():
    return select(Project).where(is_published())


def public_project(project_id: int) -> Project | None:
    return db.session.execute(public_projects().where(Project.id == project_id)).scalar_one_or_none()


def search_projects(query: str):
    stmt = public_projects().join(Village, Village.id == Project.village_id).join(Township)
    if query:
        like = f"%{query}%"
        stmt = stmt.where(or_(Project.title.ilike(like), Village.name.ilike(like), Township.name.ilike(like)))
    return stmt.order_by(Project.id.desc())


def search_villages(query: str):
    stmt = select(Village).join(Township)
    if query:
        like = f"%{query}%"
        stmt = stmt.where(or_(Village.name.ilike(like), Township.name.ilike(like)))
    return stmt.order_by(Township.name, Village.name)


# --- the notice content of a project ------------------------------------------------------------

@dataclass(frozen=True)
class NoticeField:
    label: object
    value: Callable  # fn(project) -> text, or None/"" when the application has nothing to show


def _attribute(name: str) -> Callable:
    """A field the application may have (another change adds it): shown when present and filled."""
    return lambda project: getattr(project, name, None)


def _period(project: Project) -> str | None:
    if not (project.start_on or project.end_on):
        return None
    return " – ".join(format_date(day, "medium") if day else "…" for day in (project.start_on, project.end_on))


def _funding(project: Project) -> str:
    parts = [f"{label} {format_fen(getattr(project, column))}"
             for column, label in FUNDING_SOURCES.items() if getattr(project, column)]
    return _l("Total investment %(total)s", total=format_fen(project.total_investment_fen)) + (
        "（" + "；".join(str(part) for part in parts) + "）" if parts else "")


def _subsidy(project: Project) -> str:
    asked = _l("Asked from the fund: %(amount)s", amount=format_fen(project.requested_fen))
    if project.approved_amount_fen:
        return str(_l("Approved from the fund: %(amount)s", amount=format_fen(project.approved_amount_fen)))
    return str(asked)


def _unit(project: Project) -> str:
    return str(_l("%(village)s village collective economic organisation (supervised by %(township)s)",
                  village=project.village.name, township=project.village.township.name))


def _expected_yearly(project: Project) -> str | None:
    if not project.year_plans:
        return None
    return str(_l("Expected yearly net income %(net)s", net=format_fen(project.expected_yearly_net_fen)))


NOTICE_FIELDS = (
    NoticeField(_l("Project name"), lambda project: project.title),
    NoticeField(_l("Place of implementation"), lambda project: project.location or str(project.village)),
    NoticeField(_l("Content and scale of construction"), lambda project: project.description),
    NoticeField(_l("Subsidy standard"), _subsidy),
    NoticeField(_l("Sources and scale of funds"), _funding),
    NoticeField(_l("Implementation period"), _period),
    NoticeField(_l("Implementing unit and party responsible"), _unit),
    NoticeField(_l("Performance targets"), lambda project: _attribute("performance_targets")(project)
                or _expected_yearly(project)),
    NoticeField(_l("Mechanism linking farmers"), _attribute("farmer_linkage")),
)


def notice_content(project: Project) -> list[tuple[object, str]]:
    rows = []
    for field in NOTICE_FIELDS:
        value = field.value(project)
        if value not in (None, ""):
            rows.append((field.label, value))
    return rows


def county_decision(project: Project) -> ProjectDecision | None:
    """The county's last decision (outcome, date, amount); its reasons and who took it stay internal."""
    return db.session.execute(select(ProjectDecision).where(ProjectDecision.project_id == project.id)
                              .order_by(ProjectDecision.id.desc()).limit(1)).scalars().first()


def public_attachments(project: Project) -> list[ProjectAttachment]:
    return db.session.execute(select(ProjectAttachment).where(
        ProjectAttachment.project_id == project.id, ProjectAttachment.public.is_(True))
        .order_by(ProjectAttachment.id)).scalars().all()


@dataclass(frozen=True)
class Fingerprint:
    pool: FundPool
    covers_on: date | None  # the value date of the last entry the fingerprint covers


def pool_fingerprint(pool_id: int | None) -> Fingerprint | None:
    if pool_id is None:
        return None
    pool = db.session.get(FundPool, pool_id)
    covers_on = db.session.execute(select(LedgerEntry.value_date).where(
        LedgerEntry.pool_id == pool.id, LedgerEntry.sequence == pool.last_sequence)).scalar_one_or_none()
    return Fingerprint(pool, covers_on)


def sections(hook: Hook, subject) -> list:
    """The sections other domains add to a public page, sorted by position (then as connected)."""
    found = [section for handler in handlers(hook) if (section := handler(subject)) is not None]
    return sorted(found, key=lambda section: section.position)


# --- notices ------------------------------------------------------------------------------------

def notices_of(**where) -> list[Notice]:
    return db.session.execute(select(Notice).filter_by(**where)
                              .order_by(Notice.starts_on.desc(), Notice.id.desc())).scalars().all()


def village_notices(village: Village) -> list[Notice]:
    """The village's notices: its own, and those of its published projects."""
    stmt = (select(Notice).where(Notice.village_id == village.id)
            .where(or_(Notice.project_id.is_(None), Notice.project_id.in_(
                select(Project.id).where(is_published())))).order_by(Notice.starts_on.desc(), Notice.id.desc()))
    return db.session.execute(stmt).scalars().all()


def objection_counts(notice_ids) -> dict[int, tuple[int, int]]:
    """notice id -> (objections, answered) in one query."""
    rows = db.session.execute(select(NoticeObjection.notice_id, func.count(NoticeObjection.id),
                                     func.count(NoticeObjection.answer))
                              .where(NoticeObjection.notice_id.in_(list(notice_ids)))
                              .group_by(NoticeObjection.notice_id)).all()
    return {notice_id: (total, answered) for notice_id, total, answered in rows}


def answered_objections(notice: Notice) -> list[NoticeObjection]:
    """The objections a public page shows: those the county has answered, each with its answer. Until
    the answer an objection's text stays internal (people write names and accusations in it); the page
    shows only how many wait (objection_counts)."""
    return db.session.execute(select(NoticeObjection).where(
        NoticeObjection.notice_id == notice.id, NoticeObjection.answer.is_not(None))
        .order_by(NoticeObjection.id)).scalars().all()


def village_projects(village: Village) -> list[Project]:
    return db.session.execute(public_projects().where(Project.village_id == village.id)
                              .order_by(Project.id)).scalars().all()

