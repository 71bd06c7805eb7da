"""Steps of the journeys, as a user takes them: follow the links and buttons the pages offer."""
import re

from playwright.sync_api import expect

PDF = b"%PDF-1.4\n% browser suite: minutes of the villagers' representatives' meeting\n"

# A complete application, field id -> what the village types (yuan as people write them).
APPLICATION = {
    "description": "新建智能温室 2 栋，种植高山蔬菜，配套冷链分拣间。", "location": "高市村上垟",
    "start_on": "2026-03-01", "end_on": "2027-02-28", "contact_name": "陈永平", "contact_phone": "0578-6511234",
    "total_investment": "800,000", "requested": "500,000", "funding_subsidy": "500000",
    "funding_self_raised": "200,000", "funding_donation": "100000",
    "year_1_revenue": "260,000", "year_1_cost": "150,000", "year_2_revenue": "300000", "year_2_cost": "160000",
    "risks": "蔬菜价格波动；极端天气。", "mitigation": "与县农产品配送中心签订保底收购协议；购买农业保险。",
    "benefit_linkage": "优先雇用本村低收入农户务工，带动 20 户种植。", "target_output": "建成温室 2 栋共 6 亩。",
    "target_benefit": "村集体年增收 8 万元。", "target_satisfaction": "受益农户满意度不低于 90%。",
    "land_use_compliance": "使用设施农业用地，已按规定备案，不占永久基本农田。",
    "income_distribution": "净收益 30% 提取公积公益金，其余按股分红。", "asset_ownership": "归高市村股份经济合作社所有。",
    "meeting_on": "2026-01-20", "meeting_members_expected": "45", "meeting_attendance": "36",
    "meeting_votes_for": "33", "meeting_votes_against": "1",
}


def expect_status(visit, status: str) -> None:
    expect(visit.page.locator("span.status").first).to_have_class(re.compile(rf"\bstatus-{status}\b"))


def draft_application(visit, zh, title: str) -> int:
    """The village collective fills in the whole application and saves it; the id of the new project."""
    page = visit.page
    visit.goto("/")
    page.click("nav.main-nav a[href$='/projects']")
    visit.seen()
    page.click("main a[href$='/projects/new']")
    visit.seen()
    page.fill("#title", title)
    page.select_option("#category", "crops")
    for field, value in APPLICATION.items():
        page.fill(f"#{field}", value)
    if visit.javascript:  # the running totals follow the typing
        expect(page.locator("#application-summary")).to_contain_text(zh("adds up"))
    page.click("form.application > button[type=submit]")
    page.wait_for_url(re.compile(r"/projects/\d+$"))
    visit.seen()
    expect(page.locator("h1")).to_have_text(title)
    expect_status(visit, "draft")
    return int(page.url.rsplit("/", 1)[1])


def attach_minutes(visit, project_id: int, name: str = "村民代表会议记录.pdf") -> None:
    page = visit.page
    page.click(f"nav.tabs a[href$='/projects/{project_id}/attachments']")
    page.wait_for_url(f"**/projects/{project_id}/attachments")
    visit.seen()
    page.set_input_files("#file", files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF}])
    page.select_option("#kind", "minutes")
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    expect(page.locator("#tab-content table")).to_contain_text(name)
    visit.seen()


def take_action(visit, project_id: int, action: str, to_status: str, comment: str = "", **fields) -> None:
    """From the project page: the action's button, its form (comment and fields), then the timeline."""
    page = visit.page
    visit.goto(f"/projects/{project_id}")
    page.click(f"a[href$='/projects/{project_id}/actions/{action}']")
    visit.seen()
    for field, value in fields.items():
        if page.locator(f"select#{field}").count():
            page.select_option(f"#{field}", value)
        else:
            page.fill(f"#{field}", value)
    if comment:
        page.fill("#comment", comment)
    asked = []
    if visit.javascript:
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/projects/{project_id}/timeline")
    if visit.javascript and action == "approve":
        assert asked, "approving money asks for a confirmation first"
    visit.seen()
    expect_status(visit, to_status)


def submitted_and_passed(visit, zh, title: str) -> int:
    """Journey 1 up to the county: a village drafts, attaches and submits; the township passes."""
    village = visit("village")
    project_id = draft_application(village, zh, title)
    attach_minutes(village, project_id)
    take_action(village, project_id, "submit", "submitted")
    town = visit("town")
    take_action(town, project_id, "town_pass", "town_passed", comment="材料齐全，经镇党政联席会议审核同意上报。")
    return project_id
