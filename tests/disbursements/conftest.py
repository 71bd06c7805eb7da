import io
from datetime import date

import pytest
from werkzeug.datastructures import FileStorage

from fundtracker.auth.roles import Role
from fundtracker.disbursements import services
from fundtracker.extensions import db
from fundtracker.pools.models import FundPool
from fundtracker.pools.services import ContributionInput, commit_to_project, record_contribution
from fundtracker.projects.applications import save_application
from fundtracker.projects.services import add_attachment

from ..projects.conftest import PDF, WAN, complete_application

PAYEE = {"payee_name": "高市村股份经济合作社", "payee_account": "6228480321234567890", "payee_bank": "青田农商银行"}


@pytest.fixture
def people(make_user, make_village):
    village = make_village(name="高市村")
    return {
        "village": village,
        "collective": make_user(Role.VILLAGE, username="cun", village=village),
        "town": make_user(Role.TOWN, username="zhen", township=village.township),
        "preparer": make_user(Role.FINANCE, username="cashier"),
        "checker": make_user(Role.FINANCE, username="checker"),
        "approver": make_user(Role.APPROVER, username="lead"),
    }


@pytest.fixture
def approved_project(app, people):
    """An approved project of ¥1,000,000 from a pool holding `pool_wan` 万元, with the default plan."""
    def factory(approved_wan=100, pool_wan=500, retention_percent=0, title="牧场扩建"):
        pool = FundPool(name=f"资金池 {title}", year=2026)
        db.session.add(pool)
        db.session.flush()
        record_contribution(pool.id, ContributionInput("subsidy", "县财政局", pool_wan * WAN, date(2026, 1, 5)),
                            actor=people["preparer"])
        project = save_application(None, complete_application(title=title, requested_wan=max(approved_wan, 1)),
                                   village_id=people["village"].id, actor=people["collective"])
        project.status, project.approved_amount_fen, project.pool_id = "approved", approved_wan * WAN, pool.id
        commit_to_project(pool.id, project.id, approved_wan * WAN, actor=people["approver"])
        services.save_plan(project, services.default_plan(project, retention_percent), actor=people["preparer"])
        db.session.commit()
        return project

    return factory


def documents_for(project, tranche, actor) -> dict:
    return {name: add_attachment(project, FileStorage(io.BytesIO(PDF), f"{name}.pdf", content_type="application/pdf"),
                                 kind="other", actor=actor).id for name in tranche.required_documents}


def confirmed_report(project, tranche, people, percent=30):
    report = services.submit_progress_report(project, tranche, progress_percent=percent, narrative="进度",
                                             actor=people["collective"])
    services.REPORT_MACHINE.apply(report, services.ReportAction.CONFIRM, people["town"])
    return report


def prepared_payment(project, people, position=1, amount_fen=None, preparer=None):
    tranche = services.tranches_of(project)[position - 1]
    report = confirmed_report(project, tranche, people)
    payment = services.prepare_payment(project, services.PaymentInput(
        tranche_id=tranche.id, amount_fen=amount_fen or tranche.amount_fen, purpose="工程款",
        progress_report_id=report.id, documents=documents_for(project, tranche, people["preparer"]), **PAYEE),
        actor=preparer or people["preparer"])
    db.session.commit()
    return payment
