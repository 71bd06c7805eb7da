"""Journey 2, in Chinese: the county sends a township-passed application to its panel and forms it; each
member declares no conflict of interest, scores with the weighted total shown as they type (with
JavaScript) and submits; the approver decides. Once on a desktop with JavaScript, once on a phone
without it (every page seen fits 390 px)."""
import re
from functools import partial

import pytest
from playwright.sync_api import expect

from .conftest import BOTH_WAYS
from .steps import expect_status, submitted_and_passed, take_action

# reviewer -> scores of the four default criteria (weights 25 each) and the weighted total shown
PANEL = {"reviewer_org": ([82, 78, 80, 74], "78.50"), "reviewer_fin": ([75, 70, 72, 70], "71.75"),
         "reviewer_agri": ([80, 76, 90, 70], "79.00")}


def form_the_panel(approver, project_id: int) -> None:
    page = approver.page
    take_action(approver, project_id, "start_vetting", "vetting", comment="提交县级联审小组评审。")
    page.click(f"nav.tabs a[href$='/projects/{project_id}/vetting']")
    page.wait_for_url(f"**/projects/{project_id}/vetting")
    approver.seen()
    for reviewer in PANEL:
        display_name = {"reviewer_org": "组织部评审员", "reviewer_fin": "财政局评审员",
                        "reviewer_agri": "农业农村局评审员"}[reviewer]
        option = page.locator("#reviewer_id option", has_text=display_name).get_attribute("value")
        page.select_option("#reviewer_id", option)
        page.click("form[action$='/vetting/members'] button[type=submit]")
        expect(page.locator("#tab-content table").first).to_contain_text(display_name)
        approver.seen()


def declare_and_score(member, zh, project_id: int, scores, total: str) -> None:
    page = member.page
    member.goto(f"/projects/{project_id}/vetting")  # a member who has not declared is asked to first
    page.wait_for_url(f"**/projects/{project_id}/vetting/declaration")
    page.check("input[name=decision][value=no_conflict]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/projects/{project_id}/vetting/sheet")
    member.seen()
    for field, score in zip(page.locator("input[id^=score_]").all(), scores):
        field.fill(str(score))
    if member.javascript:  # the weighted total follows the typing
        expect(page.locator("#sheet-total")).to_contain_text(total)
    page.select_option("#recommendation", "approve")
    page.on("dialog", lambda dialog: dialog.accept())  # "Submit the sheet? It cannot be changed afterwards."
    page.click("button[name=submit_sheet][value='1']")
    page.wait_for_load_state()
    member.goto(f"/projects/{project_id}/vetting/sheet")
    expect(page.locator("main fieldset[disabled]")).to_have_count(1)
    expect(page.locator("main")).to_contain_text(total)


@pytest.mark.parametrize("way", BOTH_WAYS)
def test_the_panel_scores_with_a_live_total_and_the_approver_decides(visit, zh, way):
    as_user = partial(visit, **way)
    project_id = submitted_and_passed(as_user, zh, f"高市村蔬菜温室联审项目（{'手机' if way['phone'] else '电脑'}）")
    approver = as_user("approver")
    form_the_panel(approver, project_id)
    members = {reviewer: as_user(reviewer) for reviewer in PANEL}
    for reviewer, (scores, total) in PANEL.items():
        declare_and_score(members[reviewer], zh, project_id, scores, total)
    approver.goto(f"/projects/{project_id}/vetting")
    expect(approver.page.locator("#tab-content")).to_contain_text("76.42")  # the mean of the three sheets
    pool = approver.page  # the approval names the pool and the amount
    take_action(approver, project_id, "approve", "approved", comment="联审通过，同意立项。", approved_amount="500,000",
                pool_id=_pool_with_money(approver, project_id))
    approver.goto(f"/projects/{project_id}")
    expect(pool.locator("#tab-content")).to_contain_text("¥500,000.00")
    for user in (approver, *members.values()):
        user.assert_fits()
        user.assert_no_console_errors()


def _pool_with_money(approver, project_id: int) -> str:
    """The 2026 pool of the demo, as the approval form offers it."""
    approver.goto(f"/projects/{project_id}/actions/approve")
    option = approver.page.locator("#pool_id option", has_text=re.compile("2026")).first
    return option.get_attribute("value")
