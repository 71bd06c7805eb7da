"""Demo fund pools with 1+1+1+N compositions (Qingtian County's 强村富民 fund) and, with
--scale N, N − 1 extra pools of 1,000 entries each for benchmarks."""
from datetime import date, timedelta

from sqlalchemy import func, insert, select

from ..auth.models import User
from ..clock import add_months
from ..demo import bulk_insert
from ..extensions import db
from .loans import loan_positions
from .models import (
    AssetKind,
    CollateralAsset,
    Contribution,
    LedgerEntry,
    RepaymentSchedule,
    SourceType,
)
from .services import (
    CollateralInput,
    ContributionInput,
    LoanTerms,
    add_to_source_total,
    chained_contribution_rows,
    lock_pool,
    record_contribution,
    record_loan_repayment,
    reverse_entry,
    save_pool,
)

WAN = 10_000 * 100  # fen in 万元
ENTRIES_PER_SCALED_POOL = 1_000
INTEREST_YEARLY = RepaymentSchedule.INTEREST_YEARLY_PRINCIPAL_AT_MATURITY

QINGTIAN_2022 = [
    ContributionInput(SourceType.SUBSIDY, "青田县财政局", 4_000 * WAN, date(2022, 3, 15), "青财农〔2022〕18号"),
    ContributionInput(
        SourceType.LOAN, "浙江青田农村商业银行", 8_000 * WAN, date(2022, 4, 1), "贷字2022-0401",
        loan=LoanTerms("浙江青田农村商业银行", 385, 60, date(2022, 4, 1), INTEREST_YEARLY),
        collateral=[CollateralInput("船寮镇高市村闲置村办公楼", AssetKind.OFFICE_BUILDING, 1_200 * WAN),
                    CollateralInput("温溪村老礼堂", AssetKind.HALL, 600 * WAN),
                    CollateralInput("仁庄村原小学校舍", AssetKind.SCHOOL, 900 * WAN)],
    ),
    ContributionInput(SourceType.SELF_RAISED, "12 个试点村集体经济组织", 2_000 * WAN, date(2022, 5, 10), "自筹汇总"),
    ContributionInput(SourceType.DONATION, "青田籍华侨及企业捐资", 1_500 * WAN, date(2022, 6, 18), "捐赠协议 2022-06"),
]

YEAR_2026 = [
    ContributionInput(SourceType.SUBSIDY, "青田县财政局", 1_200 * WAN, date(2026, 2, 20), "青财农〔2026〕7号"),
    ContributionInput(
        SourceType.LOAN, "中国农业银行青田支行", 2_000 * WAN, date(2024, 2, 1), "农银贷 2024-015",
        loan=LoanTerms("中国农业银行青田支行", 385, 36, date(2024, 2, 1), INTEREST_YEARLY),
        collateral=[CollateralInput("章村乡闲置厂房", AssetKind.FACTORY, 800 * WAN)],
    ),
    ContributionInput(SourceType.SELF_RAISED, "船寮镇 3 个村集体", 300 * WAN, date(2026, 3, 5), "自筹 2026-03"),
    ContributionInput(SourceType.DONATION, "青田县侨商会", 50 * WAN, date(2026, 4, 12), "捐赠 2026-04"),
    ContributionInput(SourceType.DONATION, "浙江某农业科技有限公司", 30 * WAN, date(2026, 5, 8), "捐赠 2026-05"),
]


def _finance_actor() -> User:
    return db.session.execute(select(User).where(User.username == "finance")).scalar_one()


# Interest paid on the demo loans (还本付息): the 2022 loan misses its 2026 instalment (overdue on the loans page).
INTEREST_PAID_ON = {"贷字2022-0401": [date(2023, 4, 1), date(2024, 4, 1), date(2025, 4, 1)],
                    "农银贷 2024-015": [date(2025, 2, 1), date(2026, 2, 1)]}


def _pay_interest(loan: Contribution, dates: list[date], actor: User) -> None:
    for paid_on in dates:
        [position] = loan_positions([loan], paid_on)
        record_loan_repayment(loan.id, principal_fen=0, interest_fen=position.interest_owed_fen, paid_on=paid_on,
                              memo="年度结息", actor=actor)


def seed_pools(scale: int) -> None:
    actor = _finance_actor()
    first = save_pool(None, actor=actor, name="青田县强村富民共富基金（2022）", programme="强村富民 1+1+1+N", year=2022,
                      description="2022 年 16 个试点项目、12 个乡镇；首批试点（牧场扩建、鱼塘）获 740 万元。")
    for contribution in QINGTIAN_2022:
        record_contribution(first.id, contribution, actor=actor)
    current = save_pool(None, actor=actor, name="2026 年度强村富民项目资金池", programme="强村富民 1+1+1+N", year=2026)
    for contribution in YEAR_2026:
        record_contribution(current.id, contribution, actor=actor)
    mistaken = record_contribution(current.id, ContributionInput(
        SourceType.DONATION, "浙江某农业科技有限公司", 30 * WAN, date(2026, 5, 9), "捐赠 2026-05（重复录入）"), actor=actor)
    reverse_entry(current.id, mistaken.ledger_entry_id, actor=actor, reason="重复录入，冲正", value_date=date(2026, 5, 9))
    for loan in db.session.execute(select(Contribution).where(Contribution.reference.in_(INTEREST_PAID_ON))).scalars():
        _pay_interest(loan, INTEREST_PAID_ON[loan.reference], actor)
    for number in range(1, scale):
        _seed_benchmark_pool(number, actor)


def _seed_benchmark_pool(number: int, actor: User) -> None:
    """A pool with many entries, written in bulk (not through the service: 1,000 rows at a time)."""
    pool = save_pool(None, actor=actor, name=f"示范资金池 {number:04d}", programme="benchmark", year=2026)
    next_id = (db.session.execute(select(func.max(LedgerEntry.id))).scalar_one() or 0) + 1
    start = date(2026, 1, 1)
    entries, contributions = [], []
    for offset in range(ENTRIES_PER_SCALED_POOL):
        entry_id, amount = next_id + offset, (offset % 97 + 1) * 1_000_00
        entries.append({"id": entry_id, "amount_fen": amount, "value_date": start + timedelta(days=offset % 300),
                        "memo": f"示范注资 {offset}", "actor_id": actor.id})
        contributions.append({"pool_id": pool.id, "ledger_entry_id": entry_id, "source_type": list(SourceType)[offset % 5],
                              "contributor": f"示范出资方 {offset % 40}", "amount_fen": amount,
                              "received_on": start + timedelta(days=offset % 300), "recorded_by_id": actor.id,
                              **_benchmark_loan_terms(offset)})
    db.session.execute(insert(LedgerEntry), chained_contribution_rows(lock_pool(pool.id), entries))
    db.session.execute(insert(Contribution), contributions)
    for row in contributions:
        add_to_source_total(pool.id, row["source_type"], row["amount_fen"])
    loans = db.session.execute(
        select(Contribution.id).where(Contribution.pool_id == pool.id, Contribution.source_type == SourceType.LOAN)
    ).scalars().all()
    db.session.execute(insert(CollateralAsset), [
        {"contribution_id": loan_id, "name": "示范抵押资产", "kind": AssetKind.HALL, "estimated_value_fen": 50 * WAN}
        for loan_id in loans
    ])


def _benchmark_loan_terms(offset: int) -> dict:
    if list(SourceType)[offset % 5] != SourceType.LOAN:
        return {}
    return {"lender": "示范银行", "annual_rate_bp": 385, "term_months": 36, "loan_start_on": date(2026, 1, 1),
            "loan_matures_on": date(2029, 1, 1), "repayment_schedule": INTEREST_YEARLY}


COUNTY_PROGRAMME = "county benchmark"
COUNTY_POOLS = 10  # the first takes BIG_POOL_SHARE of the entries, the others share the rest
BIG_POOL_SHARE = 0.6
BATCH = 10_000
LOAN_EVERY = 5_000  # one contribution in LOAN_EVERY is a bank loan (with one pledged asset)
COUNTY_SOURCES = [SourceType.SUBSIDY, SourceType.SELF_RAISED, SourceType.DONATION, SourceType.OTHER]
COUNTY_FIRST_DAY, COUNTY_DAYS = date(2016, 1, 1), 3_650


def county_pool_sizes(entries: int) -> list[int]:
    """How many entries each county pool takes: BIG_POOL_SHARE in the first, the rest spread evenly."""
    big = round(entries * BIG_POOL_SHARE)
    rest, others = entries - big, COUNTY_POOLS - 1
    return [big] + [rest // others + (1 if number < rest % others else 0) for number in range(others)]


def seed_county_pools(size) -> None:
    """The county's pools and their contributions, in batches: every entry takes its sequence, its
    balance and its link in the chain from chained_contribution_rows, exactly as one by one."""
    if not size.entries and not size.projects:
        return
    actor = _finance_actor()
    for number, count in enumerate(county_pool_sizes(max(size.entries, COUNTY_POOLS * 100)), start=1):
        pool = save_pool(None, actor=actor, name=f"县域资金池 {number:02d}", programme=COUNTY_PROGRAMME, year=2026)
        for first in range(0, count, BATCH):
            _seed_county_batch(pool.id, range(first, min(first + BATCH, count)), count, actor)


def _seed_county_batch(pool_id: int, offsets: range, count: int, actor: User) -> None:
    entries, contributions = [], []
    for offset in offsets:
        source = SourceType.LOAN if offset % LOAN_EVERY == LOAN_EVERY - 1 else COUNTY_SOURCES[offset % 4]
        amount, received = (offset % 97 + 1) * 10_000_00, COUNTY_FIRST_DAY + timedelta(days=offset * COUNTY_DAYS // count)
        contributor = f"县域出资方 {offset % 200:03d}"
        entries.append({"amount_fen": amount, "value_date": received, "memo": f"{contributor} · 县域注资 {offset}",
                        "actor_id": actor.id})
        contributions.append({"pool_id": pool_id, "source_type": source, "contributor": contributor,
                              "amount_fen": amount, "received_on": received, "reference": f"县域注资 {offset}",
                              "recorded_by_id": actor.id, **_county_loan_terms(source, received)})
    rows = chained_contribution_rows(lock_pool(pool_id), entries)
    row_time = rows[-1]["created_at"]
    ids = bulk_insert(LedgerEntry, rows)
    for entry_id, row in zip(ids, contributions):
        row.update(ledger_entry_id=entry_id, created_at=row_time)
    bulk_insert(Contribution, contributions)
    for source in SourceType:
        add_to_source_total(pool_id, source, sum(r["amount_fen"] for r in contributions if r["source_type"] == source))
    loans = db.session.execute(select(Contribution.id).where(
        Contribution.ledger_entry_id.in_(ids[offset % BATCH] for offset in offsets
                                         if offset % LOAN_EVERY == LOAN_EVERY - 1))).scalars().all()
    if loans:
        bulk_insert(CollateralAsset, [
            {"contribution_id": loan_id, "name": "县域村闲置办公楼", "kind": AssetKind.OFFICE_BUILDING,
             "estimated_value_fen": 50 * WAN} for loan_id in loans])


def _county_loan_terms(source: str, start: date) -> dict:
    if source != SourceType.LOAN:
        return {}
    return {"lender": "县农商银行", "annual_rate_bp": 385, "term_months": 60, "loan_start_on": start,
            "loan_matures_on": add_months(start, 60), "repayment_schedule": INTEREST_YEARLY}
