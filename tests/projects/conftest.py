import io
from datetime import date

import pytest

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.pools.models import EntryKind, FundPool
from fundtracker.pools.services import append_entry
from fundtracker.projects.applications import ApplicationInput, save_application

WAN = 10_000 * 100
PDF = b"%PDF-1.4\n% test document\n"
# The county form's own sections, complete (联农带农, 绩效目标, 用地, 收益分配, 资产权属).
COUNTY_FORM_TEXT = dict(
    benefit_linkage="优先雇用本村农户", target_output="新建牛舍 3000 平方米", target_benefit="村集体年增收 20 万元",
    target_satisfaction="受益农户满意度 ≥ 90%", land_use_compliance="村集体存量建设用地", income_distribution="三成公积公益金",
    asset_ownership="村股份经济合作社",
)


def complete_application(title="牧场扩建", total_wan=500, requested_wan=300, **changes) -> ApplicationInput:
    values = dict(
        title=title, category="livestock", description="扩建牛舍", location="后山", start_on=date(2026, 3, 1),
        end_on=date(2027, 2, 28), total_investment_fen=total_wan * WAN, requested_fen=requested_wan * WAN,
        funding_subsidy_fen=200 * WAN, funding_loan_fen=200 * WAN, funding_self_raised_fen=(total_wan - 400) * WAN,
        loan_rate_bp=385, loan_term_months=36, risks="疫病", mitigation="防疫协议", meeting_on=date(2026, 1, 18),
        meeting_members_expected=50, meeting_attendance=40, meeting_votes_for=35, meeting_votes_against=3,
        contact_name="王建国", contact_phone="0578-6512345", year_plans=[(150 * WAN, 90 * WAN), (180 * WAN, 100 * WAN)],
        **COUNTY_FORM_TEXT,
    )
    values.update(changes)
    return ApplicationInput(**values)


@pytest.fixture
def village_user(make_user, make_village):
    return make_user(Role.VILLAGE, username="cun", village=make_village(name="高市村"))


@pytest.fixture
def make_project(app, village_user):
    def factory(status="draft", village=None, author=None, **changes):
        author = author or village_user
        project = save_application(None, complete_application(**changes),
                                   village_id=(village or author.village).id, actor=author)
        project.status = status
        db.session.commit()
        return project

    return factory


@pytest.fixture
def make_funded_pool(app, make_user):
    def factory(name="2026 资金池", yuan=1_000 * 10_000):
        pool = FundPool(name=name, year=2026)
        db.session.add(pool)
        db.session.flush()
        cashier = make_user(Role.FINANCE, username=f"cashier-{pool.id}")
        append_entry(pool.id, EntryKind.CONTRIBUTION, yuan * 100, actor=cashier, value_date=date(2026, 1, 5))
        db.session.commit()
        return pool

    return factory


def pdf_upload(name="方案.pdf", content=PDF):
    return (io.BytesIO(content), name)


def without_the_panel(app) -> None:
    """Take the vetting panel's decision gate and score off this app's project machine, through the
    extension point's public API: these tests are about the approval chain itself; tests/vetting
    covers the panel's gate (and tests/test_domains.py that a real app has it)."""
    from fundtracker.projects.workflow import MACHINE_NAME
    from fundtracker.signals import Hook, disconnect
    from fundtracker.vetting.services import decision_basis, decision_gate

    disconnect(app, Hook.TRANSITION_GUARD, decision_gate, key=MACHINE_NAME)
    disconnect(app, Hook.DECISION_BASIS, decision_basis)


@pytest.fixture(autouse=True)
def chain_without_the_panel(app):
    without_the_panel(app)
