"""CSV and Excel (.xlsx) downloads of any list a finance office reconciles.

A list view builds `columns` (header, function of a row) and an iterable of rows, then
returns export_response(fmt, filename, columns, rows). Money, rate and score columns give
exact Decimals (money.fen_to_yuan_decimal, money.rate_percent, vetting.scoring.points); they
become numbers in Excel and '1234.56' in CSV.
"""
import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

from flask import Response, abort, current_app
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .formatting import to_local

FORMATS = ("csv", "xlsx")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})  # control and format characters (bidi overrides…)
_FILENAME_FORBIDDEN = '/\\:*?"<>|'
_SHEET_TITLE_FORBIDDEN = "\\/?*[]:"


@dataclass(frozen=True)
class Column:
    header: str
    value: object  # callable(row) -> cell value


class _ZonedHeader:
    """A header that names the county's time zone when it is written: "Recorded at (Asia/Shanghai)"."""

    def __init__(self, header):
        self.header = header

    def __str__(self):
        return f"{self.header} ({current_app.config['TIMEZONE']})"


def local_time_column(header, value) -> Column:
    """A column of stored moments (UTC): written in county time, the zone named in its header."""
    return Column(_ZonedHeader(header), value)


def _in_county_time(value):
    return to_local(value) if isinstance(value, datetime) else value


# Spreadsheets run a cell that starts with one of these as a formula (CSV/formula injection); a tab,
# CR or LF in front is skipped by some of them before they look.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")


def spreadsheet_text(value) -> str:
    """The one escape of text bound for a spreadsheet (CSV and XLSX): a leading apostrophe makes a cell
    that could start a formula plain text. A plain number such as -12.50 is left as it is."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _csv_cell(value):
    value = _in_county_time(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return spreadsheet_text(value)


def _xlsx_cell(value):
    value = _in_county_time(value)
    if value is None or isinstance(value, (int, float, Decimal, date, datetime)):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", spreadsheet_text(value))  # control characters XML cannot carry


def _csv_body(columns, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([spreadsheet_text(c.header) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(c.value(row)) for c in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Chinese correctly


def _without_controls(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) not in _CONTROL_CATEGORIES)


def safe_sheet_title(title: str) -> str:
    """Excel's rules for a sheet name: none of \\ / ? * [ ] :, no control characters, at most 31
    characters, not empty and not starting or ending with an apostrophe."""
    cleaned = _without_controls(str(title)).translate({ord(ch): " " for ch in _SHEET_TITLE_FORBIDDEN})
    cleaned = " ".join(cleaned.split())[:31].strip(" '")
    return cleaned or "Sheet1"


def safe_filename(title: str) -> str:
    """A download's name made from a title: Chinese and other letters kept, / \\ : * ? " < > | and
    control characters removed, runs of spaces made one dash, no leading dot; "export" when nothing is left."""
    cleaned = _without_controls(str(title)).translate({ord(ch): None for ch in _FILENAME_FORBIDDEN})
    cleaned = "-".join(cleaned.split()).strip(".-")[:100].rstrip(".-")
    return cleaned or "export"


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback name and the real one in RFC 5987's filename* (UTF-8)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_name).strip("._") or "export"
    extension = filename.rsplit(".", 1)[-1] if "." in filename else ""
    if extension and not ascii_name.endswith("." + extension):
        ascii_name = f"{ascii_name}.{extension}"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _xlsx_body(columns, rows, sheet_title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=safe_sheet_title(sheet_title))
    sheet.append([_xlsx_cell(str(c.header)) for c in columns])
    for row in rows:
        values = [c.value(row) for c in columns]
        sheet.append([_xlsx_cell(v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_response(fmt: str, filename: str, columns, rows, sheet_title: str = "Sheet1") -> Response:
    """The download; filename (without extension) and sheet_title may be any title: both are made safe here."""
    if fmt not in FORMATS:
        abort(404)
    if fmt == "csv":
        body, mimetype = _csv_body(columns, rows), "text/csv; charset=utf-8"
    else:
        body, mimetype = _xlsx_body(columns, rows, sheet_title), XLSX_MIME
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(f"{safe_filename(filename)}.{fmt}")
    response.headers["Cache-Control"] = "no-store"  # figures of public money: no copy in shared caches
    return response
