"""Tamper evidence: every row of a chain carries SHA-256(previous row's hash + its own canonical
content). Changing, removing or inserting a row breaks every hash after it, and the chain's head
(the "fingerprint" printed on a statement) no longer matches.

Chains: each pool's ledger entries, each pool's commitments, and one chain for the audit trail.
The first row of a chain starts from SEED. The canonical form of a row is frozen: the migration
that backfilled the hashes and every later check use these functions, so changing them would
make every stored hash disagree.
"""
import hashlib
import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import String
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from .database import is_sqlite, lock_row
from .extensions import db

SEED = "0" * 64
FINGERPRINT_DIGITS = 16


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not part of a canonical row")


def canonical(fields: dict) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def link(previous_hash: str, fields: dict) -> str:
    return hashlib.sha256((previous_hash + canonical(fields)).encode("utf-8")).hexdigest()


def fingerprint(row_hash: str) -> str:
    return (row_hash or SEED)[:FINGERPRINT_DIGITS]


def entry_fields(entry) -> dict:
    """A ledger entry's canonical content (a LedgerEntry or a row with the same attribute names)."""
    return {"pool": entry.pool_id, "seq": entry.sequence, "kind": str(entry.kind), "amount": entry.amount_fen,
            "balance": entry.balance_after_fen, "project": entry.project_id, "tranche": entry.tranche_id,
            "reverses": entry.reverses_id, "value_date": entry.value_date, "memo": entry.memo,
            "actor": entry.actor_id, "at": entry.created_at}


def commitment_fields(commitment) -> dict:
    return {"pool": commitment.pool_id, "seq": commitment.sequence, "project": commitment.project_id,
            "kind": str(commitment.kind), "amount": commitment.amount_fen, "reason": commitment.reason,
            "actor": commitment.actor_id, "at": commitment.created_at}


def audit_fields(event) -> dict:
    return {"seq": event.chain_sequence, "at": event.occurred_at, "actor": event.actor_id, "action": event.action,
            "type": event.object_type, "object": event.object_id, "summary": event.summary,
            "before": event.before, "after": event.after, "ip": event.ip_address}


class ChainHead(db.Model):
    """The head of a chain that has no row of its own to keep it (the audit trail): its last
    sequence number and hash. Locked while a row is appended, so the chain never forks."""

    __tablename__ = "chain_heads"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    sequence: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default=SEED)


def lock_chain_head(name: str) -> ChainHead:
    head = lock_row(ChainHead, name, key=ChainHead.name)
    if head is None:
        insert = sqlite.insert if is_sqlite() else postgresql.insert
        db.session.execute(insert(ChainHead).values(name=name, sequence=0, hash=SEED).on_conflict_do_nothing())
        head = lock_row(ChainHead, name, key=ChainHead.name)
    return head
