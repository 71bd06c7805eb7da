"""Notices and objections: who publishes a notice and for how long, objections from anyone (empty, too
long, outside the period, over the limit: a clear message and nothing filed), CSRF on the one public
POST, the contact kept private, an objection's text public only with the county's answer (before it
only how many wait), the notices the chain publishes by itself."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from fundtracker.auth.roles import Role
from fundtracker.clock import local_today
from fundtracker.extensions import db
from fundtracker.projects.workflow import Action, TransitionInput, apply_transition
from fundtracker.errors import DomainError
from fundtracker.public.models import OBJECTION_MAX_LENGTH, Notice, NoticeKind, NoticeObjection, ObjectionAttempt
from fundtracker.public.notices import NoticeInput, create_notice

from ..conftest import login


def body(response) -> str:
    return response.get_data(as_text=True)


def objection_count() -> int:
    return db.session.execute(select(func.count(NoticeObjection.id))).scalar_one()


def attempt_count() -> int:
    return db.session.execute(select(func.count(ObjectionAttempt.id))).scalar_one()


# --- publishing a notice ---------------------------------------------------------------------------

def notice_form(**changes):
    return {"kind": "acceptance", "starts_on": local_today().isoformat(), "period_days": "10",
            "text": "验收结果：合格。", **changes}


def test_the_township_publishes_a_notice_of_its_village_s_project(app, make_project, make_user):
    project = make_project(status="approved")
    client = app.test_client()
    login(client, make_user(Role.TOWN, township=project.village.township))
    response = client.post(f"/projects/{project.id}/notices/new", data=notice_form())
    assert response.status_code == 303
    notice = db.session.execute(select(Notice)).scalar_one()
    assert (notice.kind, notice.period_days, notice.ends_on) == ("acceptance", 10, local_today() + timedelta(days=9))
    assert "验收结果：合格。" in body(app.test_client().get(f"/public/notices/{notice.id}"))


@pytest.mark.parametrize("changes, message", [
    ({"period_days": "4"}, "A notice runs for at least 5 days."),
    ({"period_days": "0"}, "Enter a number of days from 1 to 366."),
    ({"text": ""}, "Write the text of the notice."),
    ({"starts_on": ""}, "Enter the first day of the notice."),
    ({"starts_on": "2001-01-01"}, "more than a year ago"),
])
def test_a_bad_notice_is_refused_with_a_message_and_nothing_is_published(app, make_project, approver, changes,
                                                                          message):
    project = make_project(status="approved")
    client = app.test_client()
    login(client, approver)
    response = client.post(f"/projects/{project.id}/notices/new", data=notice_form(**changes))
    assert response.status_code == 422 and message in body(response)
    assert db.session.execute(select(func.count(Notice.id))).scalar_one() == 0


def test_the_minimum_period_is_a_setting(app, make_project, approver):
    app.config["NOTICE_MIN_DAYS"] = 7
    project = make_project(status="approved")
    client = app.test_client()
    login(client, approver)
    assert "at least 7 days" in body(client.post(f"/projects/{project.id}/notices/new",
                                                 data=notice_form(period_days="6")))
    assert client.post(f"/projects/{project.id}/notices/new", data=notice_form(period_days="7")).status_code == 303


def test_the_default_period_is_a_setting(app, make_project, approver):
    app.config["NOTICE_DEFAULT_DAYS"] = 15
    project = make_project(status="approved")
    client = app.test_client()
    login(client, approver)
    assert 'value="15"' in body(client.get(f"/projects/{project.id}/notices/new"))
    assert client.post(f"/projects/{project.id}/notices/new", data=notice_form(period_days="")).status_code == 303
    assert db.session.execute(select(Notice.period_days)).scalar_one() == 15


def test_a_village_or_another_township_cannot_publish_a_notice(app, make_project, make_user, village_user):
    project = make_project(status="approved")
    for user in (village_user, make_user(Role.TOWN), make_user(Role.FINANCE)):
        client = app.test_client()
        login(client, user)
        assert client.post(f"/projects/{project.id}/notices/new", data=notice_form()).status_code in (403, 404)
    assert db.session.execute(select(func.count(Notice.id))).scalar_one() == 0


def test_nothing_of_a_draft_is_published_even_by_the_county(app, make_project, approver, make_user):
    project = make_project(status="draft")
    client = app.test_client()
    login(client, approver)
    assert client.post(f"/projects/{project.id}/notices/new", data=notice_form()).status_code == 404
    data = NoticeInput(kind="acceptance", starts_on=local_today(), period_days=10, text="x")
    with pytest.raises(DomainError, match="draft"):
        create_notice(project, data, actor=approver)
    assert db.session.execute(select(func.count(Notice.id))).scalar_one() == 0


# --- objections ----------------------------------------------------------------------------------

def test_anyone_files_an_objection_and_the_contact_stays_private(app, make_project, make_notice, approver,
                                                                 village_user):
    project = make_project(status="approved")
    notice = make_notice(project)
    client = app.test_client()
    response = client.post(f"/public/notices/{notice.id}/objection",
                           data={"text": "补助标准为何高于邻村？", "contact": "13800138000"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/public/notices/{notice.id}?filed=1")
    assert 'id="objection-received"' in body(client.get(response.headers["Location"]))
    page = body(app.test_client().get(f"/public/notices/{notice.id}"))
    assert "补助标准为何高于邻村？" not in page and "13800138000" not in page
    staff = app.test_client()
    login(staff, approver)
    assert "13800138000" in body(staff.get(f"/projects/{project.id}/notices"))
    village = app.test_client()
    login(village, village_user)
    assert "补助标准为何高于邻村？" in body(village.get(f"/projects/{project.id}/notices"))
    assert "13800138000" not in body(village.get(f"/projects/{project.id}/notices"))


@pytest.mark.parametrize("data, message", [
    ({"text": ""}, "Write your objection."),
    ({"text": "   "}, "Write your objection."),
    ({"text": "异" * 2001}, "An objection has at most 2000 characters."),
    ({"text": "好", "contact": "1" * 101}, "A contact has at most 100 characters."),
])
def test_a_bad_objection_is_refused_with_a_message_and_nothing_is_filed(app, make_project, make_notice, data,
                                                                         message):
    notice = make_notice(make_project(status="approved"))
    response = app.test_client().post(f"/public/notices/{notice.id}/objection", data=data)
    assert response.status_code == 422 and message in body(response)
    assert objection_count() == 0


def test_an_objection_of_exactly_the_maximum_length_is_filed(app, make_project, make_notice):
    notice = make_notice(make_project(status="approved"))
    assert app.test_client().post(f"/public/notices/{notice.id}/objection", data={"text": "异" * 2000}
                                  ).status_code == 303
    assert objection_count() == 1


@pytest.mark.parametrize("days_ago, period", [(10, 10), (30, 5)])
def test_an_objection_after_the_notice_is_refused_and_counts_as_an_attempt(app, make_project, make_notice, days_ago,
                                                                           period):
    notice = make_notice(make_project(status="approved"), days_ago=days_ago, period_days=period)
    page = body(app.test_client().get(f"/public/notices/{notice.id}"))
    assert 'id="notice-ended"' in page and 'id="file-objection"' not in page
    response = app.test_client().post(f"/public/notices/{notice.id}/objection", data={"text": "太晚了吗？"})
    assert response.status_code == 422
    assert f"This notice runs from {notice.starts_on.isoformat()} to {notice.ends_on.isoformat()}" in body(response)
    assert objection_count() == 0 and attempt_count() == 1


def test_the_last_day_of_the_notice_still_takes_objections(app, make_project, make_notice):
    notice = make_notice(make_project(status="approved"), days_ago=9, period_days=10)
    assert app.test_client().post(f"/public/notices/{notice.id}/objection", data={"text": "最后一天"}
                                  ).status_code == 303


def test_the_rate_limit_per_client_address(app, make_project, make_notice):
    app.config.update(OBJECTION_LIMIT=3, OBJECTION_WINDOW_MINUTES=60)
    first, second = (make_notice(make_project(status="approved", title=f"项目{n}")) for n in range(2))
    client = app.test_client()
    for number in range(3):
        notice = first if number % 2 else second
        assert client.post(f"/public/notices/{notice.id}/objection", data={"text": f"异议{number}"}).status_code == 303
    refused = client.post(f"/public/notices/{first.id}/objection", data={"text": "第四条"})
    assert refused.status_code == 422 and "Too many objections from your connection: at most 3 in 60 minutes" in \
        body(refused)
    assert objection_count() == 3 and attempt_count() == 3
    other_address = client.post(f"/public/notices/{first.id}/objection", data={"text": "另一个地址"},
                                environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_address.status_code == 303
    stored = db.session.execute(select(ObjectionAttempt.client_key)).scalars().all()
    assert not any("127.0.0.1" in key or "192.0.2.7" in key for key in stored)


@pytest.mark.parametrize("proxies, second_status", [(1, 303), (0, 422)])
def test_behind_a_trusted_proxy_the_limit_counts_each_forwarded_address(make_app, app, make_project, make_notice,
                                                                        proxies, second_status):
    """Every request comes from the proxy (REMOTE_ADDR); with TRUSTED_PROXY_COUNT 1 the visitor is the
    address the proxy forwarded, with 0 the header is ignored (anyone may send it)."""
    notice_id = make_notice(make_project(status="approved")).id
    db.session.close()  # the other app writes to the same database
    behind = make_app(TRUSTED_PROXY_COUNT=proxies, OBJECTION_LIMIT=1)
    client = behind.test_client()
    statuses = [client.post(f"/public/notices/{notice_id}/objection", data={"text": f"异议{visitor}"},
                            environ_base={"REMOTE_ADDR": "10.0.0.1"},
                            headers={"X-Forwarded-For": f"198.51.100.{visitor}"}).status_code
                for visitor in (1, 2)]
    assert statuses == [303, second_status]


def test_the_trusted_proxy_count_is_read_from_the_environment(make_app, monkeypatch):
    from werkzeug.middleware.proxy_fix import ProxyFix

    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "2")
    wrapped = make_app().wsgi_app
    assert isinstance(wrapped, ProxyFix) and wrapped.x_for == 2
    monkeypatch.delenv("TRUSTED_PROXY_COUNT")
    assert not isinstance(make_app().wsgi_app, ProxyFix)


def test_old_attempts_leave_the_window(app, make_project, make_notice):
    app.config.update(OBJECTION_LIMIT=1, OBJECTION_WINDOW_MINUTES=30)
    notice = make_notice(make_project(status="approved"))
    client = app.test_client()
    assert client.post(f"/public/notices/{notice.id}/objection", data={"text": "一"}).status_code == 303
    assert client.post(f"/public/notices/{notice.id}/objection", data={"text": "二"}).status_code == 422
    attempt = db.session.execute(select(ObjectionAttempt)).scalar_one()
    attempt.attempted_at -= timedelta(minutes=31)
    db.session.commit()
    assert client.post(f"/public/notices/{notice.id}/objection", data={"text": "三"}).status_code == 303


def test_a_new_attempt_deletes_every_client_s_attempts_older_than_the_window(app, make_project, make_notice):
    app.config.update(OBJECTION_LIMIT=5, OBJECTION_WINDOW_MINUTES=30)
    notice = make_notice(make_project(status="approved"))
    for address in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        assert app.test_client().post(f"/public/notices/{notice.id}/objection", data={"text": address},
                                      environ_base={"REMOTE_ADDR": address}).status_code == 303
    old, just_old, recent = db.session.execute(select(ObjectionAttempt).order_by(ObjectionAttempt.id)).scalars()
    old.attempted_at -= timedelta(days=3)
    just_old.attempted_at -= timedelta(minutes=31)
    recent.attempted_at -= timedelta(minutes=29)
    db.session.commit()
    kept = recent.id
    assert app.test_client().post(f"/public/notices/{notice.id}/objection", data={"text": "新的"},
                                  environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code == 303
    ids = db.session.execute(select(ObjectionAttempt.id).order_by(ObjectionAttempt.id)).scalars().all()
    assert ids[0] == kept and len(ids) == 2
    assert objection_count() == 4


def test_deleting_old_attempts_uses_the_index(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the plan is checked on SQLite")
    from fundtracker.public.notices import stale_attempts

    sql = str(stale_attempts().compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = " ".join(str(row) for row in db.session.execute(db.text("EXPLAIN QUERY PLAN " + sql)))
    assert "ix_public_objection_attempts_attempted_at" in plan, plan


def test_the_objection_form_is_csrf_protected_without_a_session_cookie_elsewhere(app, make_project, make_notice):
    app.config["WTF_CSRF_ENABLED"] = True
    notice = make_notice(make_project(status="approved"))
    client = app.test_client()
    assert "Set-Cookie" not in client.get(f"/public/notices/{notice.id}").headers
    assert client.post(f"/public/notices/{notice.id}/objection", data={"text": "无令牌"}).status_code == 400
    token = csrf_token_in(body(client.get(f"/public/notices/{notice.id}/objection")))
    other = app.test_client()
    assert other.post(f"/public/notices/{notice.id}/objection",
                      data={"text": "别人的令牌", "csrf_token": token}).status_code == 400
    response = client.post(f"/public/notices/{notice.id}/objection", data={"text": "有令牌", "csrf_token": token})
    assert response.status_code == 303
    assert db.session.execute(select(NoticeObjection.text)).scalars().all() == ["有令牌"]


def csrf_token_in(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("sent_token", [False, True])
def test_an_expired_objection_form_comes_back_with_the_text_kept(app, make_project, make_notice, sent_token):
    """The visitor's session ended while the page was open (or the token never came): the form again with
    the text, a message and a new token that works, never a bare error page."""
    app.config["WTF_CSRF_ENABLED"] = True
    notice = make_notice(make_project(status="approved"))
    data = {"text": "村口路灯的钱去哪了？", "contact": "13900000000"}
    if sent_token:
        data["csrf_token"] = csrf_token_in(body(app.test_client().get(f"/public/notices/{notice.id}/objection")))
    visitor = app.test_client()
    response = visitor.post(f"/public/notices/{notice.id}/objection", data=data)
    page = body(response)
    assert response.status_code == 400 and response.headers["Cache-Control"] == "private, no-store"
    assert 'id="objection-form"' in page and "Your objection was not sent: the form had expired." in page
    assert "村口路灯的钱去哪了？" in page and 'value="13900000000"' in page
    assert objection_count() == 0
    again = visitor.post(f"/public/notices/{notice.id}/objection", data={**data, "csrf_token": csrf_token_in(page)})
    assert again.status_code == 303 and objection_count() == 1


def test_the_county_s_forms_keep_the_app_s_csrf_answer(app, make_project, approver):
    app.config["WTF_CSRF_ENABLED"] = True
    project = make_project(status="approved")
    client = app.test_client()
    login(client, approver)
    response = client.post(f"/projects/{project.id}/notices/new", data=notice_form())
    assert response.status_code == 400 and "The form has expired or was not sent from this site." in body(response)


def test_the_objection_text_s_maximum_length_is_the_model_s(app, make_project, make_notice):
    notice = make_notice(make_project(status="approved"))
    page = body(app.test_client().get(f"/public/notices/{notice.id}/objection"))
    textarea = re.search(r"<textarea[^>]*>", page).group(0)
    assert re.findall(r'maxlength="(\d+)"', textarea) == [str(OBJECTION_MAX_LENGTH)]


# --- the county's answer ---------------------------------------------------------------------------

def test_the_county_answers_and_the_answer_is_public(app, make_project, make_notice, approver, make_user):
    project = make_project(status="approved")
    notice = make_notice(project)
    app.test_client().post(f"/public/notices/{notice.id}/objection", data={"text": "请公开合同。"})
    objection = db.session.execute(select(NoticeObjection)).scalar_one()
    before = body(app.test_client().get(f"/public/notices/{notice.id}"))
    assert "请公开合同。" not in before
    assert "Objections awaiting the county's answer: 1." in before.replace("&#39;", "'")
    finance = app.test_client()
    login(finance, make_user(Role.FINANCE))
    assert finance.post(f"/notices/objections/{objection.id}/answer", data={"answer": "不"}).status_code == 403
    county = app.test_client()
    login(county, approver)
    assert 'id="objection-' in body(county.get("/notices/objections"))
    assert county.post(f"/notices/objections/{objection.id}/answer", data={"answer": ""}).status_code == 422
    assert county.post(f"/notices/objections/{objection.id}/answer", data={"answer": "合同已在村务公开栏张贴。"}
                       ).status_code == 303
    page = body(app.test_client().get(f"/public/notices/{notice.id}"))
    assert "合同已在村务公开栏张贴。" in page and approver.display_name not in page
    assert "请公开合同。" in page and 'id="objections-awaiting"' not in page
    again = county.post(f"/notices/objections/{objection.id}/answer", data={"answer": "再答"})
    assert again.status_code == 422 and "already been answered" in body(again)
    assert 'id="no-objections"' in body(county.get("/notices/objections"))


# --- notices the chain publishes by itself --------------------------------------------------------

def test_the_township_pass_and_the_approval_publish_notices(app, make_project, make_user, make_funded_pool):
    project = make_project(status="submitted")
    town = make_user(Role.TOWN, township=project.village.township)
    apply_transition(project, Action.TOWN_PASS, town)
    project.status = "vetting"
    apply_transition(project, Action.APPROVE, make_user(Role.APPROVER),
                     TransitionInput(approved_amount_fen=100 * 10_000 * 100, pool_id=make_funded_pool().id))
    db.session.commit()
    kinds = db.session.execute(select(Notice.kind, Notice.starts_on, Notice.period_days)
                               .order_by(Notice.id)).all()
    assert kinds == [("application", local_today(), 10), ("approval", local_today(), 10)]
    texts = db.session.execute(select(Notice.text).order_by(Notice.id)).scalars().all()
    assert "牧场扩建" in texts[0] and "¥1,000,000.00" in texts[1]


def test_publishing_a_distribution_plan_publishes_its_notice(app, make_project, village_user):
    from fundtracker.returns import services
    from fundtracker.returns.distribution import PlanAction, PlanStep, apply_plan_action

    project = make_project(status="operating")
    record = services.record_return(project, services.ReturnInput("year", date(2025, 1, 1), 100 * 10**6, 60 * 10**6),
                                    actor=village_user)
    plan = services.draft_plan(project, record, services.PlanInput(
        collective_fen=12 * 10**6, dividends_fen=16 * 10**6, households=100, reinvestment_fen=8 * 10**6,
        risk_reserve_fen=4 * 10**6), actor=village_user)
    apply_plan_action(plan, PlanAction.ADOPT, village_user, PlanStep(
        meeting_on=date(2026, 1, 10), attendance_expected=30, attendance_present=25, votes_for=20, votes_against=3,
        votes_abstain=2))
    apply_plan_action(plan, PlanAction.PUBLISH, village_user, PlanStep(notice_starts_on=date(2026, 1, 12)))
    db.session.commit()
    notice = db.session.execute(select(Notice)).scalar_one()
    assert (notice.kind, notice.distribution_plan_id, notice.starts_on, notice.ends_on) == (
        NoticeKind.DISTRIBUTION, plan.id, plan.notice_starts_on, plan.notice_ends_on)
    assert "100 households" in notice.text or "100 户" in notice.text
