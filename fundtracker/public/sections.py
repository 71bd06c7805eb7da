"""The public project page's sections for the lower domains' money: payments made (disbursements)
and returns with their distribution (returns). They are connected to Hook.PUBLIC_PROJECT_SECTION
like any other domain's section, so the page renders all of them one way; they live here because
the public domain decides what of those domains is public (dates, tranches, amounts, totals,
households — never a payee, an account or a reference)."""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..disbursements.models import Disbursement, PaymentStatus, Tranche
from ..extensions import db
from ..pools.models import LedgerEntry
from ..pools.services import paid_to_project_fen
from ..projects.models import Project
from ..returns.models import DistributionPlan, PlanStatus
from ..returns.services import in_force_records
from ..signals import Section

PAID_STATUSES = (PaymentStatus.APPROVED, PaymentStatus.PAID)
PUBLIC_PLAN_STATUSES = (PlanStatus.PUBLISHED, PlanStatus.PAID)


@dataclass(frozen=True)
class PaymentRow:
    paid_on: date
    tranche: str
    amount_fen: int


def payments_made(project_id: int) -> list[PaymentRow]:
    """Money paid out of the pool to the project: the date of the ledger entry (or the voucher's),
    the tranche, the amount. One query."""
    rows = db.session.execute(
        select(Disbursement.paid_on, LedgerEntry.value_date, Tranche.description, Disbursement.amount_fen)
        .join(Tranche, Tranche.id == Disbursement.tranche_id)
        .join(LedgerEntry, LedgerEntry.id == Disbursement.ledger_entry_id)
        .where(Disbursement.project_id == project_id, Disbursement.status.in_(PAID_STATUSES))
        .order_by(LedgerEntry.value_date, Disbursement.id)).all()
    return [PaymentRow(paid_on or value_date, tranche, amount) for paid_on, value_date, tranche, amount in rows]


def payments_section(project: Project) -> Section | None:
    """The payments and the total paid: the total is the ledger's (paid_to_project_fen), the one figure
    the pools, the dashboard and the project pages show, so the public page cannot tell another."""
    if project.approved_amount_fen is None:
        return None
    return Section(_l("Payments made"), "public/_payments.html",
                   {"payments": payments_made(project.id), "paid_fen": paid_to_project_fen(project.id),
                    "approved_fen": project.approved_amount_fen}, position=20)


def returns_section(project: Project) -> Section | None:
    records = in_force_records(project.id)
    if not records:
        return None
    plans = db.session.execute(select(DistributionPlan).where(
        DistributionPlan.project_id == project.id, DistributionPlan.status.in_(PUBLIC_PLAN_STATUSES))
        .order_by(DistributionPlan.id)).scalars().all()
    return Section(_l("Returns and their distribution"), "public/_returns.html", {
        "records": records, "plans": plans,
        "revenue_fen": sum(r.revenue_fen for r in records), "cost_fen": sum(r.cost_fen for r in records),
        "net_fen": sum(r.net_fen for r in records)}, position=30)


PROJECT_SECTIONS = (payments_section, returns_section)
