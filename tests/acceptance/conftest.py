from datetime import date

import pytest

from fundtracker.acceptance import assets, checks
from fundtracker.auth.roles import Role
from fundtracker.disbursements import services
from fundtracker.extensions import db

from ..disbursements.conftest import approved_project, confirmed_report, people, prepared_payment  # noqa: F401
from ..projects.conftest import WAN, make_project, village_user  # noqa: F401  (shared fixtures)

TOWN_DAY, COUNTY_DAY = date(2026, 9, 10), date(2026, 10, 15)


@pytest.fixture
def finished_works(approved_project, people):  # noqa: F811
    """A project of ¥1,000,000 (default plan with a 3 % retention) whose tranches before the acceptance are paid
    (`pay`) and whose township-confirmed progress is `progress` %."""
    def factory(title="蔬菜基地", pay=(1, 2, 3), progress=100):
        project = approved_project(retention_percent=3, title=title)
        for position in pay:
            services.decide_payment(prepared_payment(project, people, position), "approve", actor=people["checker"])
        if progress:
            confirmed_report(project, services.tranches_of(project)[2], people, percent=progress)
        db.session.commit()
        return project

    return factory


@pytest.fixture
def second_approver(make_user):
    return make_user(Role.APPROVER, username="lead2")


def town_check(project, people, result="pass", day=TOWN_DAY, actor=None, **changes):  # noqa: F811
    data = {"level": "town", "result": result, "checked_on": day, "members": "镇农办、村监委会",
            "findings": "" if result == "pass" else "路面开裂",
            "rectify_by": None if result == "pass" else date(2026, 9, 30),
            **changes}
    check = checks.record_check(project, checks.CheckInput(**data), actor=actor or people["town"])
    db.session.commit()
    return check


def county_check(project, actor, result="pass", day=COUNTY_DAY, settlement_wan=98, **changes):
    data = {"level": "county", "result": result, "checked_on": day, "members": "县农业农村局、县审计局",
            "joint_departments": ("audit", "finance"), "settlement_fen": settlement_wan * WAN,
            "findings": "" if result == "pass" else "竣工资料不全",
            "rectify_by": None if result == "pass" else date(2026, 10, 31),
            **changes}
    check = checks.record_check(project, checks.CheckInput(**data), actor=actor)
    db.session.commit()
    return check


def answer(project, people, day=date(2026, 9, 20)):  # noqa: F811
    checks.answer_rectification(project, answer="已返工重铺", answered_on=day, actor=people["collective"])
    db.session.commit()


def accepted(project, people):  # noqa: F811
    town_check(project, people)
    county_check(project, people["approver"])
    return project


def asset_input(asset_class="operating", value_wan=60, **changes) -> assets.AssetInput:
    values = dict(name="分拣车间", asset_class=asset_class, value_fen=value_wan * WAN, owner="高市村股份经济合作社",
                  upkeep_party="高市村股份经济合作社", upkeep_duties="每年检修", registered_on=date(2026, 10, 28),
                  certificate_reference="青农确〔2026〕1号", household_count=40 if asset_class == "household" else None)
    values.update(changes)
    return assets.AssetInput(**values)
