"""The acceptance part of the public project page (Hook.PUBLIC_PROJECT_SECTION): the county's result and
date, and the registered assets with their class, value, owner and upkeep party. Never a person's name:
not the members of a check, not who recorded it; the owner and the upkeep party are organisations or roles
(the register asks for them so), and household assets show the number of households only."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..signals import Section
from .checks import acceptance_of
from .models import AcceptanceCheck, AssetClass, AssetStatus, CheckLevel, CheckResult, ProjectAsset

PUBLIC_SECTION_POSITION = 60


def public_project_section(project) -> Section | None:
    acceptance = acceptance_of(project)
    if acceptance is None:
        return None
    county = db.session.execute(select(AcceptanceCheck.checked_on, AcceptanceCheck.result).where(
        AcceptanceCheck.acceptance_id == acceptance.id, AcceptanceCheck.level == CheckLevel.COUNTY)
        .order_by(AcceptanceCheck.id.desc()).limit(1)).first()
    town = db.session.execute(select(AcceptanceCheck.checked_on, AcceptanceCheck.result).where(
        AcceptanceCheck.acceptance_id == acceptance.id, AcceptanceCheck.level == CheckLevel.TOWN)
        .order_by(AcceptanceCheck.id.desc()).limit(1)).first()
    assets = db.session.execute(select(
        ProjectAsset.name, ProjectAsset.asset_class, ProjectAsset.value_fen, ProjectAsset.owner,
        ProjectAsset.household_count, ProjectAsset.upkeep_party, ProjectAsset.registered_on)
        .where(ProjectAsset.project_id == project.id, ProjectAsset.status == AssetStatus.REGISTERED)
        .order_by(ProjectAsset.id)).all()
    return Section(title=_l("Acceptance and assets"), template="acceptance/_public.html",
                   position=PUBLIC_SECTION_POSITION,
                   context={"accepted_on": acceptance.accepted_on, "county_check": county, "town_check": town,
                            "assets": assets, "result_labels": CheckResult.labels(),
                            "asset_class_labels": AssetClass.labels()})
