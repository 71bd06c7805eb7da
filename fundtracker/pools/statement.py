"""The pool statement (对账单) and the pool's composition by source.

Every entry stores its pool's sequence number and the pool's balance after it, so the statement
shows true running balances whatever filter is applied, and pages by sequence (keyset: "earlier"
and "later" from a sequence number, or from a date), never by OFFSET over the ledger.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice

from sqlalchemy import Select, and_, case, false, func, select, true
from sqlalchemy.orm import aliased, joinedload, lazyload

from ..extensions import db
from ..money import share_percent
from ..signals import Hook, handlers
from .models import Contribution, EntryKind, FundPool, LedgerEntry, PoolDayTotal, PoolSourceTotal, SourceType


@dataclass(frozen=True)
class StatementFilter:
    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None


def statement_select(pool: FundPool, filters: StatementFilter = StatementFilter(), newest_first=False) -> Select:
    """Rows of (LedgerEntry, balance after it, Contribution or None) in posting order;
    with_project_titles() adds the title of the project an entry pays."""
    order = LedgerEntry.sequence.desc() if newest_first else LedgerEntry.sequence
    return _filtered(select(LedgerEntry, LedgerEntry.balance_after_fen, Contribution)
                     .outerjoin(Contribution, Contribution.ledger_entry_id == LedgerEntry.id), pool.id, filters
                     ).options(*_row_loading()).order_by(order)


def _row_loading() -> tuple:
    """A row shows its entry, its contribution and who recorded it: the models' other eager loads (the entry's
    pool, the contribution's entry again, the recorder's village and township, the collateral) stay unloaded."""
    return (lazyload(LedgerEntry.pool), joinedload(LedgerEntry.actor).lazyload("*"),
            lazyload(Contribution.entry), lazyload(Contribution.collateral))


def _filtered(stmt, pool_id: int, filters: StatementFilter):
    """The pool's entries under the filters."""
    stmt = stmt.where(LedgerEntry.pool_id == pool_id, _admitted(filters, LedgerEntry.value_date, LedgerEntry.kind))
    if filters.date_from:
        stmt = stmt.where(LedgerEntry.sequence >= _first_sequence_from(pool_id, filters))
    return stmt


def _admitted(filters: StatementFilter, day, kind):
    """The filters as one condition on a value date and a kind: of the ledger's entries or of the stored
    day totals (which hold the same dates and kinds)."""
    return and_(true(), *([day >= filters.date_from] if filters.date_from else []),
                *([day <= filters.date_to] if filters.date_to else []),
                *([kind == filters.kind] if filters.kind in set(EntryKind) else []))


def _first_sequence_from(pool_id: int, filters: StatementFilter):
    """The lowest sequence of an entry (of the chosen kind) dated on or after date_from, from the stored day
    totals: where a statement from a date starts walking the pool's sequence index, instead of at its first
    entry. Exact: back-dated entries count under their own date (a date_to narrows the days to the
    period's, whose entries are the only ones shown anyway). Not correlated: computed once per query."""
    return select(func.min(PoolDayTotal.first_sequence)).where(
        PoolDayTotal.pool_id == pool_id, _admitted(filters, PoolDayTotal.value_date, PoolDayTotal.kind)
    ).scalar_subquery()


@dataclass(frozen=True)
class PeriodSummary:
    """A dated period of the statement: the balance before it (by value date), what came in and went
    out in it (of the chosen kind), and the balance at its end (all kinds)."""
    opening_fen: int
    received_fen: int
    paid_out_fen: int  # negative or zero
    closing_fen: int


def period_summary(pool: FundPool, filters: StatementFilter) -> PeriodSummary | None:
    """One aggregate query over the pool's stored totals per day and kind (a row per day, not per entry);
    None when the statement is not limited to a period."""
    if not (filters.date_from or filters.date_to):
        return None
    day, net = PoolDayTotal.value_date, PoolDayTotal.received_fen + PoolDayTotal.paid_out_fen
    before = day < filters.date_from if filters.date_from else false()
    not_after = day <= filters.date_to if filters.date_to else true()
    in_period = _admitted(filters, day, PoolDayTotal.kind)
    total = lambda condition, amount: func.coalesce(func.sum(case((condition, amount), else_=0)), 0)  # noqa: E731
    opening, received, paid_out, closing = db.session.execute(
        select(total(before, net), total(in_period, PoolDayTotal.received_fen),
               total(in_period, PoolDayTotal.paid_out_fen), total(not_after, net))
        .where(PoolDayTotal.pool_id == pool.id)
    ).one()
    return PeriodSummary(int(opening), int(received), int(paid_out), int(closing))


@dataclass
class StatementPage:
    rows: list
    earlier_than: int | None  # the sequence to page back from, if there are earlier entries
    later_than: int | None  # the sequence to page on from, if there are later entries


def statement_page(pool: FundPool, filters: StatementFilter, *, size: int, after: int | None = None,
                   before: int | None = None, from_date: date | None = None) -> StatementPage:
    """One page of the statement by sequence: after a sequence, before one, from a date, or the first.
    A position past either end gives the nearest page, never an error."""
    if from_date is not None:
        first = _first_sequence_on_or_after(pool, from_date)
        after, before = (first - 1, None) if first is not None else (None, pool.last_sequence + 1)
    if before is not None:
        rows = _rows(statement_select(pool, filters, newest_first=True)
                     .where(LedgerEntry.sequence < before), size + 1)[::-1]
        if not rows:
            return statement_page(pool, filters, size=size)
        more_earlier, rows = len(rows) > size, rows[-size:]
        return _page(pool, filters, rows, more_earlier=more_earlier, more_later=None, size=size)
    stmt = statement_select(pool, filters)
    rows = _rows(stmt.where(LedgerEntry.sequence > after) if after else stmt, size + 1)
    if not rows and after:
        return statement_page(pool, filters, size=size, before=pool.last_sequence + 1)
    return _page(pool, filters, rows[:size], more_earlier=None, more_later=len(rows) > size, size=size)


def _first_sequence_on_or_after(pool: FundPool, day: date) -> int | None:
    """The entry with the earliest value date on or after day (the first posted of that date): one lookup
    in the covering index (pool_id, value_date, sequence), however long the ledger. The page then runs in
    posting order from it; an entry posted before it but dated later is on the page before."""
    return db.session.execute(select(LedgerEntry.sequence).where(
        LedgerEntry.pool_id == pool.id, LedgerEntry.value_date >= day)
        .order_by(LedgerEntry.value_date, LedgerEntry.sequence).limit(1)).scalar_one_or_none()


def _rows(stmt, limit: int) -> list:
    return list(db.session.execute(stmt.limit(limit)).all())


def _page(pool, filters, rows, *, more_earlier, more_later, size) -> StatementPage:
    if not rows:
        return StatementPage([], None, None)
    first, last = rows[0][0].sequence, rows[-1][0].sequence
    if more_earlier is None:
        more_earlier = _exists(pool, filters, LedgerEntry.sequence < first)
    if more_later is None:
        more_later = _exists(pool, filters, LedgerEntry.sequence > last)
    return StatementPage(rows, first if more_earlier else None, last if more_later else None)


def _exists(pool, filters, condition) -> bool:
    stmt = _filtered(select(LedgerEntry.id).where(condition), pool.id, filters)
    return db.session.execute(stmt.limit(1)).first() is not None


def project_titles(project_ids) -> dict[int, str]:
    """Titles of the projects entries pay, asked from the domain that keeps projects (one query)."""
    ids = sorted({project_id for project_id in project_ids if project_id is not None})
    titles: dict[int, str] = {}
    for provider in handlers(Hook.PROJECT_TITLES) if ids else ():
        titles.update(provider(ids))
    return titles


def with_project_titles(rows, chunk: int = 2000):
    """Statement rows as (entry, running balance, contribution, project title or None), streamed in chunks."""
    rows = iter(rows)
    while batch := list(islice(rows, chunk)):
        titles = project_titles(row[0].project_id for row in batch)
        yield from ((*row, titles.get(row[0].project_id)) for row in batch)


def reversed_entry_ids(entry_ids) -> set[int]:
    """Which of these entries already have their reversal (one query for a page)."""
    entry_ids = list(entry_ids)
    if not entry_ids:
        return set()
    return set(db.session.execute(
        select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.in_(entry_ids))
    ).scalars())


def received_by_source(pool_ids) -> dict[int, dict[str, int]]:
    """Net contributions (after their reversals) by source type, per pool, as stored (one query)."""
    pool_ids = list(pool_ids)
    result = {pool_id: {source: 0 for source in SourceType} for pool_id in pool_ids}
    for pool_id, source, amount in db.session.execute(
        select(PoolSourceTotal.pool_id, PoolSourceTotal.source_type, PoolSourceTotal.amount_fen)
        .where(PoolSourceTotal.pool_id.in_(pool_ids))
    ).all() if pool_ids else []:
        result[pool_id][source] = int(amount)
    return result


def recomputed_received_by_source(pool_ids) -> dict[int, dict[str, int]]:
    """The same, summed from the ledger and the contributions (for verify-ledger)."""
    pool_ids = list(pool_ids)
    described = aliased(Contribution)
    rows = db.session.execute(
        select(LedgerEntry.pool_id, described.source_type, func.sum(LedgerEntry.amount_fen))
        .join(described, described.ledger_entry_id == func.coalesce(LedgerEntry.reverses_id, LedgerEntry.id))
        .where(LedgerEntry.pool_id.in_(pool_ids))
        .group_by(LedgerEntry.pool_id, described.source_type)
    ).all() if pool_ids else []
    result = {pool_id: {source: 0 for source in SourceType} for pool_id in pool_ids}
    for pool_id, source, total in rows:
        result[pool_id][source] = int(total or 0)
    return result


@dataclass(frozen=True)
class SourceShare:
    source: str
    amount_fen: int
    percent: Decimal


def composition(received: dict[str, int]) -> list[SourceShare]:
    """Each source's share of the money received (for the bar on the pool page)."""
    total = sum(received.values())
    return [SourceShare(source, amount, share_percent(amount, total)) for source, amount in received.items()]
