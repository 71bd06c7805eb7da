"""Demo acceptance, through the services: a vegetable base in 赤岩村 paid tranche by tranche, failed at
the township's first check (one rectification, answered), passed by the township and accepted by the
county, its final tranche paid and its assets of each class registered (the project operates); and a
bamboo workshop in 船寮村 that stopped after its first payment: exited, partly recovered."""
import io
from datetime import date

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from ..auth.models import User
from ..disbursements import services as payments
from ..extensions import db
from ..pools.models import FundPool
from ..projects.applications import ApplicationInput, save_application
from ..projects.demo import COUNTY_FORM_TEXT, FULL_PANEL, SITE_VISIT
from ..projects.services import add_attachment
from ..projects.workflow import Action, TransitionInput, apply_transition
from ..signals import Hook, handlers
from . import assets, checks, exits
from .models import AssetClass, CheckLevel, CheckResult, ExitReason, JointDepartment, RecoveryKind

WAN = 10_000 * 100
PDF = b"%PDF-1.4\n% fundtracker demo document\n"
PAYEE = {"payee_name": "青田县建工有限公司", "payee_account": "6228480321234509876", "payee_bank": "浙江青田农村商业银行"}


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _pdf(name: str) -> FileStorage:
    return FileStorage(stream=io.BytesIO(PDF), filename=f"{name}.pdf", content_type="application/pdf")


def _approved_project(author: User, title: str, description: str, requested_wan: int, pool: FundPool):
    project = save_application(None, ApplicationInput(
        title=title, category="crops", description=description, location=title[:3], start_on=date(2026, 3, 1),
        end_on=date(2026, 10, 31), total_investment_fen=requested_wan * 2 * WAN, requested_fen=requested_wan * WAN,
        funding_subsidy_fen=requested_wan * WAN, funding_self_raised_fen=requested_wan * WAN, risks="天气、市场。",
        mitigation="订单种植，购买农业保险。", meeting_on=date(2026, 1, 18), meeting_members_expected=58,
        meeting_attendance=45, meeting_votes_for=41,
        meeting_votes_against=2, contact_name="王建国", contact_phone="0578-6512345",
        year_plans=[(requested_wan * WAN // 4, requested_wan * WAN // 10)] * 3, **COUNTY_FORM_TEXT), village_id=author.village_id,
        actor=author)
    town, approver = _user("town"), _user("approver")
    apply_transition(project, Action.SUBMIT, author)
    apply_transition(project, Action.TOWN_PASS, town, TransitionInput(comment="材料齐全，同意上报。"))
    apply_transition(project, Action.START_VETTING, approver, TransitionInput(comment="提交县级联审小组评审。"))
    for step in handlers(Hook.DEMO_STEP, "panel"):
        step(project, {"sheets": FULL_PANEL, "visit": SITE_VISIT})
    apply_transition(project, Action.APPROVE, approver, TransitionInput(
        comment="联审通过，同意立项。", approved_amount_fen=project.requested_fen, pool_id=pool.id))
    return project


def _pay(project, tranche, percent: int, narrative: str) -> None:
    """The village reports, the township confirms, one finance user requests and another approves."""
    village, town = db.session.get(User, project.created_by_id), _user("town")
    finance, finance2 = _user("finance"), _user("finance2")
    report = payments.submit_progress_report(project, tranche, progress_percent=percent, narrative=narrative,
                                             actor=village)
    payments.REPORT_MACHINE.apply(report, payments.ReportAction.CONFIRM, town,
                                  payments.TransitionData(comment="经现场核实，进度属实。"))
    documents = {name: add_attachment(project, _pdf(name), kind="other", actor=finance).id
                 for name in tranche.required_documents}
    payment = payments.prepare_payment(project, payments.PaymentInput(
        tranche_id=tranche.id, amount_fen=tranche.amount_fen, purpose="工程款", purpose_detail=tranche.description,
        progress_report_id=report.id, documents=documents, **PAYEE), actor=finance)
    payments.decide_payment(payment, payments.PaymentAction.APPROVE, actor=finance2)


def _check(project, actor, level, result, checked_on, **extra) -> None:
    checks.record_check(project, checks.CheckInput(
        level=level, result=result, checked_on=checked_on, members=extra.pop("members"), **extra), actor=actor,
        uploads={"report_attachment_id": _pdf("验收报告")})


ASSETS = [
    assets.AssetInput("蔬菜分拣包装车间 600 平方米", AssetClass.OPERATING, 60 * WAN, "赤岩村集体经济组织", "赤岩村集体经济组织",
                      "出租经营，每年检修一次，租金纳入村集体收入。", date(2026, 10, 28), "青农确〔2026〕031号"),
    assets.AssetInput("田间机耕路 1.2 公里", AssetClass.PUBLIC, 25 * WAN, "赤岩村集体经济组织", "赤岩村村民委员会",
                      "日常保洁、汛后巡查修补。", date(2026, 10, 28), "青农确〔2026〕032号"),
    assets.AssetInput("农户简易大棚 40 个", AssetClass.HOUSEHOLD, 10 * WAN, "参与种植的 40 户农户", "受益农户（村经济合作社监督）",
                      "农户自行管护，村经济合作社每季度检查。", date(2026, 10, 28), "青农确〔2026〕033号", household_count=40),
]


def _accepted_and_registered(pool: FundPool) -> None:
    project = _approved_project(_user("village4"), "赤岩村高山蔬菜基地配套设施项目",
                                "建设蔬菜分拣包装车间、田间机耕路和农户简易大棚。", 100, pool)
    first, second, third, final, _retention = payments.save_plan(
        project, payments.default_plan(project, retention_percent=3), actor=_user("finance"))
    for tranche, percent, narrative in ((first, 20, "车间基础完工。"), (second, 50, "车间主体完工，机耕路路基完成。"),
                                        (third, 100, "全部工程完工，申请镇级自验。")):
        _pay(project, tranche, percent, narrative)
    town, approver, village = _user("town"), _user("approver"), _user("village4")
    _check(project, town, CheckLevel.TOWN, CheckResult.FAIL, date(2026, 9, 10), members="镇农办、镇建设办、村监委会",
           findings="机耕路 K0+800 段路面开裂，需返工。", rectify_by=date(2026, 9, 30))
    checks.answer_rectification(project, answer="开裂路段已凿除重铺，附整改照片。", answered_on=date(2026, 9, 20),
                                actor=village)
    _check(project, town, CheckLevel.TOWN, CheckResult.PASS, date(2026, 9, 25), members="镇农办、镇建设办、村监委会")
    _check(project, approver, CheckLevel.COUNTY, CheckResult.PASS, date(2026, 10, 15),
           members="县农业农村局、县审计局、县财政局、县自然资源局", settlement_fen=98 * WAN,
           joint_departments=(JointDepartment.AUDIT, JointDepartment.FINANCE, JointDepartment.LAND))
    _pay(project, final, 100, "县级验收通过，申请拨付尾款。")
    for asset in ASSETS:
        assets.register_asset(project, asset, actor=approver)


def _exited_with_partial_recovery(pool: FundPool) -> None:
    project = _approved_project(_user("village3"), "船寮村竹木加工坊项目", "建设竹木初加工作坊。", 50, pool)
    first, *_ = payments.save_plan(project, payments.default_plan(project), actor=_user("finance"))
    _pay(project, first, 20, "厂房租赁完成，设备进场。")
    exits.trigger_exit(project, reason_kind=ExitReason.STOPPED, actor=_user("approver"),
                       reason="合作企业退出，项目无法继续实施，经县联席会议研究决定退出。")
    exits.record_recovery(project, exits.RecoveryInput(
        kind=RecoveryKind.REPAYMENT, amount_fen=6 * WAN, received_on=date(2026, 11, 10),
        reference="青财缴〔2026〕112号", note="村集体退回未使用设备款。"), actor=_user("finance"))


def seed_acceptance(scale: int) -> None:
    pool = db.session.execute(select(FundPool).where(FundPool.year == 2026).order_by(FundPool.id)).scalars().first()
    _accepted_and_registered(pool)
    _exited_with_partial_recovery(pool)
