"""The evaluation's rules and its life as one table on the core state machine:

    opened (draft) → self-evaluated by the village (自评, optional) → county evaluation in progress →
    published (the figures' snapshot, score and grade are fixed) → re-opened with a reason, which
    creates the next version as a county draft; the earlier version stays published until the next one is.

The village collective of the project's own village self-evaluates; the county approver (县级) takes up,
adjusts judgment indicators (with a reason), comments and publishes. Nobody evaluates a project of their
own village on the county's behalf, whatever roles they hold.
"""
from dataclasses import asdict, dataclass
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record_audit
from ..auth.access import acting_roles
from ..auth.roles import Role
from ..clock import local_today
from ..database import lock_row, utcnow
from ..errors import DomainError
from ..extensions import db
from ..projects.models import Project, ProjectStatus
from ..statemachine import StateMachine, Transition, TransitionData
from .figures import indicator_results, score_centi, year_figures
from .models import EVALUATION_STATUS_LABELS, EvaluationEvent, EvaluationStatus, ProjectEvaluation
from .settings import FULL_SHARE_BP, INDICATOR_BY_KEY, JUDGMENT_KEYS, grade_for

S = EvaluationStatus
MACHINE_NAME = "evaluation"
# Projects in implementation or operation (and approved ones, whose money and plan already run).
EVALUATED_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.ACCEPTED,
                      ProjectStatus.OPERATING)
OPEN_STATUSES = (S.DRAFT, S.SELF_EVALUATED, S.COUNTY_DRAFT)
EVALUATOR_ROLE = Role.APPROVER


class EvaluationAction(StrEnum):
    SELF_EVALUATE = "self_evaluate"
    TAKE_UP = "take_up"
    PUBLISH = "publish"
    REOPEN = "reopen"


def _is_own_village(evaluation: ProjectEvaluation, user) -> bool:
    return user.village_id is not None and user.village_id == evaluation.project.village_id


def _not_own_village(evaluation, action, actor, data) -> None:
    if _is_own_village(evaluation, actor):
        raise DomainError(_l("Nobody evaluates a project of their own village for the county."))


def _self_comment_given(evaluation, action, actor, data) -> None:
    if not (data.comment or "").strip():
        raise DomainError(_l("Write the village's self-evaluation."), field="comment")


def _record_self_evaluation(evaluation, action, actor, data) -> None:
    evaluation.self_comment = data.comment.strip()
    evaluation.self_evaluated_by_id = actor.id


def _county_comment_given(evaluation, action, actor, data) -> None:
    if not evaluation.comment.strip():
        raise DomainError(_l("Write the county's evaluation comment before publishing."), field="comment")


def _publish_snapshot(evaluation, action, actor, data) -> None:
    """Fix the figures as they are now: later payments, readings or returns do not change them."""
    snapshot = current_view(evaluation)
    evaluation.figures = snapshot
    evaluation.score_centi = snapshot["score_centi"]
    evaluation.grade = snapshot["grade"]
    evaluation.published_at = utcnow()
    evaluation.published_by_id = actor.id


def _open_next_version(evaluation, action, actor, data) -> None:
    db.session.add(ProjectEvaluation(
        project_id=evaluation.project_id, year=evaluation.year, version=evaluation.version + 1,
        status=S.COUNTY_DRAFT, self_comment=evaluation.self_comment,
        self_evaluated_by_id=evaluation.self_evaluated_by_id, comment=evaluation.comment,
        adjustments=dict(evaluation.adjustments or {}), supersedes_id=evaluation.id,
        reopen_reason=data.comment.strip(), opened_by_id=actor.id))


def _county(to_status, label, guards=(), effects=(), needs_reason=False) -> Transition:
    return Transition(to_status, frozenset({EVALUATOR_ROLE}), label, (_not_own_village, *guards), tuple(effects),
                      needs_reason)


TRANSITIONS = {
    (S.DRAFT, EvaluationAction.SELF_EVALUATE): Transition(
        S.SELF_EVALUATED, frozenset({Role.VILLAGE}), _l("Submit the village's self-evaluation"),
        (_self_comment_given,), (_record_self_evaluation,)),
    (S.DRAFT, EvaluationAction.TAKE_UP): _county(S.COUNTY_DRAFT, _l("Start the county's evaluation")),
    (S.SELF_EVALUATED, EvaluationAction.TAKE_UP): _county(S.COUNTY_DRAFT, _l("Start the county's evaluation")),
    (S.COUNTY_DRAFT, EvaluationAction.PUBLISH): _county(S.PUBLISHED, _l("Publish the evaluation"),
                                                        guards=[_county_comment_given], effects=[_publish_snapshot]),
    (S.PUBLISHED, EvaluationAction.REOPEN): _county(S.REOPENED, _l("Re-evaluate (new version)"),
                                                    effects=[_open_next_version], needs_reason=True),
}


def _timeline_entry(evaluation, action, from_status, to_status, comment, actor) -> EvaluationEvent:
    return EvaluationEvent(evaluation_id=evaluation.id, action=action, from_status=from_status, to_status=to_status,
                           comment=comment, actor_id=actor.id)


EVALUATION_MACHINE = StateMachine(
    name=MACHINE_NAME, transitions=TRANSITIONS, status_labels=EVALUATION_STATUS_LABELS, record_event=_timeline_entry,
    acting_roles=lambda evaluation, user: acting_roles(user, evaluation.project.village),
    describe=lambda evaluation: f"{evaluation.project.title} {evaluation}",
    reason_message=_l("Give the reason for re-evaluating a published year."),
)


def available_actions(evaluation: ProjectEvaluation, user):
    """The buttons: the county's are not offered for one's own village (the guard would refuse them)."""
    own = _is_own_village(evaluation, user)
    return [(action, transition) for action, transition in EVALUATION_MACHINE.available(evaluation, user)
            if not (own and EVALUATOR_ROLE in transition.roles)]


def apply_evaluation_action(evaluation: ProjectEvaluation, action, actor, data: TransitionData = TransitionData()):
    lock_row(ProjectEvaluation, evaluation.id)  # two re-openings at once: one version, the other refused
    return EVALUATION_MACHINE.apply(evaluation, EvaluationAction(action), actor, data)


# --- opening and the county's draft ----------------------------------------------------------------------

def may_open(project: Project, user) -> bool:
    roles = acting_roles(user, project.village)
    if project.status not in EVALUATED_STATUSES:
        return False
    return Role.VILLAGE in roles or (EVALUATOR_ROLE in roles and user.village_id != project.village_id)


def evaluable_years(project: Project) -> list[int]:
    """From the year the project starts (or was applied for) to this year, latest first."""
    first = (project.start_on or project.created_at.date()).year
    return list(range(local_today().year, min(first, local_today().year) - 1, -1))


def years_to_open(project: Project) -> list[int]:
    opened = set(db.session.execute(select(ProjectEvaluation.year).where(
        ProjectEvaluation.project_id == project.id)).scalars())
    return [year for year in evaluable_years(project) if year not in opened]


def open_evaluation(project: Project, year: int, *, actor) -> ProjectEvaluation:
    if not may_open(project, actor):
        raise DomainError(_l("The project's own village collective or the county approver opens its evaluation, "
                             "once the project is approved."))
    if year not in evaluable_years(project):
        raise DomainError(_l("Choose a year from the project's start to this year."), field="year")
    lock_row(Project, project.id)  # one opening of a project's year at a time
    existing = db.session.execute(select(ProjectEvaluation.id).where(
        ProjectEvaluation.project_id == project.id, ProjectEvaluation.year == year).limit(1)).first()
    if existing is not None:
        raise DomainError(_l("The evaluation of %(year)d is already open.", year=year), field="year")
    evaluation = ProjectEvaluation(project_id=project.id, year=year, version=1, status=S.DRAFT,
                                   adjustments={}, opened_by_id=actor.id)
    db.session.add(evaluation)
    db.session.flush()
    record_audit("evaluation.open", "project", project.id, summary=str(year), after={"evaluation_id": evaluation.id},
                 actor=actor)
    return evaluation


@dataclass(frozen=True)
class Adjustment:
    share_percent: int | None  # None: as computed
    reason: str = ""


def may_edit_county_draft(evaluation: ProjectEvaluation, user) -> bool:
    return (evaluation.status == S.COUNTY_DRAFT and EVALUATOR_ROLE in acting_roles(user, evaluation.project.village)
            and not _is_own_village(evaluation, user))


def save_county_draft(evaluation: ProjectEvaluation, *, comment: str, adjustments: dict[str, Adjustment],
                      actor) -> ProjectEvaluation:
    """The county evaluator's comment and adjustments of judgment indicators; an adjustment needs its reason."""
    if not may_edit_county_draft(evaluation, actor):
        raise DomainError(_l("Only the county approver edits an evaluation in progress, never for their own village."))
    saved = {}
    for key, adjustment in adjustments.items():
        if key not in JUDGMENT_KEYS:
            raise DomainError(_l("Only judgment indicators can be adjusted."))
        if adjustment.share_percent is None:
            continue
        if not 0 <= adjustment.share_percent <= 100:
            raise DomainError(_l("A share is between 0 and 100 percent."), field=f"{key}_share")
        reason = (adjustment.reason or "").strip()
        if not reason:
            raise DomainError(_l("Give the reason for adjusting “%(indicator)s”.",
                                 indicator=INDICATOR_BY_KEY[key].label), field=f"{key}_reason")
        saved[key] = {"share_bp": adjustment.share_percent * FULL_SHARE_BP // 100, "reason": reason[:1000]}
    before = {"comment": evaluation.comment, "adjustments": evaluation.adjustments}
    evaluation.comment = (comment or "").strip()[:5000]
    evaluation.adjustments = saved
    db.session.flush()
    record_audit("evaluation.draft", "project", evaluation.project_id, summary=str(evaluation), before=before,
                 after={"comment": evaluation.comment, "adjustments": saved}, actor=actor)
    return evaluation


# --- what a page shows ---------------------------------------------------------------------------------

def current_view(evaluation: ProjectEvaluation) -> dict:
    """The published snapshot, or the figures as they stand now for an evaluation in progress: the same
    dict either way (JSON-able), with the indicators, the score and the grade."""
    if evaluation.figures is not None:
        return evaluation.figures
    figures = year_figures(evaluation.project, evaluation.year)
    results = indicator_results(figures.computed, evaluation.adjustments or {})
    score = score_centi(results)
    values = asdict(figures)
    values.pop("computed")
    values["as_of"] = figures.as_of.isoformat()
    return {**values, "indicators": [asdict(result) | {"points_centi": result.points_centi} for result in results],
            "score_centi": score, "grade": grade_for(score)}


def evaluations_of(project: Project) -> list[ProjectEvaluation]:
    """Every version of every year, latest year and version first."""
    return db.session.execute(select(ProjectEvaluation).where(ProjectEvaluation.project_id == project.id)
                              .order_by(ProjectEvaluation.year.desc(), ProjectEvaluation.version.desc())
                              ).scalars().all()


def events_of(evaluation: ProjectEvaluation) -> list[EvaluationEvent]:
    return db.session.execute(select(EvaluationEvent).where(EvaluationEvent.evaluation_id == evaluation.id)
                              .order_by(EvaluationEvent.id)).scalars().all()
