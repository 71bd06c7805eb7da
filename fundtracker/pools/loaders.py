"""The loaders of the pool pages: a pool, and an entry of that pool (404 otherwise)."""
from flask import abort

from ..auth.roles import Role
from ..extensions import db
from .models import FundPool, LedgerEntry

# Who may read the pool pages (list, pool, statement, loans).
POOL_VIEWERS = (Role.FINANCE, Role.APPROVER, Role.ADMIN)


def get_pool_or_404(pool_id: int) -> FundPool:
    return db.get_or_404(FundPool, pool_id)


def get_entry_or_404(pool: FundPool, entry_id: int) -> LedgerEntry:
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or entry.pool_id != pool.id:
        abort(404)
    return entry
