"""The evaluation's life through its state machine: self-evaluation, publishing a snapshot that later data
does not change, re-evaluation as a new version (with a reason), adjustments (with a reason), who may do
what, and the rankings built on the published versions."""
from datetime import date

import pytest
from sqlalchemy import func, select

from fundtracker.auth.roles import Role
from fundtracker.disbursements.models import Tranche
from fundtracker.errors import DomainError
from fundtracker.evaluation import services
from fundtracker.evaluation.models import EvaluationEvent, ProjectEvaluation
from fundtracker.evaluation.ranking import published_scores, village_history, village_ranking
from fundtracker.extensions import db
from fundtracker.monitoring import services as monitoring
from fundtracker.monitoring.models import Indicator
from fundtracker.returns import services as returns
from fundtracker.statemachine import ActionNotOpen, RoleNotAllowed, TransitionData

from .conftest import WAN, YEAR, pay, publish

A = services.EvaluationAction


def test_the_village_self_evaluates_before_the_county_publishes(app, make_project, village_user, approver):
    project = make_project(status="in_progress")
    evaluation = services.open_evaluation(project, YEAR, actor=village_user)
    with pytest.raises(DomainError, match="self-evaluation"):
        services.apply_evaluation_action(evaluation, A.SELF_EVALUATE, village_user, TransitionData(comment=" "))
    services.apply_evaluation_action(evaluation, A.SELF_EVALUATE, village_user, TransitionData(comment="按期完工"))
    with pytest.raises(RoleNotAllowed):
        services.apply_evaluation_action(evaluation, A.TAKE_UP, village_user)
    services.apply_evaluation_action(evaluation, A.TAKE_UP, approver)
    with pytest.raises(DomainError, match="comment before publishing"):
        services.apply_evaluation_action(evaluation, A.PUBLISH, approver)
    services.save_county_draft(evaluation, comment="同意", adjustments={}, actor=approver)
    services.apply_evaluation_action(evaluation, A.PUBLISH, approver)
    assert (evaluation.status, evaluation.self_comment, evaluation.self_evaluated_by_id) == (
        "published", "按期完工", village_user.id)
    assert [e.to_status for e in services.events_of(evaluation)] == ["self_done", "county", "published"]


def test_a_year_is_opened_once_and_only_for_running_projects(app, make_project, approver):
    project = make_project(status="in_progress")
    services.open_evaluation(project, YEAR, actor=approver)
    with pytest.raises(DomainError, match="already open"):
        services.open_evaluation(project, YEAR, actor=approver)
    with pytest.raises(DomainError, match="Choose a year"):
        services.open_evaluation(project, YEAR + 1, actor=approver)
    with pytest.raises(DomainError, match="once the project is approved"):
        services.open_evaluation(make_project(status="vetting"), YEAR, actor=approver)


def _changed_data_after_publishing(project, approver, finance, village_user):
    """A red reading, a loss-making quarter and another payment, all dated in the published year."""
    indicator = db.session.execute(select(Indicator).where(Indicator.project_id == project.id)).scalar_one()
    monitoring.record_reading(project, indicator, value_centi=10 * 100, read_on=date(2026, 8, 28), actor=village_user)
    returns.record_return(project, returns.ReturnInput("quarter", date(2026, 4, 1), 10 * WAN, 30 * WAN),
                          actor=village_user)
    last = db.session.execute(select(Tranche).where(Tranche.project_id == project.id, Tranche.position == 3)
                              ).scalar_one()
    pay(project, last, 50, date(2026, 11, 20), finance)


def test_later_readings_returns_and_payments_do_not_change_a_published_evaluation(
        app, hand_computed, approver, finance, village_user):
    evaluation = publish(hand_computed, approver)
    published = (evaluation.score_centi, evaluation.grade, dict(evaluation.figures))
    _changed_data_after_publishing(hand_computed, approver, finance, village_user)
    db.session.expire_all()
    evaluation = db.session.get(ProjectEvaluation, evaluation.id)
    assert (evaluation.score_centi, evaluation.grade, evaluation.figures) == published
    assert services.current_view(evaluation) == published[2]
    assert [r.score_centi for r in published_scores(YEAR)] == [5850]
    # the data did change: a new version would see it
    services.apply_evaluation_action(evaluation, A.REOPEN, approver, TransitionData(comment="补录数据后重新评价"))
    second = services.evaluations_of(hand_computed)[0]
    fresh = services.current_view(second)
    assert (fresh["paid_fen"], fresh["readings"], fresh["periods_reported"]) == (100 * WAN, 5, 2)
    assert fresh["score_centi"] != 5850


def test_re_evaluating_a_published_year_needs_a_reason_and_keeps_both_versions(app, make_project, approver):
    project = make_project(status="operating")
    first = publish(project, approver)
    with pytest.raises(DomainError, match="reason for re-evaluating"):
        services.apply_evaluation_action(first, A.REOPEN, approver, TransitionData(comment="  "))
    assert db.session.execute(select(func.count(ProjectEvaluation.id))).scalar_one() == 1
    services.apply_evaluation_action(first, A.REOPEN, approver, TransitionData(comment="村里补充了会议记录"))
    db.session.flush()
    second, again_first = services.evaluations_of(project)
    assert again_first.id == first.id and (first.status, first.score_centi) == ("reopened", 8000)
    assert (second.version, second.status, second.supersedes_id, second.reopen_reason) == (
        2, "county", first.id, "村里补充了会议记录")
    # until version 2 is published, version 1 still ranks
    assert [(r.version, r.score_centi) for r in published_scores(YEAR)] == [(1, 8000)]
    services.save_county_draft(second, comment="补充材料后复评", adjustments={
        "targets": services.Adjustment(100, "已补充绩效目标")}, actor=approver)
    services.apply_evaluation_action(second, A.PUBLISH, approver)
    assert [(r.version, r.score_centi) for r in published_scores(YEAR)] == [(2, 10_000)]
    assert (first.score_centi, first.figures["score_centi"]) == (8000, 8000)
    with pytest.raises(ActionNotOpen):
        services.apply_evaluation_action(first, A.REOPEN, approver, TransitionData(comment="再来一次"))


def test_an_adjustment_without_a_reason_is_refused_and_only_judgment_indicators_adjust(app, make_project, approver):
    evaluation = services.open_evaluation(make_project(status="approved"), YEAR, actor=approver)
    services.apply_evaluation_action(evaluation, A.TAKE_UP, approver)
    with pytest.raises(DomainError, match="reason for adjusting") as refused:
        services.save_county_draft(evaluation, comment="x", adjustments={"procedure": services.Adjustment(50, " ")},
                                   actor=approver)
    assert refused.value.field == "procedure_reason"
    with pytest.raises(DomainError, match="Only judgment indicators"):
        services.save_county_draft(evaluation, comment="x", adjustments={
            "compliance": services.Adjustment(100, "想提高")}, actor=approver)
    with pytest.raises(DomainError, match="between 0 and 100"):
        services.save_county_draft(evaluation, comment="x", adjustments={
            "procedure": services.Adjustment(101, "超过")}, actor=approver)
    assert evaluation.adjustments == {} and evaluation.comment == ""


def test_nobody_evaluates_their_own_village_for_the_county(app, make_project, make_user, village_user):
    project = make_project(status="in_progress")
    insider = make_user(Role.APPROVER, Role.VILLAGE, username="insider", village=village_user.village)
    evaluation = services.open_evaluation(project, YEAR, actor=insider)  # as the village collective
    assert services.available_actions(evaluation, insider) == [(A.SELF_EVALUATE, services.TRANSITIONS[
        ("draft", A.SELF_EVALUATE)])]
    with pytest.raises(DomainError, match="own village"):
        services.apply_evaluation_action(evaluation, A.TAKE_UP, insider)
    assert not services.may_edit_county_draft(evaluation, insider)


@pytest.mark.parametrize("roles", [(Role.REVIEWER,), (Role.FINANCE,), (Role.TOWN,), (Role.ADMIN,)])
def test_only_the_county_approver_takes_up_and_publishes(app, make_project, make_user, approver, roles):
    project = make_project(status="in_progress")
    evaluation = services.open_evaluation(project, YEAR, actor=approver)
    other = make_user(*roles, village=project.village) if Role.TOWN in roles else make_user(*roles)
    with pytest.raises(RoleNotAllowed):
        services.apply_evaluation_action(evaluation, A.TAKE_UP, other)
    with pytest.raises(DomainError):
        services.open_evaluation(make_project(status="in_progress", title="另一个"), YEAR, actor=other)


def test_another_village_cannot_open_or_self_evaluate(app, make_project, make_user, approver):
    project = make_project(status="in_progress")
    stranger = make_user(Role.VILLAGE, username="stranger")
    with pytest.raises(DomainError):
        services.open_evaluation(project, YEAR, actor=stranger)
    evaluation = services.open_evaluation(project, YEAR, actor=approver)
    with pytest.raises(RoleNotAllowed):
        services.apply_evaluation_action(evaluation, A.SELF_EVALUATE, stranger, TransitionData(comment="越权"))


def _project_in(make_project, make_user, make_village, title, village=None):
    village = village or make_village()
    author = make_user(Role.VILLAGE, village=village)
    return make_project(status="in_progress", title=title, author=author), village


def test_rankings_from_high_to_low_with_ties_and_village_means(app, make_project, make_user, make_village, approver):
    a, first_village = _project_in(make_project, make_user, make_village, "甲")
    c, _ = _project_in(make_project, make_user, make_village, "丙", village=first_village)
    b, second_village = _project_in(make_project, make_user, make_village, "乙")
    d, _ = _project_in(make_project, make_user, make_village, "丁")
    for project in (a, b):  # indicators set, no reading: 100.00
        monitoring.add_indicator(project, monitoring.IndicatorInput("存栏", "头", 100, None), actor=approver)
    publish(a, approver)
    publish(b, approver)
    publish(c, approver)  # 80.00
    publish(d, approver, adjustments={"procedure": services.Adjustment(50, "程序不全")})  # 60.00
    ranked = published_scores(YEAR)
    assert [(r.rank, r.title, r.score_centi, r.grade) for r in ranked] == [
        (1, "乙", 10_000, "good"), (1, "甲", 10_000, "good"), (3, "丙", 8000, "fairly_good"), (4, "丁", 6000, "fair")]
    villages = village_ranking(ranked)
    assert [(v.rank, v.village_id, v.score_centi, v.projects) for v in villages] == [
        (1, second_village.id, 10_000, 1), (2, first_village.id, 9000, 2), (3, d.village_id, 6000, 1)]
    assert [r.title for r in published_scores(YEAR, township_id=first_village.township_id)] == ["甲", "丙"]
    assert published_scores(YEAR - 1) == []
    history = village_history(first_village.id)
    assert [(y.year, y.score_centi, y.grade, len(y.projects)) for y in history] == [(YEAR, 9000, "good", 2)]


def test_the_timeline_is_written_by_the_machine(app, make_project, approver):
    publish(make_project(status="approved"), approver)
    assert db.session.execute(select(func.count(EvaluationEvent.id))).scalar_one() == 2
