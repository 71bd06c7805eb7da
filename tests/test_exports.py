import io

from openpyxl import load_workbook

from fundtracker.exports import Column, export_response
from fundtracker.money import fen_to_yuan_decimal


def test_csv_and_xlsx_exports(app):
    columns = [Column("名称", lambda r: r[0]), Column("金额", lambda r: fen_to_yuan_decimal(r[1]))]
    rows = [("牧场", 740000000), ("=HYPERLINK()", 1)]
    with app.test_request_context():
        csv_response = export_response("csv", "list", columns, rows)
        xlsx_response = export_response("xlsx", "list", columns, rows, sheet_title="项目")
    text = csv_response.get_data().decode("utf-8-sig")
    assert text.splitlines() == ["名称,金额", "牧场,7400000.00", "'=HYPERLINK(),0.01"]
    assert 'filename="list.csv"' in csv_response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(xlsx_response.get_data())).active
    assert [c.value for c in sheet[2]] == ["牧场", 7400000.0]
    assert sheet.title == "项目"
