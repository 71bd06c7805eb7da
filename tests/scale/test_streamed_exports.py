"""Exports stream: CSV row by row and Excel (XlsxWriter, constant memory) into a temporary file,
then streamed from it with its length; the library export reads the projects in chunks."""
import csv
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import event

from fundtracker.auth.roles import Role
from fundtracker.exports import FILE_CHUNK_BYTES, Column, export_response
from fundtracker.extensions import db

from ..conftest import login

COLUMNS = [Column("编号", lambda row: row), Column("金额", lambda row: Decimal(row) / 100),
           Column("日期", lambda row: date(2026, 1, 1)), Column("时间", lambda row: datetime(2026, 1, 1, 8, 30))]


def _counted(rows: int, taken: list):
    for number in range(rows):
        taken.append(number)
        yield number


def test_csv_is_written_row_by_row_and_streamed_from_a_file(app):
    taken = []
    with app.test_request_context():
        response = export_response("csv", "list", COLUMNS, _counted(5_000, taken))
    assert response.is_streamed and response.content_length > 0 and len(taken) == 5_000
    chunks = list(response.response)
    assert len(chunks) > 1 and all(len(chunk) <= FILE_CHUNK_BYTES for chunk in chunks)
    body = b"".join(chunks)
    assert len(body) == response.content_length and body.startswith("\ufeff编号".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 5_001 and rows[2] == ["1", "0.01", "2026-01-01", "2026-01-01 16:30:00"]  # stored UTC, written in county time


def test_excel_is_streamed_from_a_file_with_its_length(app):
    with app.test_request_context():
        response = export_response("xlsx", "list", COLUMNS, _counted(3_000, []), sheet_title="项目库")
    assert response.is_streamed and response.content_length > 0
    body = response.get_data()
    assert len(body) == response.content_length
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.title == "项目库" and sheet.max_row == 3_001
    assert list(next(sheet.iter_rows(min_row=3, max_row=3, values_only=True))) == [
        1, 0.01, datetime(2026, 1, 1), datetime(2026, 1, 1, 16, 30)]


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
