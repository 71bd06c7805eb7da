"""Demo projects in every state of the approval chain, through the real services; with
--scale N, ten bulk-written projects per extra village for benchmarks."""
from datetime import date, datetime

from sqlalchemy import insert, select

from ..auth.models import User
from ..extensions import db
from ..geo.models import Village
from ..demo import COUNTY_VILLAGE_PREFIX, bulk_insert
from ..pools.demo import COUNTY_PROGRAMME
from ..pools.models import Commitment, FundPool
from ..pools.services import chained_commitment_rows, commit_to_project, lock_pool
from ..signals import Hook, handlers
from .applications import ApplicationInput, save_application
from .models import Project, ProjectStatus
from .workflow import Action, TransitionInput, apply_transition

WAN = 10_000 * 100
PROJECTS_PER_SCALED_VILLAGE = 10


# What every demo application says in the county form's own sections (联农带农, 绩效目标, 用地, 收益分配, 资产权属).
COUNTY_FORM_TEXT = dict(
    benefit_linkage="优先吸纳本村农户务工，保底收购农户产品；低收入农户以帮扶资金折股量化参与分红。",
    target_output="按期建成并投入运营，工程验收合格率 100%。",
    target_benefit="村集体年增收 20 万元以上，带动 30 户以上农户增收。",
    target_satisfaction="受益农户满意度不低于 90%。",
    land_use_compliance="使用村集体存量建设用地，符合国土空间规划，不占用永久基本农田。",
    income_distribution="年净收益按 30% 提取公积公益金，50% 用于股东分红，20% 作为风险准备金，经村民代表会议通过后公示。",
    asset_ownership="形成的资产归村股份经济合作社所有，由村股份经济合作社负责管护。",
)


def _application(title, category, total_wan, requested_wan, plan_wan, years, **extra) -> ApplicationInput:
    """plan_wan: (subsidy, loan, self-raised, donation) in 万元; years: [(revenue, cost)] in 万元."""
    subsidy, loan, self_raised, donation = plan_wan
    return ApplicationInput(
        title=title, category=category, total_investment_fen=total_wan * WAN, requested_fen=requested_wan * WAN,
        funding_subsidy_fen=subsidy * WAN, funding_loan_fen=loan * WAN, funding_self_raised_fen=self_raised * WAN,
        funding_donation_fen=donation * WAN, loan_rate_bp=385 if loan else None, loan_term_months=36 if loan else None,
        start_on=date(2026, 3, 1), end_on=date(2027, 2, 28), contact_name="王建国", contact_phone="0578-6512345",
        year_plans=[(revenue * WAN, cost * WAN) for revenue, cost in years],
        meeting_on=date(2026, 1, 18), meeting_members_expected=58, meeting_attendance=45, meeting_votes_for=41,
        meeting_votes_against=2, **COUNTY_FORM_TEXT, **extra,
    )


FULL_PANEL = {"reviewer_org": [85, 80, 82, 78], "reviewer_fin": [80, 76, 84, 75], "reviewer_agri": [90, 82, 86, 80],
              "reviewer_task": [78, 75, 80, 72], "reviewer_other": [70, 72, 76, 70]}
PANEL_IN_PROGRESS = {"reviewer_org": [82, 78, 80, 74], "reviewer_fin": [75, 70, 72, 70],
                     "reviewer_agri": ("draft", [80, 76, None, None]), "reviewer_task": None}
LOW_PANEL = {"reviewer_org": [55, 50, 45, 55], "reviewer_fin": [50, 48, 42, 50], "reviewer_agri": [60, 55, 50, 58],
             "reviewer_other": "recuse"}
SITE_VISIT = {"visited_on": date(2026, 4, 8), "place": "项目现场及村委会",
              "participants": "县农业农村局、财政局、镇农办、村两委", "findings": "场地平整，水电已通；村集体账目清楚。"}
PANEL = "panel"  # not a transition: a demo step of the vetting domain (Hook.DEMO_STEP "panel")

DEMO_PROJECTS = [
    # (village, application, the actions it goes through)
    ("高市村", _application("高市村牧场扩建项目", "livestock", 520, 300, (200, 200, 80, 40), [(160, 95), (190, 105), (210, 110)],
                          description="扩建牛舍 3,000 平方米，存栏由 200 头增至 450 头，配套青贮饲料池和粪污处理。",
                          location="高市村后山牧场", risks="疫病风险；牛肉价格波动。",
                          mitigation="与县畜牧站签订防疫协议；与本地餐饮企业签订保底收购协议；最低存栏 300 头。"),
     [Action.SUBMIT, Action.TOWN_PASS, Action.START_VETTING, (PANEL, FULL_PANEL), Action.APPROVE,
      Action.FILE_WITH_CITY]),
    ("船寮村", _application("船寮村生态鱼塘养殖项目", "aquaculture", 240, 150, (100, 80, 40, 20), [(85, 50), (96, 52), (100, 55)],
                          description="改造 60 亩鱼塘，发展田鱼稻鱼共生养殖。", location="船寮村溪边",
                          risks="洪水；鱼苗成活率。", mitigation="加固塘堤，购买水产养殖保险。"),
     [Action.SUBMIT, Action.TOWN_PASS, Action.START_VETTING, (PANEL, PANEL_IN_PROGRESS)]),
    ("高市村", _application("高市村石屋民宿改造项目", "rural_tourism", 180, 100, (80, 0, 70, 30), [(60, 35), (75, 38), (80, 40)],
                          description="将 6 幢闲置石屋改造为民宿，共 24 间客房。", location="高市村老街",
                          risks="客源季节性。", mitigation="与旅行社合作，开发研学线路。"),
     [Action.SUBMIT]),
    ("赤岩村", _application("赤岩村农产品冷库建设项目", "processing", 90, 60, (50, 0, 30, 10), [(30, 12), (34, 13), (36, 14)],
                          description="建设 500 吨冷库，服务周边杨梅、茶叶储存。", location="赤岩村村口",
                          risks="用电成本。", mitigation="屋顶光伏。"),
     []),
    ("高市村", _application("高市村茶叶加工厂项目", "processing", 150, 90, (60, 50, 40, 0), [(70, 48), (80, 52), (85, 55)],
                          description="新建茶叶初制加工车间。", location="高市村工业点",
                          risks="茶青收购价格。", mitigation="订单收购。"),
     [Action.SUBMIT, Action.TOWN_RETURN]),
    ("船寮村", _application("船寮村沿溪露营地项目", "rural_tourism", 300, 200, (150, 100, 30, 20), [(40, 35), (45, 38), (50, 40)],
                          description="沿溪建设露营地与配套设施。", location="船寮村溪滩",
                          risks="收益低、汛期停业。", mitigation="错峰经营。"),
     [Action.SUBMIT, Action.TOWN_PASS, Action.START_VETTING, (PANEL, LOW_PANEL), Action.REJECT]),
    ("赤岩村", _application("赤岩村标准厂房出租项目", "property_leasing", 400, 240, (160, 160, 60, 20), [(64, 12), (64, 12), (66, 12)],
                          description="建设 2,000 平方米标准厂房对外出租。", location="赤岩村工业功能区",
                          risks="招租不及预期。", mitigation="已与两家企业签订意向租赁协议。"),
     [Action.SUBMIT, Action.TOWN_PASS]),
    ("温溪村", _application("温溪村杨梅基地提升项目", "crops", 60, 40, (30, 0, 20, 10), [(28, 15), (30, 16), (32, 16)],
                          description="杨梅基地 200 亩提升改造。", location="温溪村东山",
                          risks="天气。", mitigation="避雨设施。"),
     []),
]

COMMENTS = {
    Action.TOWN_PASS: "材料齐全，经镇党政联席会议审核同意上报。",
    Action.TOWN_RETURN: "请补充茶青收购协议和设备报价单后重新提交。",
    Action.START_VETTING: "提交县级联审小组评审。",
    Action.APPROVE: "联审通过，同意立项。",
    Action.REJECT: "预期收益偏低，投资回收期过长，不予立项。",
    Action.FILE_WITH_CITY: "",
}


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


# Each village's collective drafts and submits its own applications.
VILLAGE_USERS = {"高市村": "village", "温溪村": "village2", "船寮村": "village3", "赤岩村": "village4"}


def _actor_for(action: str, users: dict, author: User) -> User:
    if action == Action.SUBMIT:
        return author
    return users["town"] if action in (Action.TOWN_PASS, Action.TOWN_RETURN) else users["approver"]


def seed_projects(scale: int) -> None:
    users = {name: _user(name) for name in ("town", "approver", *VILLAGE_USERS.values())}
    villages = {v.name: v for v in db.session.execute(select(Village)).scalars()}
    pool = db.session.execute(select(FundPool).where(FundPool.year == 2026).order_by(FundPool.id)).scalars().first()
    for village_name, application, actions in DEMO_PROJECTS:
        author = users[VILLAGE_USERS[village_name]]
        project = save_application(None, application, village_id=villages[village_name].id, actor=author)
        for action in actions:
            if isinstance(action, tuple):
                _run_demo_step(action[0], project, {"sheets": action[1], "visit": SITE_VISIT})
                continue
            apply_transition(project, action, _actor_for(action, users, author), TransitionInput(
                comment=COMMENTS.get(action, ""), approved_amount_fen=project.requested_fen, pool_id=pool.id,
                filed_on=date(2026, 6, 30), filing_reference="丽农备〔2026〕12号"))
    _seed_benchmark_projects(villages.values(), users["village"], scale)


def _run_demo_step(name: str, project: Project, plan: dict) -> None:
    """A step a higher domain carries out (the county panel); skipped when no domain offers it."""
    for step in handlers(Hook.DEMO_STEP, name):
        step(project, plan)


def _seed_benchmark_projects(villages, author: User, scale: int) -> None:
    if scale <= 1:
        return
    pools = db.session.execute(select(FundPool.id).where(FundPool.programme == "benchmark")).scalars().all()
    statuses = [ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ProjectStatus.TOWN_PASSED, ProjectStatus.VETTING,
                ProjectStatus.APPROVED, ProjectStatus.REJECTED, ProjectStatus.RETURNED]
    rows = []
    for village in villages:
        if not village.name.startswith("示范村"):
            continue
        for number in range(PROJECTS_PER_SCALED_VILLAGE):
            status = statuses[(village.id + number) % len(statuses)]
            approved = status == ProjectStatus.APPROVED
            rows.append({
                "village_id": village.id, "title": f"{village.name} 示范项目 {number + 1}", "category": "other",
                "status": status, "total_investment_fen": 200 * WAN, "requested_fen": 100 * WAN,
                "funding_subsidy_fen": 100 * WAN, "funding_self_raised_fen": 100 * WAN,
                "approved_amount_fen": 10 * WAN if approved else None,
                "pool_id": pools[(village.id + number) % len(pools)] if approved else None,
                "created_by_id": author.id, "created_at": datetime(2026, 1 + number % 12, 1),
                "description": "benchmark", "location": village.name,
            })
    if rows:
        db.session.execute(insert(Project), rows)
        _commit_benchmark_approvals(author)


def _commit_benchmark_approvals(author: User) -> None:
    """The bulk-written approved projects hold their money in their pools like approved ones do
    (through the service: each commitment takes its place in its pool's chain)."""
    approved = db.session.execute(
        select(Project.id, Project.pool_id, Project.approved_amount_fen)
        .where(Project.description == "benchmark", Project.approved_amount_fen.is_not(None)).order_by(Project.id)
    ).all()
    for project_id, pool_id, amount in approved:
        commit_to_project(pool_id, project_id, amount, actor=author, reason="benchmark")


COUNTY_STATUSES = [ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ProjectStatus.TOWN_PASSED, ProjectStatus.VETTING,
                   ProjectStatus.APPROVED, ProjectStatus.REJECTED, ProjectStatus.RETURNED]
COUNTY_CATEGORIES = ["livestock", "aquaculture", "rural_tourism", "processing", "other"]
COUNTY_TITLES = ["生态养殖", "民宿改造", "农产品冷库", "茶叶加工", "光伏发电", "物业用房", "乡村旅游", "稻鱼共生"]
COUNTY_BATCH = 5_000


def seed_county_projects(size) -> None:
    """size.projects projects spread over the county's villages, in every status; the approved ones
    hold their money in the county pools through chained commitments (as the service chains them)."""
    if not size.projects:
        return
    villages = db.session.execute(select(Village.id, Village.name).where(
        Village.name.startswith(COUNTY_VILLAGE_PREFIX)).order_by(Village.id)).all() or \
        db.session.execute(select(Village.id, Village.name).order_by(Village.id)).all()
    pools = db.session.execute(select(FundPool.id).where(FundPool.programme == COUNTY_PROGRAMME)
                               .order_by(FundPool.id)).scalars().all()
    author = _user("village")
    for first in range(0, size.projects, COUNTY_BATCH):
        rows = [_county_project(number, villages[number % len(villages)], pools, author)
                for number in range(first, min(first + COUNTY_BATCH, size.projects))]
        ids = bulk_insert(Project, rows)
        _commit_county_approvals([(project_id, row) for project_id, row in zip(ids, rows) if row["pool_id"]], author)


def _county_project(number: int, village, pools: list[int], author: User) -> dict:
    village_id, village_name = village
    status = COUNTY_STATUSES[number % len(COUNTY_STATUSES)]
    approved = status == ProjectStatus.APPROVED
    requested = (number % 50 + 10) * WAN
    created = datetime(2016 + number % 10, 1 + number % 12, 1 + number % 28, number % 24)
    return {
        "village_id": village_id, "title": f"{village_name}{COUNTY_TITLES[number % len(COUNTY_TITLES)]}项目 {number + 1}",
        "category": COUNTY_CATEGORIES[number % len(COUNTY_CATEGORIES)], "status": status,
        "total_investment_fen": 2 * requested, "requested_fen": requested, "funding_subsidy_fen": requested,
        "funding_self_raised_fen": requested, "approved_amount_fen": requested if approved else None,
        "pool_id": pools[number % len(pools)] if approved and pools else None, "created_by_id": author.id,
        "created_at": created, "updated_at": created, "description": f"{village_name}集体经济示范项目（县域基准数据）",
        "location": village_name,
    }


def _commit_county_approvals(approved: list[tuple[int, dict]], author: User) -> None:
    by_pool: dict[int, list[dict]] = {}
    for project_id, row in approved:
        by_pool.setdefault(row["pool_id"], []).append(
            {"project_id": project_id, "amount_fen": row["approved_amount_fen"], "actor_id": author.id,
             "reason": "县域基准数据"})
    for pool_id, rows in by_pool.items():
        bulk_insert(Commitment, chained_commitment_rows(lock_pool(pool_id), rows))
