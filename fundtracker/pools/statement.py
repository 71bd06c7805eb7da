"""The pool statement (对账单) and the pool's composition by source, computed in SQL.

The running balance is the pool's balance after each entry in posting order (entry id),
whatever filter is applied: a filtered statement still shows true balances.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import islice

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..money import share_percent
from ..signals import Hook, handlers
from .models import Contribution, EntryKind, FundPool, LedgerEntry, SourceType


@dataclass(frozen=True)
class StatementFilter:
    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None


def statement_select(pool: FundPool, filters: StatementFilter = StatementFilter(), newest_first=False) -> Select:
    """Rows of (LedgerEntry, running_balance_fen, Contribution or None); with_project_titles() adds
    the title of the project an entry pays."""
    running = (
        select(LedgerEntry.id.label("entry_id"),
               func.sum(LedgerEntry.amount_fen).over(order_by=LedgerEntry.id).label("running_fen"))
        .where(LedgerEntry.pool_id == pool.id)
        .subquery()
    )
    stmt = (
        select(LedgerEntry, running.c.running_fen, Contribution)
        .join(running, running.c.entry_id == LedgerEntry.id)
        .outerjoin(Contribution, Contribution.ledger_entry_id == LedgerEntry.id)
        .where(LedgerEntry.pool_id == pool.id)
        .order_by(LedgerEntry.id.desc() if newest_first else LedgerEntry.id)
    )
    if filters.date_from:
        stmt = stmt.where(LedgerEntry.value_date >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(LedgerEntry.value_date <= filters.date_to)
    if filters.kind in set(EntryKind):
        stmt = stmt.where(LedgerEntry.kind == filters.kind)
    return stmt


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
    """Net contributions (after their reversals) by source type, per pool."""
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
