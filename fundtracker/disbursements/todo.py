"""What waits in the disbursement chain, for the home page."""
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..clock import local_today
from ..extensions import db
from ..main.todo import TodoItem
from ..projects.loaders import scoped_via_project
from .models import Disbursement, PaymentStatus, ProgressReport, ReportStatus, Tranche
from .services import paid_by_tranche, retention_release_on

RETENTION_NOTICE_DAYS = 30


def township_todos(user) -> list[TodoItem]:
    count = db.session.execute(scoped_via_project(
        select(func.count(ProgressReport.id)).where(ProgressReport.status == ReportStatus.SUBMITTED),
        ProgressReport.project_id, user)).scalar_one()
    return [TodoItem(_l("Progress reports to confirm"), url_for("projects.library"), count)]


def finance_todos(user) -> list[TodoItem]:
    """Requests others prepared (never one's own) wait for this user's approval."""
    to_approve = db.session.execute(select(func.count(Disbursement.id)).where(
        Disbursement.status == PaymentStatus.PREPARED, Disbursement.prepared_by_id != user.id)).scalar_one()
    to_prepare = db.session.execute(select(func.count(ProgressReport.id)).where(
        ProgressReport.status == ReportStatus.CONFIRMED,
        ~select(Disbursement.id).where(Disbursement.progress_report_id == ProgressReport.id).exists())).scalar_one()
    return [TodoItem(_l("Payment requests to approve"), url_for("disbursements.queue"), to_approve),
            TodoItem(_l("Confirmed progress reports without a payment request"), url_for("disbursements.queue"),
                     to_prepare),
            TodoItem(_l("Quality retentions falling due within 30 days"), url_for("disbursements.queue"),
                     retentions_falling_due())]


def retentions_falling_due() -> int:
    """Accepted retentions not yet paid whose release date is within the notice period (or past)."""
    retentions = db.session.execute(select(Tranche).where(
        Tranche.is_retention, Tranche.acceptance_confirmed_on.is_not(None))).scalars().all()
    paid = paid_by_tranche(t.id for t in retentions)
    horizon = local_today().toordinal() + RETENTION_NOTICE_DAYS
    return sum(1 for t in retentions
               if paid.get(t.id, 0) < t.amount_fen and retention_release_on(t).toordinal() <= horizon)
