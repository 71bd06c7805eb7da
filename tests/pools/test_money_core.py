"""The money core: stored pool figures and sequences under any mix of contributions, reversals,
commitments and releases; tampering caught by the hash chains (entries, commitments, audit trail)
and by a statement's fingerprint; two processes writing to one pool; releases and payments
against commitments; duplicated contributions; pages whose queries do not grow with the ledger."""
import multiprocessing
import re
from contextlib import contextmanager
from datetime import date
from itertools import count

import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from fundtracker.append_only import append_only_trigger_sql, drop_append_only_trigger_sql
from fundtracker.audit.models import AuditEvent
from fundtracker.auth.roles import Role
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.pools.models import Commitment, Contribution, EntryKind, FundPool, LedgerEntry
from fundtracker.pools.services import (
    ContributionInput,
    PoolFigures,
    append_entry,
    commit_to_project,
    recomputed_pool_figures,
    record_contribution,
    release_commitment,
    reverse_entry,
)
from fundtracker.pools.statement import received_by_source, recomputed_received_by_source
from fundtracker.pools.verify import verify_ledger, verify_statement
from fundtracker.projects.applications import save_application

from ..conftest import BASE_CONFIG
from ..projects.conftest import complete_application
from ..query_counter import count_queries

CONTEXT = multiprocessing.get_context("spawn")
VALUE_DATE = date(2026, 3, 1)
_names = count(1)


@pytest.fixture
def make_project(app, make_user):
    """A project row to commit pool money to (commit_to_project needs no approval or panel)."""
    author = make_user(Role.VILLAGE, username="village-author")

    def factory(title="牧场扩建"):
        project = save_application(None, complete_application(title=title), village_id=author.village.id,
                                   actor=author)
        db.session.commit()
        return project

    return factory


def stored_figures(pool_id: int) -> tuple:
    """The pool row's figures as the database has them (after flushing whatever the session holds)."""
    return tuple(db.session.execute(
        select(FundPool.balance_fen, FundPool.committed_fen, FundPool.last_sequence, FundPool.entry_chain_hash,
               FundPool.last_commitment_sequence, FundPool.commitment_chain_hash).where(FundPool.id == pool_id)
    ).one())


def row_counts() -> tuple:
    return tuple(db.session.execute(select(func.count()).select_from(model)).scalar_one()
                 for model in (LedgerEntry, Commitment, Contribution, AuditEvent))


def names_entry(violations, kind: str, row_id: int) -> bool:
    """Does a violation name this row ("entry #12", "audit event #3", "commitment #4"), not #120?"""
    return any(re.search(rf"\b{kind} #{row_id}(?!\d)", violation) for violation in violations)


# 1. Any sequence of contributions, reversals, commitments and releases across pools --------------

contribute_step = st.tuples(st.just("contribute"), st.integers(0, 1), st.integers(1, 1_000_000),
                            st.sampled_from(["subsidy", "self_raised", "donation"]))
reverse_step = st.tuples(st.just("reverse"), st.integers(0, 1), st.integers(0, 40))
# Commitments and releases ask for a percentage of what the pool has available, or of what is still
# committed to the project, so that both sides of each limit come up (120 % is over it).
commit_step = st.tuples(st.just("commit"), st.integers(0, 1), st.integers(0, 1), st.integers(1, 120))
release_step = st.tuples(st.just("release"), st.integers(0, 1), st.integers(0, 1), st.integers(1, 120),
                         st.sampled_from(["exit", "reduced amount", "exit", ""]))


def share(total: int, percent: int) -> int:
    return max(1, total * percent // 100)


def assert_pools_sound(pool_ids, model_balance, model_committed):
    """After every step: the stored figures equal the sums recomputed from the rows (and the model's),
    sequences of entries and of commitments run 1..n without gaps, nothing below zero."""
    recomputed = recomputed_pool_figures(pool_ids)
    stored = {row.id: row for row in db.session.execute(
        select(FundPool.id, FundPool.balance_fen, FundPool.committed_fen, FundPool.last_sequence,
               FundPool.last_commitment_sequence).where(FundPool.id.in_(pool_ids)))}
    entries = {pool_id: [] for pool_id in pool_ids}
    for pool_id, sequence, balance_after in db.session.execute(
        select(LedgerEntry.pool_id, LedgerEntry.sequence, LedgerEntry.balance_after_fen)
        .where(LedgerEntry.pool_id.in_(pool_ids)).order_by(LedgerEntry.id)
    ):
        entries[pool_id].append((sequence, balance_after))
    commitments = {pool_id: [] for pool_id in pool_ids}
    for pool_id, sequence in db.session.execute(
        select(Commitment.pool_id, Commitment.sequence).where(Commitment.pool_id.in_(pool_ids)).order_by(Commitment.id)
    ):
        commitments[pool_id].append(sequence)
    for pool_id in pool_ids:
        pool = stored[pool_id]
        assert (pool.balance_fen, pool.committed_fen) == (recomputed[pool_id].balance_fen,
                                                          recomputed[pool_id].committed_fen)
        assert (pool.balance_fen, pool.committed_fen) == (model_balance[pool_id], model_committed[pool_id])
        assert pool.last_sequence == len(entries[pool_id])
        assert [sequence for sequence, _ in entries[pool_id]] == list(range(1, pool.last_sequence + 1))
        assert commitments[pool_id] == list(range(1, pool.last_commitment_sequence + 1))
        if entries[pool_id]:
            assert entries[pool_id][-1][1] == pool.balance_fen
        assert pool.committed_fen >= 0
        assert pool.balance_fen - pool.committed_fen >= 0
    assert received_by_source(pool_ids) == recomputed_received_by_source(pool_ids)


@pytest.fixture
def projects(make_project):
    """Made once for the property test and shared by its examples (each example rolls back)."""
    return [make_project(title=f"项目{n}").id for n in range(2)]


@example(steps=[("contribute", 0, 1000_00, "subsidy"), ("commit", 0, 0, 60), ("release", 0, 0, 50, "exit"),
                ("reverse", 0, 0), ("release", 0, 0, 120, "exit"), ("reverse", 1, 0)])
@example(steps=[("contribute", 1, 1000_00, "donation"), ("commit", 1, 0, 50), ("commit", 1, 1, 50),
                ("release", 1, 1, 120, "exit"), ("release", 1, 0, 100, ""), ("release", 1, 0, 100, "exit")])
@given(steps=st.lists(st.one_of(contribute_step, reverse_step, commit_step, release_step), min_size=4, max_size=20))
def test_stored_figures_and_sequences_hold_after_every_step(app, finance, projects, steps):
    try:
        run = next(_names)
        pools = [FundPool(name=f"property {run}-{n}", year=2026) for n in range(2)]
        db.session.add_all(pools)
        db.session.flush()
        pool_ids = [pool.id for pool in pools]
        balance = dict.fromkeys(pool_ids, 0)
        committed = dict.fromkeys(pool_ids, 0)
        outstanding = {}  # (pool, project) -> committed less released
        entries = []  # (id, pool_id, amount, is_reversal), every entry of these pools
        reversed_ids = set()
        for step in steps:
            action, pool_id = step[0], pool_ids[step[1]]
            if action == "contribute":
                made = record_contribution(pool_id, ContributionInput(step[3], "县财政局", step[2], VALUE_DATE),
                                           actor=finance)
                entries.append((made.entry.id, pool_id, step[2], False))
                balance[pool_id] += step[2]
            elif action == "reverse":
                if not entries:
                    continue
                target_id, target_pool, amount, is_reversal = entries[step[2] % len(entries)]
                expected = (target_pool == pool_id and not is_reversal and target_id not in reversed_ids
                            and balance[pool_id] - amount >= committed[pool_id])
                try:
                    with db.session.begin_nested():
                        reversal = reverse_entry(pool_id, target_id, actor=finance, reason="typo",
                                                 value_date=VALUE_DATE)
                except DomainError:
                    assert not expected, step
                    event(f"{action} refused")
                    continue
                assert expected, step
                event(f"{action} accepted")
                entries.append((reversal.id, pool_id, -amount, True))
                reversed_ids.add(target_id)
                balance[pool_id] -= amount
            elif action == "commit":
                project_id, amount = projects[step[2]], share(balance[pool_id] - committed[pool_id], step[3])
                expected = amount <= balance[pool_id] - committed[pool_id]
                try:
                    with db.session.begin_nested():
                        commit_to_project(pool_id, project_id, amount, actor=finance, reason="approved")
                except DomainError:
                    assert not expected, step
                    event(f"{action} refused")
                    continue
                assert expected, step
                event(f"{action} accepted")
                committed[pool_id] += amount
                outstanding[pool_id, project_id] = outstanding.get((pool_id, project_id), 0) + amount
            else:
                project_id, reason = projects[step[2]], step[4]
                amount = share(outstanding.get((pool_id, project_id), 0), step[3])
                expected = bool(reason.strip()) and amount <= outstanding.get((pool_id, project_id), 0)
                try:
                    with db.session.begin_nested():
                        release_commitment(pool_id, project_id, amount, actor=finance, reason=reason)
                except DomainError:
                    assert not expected, step
                    event(f"{action} refused")
                    continue
                assert expected, step
                event(f"{action} accepted")
                committed[pool_id] -= amount
                outstanding[pool_id, project_id] -= amount
            assert_pools_sound(pool_ids, balance, committed)
        report = verify_ledger()
        assert report.ok, report.violations
        assert report.violations == []
    finally:
        db.session.rollback()


# 2. Tampering is caught ---------------------------------------------------------------------------

@contextmanager
def append_only_lifted(table: str):
    """Drop the table's append-only triggers for one raw change, and always put them back (on
    PostgreSQL the schema is shared by every test of the run)."""
    dialect = db.engine.dialect.name

    def run(statements):
        for statement in statements:
            db.session.execute(text(statement))

    try:
        run(drop_append_only_trigger_sql(dialect, table))
        yield
        run(append_only_trigger_sql(dialect, table))
        db.session.commit()
    finally:
        db.session.rollback()
        run(drop_append_only_trigger_sql(dialect, table) + append_only_trigger_sql(dialect, table))
        db.session.commit()


def change_one_character(value: str) -> str:
    return value[:-1] + ("X" if value[-1] != "X" else "Y")


def tamper(table: str, row_id: int, column: str) -> None:
    current = db.session.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row_id}).scalar_one()
    with append_only_lifted(table):
        db.session.execute(text(f"UPDATE {table} SET {column} = :value WHERE id = :id"),
                           {"value": change_one_character(current), "id": row_id})
    db.session.expire_all()
    assert db.session.execute(text(f"SELECT {column} FROM {table} WHERE id = :id"),
                              {"id": row_id}).scalar_one() != current


@pytest.fixture
def ledger_with_history(pool, contribute, finance, make_project):
    """A pool with four contributions (memos with a reference), a commitment and a release."""
    made = [contribute(pool, (n + 1) * 100_00, reference=f"REF-{n}") for n in range(4)]
    project = make_project()
    commitment = commit_to_project(pool.id, project.id, 50_00, actor=finance, reason="approved at the meeting")
    release_commitment(pool.id, project.id, 20_00, actor=finance, reason="reduced amount")
    db.session.commit()
    assert verify_ledger().ok
    return made, commitment


def test_a_changed_entry_memo_fails_verify_ledger_and_the_statement_fingerprint(app, pool, ledger_with_history):
    contributions, _ = ledger_with_history
    sequence = pool.last_sequence
    old_fingerprint = pool.entry_chain_hash[:16]
    first_fingerprint = contributions[0].entry.hash[:16]
    assert verify_statement(pool.id, sequence, old_fingerprint).agrees
    runner = app.test_cli_runner()
    arguments = ["verify-statement", "--pool", str(pool.id), "--sequence", str(sequence),
                 "--fingerprint", old_fingerprint]
    db.session.commit()  # the command has its own session (SQLite: no write lock held here)
    before = runner.invoke(args=arguments)
    assert before.exit_code == 0, before.output
    assert before.output.startswith("OK: the ledger agrees")

    changed = contributions[1].entry
    tamper("ledger_entries", changed.id, "memo")

    report = verify_ledger()
    assert not report.ok
    assert names_entry(report.violations, "entry", changed.id), report.violations
    unchanged = [contribution.entry.id for contribution in contributions if contribution.entry.id != changed.id]
    assert not any(names_entry(report.violations, "entry", entry_id) for entry_id in unchanged)
    check = verify_statement(pool.id, sequence, old_fingerprint)
    assert not check.agrees
    assert "the ledger changed" in check.message
    assert verify_statement(pool.id, 1, first_fingerprint).agrees  # the entries before the change still agree
    db.session.commit()
    after = runner.invoke(args=arguments)
    assert after.exit_code == 1
    assert after.output.startswith("CHANGED: the ledger changed")


def test_a_changed_audit_summary_fails_verify_ledger(app, pool, ledger_with_history):
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "pool.contribution")
                               .order_by(AuditEvent.id)).scalars().first()
    tamper("audit_events", event.id, "summary")
    report = verify_ledger()
    assert not report.ok
    assert names_entry(report.violations, "audit event", event.id), report.violations


def test_a_changed_commitment_reason_fails_verify_ledger(app, pool, ledger_with_history):
    _, commitment = ledger_with_history
    tamper("pool_commitments", commitment.id, "reason")
    report = verify_ledger()
    assert not report.ok
    assert names_entry(report.violations, "commitment", commitment.id), report.violations


def test_append_only_triggers_are_back_after_tampering(app, pool, ledger_with_history):
    contributions, _ = ledger_with_history
    tamper("ledger_entries", contributions[0].entry.id, "memo")
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("UPDATE ledger_entries SET memo = 'again' WHERE id = :id"),
                           {"id": contributions[0].entry.id})
    db.session.rollback()


# 3. Two processes writing to one pool --------------------------------------------------------------

PER_WORKER = 15


def _contribute_many(database_url, pool_id, actor_id, worker, barrier, results):
    from fundtracker import create_app
    from fundtracker.auth.models import User

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        actor = db.session.get(User, actor_id)
        db.session.commit()
        barrier.wait(60)
        for number in range(PER_WORKER):
            record_contribution(pool_id, ContributionInput("subsidy", f"worker {worker}", 1000 * worker + number,
                                                           VALUE_DATE, reference=f"W{worker}-{number}"), actor=actor)
            db.session.commit()
        results.put(worker)
        db.engine.dispose()


def test_two_processes_contributing_to_one_pool_keep_one_unbroken_sequence(app, database_url, pool, finance):
    ids = (pool.id, finance.id)
    db.session.commit()
    barrier, results = CONTEXT.Barrier(2), CONTEXT.Queue()
    workers = [CONTEXT.Process(target=_contribute_many, args=(database_url, *ids, worker, barrier, results))
               for worker in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert sorted(results.get(timeout=5) for _ in workers) == [1, 2]
    db.session.expire_all()
    rows = db.session.execute(select(LedgerEntry.sequence, LedgerEntry.amount_fen, LedgerEntry.balance_after_fen)
                              .where(LedgerEntry.pool_id == pool.id).order_by(LedgerEntry.id)).all()
    total = sum(1000 * worker + number for worker in (1, 2) for number in range(PER_WORKER))
    assert [row.sequence for row in rows] == list(range(1, 2 * PER_WORKER + 1))
    assert sum(row.amount_fen for row in rows) == total
    running = 0
    for row in rows:
        running += row.amount_fen
        assert row.balance_after_fen == running
    db.session.refresh(pool)
    assert (pool.balance_fen, pool.last_sequence) == (total, 2 * PER_WORKER)
    report = verify_ledger()
    assert report.ok, report.violations


# 4. Releases, over-commitment and payments against commitments -------------------------------------

def refused(pool_id, call, *, field=None, message=None):
    """The call raises DomainError and writes nothing: the pool's figures and every row count unchanged."""
    figures, counts = stored_figures(pool_id), row_counts()
    with pytest.raises(DomainError) as refusal:
        call()
    if field is not None:
        assert refusal.value.field == field
    if message is not None:
        assert message in str(refusal.value), str(refusal.value)
    assert stored_figures(pool_id) == figures
    assert row_counts() == counts
    return refusal.value


def test_releases_and_payments_against_commitments(app, pool, contribute, finance, make_project):
    contribute(pool, 1000_00)
    first, second = make_project(title="甲"), make_project(title="乙")
    commit_to_project(pool.id, first.id, 600_00, actor=finance)
    commit_to_project(pool.id, second.id, 300_00, actor=finance)
    db.session.commit()
    assert (pool.balance_fen, pool.committed_fen, pool.available_fen) == (1000_00, 900_00, 100_00)

    refused(pool.id, lambda: release_commitment(pool.id, second.id, 50_00, actor=finance, reason="  "),
            field="reason", message="Give the reason for the release.")
    # The pool has 900 committed, but only 300 of it to this project.
    refused(pool.id, lambda: release_commitment(pool.id, second.id, 300_01, actor=finance, reason="exit"),
            field="amount", message="Only ¥300.00 is still committed to the project; ¥300.01 cannot be released.")
    refused(pool.id, lambda: commit_to_project(pool.id, first.id, 100_01, actor=finance),
            message="has ¥100.00 available; ¥100.01 cannot be committed.")

    release = release_commitment(pool.id, second.id, 100_00, actor=finance, reason="reduced amount")
    db.session.commit()
    assert (release.kind, release.amount_fen, release.reason) == ("release", -100_00, "reduced amount")
    assert (pool.balance_fen, pool.committed_fen, pool.available_fen) == (1000_00, 800_00, 200_00)

    paid = append_entry(pool.id, EntryKind.DISBURSEMENT, 250_00, actor=finance, value_date=VALUE_DATE,
                        project_id=first.id)
    db.session.commit()
    assert paid.amount_fen == -250_00
    assert (pool.balance_fen, pool.committed_fen, pool.available_fen) == (750_00, 550_00, 200_00)
    refused(pool.id, lambda: release_commitment(pool.id, first.id, 600_00, actor=finance, reason="exit"),
            field="amount", message="Only ¥350.00 is still committed to the project")
    release_commitment(pool.id, first.id, 350_00, actor=finance, reason="exit")
    db.session.commit()
    assert (pool.balance_fen, pool.committed_fen, pool.available_fen) == (750_00, 200_00, 550_00)
    assert recomputed_pool_figures([pool.id])[pool.id] == PoolFigures(750_00, 200_00)
    report = verify_ledger()
    assert report.ok, report.violations


# 5. Duplicated contributions ---------------------------------------------------------------------

def test_identical_contributions_are_warned_until_one_is_reversed(app, pool, contribute, finance):
    same = dict(contributor="县财政局", reference="BANK-2026-001")
    first, second = contribute(pool, 500_00, **same), contribute(pool, 500_00, **same)
    other = contribute(pool, 500_00, contributor="县财政局", reference="BANK-2026-002")
    report = verify_ledger()
    assert report.ok, report.violations
    assert len(report.warnings) == 1, report.warnings
    assert f"contributions #{first.id} and #{second.id} look like the same money recorded twice" in report.warnings[0]
    assert f"#{other.id}" not in report.warnings[0]

    reverse_entry(pool.id, second.entry.id, actor=finance, reason="entered twice", value_date=VALUE_DATE)
    db.session.commit()
    report = verify_ledger()
    assert report.ok, report.violations
    assert report.warnings == []


# 6. Queries of the pool list and a deep statement page do not grow with the ledger ----------------

def test_pool_list_and_deep_statement_pages_do_not_grow_queries_with_entries(app, finance_client, finance, pool,
                                                                            make_pool, make_project):
    other_pool = make_pool(name="乡村振兴 2026")
    project = make_project()

    def add(target, how_many):
        for number in range(how_many):
            record_contribution(target.id, ContributionInput(["subsidy", "donation", "self_raised"][number % 3],
                                                             f"来源{number}", 100_00 + number, VALUE_DATE,
                                                             reference=f"R{number}"), actor=finance)
        commit_to_project(target.id, project.id, 10_00, actor=finance)
        append_entry(target.id, EntryKind.DISBURSEMENT, 5_00, actor=finance, value_date=VALUE_DATE,
                     project_id=project.id)
        last = db.session.execute(select(LedgerEntry.id).where(LedgerEntry.pool_id == target.id,
                                                               LedgerEntry.kind == EntryKind.CONTRIBUTION)
                                  .order_by(LedgerEntry.sequence.desc())).scalars().first()
        reverse_entry(target.id, last, actor=finance, reason="typo", value_date=VALUE_DATE)
        db.session.commit()

    def measure():
        after = max(pool.last_sequence - 10, 0)
        with count_queries() as pool_list:
            assert finance_client.get("/pools").status_code == 200
        with count_queries() as deep_page:
            response = finance_client.get(f"/pools/{pool.id}/statement?after={after}")
            assert response.status_code == 200
        return pool_list.count, deep_page.count, response.get_data(as_text=True)

    add(pool, 3)
    add(other_pool, 3)
    assert pool.last_sequence == 5
    few_list, few_page, html = measure()
    assert "Earlier entries" not in html
    add(pool, 58)
    add(other_pool, 58)
    assert pool.last_sequence == 65
    many_list, many_page, html = measure()
    assert "Entries 56–65 of 65" in html and "Earlier entries" in html
    assert (many_list, many_page) == (few_list, few_page)


def test_a_payment_never_draws_on_another_projects_commitment(app, pool, contribute, finance, make_project):
    first, second = make_project(), make_project()
    contribute(pool, 1_000_00)
    commit_to_project(pool.id, first.id, 500_00, actor=finance)
    db.session.commit()
    with pytest.raises(DomainError, match="still committed to the project"):
        append_entry(pool.id, EntryKind.DISBURSEMENT, 200_00, actor=finance, value_date=date(2026, 3, 2),
                     project_id=second.id)
    db.session.rollback()
    assert stored_figures(pool.id)[1] == 500_00 and verify_ledger().ok


def test_a_release_counts_only_the_payments_out_of_its_own_pool(app, make_pool, contribute, finance, make_project):
    project = make_project()
    one, two = make_pool(name="一号池"), make_pool(name="二号池")
    for each in (one, two):
        contribute(each, 1_000_00)
        commit_to_project(each.id, project.id, 300_00, actor=finance)
    append_entry(one.id, EntryKind.DISBURSEMENT, 300_00, actor=finance, value_date=date(2026, 3, 2),
                 project_id=project.id)
    release_commitment(two.id, project.id, 300_00, actor=finance, reason="项目退出")
    db.session.commit()
    assert verify_ledger().ok
