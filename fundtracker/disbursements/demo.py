"""Demo disbursements for the approved ranch expansion, through the real services: a plan from the
template with a 3 % retention, the first tranche paid (voucher recorded), the second requested and
waiting in the queue, a request returned for changes, the third milestone's report waiting for the
township, and the retention waiting for the acceptance."""
import io
from datetime import date

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from ..auth.models import User
from ..extensions import db
from ..projects.models import Project, ProjectStatus
from ..projects.services import add_attachment
from . import services

PDF = b"%PDF-1.4\n% fundtracker demo document\n"
PAYEE = {"payee_name": "青田县高市村股份经济合作社", "payee_account": "6228480321234567890",
         "payee_bank": "浙江青田农村商业银行高市支行"}


def _user(username: str) -> User:
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def _documents(project: Project, tranche, actor) -> dict:
    return {name: add_attachment(project, FileStorage(stream=io.BytesIO(PDF), filename=f"{name}.pdf",
                                                      content_type="application/pdf"), kind="other", actor=actor).id
            for name in tranche.required_documents}


def _confirmed_report(project, tranche, village, town, percent, narrative):
    report = services.submit_progress_report(project, tranche, progress_percent=percent, narrative=narrative,
                                             actor=village)
    services.REPORT_MACHINE.apply(report, services.ReportAction.CONFIRM, town,
                                  services.TransitionData(comment="经现场核实，进度属实。"))
    return report


def _request(project, tranche, report, documents, amount, finance):
    return services.prepare_payment(project, services.PaymentInput(
        tranche_id=tranche.id, amount_fen=amount, purpose="工程款", purpose_detail="牛舍主体工程",
        progress_report_id=report.id, documents=documents, **PAYEE), actor=finance)


def seed_disbursements(scale: int) -> None:
    project = db.session.execute(select(Project).where(Project.status == ProjectStatus.APPROVED,
                                                       Project.title == "高市村牧场扩建项目")).scalar_one_or_none()
    if project is None:
        return
    village, town, finance, finance2 = (_user(name) for name in ("village", "town", "finance", "finance2"))
    first, second, third, *_ = services.save_plan(project, services.default_plan(project, retention_percent=3),
                                                  actor=finance)
    report = _confirmed_report(project, first, village, town, 10, "牛舍基础开挖完成，主体材料进场。")
    paid = _request(project, first, report, _documents(project, first, finance), first.amount_fen, finance)
    services.decide_payment(paid, services.PaymentAction.APPROVE, actor=finance2)
    services.decide_payment(paid, services.PaymentAction.RECORD_VOUCHER, actor=finance,
                            data=services.PaymentDecision(payment_reference="青财支付〔2026〕0418号",
                                                          paid_on=date(2026, 4, 20)))
    report = _confirmed_report(project, second, village, town, 50, "牛舍主体完工，青贮池完成一半。")
    documents = _documents(project, second, finance)
    returned = _request(project, second, report, documents, second.amount_fen, finance)
    services.decide_payment(returned, services.PaymentAction.RETURN, actor=finance2,
                            data=services.PaymentDecision(comment="监理报告页码不全，请补充后重新提交。"))
    _request(project, second, report, documents, second.amount_fen, finance)
    services.submit_progress_report(project, third, progress_percent=80, narrative="全部工程完工，申请镇级自验。",
                                    actor=village)
