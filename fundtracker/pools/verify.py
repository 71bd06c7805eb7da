"""Reconciliation (`flask verify-ledger` and its page): recompute every pool from its rows, check
every invariant of the ledger, every stored figure and every hash chain. Violations fail the
check; warnings (contributions that look duplicated) are shown and do not."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select

from ..audit.services import verify_audit_chain
from ..chain import SEED, commitment_fields, entry_fields, link
from ..extensions import db
from ..signals import Hook, handlers
from .loans import accrued_interest_fen
from .models import ENTRY_SIGN, Commitment, Contribution, EntryKind, FundPool, LedgerEntry, LoanRepayment
from .services import paid_to_projects_fen, recomputed_day_totals, recomputed_pool_figures, stored_day_totals
from .statement import received_by_source, recomputed_received_by_source


@dataclass
class PoolCheck:
    pool: FundPool
    entries: int = 0
    balance_fen: int = 0
    by_kind_fen: dict = field(default_factory=lambda: defaultdict(int))  # reversals count under their target's kind
    chain_hash: str = SEED  # the recomputed head of the pool's entry chain
    broken_at: int | None = None  # the sequence of the first entry whose stored hash does not match


@dataclass
class VerificationReport:
    pools: list[PoolCheck]
    violations: list[str]
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


def _entry_rows():
    """Every entry, streamed in id order (the ledger can be large: plain rows, not ORM objects)."""
    return db.session.execute(select(*LedgerEntry.__table__.columns).order_by(LedgerEntry.id)
                              .execution_options(yield_per=5000))


def _check_entry(row, targets: dict, reversal_count: dict, violations: list[str]) -> None:
    entry_id, pool_id, kind, amount, reverses_id = row.id, row.pool_id, row.kind, row.amount_fen, row.reverses_id
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


def _check_entry_chain(row, check: PoolCheck, violations: list[str]) -> None:
    """Sequence without gaps, the stored balance after the entry, and its link in the pool's chain."""
    name = check.pool.name
    if row.sequence != check.entries:
        violations.append(f"pool {name}: entry #{row.id} has sequence {row.sequence}, expected {check.entries}")
    if row.balance_after_fen != check.balance_fen:
        violations.append(f"pool {name}: entry #{row.id} (sequence {row.sequence}) stores the balance "
                          f"{row.balance_after_fen}, the entries add up to {check.balance_fen}")
    check.chain_hash = link(check.chain_hash, entry_fields(row))
    if row.hash != check.chain_hash and check.broken_at is None:
        check.broken_at = row.sequence
        violations.append(f"pool {name}: entry #{row.id} (sequence {row.sequence}) does not match its hash: "
                          "the entry or one before it was changed")


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


def _check_loan_repayments(violations: list[str]) -> None:
    """No loan repaid beyond its principal, nor paid more interest than had accrued at each payment."""
    loans = {loan.id: loan for loan in db.session.execute(
        select(Contribution).where(Contribution.id.in_(select(LoanRepayment.contribution_id)))).scalars()}
    history: dict[int, list] = defaultdict(list)
    for row in db.session.execute(select(LoanRepayment).order_by(LoanRepayment.paid_on, LoanRepayment.id)).scalars():
        history[row.contribution_id].append(row)
    for loan_id, rows in history.items():
        loan = loans[loan_id]
        if not loan.is_loan:
            violations.append(f"loan repayment #{rows[0].id}: contribution #{loan_id} is not a loan")
            continue
        principal_paid, interest_paid, earlier = 0, 0, []
        for row in rows:
            principal_paid += row.principal_fen
            interest_paid += row.interest_fen
            accrued = accrued_interest_fen(loan.amount_fen, loan.annual_rate_bp, loan.loan_start_on, row.paid_on,
                                           earlier)
            earlier.append((row.paid_on, row.principal_fen))
            if principal_paid > loan.amount_fen:
                violations.append(f"loan #{loan_id}: repayment #{row.id} takes the principal repaid to "
                                  f"{principal_paid}, above the loan's {loan.amount_fen}")
            if interest_paid > accrued:
                violations.append(f"loan #{loan_id}: repayment #{row.id} takes the interest paid to {interest_paid}, "
                                  f"above the {accrued} accrued by {row.paid_on}")


def _check_commitments(pools: dict[int, FundPool], violations: list[str]) -> None:
    """Each pool's commitment chain and sequence; no project paid more than was committed to it;
    no outstanding commitment below zero."""
    committed: dict[int, int] = defaultdict(int)
    heads = {pool_id: (0, SEED) for pool_id in pools}
    for row in db.session.execute(select(*Commitment.__table__.columns).order_by(Commitment.id)):
        sequence, previous = heads.get(row.pool_id, (0, SEED))
        expected = link(previous, commitment_fields(row))
        if row.sequence != sequence + 1:
            violations.append(f"commitment #{row.id}: sequence {row.sequence}, expected {sequence + 1}")
        if row.hash != expected:
            violations.append(f"commitment #{row.id} (pool #{row.pool_id}, sequence {row.sequence}) does not match "
                              "its hash: the commitment or one before it was changed")
        heads[row.pool_id] = (row.sequence, expected)
        committed[row.project_id] += row.amount_fen
    for pool_id, (sequence, head) in heads.items():
        pool = pools[pool_id]
        if (pool.last_commitment_sequence, pool.commitment_chain_hash) != (sequence, head):
            violations.append(f"pool {pool.name}: stored commitment chain head differs from the commitments")
    for project_id, total in committed.items():
        if total < 0:
            violations.append(f"project #{project_id}: more released ({-total}) than committed")
    for project_id, paid in paid_to_projects_fen().items():
        if paid > committed.get(project_id, 0):
            violations.append(f"project #{project_id}: paid {paid}, more than its commitment "
                              f"{committed.get(project_id, 0)}")


def _check_stored_figures(check: PoolCheck, recomputed, received: dict, stored_received: dict,
                          violations: list[str]) -> None:
    pool, name = check.pool, check.pool.name
    if pool.balance_fen != check.balance_fen or recomputed.balance_fen != check.balance_fen:
        violations.append(f"pool {name}: stored balance {pool.balance_fen}, SQL sum {recomputed.balance_fen}, "
                          f"entries' sum {check.balance_fen}")
    if pool.committed_fen != recomputed.committed_fen:
        violations.append(f"pool {name}: stored outstanding commitments {pool.committed_fen} differ from "
                          f"the commitments less the payments {recomputed.committed_fen}")
    if pool.paid_out_fen != -check.by_kind_fen[EntryKind.DISBURSEMENT]:
        violations.append(f"pool {name}: stored money paid out {pool.paid_out_fen} differs from the net payment "
                          f"entries {-check.by_kind_fen[EntryKind.DISBURSEMENT]}")
    if (pool.last_sequence, pool.entry_chain_hash) != (check.entries, check.chain_hash):
        violations.append(f"pool {name}: stored chain head (sequence {pool.last_sequence}) differs from "
                          f"the entries (sequence {check.entries})")
    if sum(received[pool.id].values()) != check.by_kind_fen[EntryKind.CONTRIBUTION]:
        violations.append(f"pool {name}: contributions by source {sum(received[pool.id].values())} differ from "
                          f"the net contribution entries {check.by_kind_fen[EntryKind.CONTRIBUTION]}")
    if stored_received[pool.id] != received[pool.id]:
        violations.append(f"pool {name}: stored totals by source {stored_received[pool.id]} differ from the "
                          f"contributions {received[pool.id]}")
    if check.balance_fen < 0:
        violations.append(f"pool {name}: negative balance {check.balance_fen}")
    if recomputed.available_fen < 0:
        violations.append(f"pool {name}: negative available money {recomputed.available_fen}")


def _day_total_violations(pools: dict) -> list[str]:
    stored, recomputed = stored_day_totals(pools), recomputed_day_totals(pools)
    return [f"pool {pools[key[0]].pool.name}: stored totals of {key[2]} on {key[1]} {stored.get(key)} differ "
            f"from the entries {recomputed.get(key)}"
            for key in sorted(stored.keys() | recomputed.keys()) if stored.get(key) != recomputed.get(key)]


def duplicate_contribution_warnings() -> list[str]:
    """Contributions that look entered twice: same pool, source, contributor, amount, value date and
    reference, recorded within a day of each other (and neither reversed)."""
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    rows = db.session.execute(
        select(Contribution.id, Contribution.pool_id, Contribution.source_type, Contribution.contributor,
               Contribution.amount_fen, Contribution.received_on, Contribution.reference, Contribution.created_at)
        .where(Contribution.ledger_entry_id.not_in(reversed_ids))
        .order_by(Contribution.pool_id, Contribution.source_type, Contribution.contributor, Contribution.amount_fen,
                  Contribution.received_on, Contribution.reference, Contribution.created_at)
    ).all()
    warnings = []
    for earlier, later in zip(rows, rows[1:]):
        if earlier[1:7] == later[1:7] and later.created_at - earlier.created_at <= timedelta(days=1):
            warnings.append(f"contributions #{earlier.id} and #{later.id} look like the same money recorded twice "
                            f"({later.contributor}, {later.amount_fen} fen, {later.received_on})")
    return warnings


def verify_ledger() -> VerificationReport:
    pools = {pool.id: PoolCheck(pool) for pool in db.session.execute(select(FundPool).order_by(FundPool.id)).scalars()}
    violations: list[str] = []
    targets: dict[int, tuple] = {}
    reversal_count: dict[int, int] = defaultdict(int)
    for row in _entry_rows():
        _check_entry(row, targets, reversal_count, violations)
        check = pools[row.pool_id]
        check.entries += 1
        check.balance_fen += row.amount_fen
        net_kind = targets[row.reverses_id][1] if row.kind == EntryKind.REVERSAL and row.reverses_id in targets \
            else row.kind
        check.by_kind_fen[net_kind] += row.amount_fen
        _check_entry_chain(row, check, violations)
        targets[row.id] = (row.pool_id, row.kind, row.amount_fen)
    violations.extend(f"entry #{target}: reversed {count} times" for target, count in reversal_count.items() if count > 1)
    _check_descriptions(targets, violations)
    _check_loan_repayments(violations)
    _check_commitments({pool_id: check.pool for pool_id, check in pools.items()}, violations)
    recomputed, received = recomputed_pool_figures(pools), recomputed_received_by_source(pools)
    stored_received = received_by_source(pools)
    for pool_id, check in pools.items():
        _check_stored_figures(check, recomputed[pool_id], received, stored_received, violations)
    violations.extend(_day_total_violations(pools))
    violations.extend(verify_audit_chain())
    for ledger_check in handlers(Hook.LEDGER_CHECK):
        violations.extend(ledger_check())
    return VerificationReport(list(pools.values()), violations, duplicate_contribution_warnings())


@dataclass(frozen=True)
class StatementCheck:
    agrees: bool
    message: str


def verify_statement(pool_id: int, sequence: int, fingerprint: str) -> StatementCheck:
    """Does the pool's ledger, recomputed from its first entry, still end in `fingerprint` at `sequence`?
    (The fingerprint printed on a statement is the first digits of the chain's hash at its last entry.)"""
    fingerprint = (fingerprint or "").strip().lower()
    if len(fingerprint) < 8:
        return StatementCheck(False, "the fingerprint needs at least 8 hex digits")
    head, stored, count = SEED, None, 0
    for row in db.session.execute(select(*LedgerEntry.__table__.columns)
                                  .where(LedgerEntry.pool_id == pool_id, LedgerEntry.sequence <= sequence)
                                  .order_by(LedgerEntry.sequence).execution_options(yield_per=5000)):
        head, stored, count = link(head, entry_fields(row)), row.hash, count + 1
    if count != sequence or sequence < 1:
        return StatementCheck(False, f"pool #{pool_id} has no entry with sequence {sequence}")
    if not head.startswith(fingerprint):
        return StatementCheck(False, f"the ledger changed: up to sequence {sequence} it now gives {head[:16]}, "
                                     f"not {fingerprint}")
    if stored != head:
        return StatementCheck(False, f"the stored hash at sequence {sequence} differs from the recomputed one")
    return StatementCheck(True, f"the ledger agrees with the fingerprint {fingerprint} up to sequence {sequence}")
