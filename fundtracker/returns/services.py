"""Returns rules: one record per project and period (a correction supersedes with a reason), and
distribution plans whose parts add up to the period's net income to the fen and keep the pool's
share rules; a loss, or money that earlier losses have not yet earned back, is never distributed."""
from dataclasses import dataclass
from datetime import date

from babel.dates import format_skeleton
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select

from ..audit.services import record_audit
from ..auth.access import acting_roles
from ..auth.roles import Role
from ..clock import add_months, local_today
from ..database import lock_row
from ..errors import DomainError
from ..extensions import db
from ..money import format_fen, share_percent
from ..monitoring.services import MONITORED_STATUSES
from ..projects.loaders import of_projects
from ..projects.models import Project
from ..projects.services import add_attachment
from .models import (
    PERIOD_MONTHS,
    PLAN_PARTS,
    DistributionPlan,
    DistributionRule,
    PeriodKind,
    PlanStatus,
    ReturnRecord,
)

LIVE_PLAN_STATUSES = (PlanStatus.DRAFTED, PlanStatus.ADOPTED, PlanStatus.PUBLISHED, PlanStatus.PAID)
BASIS_POINTS = 10_000


def period_label(kind: str, start: date) -> LazyString:
    """'2026年第3季度' / '2026 Q3', '2026年10月' / 'Oct 2026', '2026年' / '2026', in the page's language."""
    def label():
        if kind == PeriodKind.QUARTER:
            return str(_l("%(year)d Q%(quarter)d", year=start.year, quarter=(start.month - 1) // 3 + 1))
        if kind == PeriodKind.MONTH:
            return format_skeleton("yMMM", start, locale=get_locale() or "zh")
        return str(_l("Year %(year)d", year=start.year))

    return LazyString(label)


def period_end(kind: str, start: date) -> date:
    """The first day after the period; refused when the start is not the first day of a period."""
    kind = PeriodKind(kind)
    aligned = start.day == 1 and (kind == PeriodKind.MONTH or (kind == PeriodKind.QUARTER and start.month % 3 == 1)
                                  or (kind == PeriodKind.YEAR and start.month == 1))
    if not aligned:
        raise DomainError(_l("A period starts on the first day of a month, of a quarter (January, April, July, "
                             "October) or of a year."), field="period_start")
    return add_months(start, PERIOD_MONTHS[kind])


def may_report_returns(project: Project, user) -> bool:
    return project.status in MONITORED_STATUSES and Role.VILLAGE in acting_roles(user, project.village)


def in_force():
    """SQL condition: return records in force (not superseded by a correction)."""
    superseded = select(ReturnRecord.supersedes_id).where(ReturnRecord.supersedes_id.is_not(None))
    return ReturnRecord.id.not_in(superseded)


def in_force_records(project_id: int) -> list[ReturnRecord]:
    """The project's records in force (not superseded), by period: one query."""
    return db.session.execute(
        select(ReturnRecord).where(ReturnRecord.project_id == project_id, in_force())
        .order_by(ReturnRecord.period_start, ReturnRecord.id)).scalars().all()


@dataclass(frozen=True)
class YearReturns:
    year: int
    revenue_fen: int
    cost_fen: int
    net_fen: int


def _period_year():
    return func.extract("year", ReturnRecord.period_start)


def _in_year(stmt, year: int | None):
    if year is None:
        return stmt
    return stmt.where(ReturnRecord.period_start >= date(year, 1, 1), ReturnRecord.period_start < date(year + 1, 1, 1))


def returns_by_year(project_ids_select, year: int | None = None) -> list[YearReturns]:
    """Revenue, cost and net income of these projects' records in force, by the year their period starts in
    (the rows of the returns tab, summed): one grouped query."""
    year_of = _period_year()
    stmt = _in_year(select(year_of, func.sum(ReturnRecord.revenue_fen), func.sum(ReturnRecord.cost_fen),
                           func.sum(ReturnRecord.net_fen))
                    .where(of_projects(ReturnRecord.project_id, project_ids_select), in_force())
                    .group_by(year_of).order_by(year_of), year)
    return [YearReturns(int(y), int(revenue), int(cost), int(net)) for y, revenue, cost, net in db.session.execute(stmt)]


@dataclass(frozen=True)
class YearDistributions:
    year: int
    parts: dict  # PLAN_PARTS column -> fen
    households: int

    @property
    def total_fen(self) -> int:
        return sum(self.parts.values())


def distributions_by_year(project_ids_select, year: int | None = None) -> list[YearDistributions]:
    """What the paid-out distribution plans of these projects gave, part by part, by the year of the period
    they distribute: one grouped query."""
    year_of = _period_year()
    part_sums = [func.sum(getattr(DistributionPlan, column)) for column in PLAN_PARTS]
    stmt = _in_year(select(year_of, func.sum(DistributionPlan.households), *part_sums)
                    .join(ReturnRecord, ReturnRecord.id == DistributionPlan.return_record_id)
                    .where(of_projects(DistributionPlan.project_id, project_ids_select),
                           DistributionPlan.status == PlanStatus.PAID)
                    .group_by(year_of).order_by(year_of), year)
    return [YearDistributions(int(y), {column: int(total or 0) for column, total in zip(PLAN_PARTS, totals)},
                              int(households or 0))
            for y, households, *totals in db.session.execute(stmt)]


def live_plan_of(record: ReturnRecord) -> DistributionPlan | None:
    return db.session.execute(select(DistributionPlan).where(
        DistributionPlan.return_record_id == record.id, DistributionPlan.status.in_(LIVE_PLAN_STATUSES))
    ).scalar_one_or_none()


@dataclass(frozen=True)
class ReturnInput:
    period_kind: str
    period_start: date
    revenue_fen: int
    cost_fen: int
    note: str = ""


def record_return(project: Project, data: ReturnInput, *, actor, evidence=None, supersedes: ReturnRecord | None = None,
                  reason: str = "") -> ReturnRecord:
    """A period's revenue and cost (net = revenue − cost), or the correction of the record in force."""
    if not may_report_returns(project, actor):
        raise DomainError(_l("Returns are reported by the project's own village collective once it is approved."))
    for amount, name in ((data.revenue_fen, "revenue"), (data.cost_fen, "cost")):
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise DomainError(_l("Revenue and cost cannot be negative."), field=name)
    end = period_end(data.period_kind, data.period_start)
    label = period_label(data.period_kind, data.period_start)
    if end > local_today():
        raise DomainError(_l("%(period)s has not ended yet.", period=label), field="period_start")
    lock_row(Project, project.id)  # one writer of a project's periods at a time
    records = in_force_records(project.id)
    same = next((r for r in records if (r.period_kind, r.period_start) == (data.period_kind, data.period_start)),
                None)
    reason = (reason or "").strip()
    if supersedes is None and same is not None:
        raise DomainError(_l("%(period)s is already reported; correct that record, with a reason, instead.",
                             period=label), field="period_start")
    if supersedes is not None:
        _check_correction(supersedes, same, reason)
    overlapping = next((r for r in records if r is not same and r.period_start < end
                        and data.period_start < r.period_end), None)
    if overlapping is not None:
        raise DomainError(_l("%(period)s overlaps %(other)s, which is already reported.", period=label,
                             other=period_label(overlapping.period_kind, overlapping.period_start)),
                          field="period_start")
    evidence_id = None
    if evidence is not None and getattr(evidence, "filename", ""):
        evidence_id = add_attachment(project, evidence, kind="other", actor=actor).id
    record = ReturnRecord(
        project_id=project.id, period_kind=PeriodKind(data.period_kind), period_start=data.period_start,
        period_end=end, version=supersedes.version + 1 if supersedes else 1, revenue_fen=data.revenue_fen,
        cost_fen=data.cost_fen, net_fen=data.revenue_fen - data.cost_fen, evidence_id=evidence_id,
        note=(data.note or "").strip()[:1000], supersedes_id=supersedes.id if supersedes else None,
        reason=reason[:1000], recorded_by_id=actor.id)
    db.session.add(record)
    db.session.flush()
    record_audit("returns.record", "project", project.id,
                 summary=f"{label} {format_fen(record.net_fen)}"[:200],
                 after={"record_id": record.id, "revenue_fen": record.revenue_fen, "cost_fen": record.cost_fen,
                        "supersedes_id": record.supersedes_id, "reason": reason}, actor=actor)
    return record


def _check_correction(earlier: ReturnRecord, in_force: ReturnRecord | None, reason: str) -> None:
    if in_force is None or earlier.id != in_force.id:
        raise DomainError(_l("Only the record in force of the same period can be corrected."))
    if not reason:
        raise DomainError(_l("Give the reason for the correction."), field="reason")
    if live_plan_of(earlier) is not None:
        raise DomainError(_l("This period has a distribution plan; withdraw the plan before correcting the record."))


# --- distribution plans -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ShareRules:
    min_collective_bp: int
    min_risk_reserve_bp: int
    max_dividend_bp: int


def default_rules() -> ShareRules:
    config = current_app.config
    return ShareRules(config["DISTRIBUTION_MIN_COLLECTIVE_PERCENT"] * 100,
                      config["DISTRIBUTION_MIN_RISK_RESERVE_PERCENT"] * 100,
                      config["DISTRIBUTION_MAX_DIVIDEND_PERCENT"] * 100)


def rules_for_pool(pool_id: int | None) -> ShareRules:
    rule = db.session.get(DistributionRule, pool_id) if pool_id else None
    if rule is None:
        return default_rules()
    return ShareRules(rule.min_collective_bp, rule.min_risk_reserve_bp, rule.max_dividend_bp)


def rules_for(project: Project) -> ShareRules:
    """The share rules of the pool that finances the project (the settings' defaults without its own)."""
    return rules_for_pool(project.pool_id)


def save_rules(pool_id: int, rules: ShareRules, *, actor) -> DistributionRule:
    values = (rules.min_collective_bp, rules.min_risk_reserve_bp, rules.max_dividend_bp)
    if any(not 0 <= value <= BASIS_POINTS for value in values):
        raise DomainError(_l("Shares are between 0% and 100%."))
    if rules.min_collective_bp + rules.min_risk_reserve_bp > BASIS_POINTS:
        raise DomainError(_l("The minimum shares add up to more than 100%."), field="min_collective")
    rule = db.session.get(DistributionRule, pool_id) or DistributionRule(pool_id=pool_id)
    rule.min_collective_bp, rule.min_risk_reserve_bp, rule.max_dividend_bp = values
    rule.updated_by_id = actor.id
    db.session.add(rule)
    db.session.flush()
    record_audit("returns.rules", "fund_pool", pool_id, summary=str(values), after=dict(zip(
        ("min_collective_bp", "min_risk_reserve_bp", "max_dividend_bp"), values)), actor=actor)
    return rule


@dataclass(frozen=True)
class PlanInput:
    collective_fen: int = 0
    dividends_fen: int = 0
    households: int = 0
    reinvestment_fen: int = 0
    risk_reserve_fen: int = 0
    loan_service_fen: int = 0

    def parts(self) -> dict[str, int]:
        return {column: getattr(self, column) for column in PLAN_PARTS}


def _percent(bp: int) -> str:
    return f"{share_percent(bp, BASIS_POINTS)}%"


def plan_problems(net_fen: int, cumulative_net_fen: int, data: PlanInput, rules: ShareRules) -> list[tuple[str, object]]:
    """Every reason the plan cannot be accepted, as (field, message); none means it is accepted."""
    if net_fen <= 0:
        return [("", _l("The period made no profit (net %(net)s): a loss is never distributed.",
                        net=format_fen(net_fen)))]
    if cumulative_net_fen < net_fen:
        return [("", _l("Earlier periods lost money: the cumulative net income is %(cumulative)s, less than this "
                        "period's %(net)s; only earned money is distributed, borrowed money never.",
                        cumulative=format_fen(cumulative_net_fen), net=format_fen(net_fen)))]
    problems = []
    parts = data.parts()
    if any(not isinstance(v, int) or isinstance(v, bool) or v < 0 for v in parts.values()):
        return [("", _l("A part of the distribution cannot be negative."))]
    total = sum(parts.values())
    if total != net_fen:
        problems.append(("", _l("The parts add up to %(total)s, not to the net income of %(net)s (%(left)s left).",
                                total=format_fen(total), net=format_fen(net_fen),
                                left=format_fen(net_fen - total))))
    if data.collective_fen * BASIS_POINTS < net_fen * rules.min_collective_bp:
        problems.append(("collective_fen", _l("The collective fund (公积公益金) needs at least %(share)s of the net "
                                              "income.", share=_percent(rules.min_collective_bp))))
    if data.risk_reserve_fen * BASIS_POINTS < net_fen * rules.min_risk_reserve_bp:
        problems.append(("risk_reserve_fen", _l("The risk reserve needs at least %(share)s of the net income.",
                                                share=_percent(rules.min_risk_reserve_bp))))
    if data.dividends_fen * BASIS_POINTS > net_fen * rules.max_dividend_bp:
        problems.append(("dividends_fen", _l("Member dividends may be at most %(share)s of the net income.",
                                             share=_percent(rules.max_dividend_bp))))
    if data.dividends_fen > 0 and (not isinstance(data.households, int) or data.households <= 0):
        problems.append(("households", _l("Give the number of households the dividends go to.")))
    return problems


def cumulative_net_through(record: ReturnRecord) -> int:
    """The project's net income over every period in force up to and including this one."""
    return sum(r.net_fen for r in in_force_records(record.project_id) if r.period_end <= record.period_end)


def draft_plan(project: Project, record: ReturnRecord, data: PlanInput, *, actor) -> DistributionPlan:
    if not may_report_returns(project, actor):
        raise DomainError(_l("Distribution plans are drafted by the project's own village collective."))
    if record.project_id != project.id or record not in in_force_records(project.id):
        raise DomainError(_l("Only a period's record in force can be distributed."))
    if live_plan_of(record) is not None:
        raise DomainError(_l("This period already has a distribution plan."))
    problems = plan_problems(record.net_fen, cumulative_net_through(record), data, rules_for(project))
    if problems:
        field, message = problems[0]
        raise DomainError(message, field=field or None)
    plan = DistributionPlan(project_id=project.id, return_record_id=record.id, net_fen=record.net_fen,
                            drafted_by_id=actor.id, **data.parts(), households=data.households or 0)
    db.session.add(plan)
    db.session.flush()
    record_audit("returns.plan", "project", project.id, summary=f"{format_fen(plan.net_fen)}",
                 after={"plan_id": plan.id, **data.parts(), "households": data.households}, actor=actor)
    return plan


def plans_for(project_id: int) -> list[DistributionPlan]:
    return db.session.execute(select(DistributionPlan).where(DistributionPlan.project_id == project_id)
                              .order_by(DistributionPlan.id.desc())).scalars().all()
