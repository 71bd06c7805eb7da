"""Reconciliation (`flask verify-ledger` and its page): recompute every pool from its entries
and check every invariant of the ledger. Returns the list of violations; empty means OK."""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..extensions import db
from ..signals import Hook, handlers
from .models import ENTRY_SIGN, Commitment, Contribution, EntryKind, FundPool, LedgerEntry, LoanRepayment
from .services import paid_to_projects_fen, pool_figures
from .statement import received_by_source


@dataclass
class PoolCheck:
    pool: FundPool
    entries: int = 0
    balance_fen: int = 0
    by_kind_fen: dict = field(default_factory=lambda: defaultdict(int))  # reversals count under their target's kind


@dataclass
class VerificationReport:
    pools: list[PoolCheck]
    violations: list[str]

    @property
    def ok(self) -> bool:
        return not self.violations


def _entry_rows():
    """Every entry's essentials, streamed in id order (no ORM objects: the ledger can be large)."""
    columns = (LedgerEntry.id, LedgerEntry.pool_id, LedgerEntry.kind, LedgerEntry.amount_fen, LedgerEntry.reverses_id)
    return db.session.execute(select(*columns).order_by(LedgerEntry.id).execution_options(yield_per=5000))


def _check_entry(row, targets: dict, reversal_count: dict, violations: list[str]) -> None:
    entry_id, pool_id, kind, amount, reverses_id = row
    if kind == EntryKind.REVERSAL:
        target = targets.get(reverses_id)
        reversal_count[reverses_id] += 1
        if target is None:
            violations.append(f"entry #{entry_id}: reverses #{reverses_id}, which is not an earlier entry")
        elif target[0] != pool_id:
            violations.append(f"entry #{entry_id}: reverses #{reverses_id} of another pool")
        elif target[1] == EntryKind.REVERSAL:
            violations.append(f"entry #{entry_id}: reverses a reversal (#{reverses_id})")
        elif amount != -target[2]:
            violations.append(f"entry #{entry_id}: reversal amount {amount} is not the opposite of {target[2]}")
    elif kind not in ENTRY_SIGN:
        violations.append(f"entry #{entry_id}: unknown kind {kind!r}")
    elif amount == 0 or (amount > 0) != (ENTRY_SIGN[EntryKind(kind)] > 0):
        violations.append(f"entry #{entry_id}: amount {amount} has the wrong sign for a {kind}")


def _check_descriptions(targets: dict, violations: list[str]) -> None:
    """Contribution and loan-repayment rows must describe the entry they point at."""
    for contribution_id, entry_id, pool_id, amount in db.session.execute(
        select(Contribution.id, Contribution.ledger_entry_id, Contribution.pool_id, Contribution.amount_fen)
    ):
        target = targets.get(entry_id)
        if target is None or target[:3] != (pool_id, EntryKind.CONTRIBUTION, amount):
            violations.append(f"contribution #{contribution_id}: does not match its ledger entry #{entry_id}")
    for repayment_id, entry_id, principal, interest in db.session.execute(
        select(LoanRepayment.id, LoanRepayment.ledger_entry_id, LoanRepayment.principal_fen, LoanRepayment.interest_fen)
    ):
        target = targets.get(entry_id)
        if target is None or target[1:3] != (EntryKind.LOAN_REPAYMENT, -(principal + interest)):
            violations.append(f"loan repayment #{repayment_id}: does not match its ledger entry #{entry_id}")


def _check_commitments(violations: list[str]) -> None:
    """No project paid more than was committed to it; no outstanding commitment below zero."""
    committed = dict(db.session.execute(
        select(Commitment.project_id, func.sum(Commitment.amount_fen)).group_by(Commitment.project_id)
    ).all())
    for project_id, total in committed.items():
        if total < 0:
            violations.append(f"project #{project_id}: more released ({-total}) than committed")
    for project_id, paid in paid_to_projects_fen().items():
        if paid > int(committed.get(project_id) or 0):
            violations.append(f"project #{project_id}: paid {paid}, more than its commitment "
                              f"{int(committed.get(project_id) or 0)}")


def verify_ledger() -> VerificationReport:
    pools = {pool.id: PoolCheck(pool) for pool in db.session.execute(select(FundPool).order_by(FundPool.id)).scalars()}
    violations: list[str] = []
    targets: dict[int, tuple] = {}
    reversal_count: dict[int, int] = defaultdict(int)
    for row in _entry_rows():
        entry_id, pool_id, kind, amount, _ = row
        _check_entry(row, targets, reversal_count, violations)
        check = pools[pool_id]
        check.entries += 1
        check.balance_fen += amount
        net_kind = targets[row[4]][1] if kind == EntryKind.REVERSAL and row[4] in targets else kind
        check.by_kind_fen[net_kind] += amount
        targets[entry_id] = (pool_id, kind, amount)
    violations.extend(f"entry #{target}: reversed {count} times" for target, count in reversal_count.items() if count > 1)
    _check_descriptions(targets, violations)
    figures = pool_figures(pools)
    received = received_by_source(pools)
    for pool_id, check in pools.items():
        name = check.pool.name
        sql = figures[pool_id]
        if sql.balance_fen != check.balance_fen:
            violations.append(f"pool {name}: SQL balance {sql.balance_fen} differs from the entries' sum {check.balance_fen}")
        if sum(received[pool_id].values()) != check.by_kind_fen[EntryKind.CONTRIBUTION]:
            violations.append(f"pool {name}: contributions by source {sum(received[pool_id].values())} differ from "
                              f"the net contribution entries {check.by_kind_fen[EntryKind.CONTRIBUTION]}")
        if check.balance_fen < 0:
            violations.append(f"pool {name}: negative balance {check.balance_fen}")
        if sql.available_fen < 0:
            violations.append(f"pool {name}: negative available money {sql.available_fen}")
    _check_commitments(violations)
    for check in handlers(Hook.LEDGER_CHECK):
        violations.extend(check())
    return VerificationReport(list(pools.values()), violations)
