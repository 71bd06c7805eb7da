"""CSV and Excel (.xlsx) downloads of any list a finance office reconciles.

A list view builds `columns` (header, function of a row) and an iterable of rows, then
returns export_response(fmt, filename, columns, rows). Money, rate and score columns give
exact Decimals (money.fen_to_yuan_decimal, money.rate_percent, vetting.scoring.points); they
become numbers in Excel and '1234.56' in CSV.
"""
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import Response, abort
from openpyxl import Workbook

FORMATS = ("csv", "xlsx")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    value: object  # callable(row) -> cell value


def _csv_cell(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = "" if value is None else str(value)
    # Spreadsheets run cells that start with these as formulas (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _xlsx_cell(value):
    if value is None or isinstance(value, (int, float, Decimal, date, datetime)):
        return value
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _csv_body(columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(c.header) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(c.value(row)) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Chinese correctly


def _xlsx_body(columns, rows, sheet_title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31] or "Sheet1")
    sheet.append([str(c.header) for c in columns])
    for row in rows:
        values = [c.value(row) for c in columns]
        sheet.append([_xlsx_cell(v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(fmt: str, filename: str, columns, rows, sheet_title: str = "Sheet1") -> Response:
    if fmt not in FORMATS:
        abort(404)
    if fmt == "csv":
        body, mimetype = _csv_body(columns, rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = _xlsx_body(columns, rows, sheet_title), XLSX_MIME
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
