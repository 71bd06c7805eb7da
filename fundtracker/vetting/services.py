"""Vetting operations: criteria sets, the panel, declarations, score sheets, site visits, the
panel result and the decision gate. Each flushes and never commits."""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from ..audit.services import record_audit
from ..auth.models import User
from ..auth.roles import Department, Role
from ..clock import refuse_future_date
from ..database import utcnow
from ..errors import DomainError
from ..extensions import db
from ..projects.models import AttachmentKind, Project, ProjectStatus, ProjectVersion
from ..projects.services import add_attachment
from ..projects.workflow import Action, authors_of, township_reviewers_of
from .models import (
    CriteriaSet,
    Criterion,
    Declaration,
    PanelMember,
    PanelRound,
    ProjectVetting,
    Recommendation,
    RiskGrade,
    Score,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
    SiteVisit,
)
from .scoring import PanelResult, criterion_mean_centi, panel_score_centi, sheet_total_centi, spread_flagged

PANEL_STATUSES = frozenset({ProjectStatus.TOWN_PASSED, ProjectStatus.VETTING})
# "4+X": the organisation department, the finance bureau, agriculture and rural affairs, the task force.
CORE_DEPARTMENTS = (Department.ORGANISATION, Department.FINANCE, Department.AGRICULTURE, Department.TASK_FORCE)

# The four criteria of the source (项目前景、成本测算、收益高低、风险等级), 25 points each.
DEFAULT_SET_NAME = "强村富民项目联审标准"
DEFAULT_CRITERIA = [
    ("项目前景", "市场需求、产业基础与发展前景（Prospects）"),
    ("成本测算", "投资估算与成本测算是否合理、完整（Cost estimate）"),
    ("收益高低", "预期收益水平及对村集体增收的带动（Return）"),
    ("风险等级", "市场、自然、经营与资金风险及防控措施（Risk）"),
]


# --- criteria sets -------------------------------------------------------------------------

@dataclass(frozen=True)
class CriterionInput:
    name: str
    description: str
    weight: int


def _check_criteria(criteria: list[CriterionInput]) -> None:
    if not criteria:
        raise DomainError(_l("A criteria set needs at least one criterion."))
    total = sum(c.weight for c in criteria)
    if total != 100:
        raise DomainError(_l("The weights add up to %(total)d; they must add up to 100.", total=total))


def set_in_use(criteria_set: CriteriaSet) -> bool:
    return db.session.execute(
        select(exists().where(ProjectVetting.criteria_set_id == criteria_set.id))
    ).scalar_one()


def save_criteria_set(criteria_set: CriteriaSet | None, *, name: str, pass_mark: int, trim_from_sheets: int,
                      spread_threshold: int, criteria: list[CriterionInput], actor) -> CriteriaSet:
    """Create a set, change an unused one, or (for a set in use) create its next version."""
    _check_criteria(criteria)
    version = 1
    if criteria_set is not None and set_in_use(criteria_set):
        criteria_set.superseded, version = True, criteria_set.version + 1
        was_active, criteria_set.active = criteria_set.active, False
        criteria_set = CriteriaSet(name=criteria_set.name, version=version, active=was_active)
    elif criteria_set is None:
        criteria_set = CriteriaSet(version=version, active=_no_active_set())
    else:
        criteria_set.criteria.clear()
        db.session.flush()
    criteria_set.name = name.strip() if version == 1 else criteria_set.name
    criteria_set.pass_mark, criteria_set.trim_from_sheets = pass_mark, trim_from_sheets
    criteria_set.spread_threshold = spread_threshold
    criteria_set.criteria = [Criterion(position=n, name=c.name.strip(), description=c.description.strip(),
                                       weight=c.weight) for n, c in enumerate(criteria, start=1)]
    db.session.add(criteria_set)
    db.session.flush()
    record_audit("vetting.criteria_set", "criteria_set", criteria_set.id, summary=str(criteria_set),
                 after={"weights": [c.weight for c in criteria], "pass_mark": pass_mark}, actor=actor)
    return criteria_set


def _no_active_set() -> bool:
    return db.session.execute(select(CriteriaSet.id).where(CriteriaSet.active)).first() is None


def activate_criteria_set(criteria_set: CriteriaSet, actor) -> None:
    if criteria_set.superseded:
        raise DomainError(_l("A superseded version cannot be made the set in use."))
    for other in db.session.execute(select(CriteriaSet).where(CriteriaSet.active)).scalars():
        other.active = False
    criteria_set.active = True
    db.session.flush()
    record_audit("vetting.criteria_set_active", "criteria_set", criteria_set.id, summary=str(criteria_set), actor=actor)


def active_criteria_set() -> CriteriaSet:
    """The set new panels use; the default set of the source is created the first time."""
    active = db.session.execute(select(CriteriaSet).where(CriteriaSet.active)).scalar_one_or_none()
    if active is not None:
        return active
    default = CriteriaSet(name=DEFAULT_SET_NAME, version=1, active=True,
                          criteria=[Criterion(position=n, name=name, description=description, weight=25)
                                    for n, (name, description) in enumerate(DEFAULT_CRITERIA, start=1)])
    db.session.add(default)
    db.session.flush()
    return default


# --- the panel ------------------------------------------------------------------------------

def vetting_for(project: Project) -> ProjectVetting | None:
    return db.session.get(ProjectVetting, project.id)


# --- rounds: one review of one submitted version ----------------------------------------------

def latest_round(project: Project) -> PanelRound | None:
    return db.session.execute(
        select(PanelRound).where(PanelRound.project_id == project.id).order_by(PanelRound.number.desc()).limit(1)
    ).scalar_one_or_none()


def open_round(project: Project) -> PanelRound | None:
    latest = latest_round(project)
    return latest if latest is not None and latest.is_open else None


def closed_rounds(project: Project) -> list[PanelRound]:
    return list(db.session.execute(
        select(PanelRound).where(PanelRound.project_id == project.id, PanelRound.status != RoundStatus.OPEN)
        .order_by(PanelRound.number.desc())
    ).scalars())


def _submitted_version(project: Project) -> int | None:
    return db.session.execute(
        select(func.max(ProjectVersion.number)).where(ProjectVersion.project_id == project.id)).scalar_one()


def open_new_round(project: Project) -> PanelRound:
    """The next round, for the version now submitted; the previous round's members are carried over
    and declare and score again."""
    previous = latest_round(project)
    panel_round = PanelRound(project_id=project.id, number=(previous.number + 1) if previous else 1,
                             version_number=_submitted_version(project), status=RoundStatus.OPEN)
    db.session.add(panel_round)
    db.session.flush()
    for member in members_of(previous) if previous else ():
        db.session.add(PanelMember(project_id=project.id, round_id=panel_round.id, reviewer_id=member.reviewer_id,
                                   assigned_by_id=member.assigned_by_id))
    db.session.flush()
    return panel_round


def members_of(panel_round: PanelRound | None) -> list[PanelMember]:
    if panel_round is None:
        return []
    return list(db.session.execute(
        select(PanelMember).where(PanelMember.round_id == panel_round.id).order_by(PanelMember.id)
    ).scalars())


def panel_members(project: Project) -> list[PanelMember]:
    """The members of the project's latest round (the open one while the panel works)."""
    return members_of(latest_round(project))


def ever_on_the_panel(project: Project) -> set[int]:
    return set(db.session.execute(
        select(PanelMember.reviewer_id).where(PanelMember.project_id == project.id)).scalars())


def round_effects(project: Project, action, actor, data) -> None:
    """Connected to the project machine: sending a resubmitted project to the panel opens its next
    round; a decision or a return closes the open one with its outcome."""
    if action == Action.START_VETTING and open_round(project) is None and latest_round(project) is not None:
        open_new_round(project)
    outcome = ROUND_OUTCOMES.get(action)
    current = open_round(project)
    if outcome is not None and current is not None:
        current.status, current.closed_at = outcome, utcnow()
        db.session.flush()


ROUND_OUTCOMES = {Action.APPROVE: RoundStatus.APPROVED, Action.REJECT: RoundStatus.REJECTED,
                  Action.RETURN: RoundStatus.RETURNED}


def missing_core_departments(members: list[PanelMember]) -> list[str]:
    present = {m.reviewer.department for m in members if m.declaration != Declaration.RECUSED}
    return [department for department in CORE_DEPARTMENTS if department not in present]


def _refuse_after_the_decision(project: Project) -> None:
    if project.status not in PANEL_STATUSES:
        raise DomainError(_l("A panel is formed once the township has passed the project, before the decision."))


def assign_reviewer(project: Project, reviewer: User, actor) -> PanelMember:
    _refuse_after_the_decision(project)
    if not reviewer.active or Role.REVIEWER not in reviewer.roles:
        raise DomainError(_l("Only active county reviewers can sit on a panel."), field="reviewer_id")
    if reviewer.id in authors_of(project) | township_reviewers_of(project):
        raise DomainError(_l("%(name)s drafted, submitted or reviewed this application and cannot sit on its panel.",
                             name=reviewer.display_name), field="reviewer_id")
    panel_round = open_round(project) or open_new_round(project)
    if any(m.reviewer_id == reviewer.id for m in members_of(panel_round)):
        raise DomainError(_l("%(name)s is already on the panel.", name=reviewer.display_name), field="reviewer_id")
    if vetting_for(project) is None:
        db.session.add(ProjectVetting(project_id=project.id, criteria_set_id=active_criteria_set().id))
    member = PanelMember(project_id=project.id, round_id=panel_round.id, reviewer_id=reviewer.id,
                         assigned_by_id=actor.id)
    db.session.add(member)
    db.session.flush()
    record_audit("vetting.assign", "project", project.id, summary=reviewer.display_name,
                 after={"reviewer_id": reviewer.id}, actor=actor)
    return member


def remove_reviewer(member: PanelMember, actor) -> None:
    panel_round = db.session.get(PanelRound, member.round_id)
    if not panel_round.is_open:
        raise DomainError(_l("The panel of a decided round is kept as it was."))
    if member.sheet is not None:
        raise DomainError(_l("A member who has started a score sheet stays on the panel."))
    record_audit("vetting.remove", "project", member.project_id, summary=member.reviewer.display_name,
                 before={"reviewer_id": member.reviewer_id}, actor=actor)
    db.session.delete(member)
    db.session.flush()


def membership(project: Project, user) -> PanelMember | None:
    """The user's seat on the project's latest round (the open one while the panel works)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        select(PanelMember).join(PanelRound, PanelRound.id == PanelMember.round_id)
        .where(PanelMember.project_id == project.id, PanelMember.reviewer_id == user.id)
        .order_by(PanelRound.number.desc()).limit(1)
    ).scalar_one_or_none()


def in_the_open_round(member: PanelMember | None) -> bool:
    return member is not None and db.session.get(PanelRound, member.round_id).is_open


def declare(member: PanelMember, *, recuse: bool, reason: str, actor) -> None:
    """Before seeing the application: no conflict of interest, or recusal with a reason. Once."""
    if member.reviewer_id != actor.id:
        raise DomainError(_l("Only the panel member can make their own declaration."))
    if member.declaration != Declaration.PENDING:
        raise DomainError(_l("The declaration has been made already."))
    reason = (reason or "").strip()
    if recuse and not reason:
        raise DomainError(_l("Give the reason for the recusal."), field="reason")
    member.declaration = Declaration.RECUSED if recuse else Declaration.NO_CONFLICT
    member.recusal_reason, member.declared_at = reason if recuse else "", utcnow()
    db.session.flush()
    record_audit("vetting.declare", "project", member.project_id, summary=member.declaration,
                 after={"reason": member.recusal_reason}, actor=actor)


# --- score sheets ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SheetInput:
    scores: dict[int, int | None]  # criterion id -> 0..100, or None while drafting
    comments: dict[int, str]
    recommendation: str | None


def _check_member_may_score(member: PanelMember | None, project: Project, actor) -> None:
    if member is None or member.reviewer_id != actor.id:
        raise DomainError(_l("Only members of this project's panel can score it."))
    if member.declaration == Declaration.RECUSED:
        raise DomainError(_l("You recused yourself from this project; you cannot score it."))
    if member.declaration != Declaration.NO_CONFLICT:
        raise DomainError(_l("Declare that you have no conflict of interest before scoring."))
    if project.status != ProjectStatus.VETTING or not in_the_open_round(member):
        raise DomainError(_l("Scoring is open while the project is in county vetting."))
    if member.sheet is not None and member.sheet.submitted:
        raise DomainError(_l("Your score sheet has been submitted and is locked."))


def _check_scores(criteria: list[Criterion], data: SheetInput, submitting: bool) -> None:
    for criterion in criteria:
        score = data.scores.get(criterion.id)
        if score is None:
            if submitting:
                raise DomainError(_l("Score every criterion before submitting (%(name)s is missing).",
                                     name=criterion.name), field=f"score_{criterion.id}")
            continue
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
            raise DomainError(_l("Scores are whole numbers from 0 to 100."), field=f"score_{criterion.id}")
    if submitting and data.recommendation not in set(Recommendation):
        raise DomainError(_l("Choose your recommendation before submitting."), field="recommendation")


def save_sheet(project: Project, data: SheetInput, *, submit: bool, actor) -> ScoreSheet:
    member = membership(project, actor)
    _check_member_may_score(member, project, actor)
    vetting = vetting_for(project)
    criteria = vetting.criteria_set.criteria
    _check_scores(criteria, data, submit)
    if member.sheet is None:
        db.session.add(ScoreSheet(member=member, criteria_set_id=vetting.criteria_set_id))
        db.session.flush()
    sheet = member.sheet
    existing = {score.criterion_id: score for score in sheet.scores}
    for criterion in criteria:
        value, comment = data.scores.get(criterion.id), (data.comments.get(criterion.id) or "").strip()
        if value is None:
            if criterion.id in existing:
                sheet.scores.remove(existing[criterion.id])
            continue
        score = existing.get(criterion.id) or Score(criterion_id=criterion.id, score=value)
        score.score, score.comment = value, comment
        if criterion.id not in existing:
            sheet.scores.append(score)
    sheet.recommendation = data.recommendation or None
    if submit:
        sheet.status, sheet.submitted_at = SheetStatus.SUBMITTED, utcnow()
        sheet.total_centi = sheet_total_centi((c.weight, data.scores[c.id]) for c in criteria)
    db.session.flush()
    record_audit("vetting.submit" if submit else "vetting.save_sheet", "project", project.id,
                 summary=f"{actor.display_name} {sheet.total_centi or ''}".strip(),
                 after={"scores": {str(k): v for k, v in data.scores.items()}, "recommendation": sheet.recommendation},
                 actor=actor)
    return sheet


def draft_total_centi(project: Project, scores: dict[int, int | None]) -> int:
    """The live total while a reviewer types: missing scores count as 0."""
    criteria = vetting_for(project).criteria_set.criteria
    return sheet_total_centi((c.weight, scores.get(c.id) or 0) for c in criteria)


# --- result, visibility, the gate -----------------------------------------------------------

def panel_result(project: Project, members: list[PanelMember] | None = None) -> PanelResult | None:
    """The result of the project's latest round (or of the given members, e.g. an earlier round's)."""
    vetting = vetting_for(project)
    if vetting is None:
        return None
    members = panel_members(project) if members is None else members
    criteria_set = vetting.criteria_set
    sheets = [m.sheet for m in members if m.sheet is not None and m.sheet.submitted]
    totals = [sheet.total_centi for sheet in sheets]
    by_criterion = {c.id: [] for c in criteria_set.criteria}
    for sheet in sheets:
        for score in sheet.scores:
            by_criterion.setdefault(score.criterion_id, []).append(score.score)
    recused = sum(1 for m in members if m.declaration == Declaration.RECUSED)
    return PanelResult(
        members=len(members), submitted=len(sheets), recused=recused, pending=len(members) - len(sheets) - recused,
        totals_centi=totals, score_centi=panel_score_centi(totals, criteria_set.trim_from_sheets),
        criterion_means_centi={cid: criterion_mean_centi(values) for cid, values in by_criterion.items()},
        spread=spread_flagged(totals, criteria_set.spread_threshold), pass_mark=criteria_set.pass_mark,
        trimmed=len(totals) >= criteria_set.trim_from_sheets,
    )


def may_see_scores(project: Project, user) -> bool:
    """A panel member sees the sheets only after submitting their own, whatever other role they hold;
    approvers and administrators who do not sit on the panel see them; nobody else (village and
    township users never see individual scores)."""
    member = membership(project, user) if user.has_role(Role.REVIEWER) else None
    if member is not None and member.declaration != Declaration.RECUSED:
        return member.sheet is not None and member.sheet.submitted
    return user.has_role(Role.APPROVER, Role.ADMIN)


def decision_gate(project: Project, action, actor, data) -> None:
    """A guard of the project machine (connected in init_app): nobody who sits or sat on the project's
    panel takes its county decision; an approval or a rejection waits for a complete panel in the open
    round (the version being decided); approving below the pass mark needs a written reason. Returning
    the application for revision stays possible at any time (with its reasons)."""
    if action in (Action.APPROVE, Action.REJECT, Action.RETURN) and actor.id in ever_on_the_panel(project):
        raise DomainError(_l("You sit on this project's panel: another approver takes the decision."))
    if action not in (Action.APPROVE, Action.REJECT):
        return
    current = open_round(project)
    result = panel_result(project, members_of(current)) if current is not None else None
    if result is None:
        raise DomainError(_l("Assign the county panel first: the decision follows its scores."))
    if not result.complete:
        raise DomainError(_l("The panel is not complete: %(pending)d member(s) still to submit or recuse, "
                             "%(submitted)d sheet(s) in (at least 3 needed).",
                             pending=result.pending, submitted=result.submitted))
    if action == Action.APPROVE and not result.passed and not (data.comment or "").strip():
        raise DomainError(_l("The panel score is below the pass mark of %(mark)d: write the reason for approving.",
                             mark=result.pass_mark), field="comment")


def decision_basis(project: Project) -> dict:
    """What a county decision records of the panel (Hook.DECISION_BASIS): the open round and its score."""
    current = open_round(project)
    if current is None:
        return {}
    result = panel_result(project, members_of(current))
    return {"panel_round": current.number, "panel_score_centi": result.score_centi if result else None}


# --- site visits and the risk grade ---------------------------------------------------------

PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})


def record_site_visit(project: Project, *, visited_on: date, place: str, participants: str, findings: str,
                      actor, photos=()) -> SiteVisit:
    """A site visit and its photos, kept as project attachments linked to the visit. Recorded by a
    member of the open round who declared no conflict, while the project is in county vetting."""
    if not may_record_site_visit(project, actor):
        raise DomainError(_l("Site visits are recorded by the members of the current panel while the project is "
                             "in county vetting."))
    refuse_future_date(visited_on, "visited_on")
    visit = SiteVisit(project_id=project.id, visited_on=visited_on, place=place.strip(),
                      participants=participants.strip(), findings=findings.strip(), recorded_by_id=actor.id)
    db.session.add(visit)
    db.session.flush()
    for photo in photos:
        attachment = add_attachment(project, photo, kind=AttachmentKind.PHOTO, actor=actor, site_visit_id=visit.id)
        if attachment.content_type not in PHOTO_TYPES:
            raise DomainError(_l("Site-visit photos must be JPEG or PNG images."), field="photos")
    record_audit("vetting.site_visit", "project", project.id, summary=f"{visited_on} {place}"[:200], actor=actor)
    return visit


def _declared_member_of_the_open_round(project: Project, user) -> bool:
    member = membership(project, user) if user.has_role(Role.REVIEWER) else None
    return member is not None and member.declaration == Declaration.NO_CONFLICT and in_the_open_round(member)


def may_record_site_visit(project: Project, user) -> bool:
    return project.status == ProjectStatus.VETTING and _declared_member_of_the_open_round(project, user)


def may_grade_risk(project: Project, user) -> bool:
    """The panel sets the final risk grade, until the decision: its members (who have not recused) and
    the approver."""
    if project.status not in PANEL_STATUSES:
        return False
    return user.has_role(Role.APPROVER) or _declared_member_of_the_open_round(project, user)


def set_final_risk_grade(project: Project, grade: str, reason: str, actor) -> None:
    vetting = vetting_for(project)
    if vetting is None:
        raise DomainError(_l("Assign the county panel first: the decision follows its scores."))
    if project.status not in PANEL_STATUSES:
        raise DomainError(_l("The final risk grade is locked once the county has decided."))
    if not may_grade_risk(project, actor):
        raise DomainError(_l("Only the panel sets the final risk grade."))
    if (grade or "") and grade not in set(RiskGrade):
        raise DomainError(_l("Unknown risk grade."), field="grade")
    if grade and not (reason or "").strip():
        raise DomainError(_l("Give the reason for a grade other than the suggested one."), field="reason")
    before = {"grade": vetting.final_risk_grade}
    vetting.final_risk_grade, vetting.risk_grade_reason = grade or None, (reason or "").strip() if grade else ""
    db.session.flush()
    record_audit("vetting.risk_grade", "project", project.id, summary=grade or "-", before=before,
                 after={"grade": grade, "reason": reason}, actor=actor)
