"""The Chinese pages of the demo speak the county office's words: no 批准 for the county's decision,
no 县级评审专家, 审计日志, 注资, 财务人员 …, "共 N 条" rather than "N rows", the product's Chinese name
in the title."""
import re

import pytest

from fundtracker.demo import DEMO_PASSWORD
from fundtracker.extensions import db
from fundtracker.projects.models import Project
from sqlalchemy import select

OLD_WORDS = ["批准", "县级评审专家", "审计日志", "注资", "财务人员", "退回村里", "超过村里申请的", "新建申报",
             "申请资金池金额", "偿债覆盖率", "贷款还款", "会议纪要", "报价单", "有条件通过", " rows", "· fundtracker"]
USERS = ["admin", "village", "town", "reviewer_fin", "approver", "finance"]
HREF = re.compile(r'href="(/[^"#?]*)"')


@pytest.fixture
def demo(app):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    return app


def pages_of(client, project_ids) -> set[str]:
    home = client.get("/", headers={"Accept-Language": "zh"}).get_data(as_text=True)
    nav = home.split('<nav class="main-nav"')[1].split("</nav>")[0]
    urls = {"/", *HREF.findall(nav)}
    for project_id in project_ids:
        page = client.get(f"/projects/{project_id}", headers={"Accept-Language": "zh"}).get_data(as_text=True)
        urls |= {url for url in HREF.findall(page) if url.startswith(f"/projects/{project_id}")}
    return {url for url in urls if not url.endswith((".csv", ".xlsx", ".pdf", ".png", ".jpg"))
            and "/attachments/" not in url}


def test_the_chinese_demo_pages_use_the_county_words(demo):
    project_ids = db.session.execute(select(Project.id).order_by(Project.id).limit(4)).scalars().all()
    found = []
    for username in USERS:
        client = demo.test_client()
        client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        for url in sorted(pages_of(client, project_ids)):
            response = client.get(url, headers={"Accept-Language": "zh"})
            if response.status_code != 200:
                continue
            body = re.sub(r"<script.*?</script>", "", response.get_data(as_text=True), flags=re.S)
            text = re.sub(r"<[^>]+>", " ", body)  # the words shown, not attributes such as rows="4"
            found += [(username, url, word) for word in OLD_WORDS if word in text]
            if "<title>" in body:
                assert "强村富民资金项目管理系统" in body.split("</title>")[0], url
    assert found == [], found
