"""Asset handover and registration (资产移交, 确权登记) after the county's acceptance, and the disposal
(处置) of a registered asset: a sale or scrapping with the members' meeting record, approved by the county
("disposal" machine); a sale's proceeds come back as a recovery (exits.record_recovery)."""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record_audit
from ..auth.access import acting_roles
from ..auth.roles import Role
from ..clock import refuse_future_date
from ..database import lock_row
from ..errors import DomainError
from ..extensions import db
from ..money import format_fen
from ..projects.models import Project, ProjectStatus
from ..projects.services import add_attachment
from ..projects.workflow import Action as ProjectAction
from ..projects.workflow import TransitionInput, apply_transition
from ..statemachine import StateMachine, Transition, TransitionData
from .checks import acceptance_of
from .models import (
    AssetClass,
    AssetDisposal,
    AssetStatus,
    DisposalKind,
    DisposalStatus,
    ProjectAsset,
    timeline_entry,
)

REGISTRABLE_STATUSES = (ProjectStatus.ACCEPTED, ProjectStatus.OPERATING)
MAX_HOUSEHOLDS = 1_000_000


@dataclass(frozen=True)
class AssetInput:
    name: str
    asset_class: str
    value_fen: int
    owner: str
    upkeep_party: str
    upkeep_duties: str
    registered_on: date
    certificate_reference: str
    household_count: int | None = None


def may_register_assets(project: Project, user) -> bool:
    return project.status in REGISTRABLE_STATUSES and Role.APPROVER in acting_roles(user, project.village)


def _refuse_incomplete_asset(data: AssetInput) -> None:
    texts = {"name": data.name, "owner": data.owner, "upkeep_party": data.upkeep_party,
             "upkeep_duties": data.upkeep_duties, "certificate_reference": data.certificate_reference}
    for name, text in texts.items():
        if not (text or "").strip():
            raise DomainError(_l("Give the asset's name, owner, upkeep party and duties, and the certificate "
                                 "reference."), field=name)
    if data.asset_class not in AssetClass.labels():
        raise DomainError(_l("Choose the asset's class."), field="asset_class")
    if not isinstance(data.value_fen, int) or isinstance(data.value_fen, bool) or data.value_fen <= 0:
        raise DomainError(_l("The asset's value must be greater than zero."), field="value")
    households = data.household_count
    if data.asset_class == AssetClass.HOUSEHOLD and (not isinstance(households, int)
                                                     or not 0 < households <= MAX_HOUSEHOLDS):
        raise DomainError(_l("A household asset (到户类) names how many households own it."), field="household_count")
    if data.registered_on is None:
        raise DomainError(_l("Enter the registration date."), field="registered_on")
    refuse_future_date(data.registered_on, "registered_on")


def register_asset(project: Project, data: AssetInput, *, actor) -> ProjectAsset:
    """Register an asset of an accepted project; the first one moves the project to operating."""
    if project.status not in REGISTRABLE_STATUSES:
        raise DomainError(_l("Assets are registered after the county's acceptance has passed."))
    if Role.APPROVER not in acting_roles(actor, project.village):
        raise DomainError(_l("The county registers a project's assets."))
    _refuse_incomplete_asset(data)
    lock_row(Project, project.id)
    household = data.asset_class == AssetClass.HOUSEHOLD
    asset = ProjectAsset(
        project_id=project.id, village_id=project.village_id, name=data.name.strip()[:200],
        asset_class=AssetClass(data.asset_class), value_fen=data.value_fen, owner=data.owner.strip()[:200],
        household_count=data.household_count if household else None, upkeep_party=data.upkeep_party.strip()[:200],
        upkeep_duties=data.upkeep_duties.strip(), registered_on=data.registered_on,
        certificate_reference=data.certificate_reference.strip()[:100], status=AssetStatus.REGISTERED,
        registered_by_id=actor.id)
    db.session.add(asset)
    db.session.flush()
    record_audit("acceptance.asset", "project", project.id, summary=f"{asset.name} {format_fen(asset.value_fen)}",
                 after={"asset_id": asset.id, "class": asset.asset_class, "value_fen": asset.value_fen,
                        "upkeep_party": asset.upkeep_party}, actor=actor)
    if project.status == ProjectStatus.ACCEPTED:
        apply_transition(project, ProjectAction.REGISTER_ASSETS, actor,
                         TransitionInput(comment=asset.certificate_reference), by_service=True)
    return asset


def assets_of(project: Project) -> list[ProjectAsset]:
    return db.session.execute(select(ProjectAsset).where(ProjectAsset.project_id == project.id)
                              .order_by(ProjectAsset.id)).scalars().all()


@dataclass(frozen=True)
class SettlementGap:
    settlement_fen: int
    assets_fen: int

    @property
    def difference_fen(self) -> int:
        return self.settlement_fen - self.assets_fen


def settlement_gap(project: Project) -> SettlementGap | None:
    """How far the registered assets' values fall short of (or exceed) the audited settlement, or None when
    they add up (or the settlement is unknown)."""
    acceptance = acceptance_of(project)
    if acceptance is None or acceptance.settlement_fen is None:
        return None
    assets = db.session.execute(select(func.sum(ProjectAsset.value_fen)).where(
        ProjectAsset.project_id == project.id)).scalar_one() or 0
    gap = SettlementGap(acceptance.settlement_fen, int(assets))
    return gap if gap.difference_fen else None


def settlement_warning(gap: SettlementGap | None):
    """The warning (never a refusal) when the assets do not add up to the settlement."""
    if gap is None:
        return None
    return _l("The registered assets add up to %(assets)s; the audited settlement is %(settlement)s "
              "(difference %(difference)s). A settlement may include costs that create no asset (design, "
              "supervision, audit fees): register the remaining assets, or note why the difference stays.",
              assets=format_fen(gap.assets_fen), settlement=format_fen(gap.settlement_fen),
              difference=format_fen(gap.difference_fen))


# --- disposal ----------------------------------------------------------------------------------------

class DisposalAction:
    APPROVE = "approve"
    REJECT = "reject"


@dataclass(frozen=True)
class DisposalInput:
    kind: str
    reason: str
    meeting_on: date | None
    meeting_reference: str


def may_propose_disposal(project: Project, user) -> bool:
    return project.status == ProjectStatus.OPERATING and bool(
        acting_roles(user, project.village) & {Role.VILLAGE, Role.APPROVER})


def propose_disposal(project: Project, asset: ProjectAsset, data: DisposalInput, *, actor,
                     minutes=None) -> AssetDisposal:
    """The collective (or the county) proposes to sell or scrap an asset after the members' meeting."""
    if asset.project_id != project.id:
        raise DomainError(_l("This asset belongs to another project."))
    if not may_propose_disposal(project, actor):
        raise DomainError(_l("A disposal is proposed by the project's own village collective or the county, for an "
                             "operating project."))
    if asset.status != AssetStatus.REGISTERED:
        raise DomainError(_l("This asset was already disposed of."))
    pending = db.session.execute(select(AssetDisposal.id).where(
        AssetDisposal.asset_id == asset.id, AssetDisposal.status == DisposalStatus.PROPOSED)).first()
    if pending is not None:
        raise DomainError(_l("A disposal of this asset is already waiting for the county."))
    if data.kind not in DisposalKind.labels():
        raise DomainError(_l("Choose sale or scrapping."), field="kind")
    if not (data.reason or "").strip():
        raise DomainError(_l("Give the reason for the disposal."), field="reason")
    if data.meeting_on is None or not (data.meeting_reference or "").strip():
        raise DomainError(_l("Record the members' meeting that decided the disposal: its date and the minutes' "
                             "reference."), field="meeting_reference")
    refuse_future_date(data.meeting_on, "meeting_on")
    minutes_id = add_attachment(project, minutes, kind="minutes", actor=actor).id \
        if getattr(minutes, "filename", "") else None
    disposal = AssetDisposal(asset_id=asset.id, project_id=project.id, kind=DisposalKind(data.kind),
                             reason=data.reason.strip(), meeting_on=data.meeting_on,
                             meeting_reference=data.meeting_reference.strip()[:200], meeting_attachment_id=minutes_id,
                             status=DisposalStatus.PROPOSED, proposed_by_id=actor.id)
    db.session.add(disposal)
    db.session.flush()
    db.session.add(timeline_entry("disposal")(disposal, "propose", "", DisposalStatus.PROPOSED, disposal.reason,
                                              actor))
    record_audit("acceptance.disposal", "project", project.id, summary=f"{asset.name} {disposal.kind}",
                 after={"disposal_id": disposal.id, "meeting_on": data.meeting_on}, actor=actor)
    return disposal


def _proposed_by(disposal: AssetDisposal, user) -> bool:
    return disposal.proposed_by_id == user.id


def _not_the_proposer(disposal: AssetDisposal, action, actor, data) -> None:
    if _proposed_by(disposal, actor):
        raise DomainError(_l("You proposed this disposal: another county approver decides it."))


def _decide(disposal: AssetDisposal, action, actor, data) -> None:
    disposal.decided_by_id, disposal.decision_comment = actor.id, data.comment.strip()


def _dispose_of_the_asset(disposal: AssetDisposal, action, actor, data) -> None:
    disposal.asset.status = AssetStatus.DISPOSED


COUNTY = frozenset({Role.APPROVER})
DISPOSAL_MACHINE = StateMachine(
    name="disposal",
    transitions={
        (DisposalStatus.PROPOSED, DisposalAction.APPROVE): Transition(
            DisposalStatus.APPROVED, COUNTY, _l("Approve the disposal"), (_not_the_proposer,),
            (_decide, _dispose_of_the_asset)),
        (DisposalStatus.PROPOSED, DisposalAction.REJECT): Transition(
            DisposalStatus.REJECTED, COUNTY, _l("Reject the disposal"), (_not_the_proposer,), (_decide,),
            needs_reason=True),
    },
    status_labels=DisposalStatus.labels(), record_event=timeline_entry("disposal"),
    acting_roles=lambda disposal, user: acting_roles(user, disposal.project.village),
    describe=lambda disposal: f"{disposal.asset.name} #{disposal.id}",
)


def available_disposal_actions(disposal: AssetDisposal, user) -> list:
    """The buttons: the machine's, none for the disposal's proposer (the four-eyes guard would refuse them)."""
    if _proposed_by(disposal, user):
        return []
    return DISPOSAL_MACHINE.available(disposal, user)


def decide_disposal(disposal: AssetDisposal, action: str, *, actor, comment: str = ""):
    lock_row(AssetDisposal, disposal.id)  # two decisions at once: the second sees the first's status
    return DISPOSAL_MACHINE.apply(disposal, action, actor, TransitionData(comment=comment or ""))


def disposals_of(project: Project) -> list[AssetDisposal]:
    return db.session.execute(select(AssetDisposal).where(AssetDisposal.project_id == project.id)
                              .order_by(AssetDisposal.id)).scalars().all()
