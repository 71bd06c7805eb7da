"""Demo evaluations, through the services: the year 2026 evaluated and published for the three running
demo projects (not the bulk projects of --scale): the pasture after its village's self-evaluation, one
with an adjusted judgment indicator, and one re-evaluated with a reason, so that both versions show."""
from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..projects.models import Project
from ..statemachine import TransitionData
from . import services

YEAR = 2026
SELF_EVALUATED = "高市村牧场扩建项目"
SELF_EVALUATION = "牛舍主体按期完工，首批拨付资金到位；9 月出栏后存栏一度低于方案下限，已按县里要求补栏。"
COMMENTS = {
    "高市村牧场扩建项目": "资金拨付按进度执行，监测预警已确认并限期整改，整改完成后复核。",
    "船寮村溪畔民宿提升项目": "入住率高于方案指标，建议继续跟踪旺季收益。",
    "赤岩村杨梅冷链仓储项目": "流动资金接近下限，电费支出偏高，需加强成本控制。",
}
ADJUSTED = {"赤岩村杨梅冷链仓储项目": {"procedure": services.Adjustment(80, "村民代表大会记录缺少签到表，立项程序不够规范。")}}
REOPENED = ("船寮村溪畔民宿提升项目", "补报 10 月入住率读数后重新评价。")


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _publish(evaluation, approver, title) -> None:
    services.save_county_draft(evaluation, comment=COMMENTS[title],
                               adjustments=ADJUSTED.get(title, {}), actor=approver)
    services.apply_evaluation_action(evaluation, services.EvaluationAction.PUBLISH, approver,
                                     TransitionData(comment="经县级绩效评价小组审定，予以发布。"))


def seed_evaluations(scale: int) -> None:
    approver = _user("approver")
    projects = db.session.execute(select(Project).where(
        Project.status.in_(services.EVALUATED_STATUSES), Project.title.in_(COMMENTS)).order_by(Project.id)
    ).scalars().all()
    for project in projects:
        if project.title == SELF_EVALUATED:
            village = db.session.get(User, project.created_by_id)
            evaluation = services.open_evaluation(project, YEAR, actor=village)
            services.apply_evaluation_action(evaluation, services.EvaluationAction.SELF_EVALUATE, village,
                                             TransitionData(comment=SELF_EVALUATION))
        else:
            evaluation = services.open_evaluation(project, YEAR, actor=approver)
        services.apply_evaluation_action(evaluation, services.EvaluationAction.TAKE_UP, approver)
        _publish(evaluation, approver, project.title)
        if project.title == REOPENED[0]:
            services.apply_evaluation_action(evaluation, services.EvaluationAction.REOPEN, approver,
                                             TransitionData(comment=REOPENED[1]))
            db.session.flush()
            _publish(services.evaluations_of(project)[0], approver, project.title)
