"""The ledger: the only way pool money moves, the commitments that set money aside for
projects, and the pool figures computed from both.

Every write locks the pool row first (lock_row), computes the pool's figures after the new
row from the figures stored on the pool row, refuses (DomainError, the caller rolls back) if
the balance, the outstanding commitments or the available money would go below zero, then
appends the row with its sequence number, the balance after it and its link in the pool's
hash chain (fundtracker/chain.py), and moves the stored figures. Entries and commitments are
never updated or deleted; a mistake is corrected by a reversal (once) or a release (with its
reason). verify-ledger recomputes every stored figure and every chain from the rows.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from ..audit.services import record_audit
from ..chain import commitment_fields, entry_fields, link
from ..clock import add_months, refuse_future_date
from ..database import is_sqlite, lock_row, utcnow
from ..errors import DomainError
from ..extensions import db
from ..money import format_fen
from .loans import loan_positions
from .models import (
    ENTRY_SIGN,
    CollateralAsset,
    Commitment,
    CommitmentKind,
    Contribution,
    EntryKind,
    FundPool,
    LedgerEntry,
    LoanRepayment,
    PoolDayTotal,
    PoolSourceTotal,
    PoolStatus,
    SourceType,
)


@dataclass(frozen=True)
class PoolFigures:
    balance_fen: int = 0
    committed_fen: int = 0

    @property
    def available_fen(self) -> int:
        return self.balance_fen - self.committed_fen


def _project_payment_amount():
    """Ledger rows that pay a project: disbursements and reversals of disbursements."""
    original = aliased(LedgerEntry)
    is_payment = or_(
        LedgerEntry.kind == EntryKind.DISBURSEMENT,
        and_(LedgerEntry.kind == EntryKind.REVERSAL, original.kind == EntryKind.DISBURSEMENT),
    )
    return original, is_payment


def pool_figures(pool_ids) -> dict[int, PoolFigures]:
    """The stored balance and outstanding commitments of many pools (one query over the pool rows)."""
    pool_ids = list(pool_ids)
    rows = db.session.execute(
        select(FundPool.id, FundPool.balance_fen, FundPool.committed_fen).where(FundPool.id.in_(pool_ids))
    ).all() if pool_ids else []
    return {pool_id: PoolFigures(balance, committed) for pool_id, balance, committed in rows}


def recomputed_pool_figures(pool_ids) -> dict[int, PoolFigures]:
    """Balance and outstanding commitments summed from the rows (for verify-ledger), three grouped queries."""
    pool_ids = list(pool_ids)
    if not pool_ids:
        return {}
    balances = dict(db.session.execute(
        select(LedgerEntry.pool_id, func.sum(LedgerEntry.amount_fen))
        .where(LedgerEntry.pool_id.in_(pool_ids)).group_by(LedgerEntry.pool_id)
    ).all())
    committed = dict(db.session.execute(
        select(Commitment.pool_id, func.sum(Commitment.amount_fen))
        .where(Commitment.pool_id.in_(pool_ids)).group_by(Commitment.pool_id)
    ).all())
    paid = recomputed_paid_out_by_pool_fen(pool_ids)
    return {
        pool_id: PoolFigures(
            balance_fen=int(balances.get(pool_id) or 0),
            committed_fen=int(committed.get(pool_id) or 0) - paid[pool_id],
        )
        for pool_id in pool_ids
    }


def figures_for(pool: FundPool) -> PoolFigures:
    return PoolFigures(pool.balance_fen, pool.committed_fen)


def project_payments_select(*columns):
    """SELECT of these columns over the ledger rows that pay a project: its disbursements and their
    reversals. Sum LedgerEntry.amount_fen over it and negate for the net money paid (group as needed)."""
    original, is_payment = _project_payment_amount()
    return (select(*columns).outerjoin(original, original.id == LedgerEntry.reverses_id)
            .where(LedgerEntry.project_id.is_not(None), is_payment))


def paid_to_projects_fen(project_ids=None, pool_id: int | None = None) -> dict[int, int]:
    """Net payments (disbursements after their reversals) per project, of these projects or of all,
    out of one pool or of every pool."""
    stmt = project_payments_select(LedgerEntry.project_id, func.sum(LedgerEntry.amount_fen)).group_by(
        LedgerEntry.project_id)
    if project_ids is not None:
        stmt = stmt.where(LedgerEntry.project_id.in_(list(project_ids)))
    if pool_id is not None:
        stmt = stmt.where(LedgerEntry.pool_id == pool_id)
    return {project_id: -int(total or 0) for project_id, total in db.session.execute(stmt).all()}


def paid_out_by_pool_fen(pool_ids) -> dict[int, int]:
    """Net payments to projects out of each of these pools, as stored on the pool rows (one query)."""
    pool_ids = list(pool_ids)
    rows = db.session.execute(select(FundPool.id, FundPool.paid_out_fen).where(FundPool.id.in_(pool_ids))).all() \
        if pool_ids else []
    return {pool_id: int(paid) for pool_id, paid in rows}


def recomputed_paid_out_by_pool_fen(pool_ids) -> dict[int, int]:
    """Net payments to projects out of each of these pools summed from the ledger (for verify-ledger);
    0 for a pool that paid nothing."""
    pool_ids = list(pool_ids)
    rows = db.session.execute(
        project_payments_select(LedgerEntry.pool_id, func.sum(LedgerEntry.amount_fen))
        .where(LedgerEntry.pool_id.in_(pool_ids)).group_by(LedgerEntry.pool_id)).all() if pool_ids else []
    paid = {pool_id: -int(total or 0) for pool_id, total in rows}
    return {pool_id: paid.get(pool_id, 0) for pool_id in pool_ids}


def outstanding_in_pool_fen(pool_id: int, project_id: int) -> int:
    """What one pool still holds for one project: its commitments there less its payments from there."""
    committed = db.session.execute(
        select(func.sum(Commitment.amount_fen)).where(Commitment.project_id == project_id,
                                                      Commitment.pool_id == pool_id)).scalar_one() or 0
    return int(committed) - paid_to_projects_fen([project_id], pool_id).get(project_id, 0)


def paid_to_project_fen(project_id: int) -> int:
    return paid_to_projects_fen([project_id]).get(project_id, 0)


def committed_to_project_fen(project_id: int) -> int:
    return int(db.session.execute(
        select(func.sum(Commitment.amount_fen)).where(Commitment.project_id == project_id)
    ).scalar_one() or 0)


def outstanding_for_project_fen(project_id: int) -> int:
    """What is still set aside for a project: its commitments minus what was paid to it."""
    return committed_to_project_fen(project_id) - paid_to_project_fen(project_id)


def lock_pool(pool_id: int) -> FundPool:
    pool = lock_row(FundPool, pool_id)
    if pool is None:
        raise DomainError(_l("Unknown fund pool."))
    return pool


def _refuse_if_overdrawn(pool: FundPool, figures: PoolFigures) -> None:
    """The figures the pool would have after the new row; refused when any of them is negative."""
    if figures.committed_fen < 0:
        raise DomainError(_l("Refused: more would be paid out of %(pool)s than was committed to its projects.",
                             pool=pool.name))
    if figures.balance_fen < 0:
        raise DomainError(_l("Refused: the balance of %(pool)s would become %(amount)s.",
                             pool=pool.name, amount=format_fen(figures.balance_fen)))
    if figures.available_fen < 0:
        raise DomainError(_l("Refused: the money available in %(pool)s would become %(amount)s "
                             "(balance %(balance)s, committed to approved projects %(committed)s).",
                             pool=pool.name, amount=format_fen(figures.available_fen),
                             balance=format_fen(figures.balance_fen), committed=format_fen(figures.committed_fen)))


def commit_to_project(pool_id: int, project_id: int, amount_fen: int, *, actor, reason: str = "",
                      field: str | None = None) -> Commitment:
    """Set pool money aside for a project (approval). Refused when the pool's available money is short;
    the pool row is locked, so two approvals at the same moment cannot both take the same money."""
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise DomainError(_l("The amount must be greater than zero."), field=field)
    pool = lock_pool(pool_id)
    if pool.status != PoolStatus.OPEN:
        raise DomainError(_l("The pool %(pool)s is closed.", pool=pool.name), field="pool_id")
    available = pool.available_fen
    if amount_fen > available:
        raise DomainError(_l("%(pool)s has %(available)s available; %(amount)s cannot be committed.",
                             pool=pool.name, available=format_fen(available), amount=format_fen(amount_fen)),
                          field=field)
    return _append_commitment(pool, project_id, CommitmentKind.COMMITMENT, amount_fen, actor, reason)


def release_commitment(pool_id: int, project_id: int, amount_fen: int, *, actor, reason: str) -> Commitment:
    """Give money set aside for a project back to the pool's available money (exit, closing, a
    reduced amount). Never more than is still outstanding for the project; always with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for the release."), field="reason")
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise DomainError(_l("The amount must be greater than zero."), field="amount")
    pool = lock_pool(pool_id)
    outstanding = outstanding_in_pool_fen(pool.id, project_id)
    if amount_fen > outstanding:
        raise DomainError(_l("Only %(outstanding)s is still committed to the project; %(amount)s cannot be released.",
                             outstanding=format_fen(outstanding), amount=format_fen(amount_fen)), field="amount")
    return _append_commitment(pool, project_id, CommitmentKind.RELEASE, -amount_fen, actor, reason)


def _append_commitment(pool: FundPool, project_id: int, kind: CommitmentKind, signed_fen: int, actor,
                       reason: str) -> Commitment:
    """Append to the pool's commitment chain and move its stored outstanding commitments (pool locked)."""
    commitment = Commitment(**_chain_commitment(pool, {"project_id": project_id, "kind": kind, "amount_fen": signed_fen,
                                                       "reason": reason[:500], "actor_id": actor.id}))
    db.session.add(commitment)
    db.session.flush()
    record_audit(f"pool.{kind}", "fund_pool", pool.id, summary=f"{pool.name} {format_fen(signed_fen)}",
                 after={"project_id": project_id, "amount_fen": signed_fen, "reason": reason}, actor=actor)
    return commitment


def _chain_commitment(pool: FundPool, fields: dict) -> dict:
    """The pool's next commitment row: its sequence and hash; moves the stored outstanding commitments
    (refused when the available money would go negative)."""
    signed_fen = fields["amount_fen"]
    _refuse_if_overdrawn(pool, PoolFigures(pool.balance_fen, pool.committed_fen + signed_fen))
    fields = {**fields, "pool_id": pool.id, "sequence": pool.last_commitment_sequence + 1, "created_at": utcnow()}
    fields["hash"] = link(pool.commitment_chain_hash, commitment_fields(SimpleNamespace(**fields)))
    pool.committed_fen += signed_fen
    pool.last_commitment_sequence, pool.commitment_chain_hash = fields["sequence"], fields["hash"]
    return fields


def chained_commitment_rows(pool: FundPool, rows: list[dict]) -> list[dict]:
    """Bulk writing (benchmark demo data): commitments with the same sequence and chain as one by one;
    the caller inserts them and keeps the pool row (locked) with its new figures."""
    return [_chain_commitment(pool, {"reason": "", **row, "kind": CommitmentKind.COMMITMENT}) for row in rows]


def _entry_snapshot(entry: LedgerEntry) -> dict:
    return {
        "pool_id": entry.pool_id, "kind": entry.kind, "amount_fen": entry.amount_fen,
        "project_id": entry.project_id, "tranche_id": entry.tranche_id, "reverses_id": entry.reverses_id,
        "value_date": entry.value_date, "memo": entry.memo,
    }


ENTRY_DEFAULTS = {"project_id": None, "tranche_id": None, "reverses_id": None, "memo": ""}


def _chain_entry(pool: FundPool, fields: dict, *, pays_project: bool) -> dict:
    """The pool's next entry: its sequence, the balance after it, its hash; moves the pool's stored
    figures (refused when one would go negative). A payment to a project draws down its commitment."""
    fields = {**ENTRY_DEFAULTS, **fields, "pool_id": pool.id, "created_at": utcnow()}
    amount = fields["amount_fen"]
    payment = amount if pays_project and fields["project_id"] else 0
    figures = PoolFigures(pool.balance_fen + amount, pool.committed_fen + payment)
    _refuse_if_overdrawn(pool, figures)
    fields.update(sequence=pool.last_sequence + 1, balance_after_fen=figures.balance_fen)
    fields["hash"] = link(pool.entry_chain_hash, entry_fields(SimpleNamespace(**fields)))
    pool.balance_fen, pool.committed_fen = figures.balance_fen, figures.committed_fen
    pool.paid_out_fen -= payment
    pool.last_sequence, pool.entry_chain_hash = fields["sequence"], fields["hash"]
    return fields


def _post_entry(pool: FundPool, *, pays_project: bool = False, **fields) -> LedgerEntry:
    fields = _chain_entry(pool, fields, pays_project=pays_project)
    entry = LedgerEntry(**fields)
    db.session.add(entry)
    db.session.flush()
    _count_in_day_totals(pool.id, [fields])
    return entry


def chained_contribution_rows(pool: FundPool, rows: list[dict]) -> list[dict]:
    """Bulk writing (benchmark demo data): contribution entries with the same sequence, balances and
    chain as one by one, counted in the day totals; the caller inserts them and keeps the pool row
    (locked) with its new figures."""
    chained = [_chain_entry(pool, {**row, "kind": EntryKind.CONTRIBUTION}, pays_project=False) for row in rows]
    _count_in_day_totals(pool.id, chained)
    return chained


def _count_in_day_totals(pool_id: int, entries: list[dict]) -> None:
    """Move the pool's stored totals per value date and kind by these (chained) entries, the pool row
    locked: one upsert per day and kind."""
    totals = defaultdict(lambda: [0, 0, None])
    for entry in entries:
        amount, day_total = entry["amount_fen"], totals[(entry["value_date"], str(entry["kind"]))]
        day_total[0 if amount > 0 else 1] += amount
        day_total[2] = min(entry["sequence"], day_total[2] or entry["sequence"])
    insert, least = (sqlite.insert, func.min) if is_sqlite() else (postgresql.insert, func.least)
    for (value_date, kind), (received, paid_out, first_sequence) in totals.items():
        stmt = insert(PoolDayTotal).values(pool_id=pool_id, value_date=value_date, kind=kind, received_fen=received,
                                           paid_out_fen=paid_out, first_sequence=first_sequence)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["pool_id", "value_date", "kind"],
            set_={"received_fen": PoolDayTotal.received_fen + stmt.excluded.received_fen,
                  "paid_out_fen": PoolDayTotal.paid_out_fen + stmt.excluded.paid_out_fen,
                  "first_sequence": least(PoolDayTotal.first_sequence, stmt.excluded.first_sequence)}))


def recomputed_day_totals(pool_ids) -> dict[tuple, tuple[int, int, int]]:
    """{(pool, value date, kind): (received, paid out, first sequence)} from the entries (for verify-ledger)."""
    amount = LedgerEntry.amount_fen
    rows = db.session.execute(
        select(LedgerEntry.pool_id, LedgerEntry.value_date, LedgerEntry.kind,
               func.sum(case((amount > 0, amount), else_=0)), func.sum(case((amount < 0, amount), else_=0)),
               func.min(LedgerEntry.sequence))
        .where(LedgerEntry.pool_id.in_(list(pool_ids)))
        .group_by(LedgerEntry.pool_id, LedgerEntry.value_date, LedgerEntry.kind)).all()
    return {(pool_id, day, str(kind)): (int(received), int(paid_out), first)
            for pool_id, day, kind, received, paid_out, first in rows}


def stored_day_totals(pool_ids) -> dict[tuple, tuple[int, int, int]]:
    rows = db.session.execute(select(PoolDayTotal).where(PoolDayTotal.pool_id.in_(list(pool_ids)))).scalars()
    return {(row.pool_id, row.value_date, row.kind): (row.received_fen, row.paid_out_fen, row.first_sequence)
            for row in rows}


def add_to_source_total(pool_id: int, source_type: str, delta_fen: int) -> None:
    """Move the pool's stored total received from one kind of source (the pool row is locked)."""
    total = db.session.get(PoolSourceTotal, (pool_id, source_type))
    if total is None:
        total = PoolSourceTotal(pool_id=pool_id, source_type=source_type, amount_fen=0)
        db.session.add(total)
        db.session.flush()
    total.amount_fen += delta_fen


def _refuse_payment_beyond_commitment(pool: FundPool, project_id: int | None, amount_fen: int) -> None:
    """A payment goes to a project and draws down what this pool holds for that project, never another's."""
    outstanding = outstanding_in_pool_fen(pool.id, project_id) if project_id is not None else 0
    if amount_fen > outstanding:
        raise DomainError(_l("Only %(outstanding)s is still committed to the project; %(amount)s cannot be paid.",
                             outstanding=format_fen(outstanding), amount=format_fen(amount_fen)), field="amount")


def append_entry(pool_id: int, kind: EntryKind, amount_fen: int, *, actor, value_date: date,
                 memo: str = "", project_id: int | None = None, tranche_id: int | None = None) -> LedgerEntry:
    """Move money: amount_fen is the positive size; the kind gives the sign."""
    kind = EntryKind(kind)
    if kind == EntryKind.REVERSAL:
        raise ValueError("reversals go through reverse_entry()")
    if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
        raise DomainError(_l("The amount must be greater than zero."))
    pool = lock_pool(pool_id)
    if kind == EntryKind.CONTRIBUTION and pool.status != PoolStatus.OPEN:
        raise DomainError(_l("The pool %(pool)s is closed; it takes no new contributions.", pool=pool.name))
    if kind == EntryKind.DISBURSEMENT:
        _refuse_payment_beyond_commitment(pool, project_id, amount_fen)
    entry = _post_entry(pool, kind=kind, amount_fen=ENTRY_SIGN[kind] * amount_fen, project_id=project_id,
                        tranche_id=tranche_id, value_date=value_date, memo=memo[:500], actor_id=actor.id,
                        pays_project=kind == EntryKind.DISBURSEMENT)
    record_audit(f"ledger.{kind}", "ledger_entry", entry.id, summary=f"{pool.name} {format_fen(entry.amount_fen)}",
                 after=_entry_snapshot(entry), actor=actor)
    return entry


def reverse_entry(pool_id: int, entry_id: int, *, actor, reason: str, value_date: date,
                  payment_reversal: bool = False) -> LedgerEntry:
    """Append the exact opposite of an entry of this pool, with the reason. Once per entry. A payment
    to a project is reversed from its payment request (payment_reversal), which records why."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for the reversal."), field="reason")
    pool = lock_pool(pool_id)
    target = db.session.get(LedgerEntry, entry_id)
    if target is None or target.pool_id != pool.id:
        raise DomainError(_l("That entry does not belong to this pool."))
    if target.kind == EntryKind.REVERSAL:
        raise DomainError(_l("A reversal cannot itself be reversed; record a new entry instead."))
    if target.kind == EntryKind.DISBURSEMENT and target.tranche_id is not None and not payment_reversal:
        raise DomainError(_l("A payment is reversed from its payment request, so that the request records it."))
    already = db.session.execute(select(LedgerEntry.id).where(LedgerEntry.reverses_id == target.id)).scalar_one_or_none()
    if already is not None:
        raise DomainError(_l("This entry has already been reversed (entry #%(id)d).", id=already))
    reversal = _post_entry(pool, kind=EntryKind.REVERSAL, amount_fen=-target.amount_fen,
                           project_id=target.project_id, tranche_id=target.tranche_id, reverses_id=target.id,
                           value_date=value_date, memo=reason[:500], actor_id=actor.id,
                           pays_project=target.kind == EntryKind.DISBURSEMENT)
    source = db.session.execute(
        select(Contribution.source_type).where(Contribution.ledger_entry_id == target.id)).scalar_one_or_none()
    if source is not None:
        add_to_source_total(pool.id, source, reversal.amount_fen)
    record_audit("ledger.reversal", "ledger_entry", reversal.id, summary=f"#{target.id}: {reason}"[:500],
                 before=_entry_snapshot(target), after=_entry_snapshot(reversal), actor=actor)
    return reversal


def _pool_snapshot(pool: FundPool) -> dict:
    return {"name": pool.name, "programme": pool.programme, "year": pool.year,
            "description": pool.description, "status": pool.status}


def save_pool(pool: FundPool | None, *, actor, name: str, programme: str = "", year: int | None = None,
              description: str = "", status: str = PoolStatus.OPEN) -> FundPool:
    """Create a pool (pool=None) or edit one; the name is unique."""
    name = name.strip()
    clash = db.session.execute(
        select(FundPool.id).where(func.lower(FundPool.name) == name.lower(), FundPool.id != (pool.id if pool else -1))
    ).scalar_one_or_none()
    if clash is not None:
        raise DomainError(_l("A fund pool with this name exists."), field="name")
    before = _pool_snapshot(pool) if pool else None
    pool = pool or FundPool()
    pool.name, pool.programme, pool.year = name, programme.strip(), year
    pool.description, pool.status = description.strip(), PoolStatus(status)
    db.session.add(pool)
    db.session.flush()
    record_audit("pool.save", "fund_pool", pool.id, summary=pool.name, before=before, after=_pool_snapshot(pool),
                 actor=actor)
    return pool


@dataclass(frozen=True)
class LoanTerms:
    lender: str
    annual_rate_bp: int
    term_months: int
    start_on: date
    repayment_schedule: str


@dataclass(frozen=True)
class CollateralInput:
    name: str
    kind: str
    estimated_value_fen: int


@dataclass(frozen=True)
class ContributionInput:
    source_type: str
    contributor: str
    amount_fen: int
    received_on: date
    reference: str = ""
    note: str = ""
    loan: LoanTerms | None = None
    collateral: list[CollateralInput] = field(default_factory=list)


def _check_loan(data: ContributionInput) -> None:
    if data.source_type != SourceType.LOAN:
        return
    loan = data.loan
    if loan is None or not loan.lender.strip():
        raise DomainError(_l("A bank loan needs its lender."), field="lender")
    if not 0 <= loan.annual_rate_bp <= 3600:
        raise DomainError(_l("The annual rate must be between 0% and 36%."), field="annual_rate")
    if not 1 <= loan.term_months <= 600:
        raise DomainError(_l("The term must be at least one month (at most 600)."), field="term_months")
    refuse_future_date(loan.start_on, "loan_start_on")
    if not data.collateral:
        raise DomainError(_l("List at least one collective asset pledged as collateral."), field="collateral")


def record_contribution(pool_id: int, data: ContributionInput, *, actor) -> Contribution:
    """Money received into a pool: a ledger entry plus what it is (source, contributor, loan terms)."""
    refuse_future_date(data.received_on, "received_on")
    _check_loan(data)
    is_loan = data.source_type == SourceType.LOAN
    source_label = SourceType(data.source_type)
    entry = append_entry(pool_id, EntryKind.CONTRIBUTION, data.amount_fen, actor=actor, value_date=data.received_on,
                         memo=f"{data.contributor} · {data.reference}".strip(" ·"))
    contribution = Contribution(
        pool_id=pool_id, ledger_entry_id=entry.id, source_type=source_label, contributor=data.contributor.strip(),
        amount_fen=data.amount_fen, received_on=data.received_on, reference=data.reference.strip(),
        note=data.note.strip(), recorded_by_id=actor.id,
        **(_loan_columns(data.loan) if is_loan else {}),
    )
    db.session.add(contribution)
    add_to_source_total(pool_id, source_label, data.amount_fen)
    db.session.flush()
    for asset in data.collateral if is_loan else ():
        db.session.add(CollateralAsset(contribution_id=contribution.id, name=asset.name.strip(), kind=asset.kind,
                                       estimated_value_fen=asset.estimated_value_fen))
    db.session.flush()
    record_audit("pool.contribution", "contribution", contribution.id,
                 summary=f"{contribution.contributor} {format_fen(data.amount_fen)}",
                 after={"entry_id": entry.id, "source_type": contribution.source_type,
                        "amount_fen": data.amount_fen, "collateral": len(data.collateral) if is_loan else 0},
                 actor=actor)
    return contribution


def _loan_columns(loan: LoanTerms) -> dict:
    return {"lender": loan.lender.strip(), "annual_rate_bp": loan.annual_rate_bp, "term_months": loan.term_months,
            "loan_start_on": loan.start_on, "loan_matures_on": add_months(loan.start_on, loan.term_months),
            "repayment_schedule": loan.repayment_schedule}


def record_loan_repayment(contribution_id: int, *, principal_fen: int, interest_fen: int, paid_on: date, actor,
                          memo: str = "") -> LoanRepayment:
    """Finance pays a pool's lender (还本付息): one loan_repayment entry of principal + interest and the row
    that splits it. Never more principal than is outstanding, never more interest than is owed on the
    payment date; repayments of a loan go in date order, so that interest runs from the last one."""
    for amount, name in ((principal_fen, "principal"), (interest_fen, "interest")):
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise DomainError(_l("The principal and the interest paid cannot be negative."), field=name)
    if principal_fen + interest_fen <= 0:
        raise DomainError(_l("Enter the principal or the interest paid."), field="principal")
    loan = db.session.get(Contribution, contribution_id)
    if loan is None or not loan.is_loan:
        raise DomainError(_l("Unknown loan."))
    pool = lock_pool(loan.pool_id)  # repayments of a pool's loans one at a time
    refuse_future_date(paid_on, "paid_on")
    if paid_on < loan.loan_start_on:
        raise DomainError(_l("The loan started on %(date)s; a repayment cannot be earlier.",
                             date=loan.loan_start_on.isoformat()), field="paid_on")
    last = db.session.execute(select(func.max(LoanRepayment.paid_on))
                              .where(LoanRepayment.contribution_id == loan.id)).scalar_one()
    if last is not None and paid_on < last:
        raise DomainError(_l("Repayments are recorded in date order: the last one was paid on %(date)s.",
                             date=last.isoformat()), field="paid_on")
    [position] = loan_positions([loan], paid_on)
    if position.reversed:
        raise DomainError(_l("This loan's contribution was reversed; nothing is owed on it."))
    if principal_fen > position.principal_outstanding_fen:
        raise DomainError(_l("Only %(owed)s of principal is outstanding; %(amount)s cannot be repaid.",
                             owed=format_fen(position.principal_outstanding_fen), amount=format_fen(principal_fen)),
                          field="principal")
    if interest_fen > position.interest_owed_fen:
        raise DomainError(_l("Only %(owed)s of interest is owed on %(date)s; %(amount)s cannot be paid.",
                             owed=format_fen(position.interest_owed_fen), date=paid_on.isoformat(),
                             amount=format_fen(interest_fen)), field="interest")
    entry = append_entry(pool.id, EntryKind.LOAN_REPAYMENT, principal_fen + interest_fen, actor=actor,
                         value_date=paid_on, memo=f"{loan.lender} · {memo}".strip(" ·"))
    repayment = LoanRepayment(contribution_id=loan.id, ledger_entry_id=entry.id, principal_fen=principal_fen,
                              interest_fen=interest_fen, paid_on=paid_on)
    db.session.add(repayment)
    db.session.flush()
    record_audit("pool.loan_repayment", "contribution", loan.id,
                 summary=f"{loan.lender} {format_fen(principal_fen)} + {format_fen(interest_fen)}",
                 after={"entry_id": entry.id, "principal_fen": principal_fen, "interest_fen": interest_fen,
                        "paid_on": paid_on}, actor=actor)
    return repayment
