"""Demo data: a county with townships, villages and one user per role.

Every demo user has the password DEMO_PASSWORD (see README). The core seeds the county and
its users; each domain connects its own step to Hook.SEED_STEP (in layer order), and every
step takes the `scale` option.
"""
from dataclasses import dataclass

from sqlalchemy import func, insert, select, text

from .auth import services as accounts
from .auth.models import User
from .auth.roles import Department, Role
from .database import is_sqlite, utcnow
from .extensions import db
from .geo import services as geo
from .geo.models import Township, Village
from .signals import Hook, handlers

DEMO_PASSWORD = "demo-password"

# Qingtian County townships and villages (青田县), as in the source document.
DEMO_GEOGRAPHY = {
    "船寮镇": ["高市村", "船寮村", "赤岩村"],
    "温溪镇": ["温溪村", "东岸村"],
    "仁庄镇": ["仁庄村", "小令村"],
    "章村乡": ["章村村", "小舟山村"],
}

DEMO_USERS = [
    # username, display name, roles, department, village, township
    ("admin", "系统管理员", [Role.ADMIN], None, None, None),
    ("village", "高市村股份经济合作社", [Role.VILLAGE], None, "高市村", None),
    ("village2", "温溪村股份经济合作社", [Role.VILLAGE], None, "温溪村", None),
    ("village3", "船寮村股份经济合作社", [Role.VILLAGE], None, "船寮村", None),
    ("village4", "赤岩村股份经济合作社", [Role.VILLAGE], None, "赤岩村", None),
    ("town", "船寮镇审核员", [Role.TOWN], None, None, "船寮镇"),
    ("reviewer_org", "组织部评审员", [Role.REVIEWER], Department.ORGANISATION, None, None),
    ("reviewer_fin", "财政局评审员", [Role.REVIEWER], Department.FINANCE, None, None),
    ("reviewer_agri", "农业农村局评审员", [Role.REVIEWER], Department.AGRICULTURE, None, None),
    ("reviewer_task", "专班评审员", [Role.REVIEWER], Department.TASK_FORCE, None, None),
    ("reviewer_other", "发改局评审员", [Role.REVIEWER], Department.OTHER, None, None),
    ("approver", "县领导", [Role.APPROVER], None, None, None),
    ("finance", "财政局出纳", [Role.FINANCE], None, None, None),
    ("finance2", "财政局复核", [Role.FINANCE], None, None, None),
]


def seed_geography(scale: int) -> None:
    for township_name, village_names in DEMO_GEOGRAPHY.items():
        township = geo.save_township(None, name=township_name, code=None)
        for village_name in village_names:
            geo.save_village(None, township_id=township.id, name=village_name, code=None)
    for extra in range(1, scale):
        township = geo.save_township(None, name=f"示范乡{extra:03d}", code=None)
        for number in range(1, 6):
            geo.save_village(None, township_id=township.id, name=f"示范村{extra:03d}-{number}", code=None)


def seed_users(scale: int) -> None:
    villages = {v.name: v.id for v in db.session.execute(select(Village)).scalars()}
    townships = {t.name: t.id for t in db.session.execute(select(Township)).scalars()}
    for username, name, roles, department, village, township in DEMO_USERS:
        accounts.create_user(
            username=username, display_name=name, password=DEMO_PASSWORD, roles=roles,
            department=department, village_id=villages.get(village), township_id=townships.get(township),
        )


CORE_SEED_STEPS = (seed_geography, seed_users)


def database_is_empty() -> bool:
    return db.session.execute(select(func.count(User.id))).scalar_one() == 0


@dataclass(frozen=True)
class CountySize:
    """A county's worth of benchmark data, written in bulk after the demo: villages (in townships
    of VILLAGES_PER_TOWNSHIP), projects spread over them, ledger entries (one pool takes BIG_POOL_SHARE)."""
    villages: int = 0
    projects: int = 0
    entries: int = 0

    @property
    def empty(self) -> bool:
        return not (self.villages or self.projects or self.entries)


VILLAGES_PER_TOWNSHIP = 20
COUNTY_VILLAGE_PREFIX = "县域村"


def bulk_insert(model, rows: list[dict]) -> list[int]:
    """Insert many rows in one executemany with ids given here (max + 1 …), which SQLite cannot
    hand back in order from a multi-row RETURNING; PostgreSQL's id sequence is moved past them."""
    if not rows:
        return []
    table = model.__table__
    first = (db.session.execute(select(func.max(table.c.id))).scalar_one() or 0) + 1
    ids = list(range(first, first + len(rows)))
    defaults = {column.name: column.default.arg for column in table.columns
                if column.default is not None and column.default.is_scalar}
    keys = set().union(*rows) - {"id"}
    db.session.execute(insert(table), [{**defaults, **dict.fromkeys(keys), **row, "id": row_id}
                                       for row_id, row in zip(ids, rows)])
    if not is_sqlite():
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), :last)"),
                           {"last": ids[-1]})
    return ids


def seed_county_villages(size: CountySize) -> None:
    """Townships and villages in two bulk inserts (names 县域乡NNN, 县域村NNNNN)."""
    townships = -(-size.villages // VILLAGES_PER_TOWNSHIP)
    if not townships:
        return
    now = utcnow()
    ids = bulk_insert(Township, [{"name": f"县域乡{number:03d}", "created_at": now}
                                 for number in range(1, townships + 1)])
    bulk_insert(Village, [
        {"township_id": ids[number // VILLAGES_PER_TOWNSHIP], "name": f"{COUNTY_VILLAGE_PREFIX}{number + 1:05d}",
         "created_at": now}
        for number in range(size.villages)
    ])


def seed_demo(scale: int = 1, county: CountySize = CountySize()) -> None:
    for step in (*CORE_SEED_STEPS, *handlers(Hook.SEED_STEP)):
        step(scale)
        db.session.flush()
    if county.empty:
        return
    for step in (seed_county_villages, *handlers(Hook.COUNTY_SEED_STEP)):
        step(county)
        db.session.flush()
    db.session.execute(text("ANALYZE"))  # the planner's statistics for the new sizes
