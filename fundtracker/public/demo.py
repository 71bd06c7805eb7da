"""Demo notices, through the services. The project chain and the distribution plans have already
published their notices (the township's pass, the approval, the plans); here the public objects to
two of them and the county answers one."""
from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..projects.models import Project
from .models import Notice, NoticeKind
from .notices import answer_objection, file_objection

OBJECTIONS = [
    # (project, kind of notice, objection, the county's answer or None)
    ("高市村牧场扩建项目", NoticeKind.APPROVAL, "牧场扩建后粪污会不会流进下游的溪里？",
     "项目配套粪污处理设施，环评已通过；县农业农村局将在验收时检查排放，村务监督委员会每季度巡查。"),
    ("船寮村生态鱼塘养殖项目", NoticeKind.APPLICATION, "鱼塘改造占用的是哪几户的承包田？补偿标准是否公示？", None),
]


def seed_notices(scale: int) -> None:
    approver = db.session.execute(select(User).where(User.username == "approver")).scalar_one()
    for title, kind, text_, answer in OBJECTIONS:
        notice = db.session.execute(select(Notice).join(Project, Project.id == Notice.project_id).where(
            Project.title == title, Notice.kind == kind).order_by(Notice.id.desc())).scalars().first()
        if notice is None:
            continue
        objection = file_objection(notice, text_=text_, contact="（演示：不公开的联系方式）", address="demo")
        if answer:
            answer_objection(objection, answer, actor=approver)
