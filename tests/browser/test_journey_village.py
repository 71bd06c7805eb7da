"""Journey 1, in Chinese: a village collective drafts its application, attaches the meeting's minutes and
submits it; the township passes it to the county. Once on a desktop with JavaScript, once on a phone
without it (every page seen fits 390 px)."""
from functools import partial

import pytest
from playwright.sync_api import expect

from .conftest import BOTH_WAYS
from .steps import submitted_and_passed


@pytest.mark.parametrize("way", BOTH_WAYS)
def test_a_village_drafts_attaches_and_submits_and_the_township_passes(visit, zh, way):
    as_user = partial(visit, **way)
    title = f"高市村高山蔬菜温室项目（{'电脑' if not way['phone'] else '手机'}）"
    project_id = submitted_and_passed(as_user, zh, title)
    village = as_user("village")
    village.goto(f"/projects/{project_id}/timeline")
    expect(village.page.locator("#tab-content")).to_contain_text("材料齐全，经镇党政联席会议审核同意上报。")
    village.goto(f"/projects/{project_id}/versions")
    expect(village.page.locator("#tab-content")).to_contain_text("优先雇用本村低收入农户务工")
    for user in (village,):
        user.assert_fits()
        user.assert_no_console_errors()
