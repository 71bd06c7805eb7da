"""Authorization entries of the fund pool pages (see tests/test_authorization_matrix.py)."""
from datetime import date

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.pools.models import EntryKind, FundPool
from fundtracker.pools.services import (
    CollateralInput,
    ContributionInput,
    LoanTerms,
    append_entry,
    record_contribution,
)

from ..authz_helpers import Check, only

VIEWERS = (Role.FINANCE, Role.APPROVER, Role.ADMIN)


def extend_world(world, request):
    pool = FundPool(name="authz pool", year=2026)
    db.session.add(pool)
    db.session.flush()
    world["pool"] = pool
    world["entry"] = append_entry(pool.id, EntryKind.CONTRIBUTION, 100_00, actor=world["spare"], value_date=date(2026, 1, 5))
    world["loan"] = record_contribution(pool.id, ContributionInput(
        "loan", "农商银行", 100_000_00, date(2026, 1, 5), loan=LoanTerms("农商银行", 385, 12, date(2026, 1, 5), "bullet"),
        collateral=[CollateralInput("闲置办公楼", "office_building", 50_000_00)]), actor=world["spare"])
    db.session.commit()


def pool_url(suffix=""):
    return lambda w: f"/pools/{w['pool'].id}{suffix}"


ENTRIES = {
    "/pools": [Check("GET", "/pools", only(*VIEWERS))],
    "/pools/new": [Check("GET", "/pools/new", only(Role.FINANCE))],
    "/pools/<int:pool_id>": [Check("GET", pool_url(), only(*VIEWERS))],
    "/pools/<int:pool_id>/edit": [Check("GET", pool_url("/edit"), only(Role.FINANCE))],
    "/pools/<int:pool_id>/contributions/new": [Check("GET", pool_url("/contributions/new"), only(Role.FINANCE))],
    "/pools/<int:pool_id>/entries/<int:entry_id>/reverse": [
        Check("GET", lambda w: f"/pools/{w['pool'].id}/entries/{w['entry'].id}/reverse", only(Role.FINANCE))
    ],
    "/pools/<int:pool_id>/statement": [Check("GET", pool_url("/statement"), only(*VIEWERS))],
    "/pools/<int:pool_id>/statement.<fmt>": [Check("GET", pool_url("/statement.csv"), only(*VIEWERS))],
    "/pools/loans": [Check("GET", "/pools/loans", only(*VIEWERS))],
    "/pools/loans/<int:contribution_id>/repayments": [
        Check("GET", lambda w: f"/pools/loans/{w['loan'].id}/repayments", only(Role.FINANCE))
    ],
    "/pools/loans.<fmt>": [Check("GET", "/pools/loans.xlsx", only(*VIEWERS))],
    "/pools/verify": [Check("GET", "/pools/verify", only(Role.ADMIN, Role.FINANCE))],
}
