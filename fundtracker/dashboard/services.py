"""The county dashboard's figures. Each table is built from the service function the domain's own page
uses (one source of truth), narrowed by the dashboard's filters, in a fixed number of grouped queries:

- pools (year: the pool's year; pool): pools_overview, as the pool list;
- payments by month (year: the payment's date; township, pool: the project's): the ledger's payments to
  projects, as paid_to_projects_fen on the project pages;
- returns and distributions by year (year: the period's; township, pool): the records in force of the
  returns tab and the paid-out distribution plans;
- red / yellow / green by township (township, pool; the status is today's): the warning board's;
- projects by status (year: the year the application was created; township, pool): the library's counts.
"""
from dataclasses import dataclass, fields

from flask import url_for
from flask_login import current_user
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..disbursements.services import payments_by_month
from ..extensions import db
from ..geo.models import Township
from ..money import format_wan
from ..monitoring.board import counts_by_township
from ..monitoring.status import COLOUR_LABELS, Colour
from ..pools.loaders import POOL_VIEWERS
from ..pools.models import SOURCE_TYPE_LABELS, FundPool
from ..pools.overview import pools_overview
from ..projects.library import LibraryFilter, counts_by_status, project_ids_select
from ..projects.models import PROJECT_STATUS_LABELS, ProjectStatus
from ..returns.models import PLAN_PARTS
from ..returns.services import distributions_by_year, returns_by_year
from ..signals import Hook, Section, handlers
from .charts import Series, bar_chart, palette_series
from .tables import COUNT, MONEY, Field, Table

COLOURS = {Colour.RED: "#d92d20", Colour.YELLOW: "#f79009", Colour.GREEN: "#12b76a"}


@dataclass(frozen=True)
class DashboardFilter:
    """What the county narrows the dashboard to. Sections connected to Hook.DASHBOARD_SECTION get it and read
    its attributes (filters.year)."""
    year: int | None = None
    township_id: int | None = None
    pool_id: int | None = None

    def query_args(self) -> dict:
        names = {"year": "year", "township_id": "township", "pool_id": "pool"}
        return {names[f.name]: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}


def _project_ids(filters: DashboardFilter):
    """The projects in scope of the township and the pool (the library's filters)."""
    return project_ids_select(LibraryFilter(township_id=filters.township_id, pool_id=filters.pool_id))


def _pool_link(pool: FundPool) -> str | None:
    """The pool's page, for those who may read it (county reviewers see the figures, not the pool pages)."""
    return url_for("pools.pool", pool_id=pool.id) if current_user.has_role(*POOL_VIEWERS) else None


def selected_pools(filters: DashboardFilter) -> list[FundPool]:
    stmt = select(FundPool).order_by(FundPool.status.desc(), FundPool.year.desc(), FundPool.name)
    if filters.year is not None:
        stmt = stmt.where(FundPool.year == filters.year)
    if filters.pool_id is not None:
        stmt = stmt.where(FundPool.id == filters.pool_id)
    return db.session.execute(stmt).scalars().all()


def pool_tables(filters: DashboardFilter) -> list[Table]:
    pools = selected_pools(filters)
    overview = pools_overview(pool.id for pool in pools)
    names = [pool.name for pool in pools]
    composition = Table(
        "composition", _l("Pool composition by source"), _l("Pools by source"),
        [Field(_l("Fund pool"), lambda p: p.name, link=_pool_link),
         *[Field(label, lambda p, source=source: overview.received[p.id][source], MONEY)
           for source, label in SOURCE_TYPE_LABELS.items()],
         Field(_l("Received"), lambda p: sum(overview.received[p.id].values()), MONEY)],
        pools,
        bar_chart(_l("Money received by each pool, by source"), names, palette_series(
            [(label, [overview.received[p.id][source] for p in pools]) for source, label in SOURCE_TYPE_LABELS.items()]),
            stacked=True, format_value=format_wan),
        note=_l("Net contributions (after their reversals) as stored with every entry; the township filter does "
                "not apply to pools."))
    use = Table(
        "pool-use", _l("Committed, paid and available per pool"), _l("Committed, paid, available"),
        [Field(_l("Fund pool"), lambda p: p.name, link=_pool_link),
         Field(_l("Paid to projects"), lambda p: overview.paid[p.id], MONEY),
         Field(_l("Committed, not yet paid"), lambda p: overview.figures[p.id].committed_fen, MONEY),
         Field(_l("Available"), lambda p: overview.figures[p.id].available_fen, MONEY),
         Field(_l("Balance"), lambda p: overview.figures[p.id].balance_fen, MONEY)],
        pools,
        bar_chart(_l("Paid, committed and available money of each pool"), names, palette_series([
            (_l("Paid to projects"), [overview.paid[p.id] for p in pools]),
            (_l("Committed, not yet paid"), [overview.figures[p.id].committed_fen for p in pools]),
            (_l("Available"), [overview.figures[p.id].available_fen for p in pools])]),
            stacked=True, format_value=format_wan),
        note=_l("The pools' stored figures: the balance is the committed money plus the available money."))
    return [composition, use]


def payments_table(filters: DashboardFilter) -> Table:
    months = payments_by_month(_project_ids(filters), filters.year)
    labels = [f"{m.year}-{m.month:02d}" for m in months]
    return Table(
        "payments", _l("Payments by month"), _l("Payments by month"),
        [Field(_l("Month"), lambda m: f"{m.year}-{m.month:02d}"), Field(_l("Paid to projects"), lambda m: m.paid_fen, MONEY)],
        months,
        bar_chart(_l("Money paid to projects by month"), labels,
                  palette_series([(_l("Paid to projects"), [m.paid_fen for m in months])]), format_value=format_wan),
        note=_l("Payments out of the pools to projects, less their reversals, by the date of the ledger entry."))


@dataclass(frozen=True)
class YearRow:
    year: int
    revenue_fen: int = 0
    cost_fen: int = 0
    net_fen: int = 0
    distributed_fen: int = 0
    dividends_fen: int = 0
    households: int = 0


def returns_table(filters: DashboardFilter) -> Table:
    ids = _project_ids(filters)
    returns = {r.year: r for r in returns_by_year(ids, filters.year)}
    distributed = {d.year: d for d in distributions_by_year(ids, filters.year)}
    rows = []
    for year in sorted(returns.keys() | distributed.keys()):
        r, d = returns.get(year), distributed.get(year)
        rows.append(YearRow(year, r.revenue_fen if r else 0, r.cost_fen if r else 0, r.net_fen if r else 0,
                            d.total_fen if d else 0, d.parts["dividends_fen"] if d else 0, d.households if d else 0))
    money = [("revenue_fen", _l("Revenue")), ("cost_fen", _l("Cost")), ("net_fen", _l("Net income")),
             ("distributed_fen", _l("Distributed (paid out)"))]
    return Table(
        "returns", _l("Returns and distributions by year"), _l("Returns by year"),
        [Field(_l("Year"), lambda r: str(r.year)),
         *[Field(label, lambda r, name=name: getattr(r, name), MONEY) for name, label in money],
         Field(PLAN_PARTS["dividends_fen"], lambda r: r.dividends_fen, MONEY),
         Field(_l("Households"), lambda r: r.households, COUNT)],
        rows,
        bar_chart(_l("Revenue, cost, net income and money distributed by year"), [str(r.year) for r in rows],
                  palette_series([(label, [getattr(r, name) for r in rows]) for name, label in money]),
                  format_value=format_wan),
        note=_l("Return records in force by the year of their period; distributions are the plans paid out."))


def colour_table(filters: DashboardFilter) -> Table:
    stmt = select(Township).order_by(Township.name)
    if filters.township_id is not None:
        stmt = stmt.where(Township.id == filters.township_id)
    townships = db.session.execute(stmt).scalars().all()
    by_township = counts_by_township(_project_ids(filters))
    colours = (Colour.RED, Colour.YELLOW, Colour.GREEN)
    rows = [(township, by_township.get(township.id, {})) for township in townships]
    return Table(
        "colours", _l("Red, yellow and green projects by township"), _l("Colours by township"),
        [Field(_l("Township"), lambda row: row[0].name,
               link=lambda row: url_for("monitoring.board", township=row[0].id, **_pool_arg(filters))),
         *[Field(COLOUR_LABELS[colour], lambda row, colour=colour: row[1].get(colour, 0), COUNT) for colour in colours],
         Field(_l("Monitored projects"), lambda row: sum(row[1].values()), COUNT)],
        rows,
        bar_chart(_l("Monitored projects by township and colour"), [t.name for t in townships],
                  [Series(COLOUR_LABELS[colour], [counts.get(colour, 0) for _, counts in rows], COLOURS[colour])
                   for colour in colours], stacked=True),
        note=_l("Today's status of every monitored project, as on the warning board; the year filter does not apply."))


def _pool_arg(filters: DashboardFilter) -> dict:
    return {"pool": filters.pool_id} if filters.pool_id is not None else {}


def status_table(filters: DashboardFilter) -> Table:
    counts = counts_by_status(LibraryFilter(township_id=filters.township_id, pool_id=filters.pool_id,
                                            year=filters.year))
    statuses = list(ProjectStatus)  # the chain's order, then the side exits
    return Table(
        "statuses", _l("Projects by status"), _l("Projects by status"),
        [Field(_l("Status"), lambda status: PROJECT_STATUS_LABELS[status],
               link=lambda status: url_for("projects.library", status=status.value, **filters.query_args())),
         Field(_l("Projects"), lambda status: counts.get(status, 0), COUNT)],
        statuses,
        bar_chart(_l("Projects at each step of the chain"), [str(PROJECT_STATUS_LABELS[s]) for s in statuses],
                  palette_series([(_l("Projects"), [counts.get(s, 0) for s in statuses])])),
        note=_l("The project library's counts; the year is the year the application was created."))


def dashboard_tables(filters: DashboardFilter) -> list[Table]:
    return [*pool_tables(filters), payments_table(filters), returns_table(filters), colour_table(filters),
            status_table(filters)]


def dashboard_sections(filters: DashboardFilter) -> list[Section]:
    """The parts other domains connect to Hook.DASHBOARD_SECTION (e.g. the year's best and worst scores)."""
    sections = [section for handler in handlers(Hook.DASHBOARD_SECTION) if (section := handler(filters)) is not None]
    return sorted(sections, key=lambda section: section.position)


def pool_choices() -> list[tuple[int, str]]:
    return db.session.execute(select(FundPool.id, FundPool.name).order_by(FundPool.name)).all()
