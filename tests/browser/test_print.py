"""The feasibility report as Chromium prints it (A4): every page numbered 第 N 页 共 M 页, the title once,
the signature block on the last page, and no blank page at the end."""
import io
import re
import unicodedata

from pypdf import PdfReader


def readable(text: str) -> str:
    """The text layer names some CJK characters by their radical forms (⾏ for 行, ⻚ for 页): back to the
    characters, without white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("⻚", "页")


def test_the_printed_feasibility_report_numbers_its_pages_and_ends_on_its_signatures(visit, zh):
    approver = visit("approver")
    approver.goto("/projects/1/feasibility-report")
    pdf = PdfReader(io.BytesIO(approver.page.pdf(format="A4")))
    pages = [readable(page.extract_text()) for page in pdf.pages]
    total = len(pages)
    assert total >= 2
    for number, text in enumerate(pages, start=1):
        assert f"第{number}页共{total}页" in text, (number, text[:80])
    assert "".join(pages).count("可行性研究报告") == 1
    last = pages[-1]
    assert "审核人" in last and len(last) > len(f"第{total}页共{total}页") + 40  # content, not a blank page
