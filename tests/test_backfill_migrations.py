"""Migrations that backfill existing money rows: 0007 gives every approved project its commitment,
0008 gives every entry its sequence, balance and hash, every pool its stored figures and chain heads,
every audit event its place in the audit chain — and the result verifies."""
import os
import stat
from datetime import date, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from fundtracker.extensions import db
from fundtracker.pools.models import Commitment, FundPool
from fundtracker.pools.verify import verify_ledger

from .conftest import USE_POSTGRES

pytestmark = pytest.mark.skipif(USE_POSTGRES, reason="a fresh SQLite file per test; the SQL is the same")

NOW = datetime(2026, 5, 1, 9, 30)


def _rows_as_they_were_before_0007(connection) -> None:
    """A user, a village, a pool with a contribution and a reversal, an approved project, audit events."""
    statements = [
        ("INSERT INTO townships (id, name, created_at) VALUES (1, '船寮镇', :now)", {}),
        ("INSERT INTO villages (id, township_id, name, created_at) VALUES (1, 1, '高市村', :now)", {}),
        ("INSERT INTO users (id, username, display_name, password_hash, active, session_token, failed_login_count, "
         "created_at) VALUES (1, 'finance', '出纳', 'x', 1, 't', 0, :now)", {}),
        ("INSERT INTO fund_pools (id, name, programme, description, status, created_at) "
         "VALUES (1, '2026 池', '', '', 'open', :now)", {}),
        ("INSERT INTO ledger_entries (id, pool_id, kind, amount_fen, value_date, memo, actor_id, created_at) "
         "VALUES (1, 1, 'contribution', 100000000, '2026-01-05', '县财政', 1, :now)", {}),
        ("INSERT INTO ledger_entries (id, pool_id, kind, amount_fen, value_date, memo, actor_id, created_at) "
         "VALUES (2, 1, 'contribution', 5000, '2026-01-06', '录错', 1, :now)", {}),
        ("INSERT INTO ledger_entries (id, pool_id, kind, amount_fen, reverses_id, value_date, memo, actor_id, "
         "created_at) VALUES (3, 1, 'reversal', -5000, 2, '2026-01-07', '冲正', 1, :now)", {}),
        ("INSERT INTO contributions (pool_id, ledger_entry_id, source_type, contributor, amount_fen, received_on, "
         "reference, note, recorded_by_id, created_at) VALUES (1, 1, 'subsidy', '县财政', 100000000, '2026-01-05', "
         "'', '', 1, :now)", {}),
        ("INSERT INTO contributions (pool_id, ledger_entry_id, source_type, contributor, amount_fen, received_on, "
         "reference, note, recorded_by_id, created_at) VALUES (1, 2, 'donation', '录错', 5000, '2026-01-06', "
         "'', '', 1, :now)", {}),
        ("INSERT INTO projects (id, village_id, title, category, status, total_investment_fen, requested_fen, "
         "approved_amount_fen, pool_id, created_by_id, description, location, funding_subsidy_fen, funding_loan_fen, "
         "funding_self_raised_fen, funding_donation_fen, funding_other_fen, risks, mitigation, contact_name, "
         "contact_phone, city_filing_reference, created_at, updated_at) VALUES (1, 1, '牧场', 'livestock', "
         "'approved', 50000000, 30000000, 30000000, 1, 1, '', '', 0, 0, 0, 0, 0, '', '', '', '', '', :now, :now)", {}),
        ("INSERT INTO audit_events (occurred_at, actor_id, action, object_type, object_id, summary, before, after) "
         "VALUES (:now, 1, 'ledger.contribution', 'ledger_entry', '1', '2026 池 ¥1,000,000.00', NULL, "
         "'{\"amount_fen\": 100000000}')", {}),
        ("INSERT INTO audit_events (occurred_at, actor_id, action, object_type, object_id, summary) "
         "VALUES (:now, 1, 'project.approve', 'project', '1', '牧场')", {}),
    ]
    for sql, params in statements:
        connection.execute(text(sql), {"now": NOW, **params})


def test_money_rows_written_before_0007_are_backfilled_and_verify(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as connection:
            _rows_as_they_were_before_0007(connection)
        upgrade()
        db.session.expire_all()
        commitment = db.session.execute(select(Commitment)).scalar_one()
        assert (commitment.project_id, commitment.amount_fen, commitment.sequence) == (1, 30000000, 1)
        pool = db.session.get(FundPool, 1)
        assert (pool.balance_fen, pool.committed_fen, pool.last_sequence) == (100000000, 30000000, 3)
        balances = db.session.execute(text("SELECT sequence, balance_after_fen FROM ledger_entries ORDER BY id")).all()
        assert [tuple(row) for row in balances] == [(1, 100000000), (2, 100005000), (3, 100000000)]
        report = verify_ledger()
        assert report.ok, report.violations
        assert db.session.execute(text("SELECT sequence FROM chain_heads WHERE name = 'audit'")).scalar_one() == 2


def test_a_new_sqlite_database_file_is_readable_by_its_owner_only(make_app, tmp_path):
    path = tmp_path / "private" / "fundtracker.sqlite3"
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        upgrade()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_migrated_entry_keeps_its_date(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'dates.sqlite3'}")
    with app.app_context():
        upgrade(revision="0006")
        with db.engine.begin() as connection:
            _rows_as_they_were_before_0007(connection)
        upgrade()
        assert db.session.execute(text("SELECT value_date FROM ledger_entries WHERE id = 1")).scalar_one() \
            in ("2026-01-05", date(2026, 1, 5))
