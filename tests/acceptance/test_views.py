"""The acceptance pages: the tab, the forms through the one commit path (303, or 422 with the message and
nothing written), the asset register with flat query counts and its export, the public section, the
warning-board cause and the to-dos."""
import io
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from fundtracker.acceptance import assets, checks, exits
from fundtracker.acceptance.models import AcceptanceCheck, ProjectAsset, Recovery
from fundtracker.acceptance.public import public_project_section
from fundtracker.auth.roles import Role
from fundtracker.clock import local_today
from fundtracker.extensions import db
from fundtracker.monitoring.status import project_statuses
from fundtracker.signals import Hook, handlers

from ..disbursements.helpers import client_for, snapshot, token_in
from ..projects.conftest import WAN
from .conftest import accepted, asset_input, town_check

CHECK_FORM = {"checked_on": "2026-09-10", "members": "镇农办、村监委会", "result": "pass"}


def test_the_tab_as_a_page_and_as_a_fragment(app, finished_works, people):
    project = accepted(finished_works(), people)
    assets.register_asset(project, asset_input("household", 10, name="农户大棚"), actor=people["approver"])
    db.session.commit()
    client = client_for(app, people["collective"])
    page = client.get(f"/projects/{project.id}/acceptance").get_data(as_text=True)
    assert "<html" in page and "农户大棚" in page and "40 households" in page and "Accepted on" in page
    fragment = client.get(f"/projects/{project.id}/acceptance", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "农户大棚" in fragment


def test_the_tab_offers_a_disposal_s_decision_to_another_approver_only(app, finished_works, people, second_approver):
    """The buttons are the disposal machine's available actions, less the proposer's (four eyes)."""
    project = accepted(finished_works(), people)
    asset = assets.register_asset(project, asset_input(), actor=people["approver"])
    disposal = assets.propose_disposal(project, asset, assets.DisposalInput("scrap", "损毁", date(2026, 11, 1), "纪要"),
                                       actor=people["approver"])
    db.session.commit()
    decide = f"/projects/{project.id}/disposals/{disposal.id}/"

    def links(user):
        page = client_for(app, user).get(f"/projects/{project.id}/acceptance").get_data(as_text=True)
        return sorted(action for action in ("approve", "reject") if decide + action in page)

    assert links(second_approver) == ["approve", "reject"]
    assert links(people["approver"]) == [] and links(people["collective"]) == []
    assets.decide_disposal(disposal, "reject", actor=second_approver, comment="不同意")
    db.session.commit()
    assert links(second_approver) == []


def test_the_township_records_its_check_through_the_form(app, finished_works, people):
    project = finished_works()
    client = client_for(app, people["town"])
    assert client.get(f"/projects/{project.id}/acceptance/check").status_code == 200
    response = client.post(f"/projects/{project.id}/acceptance/check", data={**CHECK_FORM, "result": "fail"})
    assert response.status_code == 422 and "Record the findings" in response.get_data(as_text=True)
    response = client.post(f"/projects/{project.id}/acceptance/check", data={
        **CHECK_FORM, "report_attachment_id": (io.BytesIO(b"%PDF-1.4\n"), "验收报告.pdf")})
    assert response.status_code == 303
    db.session.expire_all()
    assert checks.acceptance_of(project).status == "county_due"
    assert db.session.execute(select(AcceptanceCheck.report_attachment_id)).scalar_one() is not None


def test_a_refused_county_acceptance_is_a_422_on_the_form_and_writes_nothing(app, finished_works, people):
    project = finished_works(pay=(1, 2))
    town_check(project, people)
    client = client_for(app, people["approver"])
    before = snapshot()
    response = client.post(f"/projects/{project.id}/acceptance/check", data={
        **CHECK_FORM, "checked_on": "2026-10-15", "settlement": "980000", "joint_departments": ["audit", "land"]})
    assert response.status_code == 422
    assert "not all paid (tranche 3)" in response.get_data(as_text=True)
    assert snapshot() == before and db.session.execute(select(func.count(AcceptanceCheck.id))).scalar_one() == 1


def test_a_village_user_cannot_reach_the_check_form(app, finished_works, people):
    project = finished_works()
    client = client_for(app, people["collective"])
    assert client.post(f"/projects/{project.id}/acceptance/check", data=CHECK_FORM).status_code == 403


def test_registering_an_asset_warns_about_the_settlement_difference(app, finished_works, people):
    project = accepted(finished_works(), people)
    client = client_for(app, people["approver"])
    response = client.post(f"/projects/{project.id}/assets/new", data={
        "token": token_in(client.get(f"/projects/{project.id}/assets/new").get_data(as_text=True)),
        "name": "分拣车间", "asset_class": "operating", "value": "600000", "owner": "村股份经济合作社",
        "upkeep_party": "村股份经济合作社", "upkeep_duties": "检修", "registered_on": "2026-10-28",
        "certificate_reference": "青农确1号"}, follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "The asset is registered." in body and "difference ¥380,000.00" in body
    assert project.status == "operating"


def test_a_recovery_sent_twice_is_recorded_once(app, finished_works, people):
    project = finished_works(pay=(1,), progress=0)
    exits.trigger_exit(project, reason_kind="stopped", reason="停工", actor=people["approver"])
    db.session.commit()
    client = client_for(app, people["preparer"])
    token = token_in(client.get(f"/projects/{project.id}/recoveries/new").get_data(as_text=True))
    form = {"token": token, "kind": "repayment", "amount": "50000", "received_on": "2026-11-10", "disposal_id": "0"}
    assert client.post(f"/projects/{project.id}/recoveries/new", data=form).status_code == 303
    assert client.post(f"/projects/{project.id}/recoveries/new", data=form).status_code == 303
    assert db.session.execute(select(func.count(Recovery.id))).scalar_one() == 1
    too_much = {**form, "token": token_in(client.get(f"/projects/{project.id}/recoveries/new").get_data(as_text=True)),
                "amount": "260000"}
    response = client.post(f"/projects/{project.id}/recoveries/new", data=too_much)
    assert response.status_code == 422 and "At most ¥250,000.00 can be recovered" in response.get_data(as_text=True)


def test_an_exit_without_a_reason_is_a_422(app, finished_works, people):
    project = finished_works(pay=(1,), progress=0)
    client = client_for(app, people["approver"])
    response = client.post(f"/projects/{project.id}/exit", data={"reason_kind": "misuse", "reason": ""})
    assert response.status_code == 422 and "Give the reasons" in response.get_data(as_text=True)
    response = client.post(f"/projects/{project.id}/exit", data={"reason_kind": "misuse", "reason": "挪用"})
    assert response.status_code == 303


# --- the asset register -------------------------------------------------------------------------------

def _assets_in_new_villages(make_project, make_user, make_village, count, asset_class="public", prefix="资产"):
    for number in range(count):
        village = make_village()
        author = make_user(Role.VILLAGE, village=village)
        project = make_project(status="operating", author=author, title=f"项目{number}")
        db.session.add(ProjectAsset(
            project_id=project.id, village_id=village.id, name=f"{prefix}{number}", asset_class=asset_class,
            value_fen=WAN, owner="村集体", upkeep_party="村委会", upkeep_duties="巡查", registered_on=date(2026, 10, 1),
            certificate_reference=f"确{number}", registered_by_id=author.id,
            household_count=3 if asset_class == "household" else None))
    db.session.commit()


def test_the_registers_query_count_does_not_grow_with_assets(app, make_project, make_user, make_village):
    from ..query_counter import count_queries

    client = client_for(app, make_user(Role.APPROVER, username="register-reader"))
    _assets_in_new_villages(make_project, make_user, make_village, 1)
    client.get("/assets")
    with count_queries() as few:
        assert client.get("/assets").status_code == 200
    _assets_in_new_villages(make_project, make_user, make_village, 6, asset_class="household", prefix="资产")
    with count_queries() as many:
        page = client.get("/assets").get_data(as_text=True)
    assert many.count == few.count, (few.count, many.count)
    assert "资产5" in page


def test_the_register_filters_by_class_township_and_village_and_exports(app, make_project, make_user, make_village):
    _assets_in_new_villages(make_project, make_user, make_village, 2)
    _assets_in_new_villages(make_project, make_user, make_village, 1, asset_class="household", prefix="到户")
    rows = db.session.execute(select(ProjectAsset).order_by(ProjectAsset.id)).scalars().all()
    client = client_for(app, make_user(Role.FINANCE, username="register-finance"))
    by_class = client.get("/assets?asset_class=household").get_data(as_text=True)
    assert "资产0" not in by_class and rows[2].name in by_class
    township = rows[1].project.village.township_id
    by_township = client.get(f"/assets?township={township}").get_data(as_text=True)
    assert "资产1" in by_township and "资产0" not in by_township
    by_village = client.get(f"/assets?village={rows[0].village_id}").get_data(as_text=True)
    assert "资产0" in by_village and "资产1" not in by_village
    workbook = load_workbook(io.BytesIO(client.get("/assets/register.xlsx?asset_class=public").data))
    sheet = workbook.active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["资产0", "资产1"]
    assert client.get("/assets/register.pdf").status_code == 404


def test_a_village_user_does_not_see_the_register(app, village_user):
    client = client_for(app, village_user)
    assert client.get("/assets").status_code == 403


# --- public section, warning board, to-dos --------------------------------------------------------------

def test_the_public_section_names_no_person(app, finished_works, people):
    project = accepted(finished_works(), people)
    assets.register_asset(project, asset_input("household", 10, owner="王二等 40 户", name="农户大棚"),
                          actor=people["approver"])
    db.session.commit()
    assert public_project_section in handlers(Hook.PUBLIC_PROJECT_SECTION)
    section = public_project_section(project)
    assert section.template == "acceptance/_public.html"
    with app.test_request_context():
        html = app.jinja_env.get_template(section.template).render(**section.context)
    assert "农户大棚" in html and "40 households" in html and "高市村股份经济合作社" in html
    for private in ("王二", "县农业农村局", "镇农办", people["approver"].display_name):
        assert private not in html


def test_the_public_section_is_empty_before_any_check(app, finished_works):
    assert public_project_section(finished_works()) is None


def test_an_accepted_project_without_assets_turns_yellow_after_the_configured_days(app, finished_works, people):
    project = accepted(finished_works(), people)
    days = (local_today() - checks.acceptance_of(project).accepted_on).days
    app.config["ASSET_REGISTRATION_DAYS"] = days
    assert not project_statuses([project], local_today())[project.id].causes
    app.config["ASSET_REGISTRATION_DAYS"] = days - 1
    [cause] = project_statuses([project], local_today())[project.id].causes
    assert cause.colour == "yellow" and "still not registered" in str(cause)
    assets.register_asset(project, asset_input(), actor=people["approver"])
    assert not project_statuses([project], local_today() + timedelta(days=1))[project.id].causes


def test_the_to_dos_of_each_role(app, finished_works, people, make_user):
    from fundtracker.acceptance.todo import approver_todos, finance_todos, township_todos, village_todos

    def todos(provider, user):
        with app.test_request_context():
            return {str(item.label): item.count for item in provider(user)}

    project = finished_works()
    assert todos(township_todos, people["town"])["Finished works waiting for the township's check"] == 1
    town_check(project, people, result="fail")
    assert todos(township_todos, people["town"])["Finished works waiting for the township's check"] == 0
    assert todos(village_todos, people["collective"])["Rectifications to answer"] == 1
    assert todos(village_todos, make_user(Role.VILLAGE, username="elsewhere"))["Rectifications to answer"] == 0
    checks.answer_rectification(project, answer="已整改", answered_on=date(2026, 9, 20), actor=people["collective"])
    town_check(project, people)
    assert todos(approver_todos, people["approver"])["Projects waiting for the county's acceptance"] == 1
    other = finished_works(title="另一个项目", pay=(1,), progress=0)
    exits.trigger_exit(other, reason_kind="stopped", reason="停工", actor=people["approver"])
    db.session.commit()
    assert todos(finance_todos, people["preparer"])["Exited projects with money to recover"] == 1
