"""Exports stream: CSV row by row while the rows are read, Excel (XlsxWriter, constant memory)
from a temporary file with its length; the library export reads the projects in chunks."""
import csv
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import event

from fundtracker.auth.roles import Role
from fundtracker.exports import CSV_CHUNK_ROWS, Column, export_response
from fundtracker.extensions import db

from ..conftest import login

COLUMNS = [Column("编号", lambda row: row), Column("金额", lambda row: Decimal(row) / 100),
           Column("日期", lambda row: date(2026, 1, 1)), Column("时间", lambda row: datetime(2026, 1, 1, 8, 30))]


def _counted(rows: int, taken: list):
    for number in range(rows):
        taken.append(number)
        yield number


def test_csv_is_written_while_the_rows_are_read(app):
    taken = []
    with app.test_request_context():
        response = export_response("csv", "list", COLUMNS, _counted(5 * CSV_CHUNK_ROWS, taken))
    assert response.is_streamed and not taken  # nothing read before the download starts
    chunks = iter(response.response)
    first = next(chunks)
    assert first.startswith("\ufeff编号".encode()) and len(taken) == CSV_CHUNK_ROWS
    rest = b"".join(chunks)
    rows = list(csv.reader(io.StringIO((first + rest).decode("utf-8-sig"))))
    assert len(rows) == 5 * CSV_CHUNK_ROWS + 1 and rows[2] == ["1", "0.01", "2026-01-01", "2026-01-01T08:30:00"]


def test_excel_is_streamed_from_a_file_with_its_length(app):
    with app.test_request_context():
        response = export_response("xlsx", "list", COLUMNS, _counted(3_000, []), sheet_title="项目库")
    assert response.is_streamed and response.content_length > 0
    body = response.get_data()
    assert len(body) == response.content_length
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.title == "项目库" and sheet.max_row == 3_001
    assert list(next(sheet.iter_rows(min_row=3, max_row=3, values_only=True))) == [
        1, 0.01, datetime(2026, 1, 1), datetime(2026, 1, 1, 8, 30)]


def test_the_library_export_reads_the_projects_in_chunks(app, make_project, make_user):
    for number in range(3):
        make_project(title=f"项目 {number}")
    db.session.commit()
    client = app.test_client()
    login(client, make_user(Role.APPROVER))
    chunked = []

    def remember(state):
        if state.is_select and "projects" in str(state.statement):
            chunked.append(state.execution_options.get("yield_per"))

    event.listen(db.session, "do_orm_execute", remember)
    try:
        for fmt in ("csv", "xlsx"):
            chunked.clear()
            response = client.get(f"/projects/export.{fmt}")
            assert response.is_streamed and response.status_code == 200
            assert response.get_data()
            assert chunked and chunked[0] and chunked[0] <= 2_000, (fmt, chunked)
    finally:
        event.remove(db.session, "do_orm_execute", remember)
