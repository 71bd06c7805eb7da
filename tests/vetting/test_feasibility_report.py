"""The printed feasibility report in Chinese: one title, each heading once, years as 第N年, the county
form's sections, and a signature block (编制单位, 审核人, 日期). Page numbers and the page count are
checked in a real browser's print (tests/browser/test_print.py)."""
import re

from ..conftest import login


def chinese_report(app, user, project) -> str:
    client = app.test_client()
    assert login(client, user).status_code == 303
    return client.get(f"/projects/{project.id}/feasibility-report",
                      headers={"Accept-Language": "zh"}).get_data(as_text=True)


def test_the_chinese_report_reads_like_a_county_document(app, panel, approver):
    project, _ = panel(size=3)
    report = chinese_report(app, approver, project)
    assert "可行性研究报告（可行性研究报告）" not in report
    assert report.count("可行性研究报告</h1>") == 1
    headings = re.findall(r"<h2>(.*?)</h2>", report)
    assert len(headings) == len(set(headings)) == 9
    assert not any(re.search(r"(.{2,})（\1）", heading) for heading in headings), headings
    assert "第1年" in report and "第2年" in report
    for words in ("编制单位", "审核人", "日期", "联农带农（利益联结）机制", "资产权属", "应到人数"):
        assert words in report, words
