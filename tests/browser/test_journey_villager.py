"""Journey 5, in Chinese: a villager (issue 15). With no account and no cookie, a villager reads the printed
notice board (公示牌) of 高市村牧场扩建项目, follows the address its QR code carries (printed under the code)
to the live public page, reads what the project received, paid and earned, opens a notice that is open
for objections and files one (异议) with a contact, and sees the receipt. The county (approver) signs in
and answers it on the project's notices tab; the answer shows on the public notice, the contact never does.
The anonymous pages set no cookie until the objection form (the one public POST) needs its CSRF token.
Once on a desktop with JavaScript, once on a phone without it (every page seen fits 390 px)."""
import re
from functools import partial

import pytest
from playwright.sync_api import expect

from .conftest import BOTH_WAYS

PROJECT = 1  # 高市村牧场扩建项目: approved, its first tranche paid, returns recorded and distributed
TITLE = "高市村牧场扩建项目"


def read_the_project_from_the_board(villager, zh) -> None:
    """The printed board carries the QR code and, under it, the address it encodes: the villager follows it."""
    page = villager.page
    villager.goto(f"/public/projects/{PROJECT}/board")
    expect(page.locator("#project-title")).to_have_text(TITLE)
    expect(page.locator("#notice-board svg.qr")).to_have_count(1)
    address = page.locator("#notice-board .board-footer code").inner_text().strip()
    assert page.locator("#notice-board svg.qr title").text_content().strip() == address  # the code's own target
    assert address == f"{villager.base_url}/public/projects/{PROJECT}"
    page.goto(address)
    villager.seen()
    expect(page.locator("#project-title")).to_have_text(TITLE)
    expect(page.locator("#county-decision")).to_contain_text("¥")  # received: the approved amount
    payments = page.locator("#public-payments")
    expect(payments.locator("tbody tr").first).to_contain_text("¥")  # paid: date, tranche, amount
    expect(payments.locator("tfoot")).to_contain_text("¥")
    expect(page.locator("#public-returns tfoot")).to_contain_text("¥")  # earned: revenue, cost, net income
    expect(page.locator("#board-link")).to_have_attribute("href", f"/public/projects/{PROJECT}/board")


def open_a_notice_open_for_objections(villager, zh) -> int:
    page = villager.page
    row = page.locator("#project-notices tbody tr", has_text=zh("Open for objections")).first
    row.locator("a[id^=notice-]").click()
    page.wait_for_url(re.compile(r"/public/notices/\d+$"))
    villager.seen()
    return int(page.url.rsplit("/", 1)[1])


def file_an_objection(villager, text: str, contact: str) -> None:
    """Filed, the objection waits for the county's answer: counted on the notice, its words not yet shown."""
    page = villager.page
    page.click("#file-objection")
    page.wait_for_url(re.compile(r"/public/notices/\d+/objection$"))
    villager.seen()
    page.fill("#objection-form #text", text)
    page.fill("#objection-form #contact", contact)
    page.click("#submit-objection")
    page.wait_for_url(re.compile(r"/public/notices/\d+\?filed=1$"))
    villager.seen()
    expect(page.locator("#objection-received")).to_be_visible()
    expect(page.locator("#objections-awaiting")).to_be_visible()
    expect(page.locator("#objections article.objection", has_text=text)).to_have_count(0)


def answer_the_objection(approver, zh, text: str, contact: str, answer: str) -> int:
    page = approver.page
    approver.goto(f"/projects/{PROJECT}")
    page.click(f"nav.tabs a[href$='/projects/{PROJECT}/notices']")
    page.wait_for_url(f"**/projects/{PROJECT}/notices")
    approver.seen()
    staff = page.locator("[id^=staff-objection-]", has_text=text)
    expect(staff).to_contain_text(contact)  # the county sees it, with the contact
    objection_id = int(staff.get_attribute("id").removeprefix("staff-objection-"))
    page.fill(f"#answer-{objection_id}", answer)
    page.click(f"#answer-form-{objection_id} button[type=submit]")
    page.wait_for_url(f"**/projects/{PROJECT}/notices")
    approver.seen()
    expect(page.locator("main")).to_contain_text(zh("The answer is recorded and shown on the public notice."))
    expect(page.locator(f"#staff-objection-{objection_id}")).to_contain_text(answer)
    return objection_id


@pytest.mark.parametrize("way", BOTH_WAYS)
def test_a_villager_scans_the_board_reads_the_project_objects_and_the_county_answers(visit, zh, way):
    as_user = partial(visit, **way)
    tag = "手机" if way["phone"] else "电脑"
    villager = as_user(None)
    read_the_project_from_the_board(villager, zh)
    notice_id = open_a_notice_open_for_objections(villager, zh)
    assert villager.page.context.cookies() == []  # the public pages set no cookie

    text = f"牧场扩建占用的荒坡以前是村里的放牧地，放牧户的补偿怎么算？（{tag}）"
    contact = f"高市村 3 组 1357924680{'1' if way['phone'] else '2'}"
    file_an_objection(villager, text, contact)
    assert contact not in villager.page.content()

    answer = f"荒坡属村集体未发包土地，不涉及农户承包地补偿；放牧户可优先到牧场务工。（{tag}）"
    approver = as_user("approver")
    objection_id = answer_the_objection(approver, zh, text, contact, answer)

    villager.page.goto(f"{villager.base_url}/public/notices/{notice_id}")
    villager.page.reload()  # past the browser's cache (public pages may be cached 60 s)
    villager.seen()
    shown = villager.page.locator(f"#objection-{objection_id}")
    expect(shown.locator(".answer-text")).to_have_text(answer)
    expect(shown.locator(".objection-text")).to_have_text(text)
    assert contact not in villager.page.content()
    villager.goto(f"/public/projects/{PROJECT}")
    villager.page.reload()
    assert contact not in villager.page.content()
    for user in (villager, approver):
        user.assert_fits()
        user.assert_no_console_errors()
