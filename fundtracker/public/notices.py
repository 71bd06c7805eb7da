"""Notices (公示) and objections (异议): creating a notice (by the township or the county, and
automatically when a project passes the township, is approved, or a distribution plan is published),
filing an objection (anyone, rate-limited per client address in the database), the county's answer,
and the guard that can hold the next step until a notice has ended with every objection answered."""
import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, text

from ..audit.services import record_audit
from ..auth.access import acting_roles
from ..auth.roles import Role
from ..clock import local_today as today
from ..database import is_sqlite, utcnow
from ..errors import DomainError, RefusedAndRecorded
from ..extensions import db
from ..money import format_fen
from ..projects.models import Project, ProjectStatus
from .models import CONTACT_MAX_LENGTH, OBJECTION_MAX_LENGTH, Notice, NoticeKind, NoticeObjection, ObjectionAttempt
from .settings import setting

NOTICE_CREATORS = frozenset({Role.TOWN, Role.APPROVER})
ANSWERERS = frozenset({Role.APPROVER, Role.ADMIN})


@dataclass(frozen=True)
class NoticeInput:
    kind: str
    starts_on: date | None
    period_days: int | None
    text: str


def may_create_notice(user, village) -> bool:
    """The township of the village, or the county's approver."""
    return bool(acting_roles(user, village) & NOTICE_CREATORS)


def may_answer(user) -> bool:
    return user.is_authenticated and user.has_role(*ANSWERERS)


def _checked_period(period_days: int | None) -> int:
    days = setting("NOTICE_DEFAULT_DAYS") if period_days is None else period_days
    minimum = setting("NOTICE_MIN_DAYS")
    if days < minimum:
        raise DomainError(_l("A notice runs for at least %(days)d days.", days=minimum), field="period_days")
    if days > 366:
        raise DomainError(_l("A notice runs for at most a year (366 days)."), field="period_days")
    return days


def _add_notice(*, kind, village_id, project_id, starts_on, period_days, text_, actor, plan_id=None) -> Notice:
    notice = Notice(kind=NoticeKind(kind), village_id=village_id, project_id=project_id, starts_on=starts_on,
                    period_days=period_days, text=text_, created_by_id=actor.id, distribution_plan_id=plan_id)
    db.session.add(notice)
    db.session.flush()
    record_audit("notice.create", "notice", notice.id, summary=f"{kind} {starts_on.isoformat()}",
                 after={"project_id": project_id, "village_id": village_id, "period_days": period_days}, actor=actor)
    return notice


def create_notice(project: Project, data: NoticeInput, *, actor) -> Notice:
    """A notice of a project, published by its township or the county."""
    if not may_create_notice(actor, project.village):
        raise DomainError(_l("Notices are published by the project's township or the county's approver."))
    if project.status == ProjectStatus.DRAFT:
        raise DomainError(_l("A draft is the village's own until it is submitted; nothing of it is published."))
    body = (data.text or "").strip()
    if not body:
        raise DomainError(_l("Write the text of the notice."), field="text")
    if data.starts_on is None:
        raise DomainError(_l("Enter the first day of the notice."), field="starts_on")
    if data.starts_on < today() - timedelta(days=366):
        raise DomainError(_l("The first day of the notice is more than a year ago."), field="starts_on")
    return _add_notice(kind=data.kind, village_id=project.village_id, project_id=project.id, starts_on=data.starts_on,
                       period_days=_checked_period(data.period_days), text_=body, actor=actor)


# --- notices published automatically at the steps counties publish ----------------------------

def notice_on_town_pass(project, action, actor, data) -> None:
    """The township passing an application to the county publishes it (the village's application)."""
    if action != "town_pass":
        return
    _add_notice(kind=NoticeKind.APPLICATION, village_id=project.village_id, project_id=project.id,
                starts_on=today(), period_days=setting("NOTICE_DEFAULT_DAYS"), actor=actor,
                text_=_plain(_l("The village's application for the project “%(title)s” (total investment %(total)s, "
                                "asked from the fund %(asked)s) has passed the township and goes to the county.",
                                title=project.title, total=format_fen(project.total_investment_fen),
                                asked=format_fen(project.requested_fen))))


def notice_on_approval(project, action, actor, data) -> None:
    """The county's approval is published (the approval list, one notice per approved project)."""
    if action != "approve":
        return
    _add_notice(kind=NoticeKind.APPROVAL, village_id=project.village_id, project_id=project.id,
                starts_on=today(), period_days=setting("NOTICE_DEFAULT_DAYS"), actor=actor,
                text_=_plain(_l("The county has approved the project “%(title)s” with %(amount)s from the fund.",
                                title=project.title, amount=format_fen(project.approved_amount_fen or 0))))


def notice_on_plan_published(plan, action, actor, data) -> None:
    """A distribution plan published for notice by the village (its own notice days and first day)."""
    if action != "publish":
        return
    _add_notice(kind=NoticeKind.DISTRIBUTION, village_id=plan.project.village_id, project_id=plan.project_id,
                plan_id=plan.id, starts_on=plan.notice_starts_on,
                period_days=(plan.notice_ends_on - plan.notice_starts_on).days + 1, actor=actor,
                text_=_plain(_l("Distribution of the net income %(net)s: collective fund %(collective)s, member "
                                "dividends %(dividends)s to %(households)d households, reinvestment %(reinvest)s, "
                                "risk reserve %(reserve)s, loan service %(loan)s.",
                                net=format_fen(plan.net_fen), collective=format_fen(plan.collective_fen),
                                dividends=format_fen(plan.dividends_fen), households=plan.households,
                                reinvest=format_fen(plan.reinvestment_fen), reserve=format_fen(plan.risk_reserve_fen),
                                loan=format_fen(plan.loan_service_fen))))


def _plain(lazy) -> str:
    """Notice texts are stored in the county's language (Chinese), whoever's browser took the step."""
    from flask_babel import force_locale

    with force_locale(current_app.config.get("NOTICE_LANGUAGE", "zh")):
        return str(lazy)


# --- objections --------------------------------------------------------------------------------

def client_key(address: str | None) -> str:
    """The client address as a keyed hash: enough to count, nothing to publish or leak."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, (address or "unknown").encode(), hashlib.sha256).hexdigest()


def _serialise_client(key: str) -> None:
    """Two servers counting one client's attempts at once must not both see room for one more: on
    PostgreSQL a transaction-scoped advisory lock per client; SQLite already serialises writers
    (BEGIN IMMEDIATE)."""
    if not is_sqlite():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": int(key[:15], 16)})


def _window_start():
    return utcnow() - timedelta(minutes=setting("OBJECTION_WINDOW_MINUTES"))


def _attempts_in_window(key: str) -> int:
    return db.session.execute(select(func.count(ObjectionAttempt.id)).where(
        ObjectionAttempt.client_key == key, ObjectionAttempt.attempted_at >= _window_start())).scalar_one()


def stale_attempts():
    """Every client's attempts that have left the window: they no longer count, and the table would
    otherwise only grow. The delete walks the index on attempted_at."""
    return delete(ObjectionAttempt).where(ObjectionAttempt.attempted_at < _window_start())


def _record_attempt(key: str) -> None:
    db.session.execute(stale_attempts())
    db.session.add(ObjectionAttempt(client_key=key))
    db.session.flush()


def file_objection(notice: Notice, *, text_: str, contact: str, address: str | None) -> NoticeObjection:
    """Anyone's objection during the notice. Over the limit: refused and nothing written; after the
    period: refused, and the attempt still counts (it is kept)."""
    body, contact = (text_ or "").strip(), (contact or "").strip()
    if not body:
        raise DomainError(_l("Write your objection."), field="text")
    if len(body) > OBJECTION_MAX_LENGTH:
        raise DomainError(_l("An objection has at most %(count)d characters.", count=OBJECTION_MAX_LENGTH),
                          field="text")
    if len(contact) > CONTACT_MAX_LENGTH:
        raise DomainError(_l("A contact has at most %(count)d characters.", count=CONTACT_MAX_LENGTH), field="contact")
    key = client_key(address)
    _serialise_client(key)
    if _attempts_in_window(key) >= setting("OBJECTION_LIMIT"):
        raise DomainError(_l("Too many objections from your connection: at most %(count)d in %(minutes)d minutes. "
                             "Please try again later or call the office.", count=setting("OBJECTION_LIMIT"),
                             minutes=setting("OBJECTION_WINDOW_MINUTES")))
    _record_attempt(key)
    if not notice.is_open_on(today()):
        raise RefusedAndRecorded(_l("This notice runs from %(start)s to %(end)s; objections are filed during it.",
                                    start=notice.starts_on.isoformat(), end=notice.ends_on.isoformat()))
    objection = NoticeObjection(notice_id=notice.id, text=body, contact=contact)
    db.session.add(objection)
    db.session.flush()
    record_audit("notice.objection", "notice", notice.id, summary=body[:200],
                 after={"objection_id": objection.id}, actor=None)
    return objection


def answer_objection(objection: NoticeObjection, answer: str, *, actor) -> NoticeObjection:
    if not may_answer(actor):
        raise DomainError(_l("Objections are answered by the county's approver or the administrator."))
    if objection.answer is not None:
        raise DomainError(_l("This objection has already been answered."))
    answer = (answer or "").strip()
    if not answer:
        raise DomainError(_l("Write the answer."), field="answer")
    objection.answer, objection.answered_at, objection.answered_by_id = answer, utcnow(), actor.id
    db.session.flush()
    record_audit("notice.answer", "notice", objection.notice_id, summary=answer[:200],
                 after={"objection_id": objection.id}, actor=actor)
    return objection


def unanswered_count(notice_ids) -> int:
    return db.session.execute(select(func.count(NoticeObjection.id)).where(
        NoticeObjection.notice_id.in_(notice_ids), NoticeObjection.answer.is_(None))).scalar_one()


# --- the guard: the next step waits for the notice --------------------------------------------

def _latest_notice(**where) -> Notice | None:
    stmt = select(Notice).filter_by(**where).order_by(Notice.starts_on.desc(), Notice.id.desc()).limit(1)
    return db.session.execute(stmt).scalars().first()


def _require_notice_done(notice: Notice | None, missing_message) -> None:
    if not setting("NOTICE_REQUIRED_BEFORE_NEXT_STEP"):
        return
    if notice is None:
        raise DomainError(missing_message)
    if notice.ends_on >= today():
        raise DomainError(_l("The notice runs until %(end)s; this step waits until it has ended.",
                             end=notice.ends_on.isoformat()))
    if unanswered_count([notice.id]):
        raise DomainError(_l("The notice has objections without an answer; the county answers them first."))


def guard_project_approval(project, action, actor, data) -> None:
    if action == "approve":
        _require_notice_done(_latest_notice(project_id=project.id, kind=NoticeKind.APPLICATION),
                             _l("Publish the application for notice before the approval."))


def guard_payment_approval(disbursement, action, actor, data) -> None:
    if action == "approve":
        _require_notice_done(_latest_notice(project_id=disbursement.project_id, kind=NoticeKind.APPROVAL),
                             _l("Publish the approval for notice before the payment."))


def guard_distribution_payout(plan, action, actor, data) -> None:
    if action == "pay_out":
        _require_notice_done(_latest_notice(distribution_plan_id=plan.id, kind=NoticeKind.DISTRIBUTION),
                             _l("Publish the distribution plan for notice before the payout."))
