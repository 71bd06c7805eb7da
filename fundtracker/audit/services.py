"""record_audit(): the one way every write leaves its trace. Adds, never commits."""
from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from ..chain import SEED, ChainHead, audit_fields, link, lock_chain_head
from ..database import utcnow
from ..extensions import db
from ..formatting import utc_start_of_local_day
from .models import AuditEvent

AUDIT_CHAIN = "audit"


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _current_actor_id():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id
    return None


def record_audit(action: str, object_type: str, object_id=None, *, summary: str = "",
                 before: dict | None = None, after: dict | None = None, actor=None) -> AuditEvent:
    event = AuditEvent(
        occurred_at=utcnow(),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary[:500],
        before=_jsonable(before),
        after=_jsonable(after),
        actor_id=actor.id if actor is not None else _current_actor_id(),
        ip_address=request.remote_addr if has_request_context() else None,
    )
    _chain(event)
    db.session.add(event)
    return event


def _chain(event: AuditEvent) -> None:
    """Link the event to the audit chain, under the chain head's lock (taken last in a transaction:
    money writes lock their pool first)."""
    head = lock_chain_head(AUDIT_CHAIN)
    event.chain_sequence = head.sequence + 1
    event.hash = link(head.hash, audit_fields(event))
    head.sequence, head.hash = event.chain_sequence, event.hash


def audit_query(*, actor_id=None, action=None, object_type=None, object_id=None,
                date_from=None, date_to=None):
    """Newest first, filtered; the admin page paginates it."""
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    if actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == str(object_id))
    if date_from:  # the dates are county days; the moments are stored in UTC
        stmt = stmt.where(AuditEvent.occurred_at >= utc_start_of_local_day(date_from))
    if date_to:
        stmt = stmt.where(AuditEvent.occurred_at < utc_start_of_local_day(date_to + timedelta(days=1)))
    return stmt


def known_actions() -> list[str]:
    return list(db.session.execute(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).scalars())


def verify_audit_chain() -> list[str]:
    """Walk the audit chain from its seed: the first event whose stored hash does not match is named."""
    previous, sequence = SEED, 0
    for row in db.session.execute(select(*AuditEvent.__table__.columns).order_by(AuditEvent.chain_sequence)
                                  .execution_options(yield_per=5000)):
        sequence += 1
        previous = link(previous, audit_fields(row))
        if row.chain_sequence != sequence:
            return [f"audit event #{row.id}: chain position {row.chain_sequence}, expected {sequence}"]
        if row.hash != previous:
            return [f"audit event #{row.id} (position {sequence}) does not match its hash: "
                    "the event or one before it was changed"]
    head = db.session.get(ChainHead, AUDIT_CHAIN)
    if sequence and (head is None or (head.sequence, head.hash) != (sequence, previous)):
        return ["the audit chain's stored head differs from its events"]
    return []
