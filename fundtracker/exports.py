"""CSV and Excel (.xlsx) downloads of any list a finance office reconciles.

A list view builds `columns` (header, function of a row) and an iterable of rows, then
returns export_response(fmt, filename, columns, rows). Exports stream: give rows as an iterator
that reads the database in chunks (`.execution_options(yield_per=1000)`), never a list of every
row. CSV is written row by row and Excel by XlsxWriter in constant-memory mode, each to a
temporary file, then streamed from it with its length (the session that reads the rows ends with
the request, so the file is complete before the first byte is sent). Money, rate and score columns give
exact Decimals (money.fen_to_yuan_decimal, money.rate_percent, vetting.scoring.points); they
become numbers in Excel and '1234.56' in CSV.
"""
import csv
import io
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import quote

import xlsxwriter
from flask import Response, abort, current_app
from flask_babel import lazy_gettext as _l
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
    total: bool = False  # Excel ends the sheet with this column's sum


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


FILE_CHUNK_BYTES = 64 * 1024


def _csv_file(columns, rows):
    """The CSV in a temporary file, written row by row as the rows are read: memory stays flat
    however many rows. Written whole before the first byte goes out, because the database session
    ends with the request (a failure is then an error page, not a cut file)."""
    target = tempfile.TemporaryFile()
    text = io.TextIOWrapper(target, encoding="utf-8", newline="")
    text.write("\ufeff")  # BOM: Excel opens UTF-8 Chinese correctly
    writer = csv.writer(text)
    writer.writerow([spreadsheet_text(c.header) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(c.value(row)) for c in columns])
    text.flush()
    text.detach()
    return _rewound(target)


def _rewound(handle):
    size = handle.tell()
    handle.seek(0)
    return handle, size


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


class _XlsxFormats:
    def __init__(self, workbook):
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.amount = workbook.add_format({"num_format": "#,##0.00"})  # yuan, rates and scores: Decimals
        self.header = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
        self.total_label = workbook.add_format({"bold": True, "top": 1})
        self.total = workbook.add_format({"bold": True, "top": 1, "num_format": "#,##0.00"})


COLUMN_WIDTH_MIN, COLUMN_WIDTH_MAX = 8, 40


def _display_width(text: str) -> int:
    """Characters as a spreadsheet shows them: a Chinese character takes two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _column_width(header: str) -> int:
    return max(COLUMN_WIDTH_MIN, min(COLUMN_WIDTH_MAX, _display_width(header) + 2))


def _write_xlsx_cell(sheet, row: int, col: int, value, formats: _XlsxFormats) -> None:
    value = _in_county_time(value)
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, col, value, formats.datetime)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, value, formats.date)
    elif isinstance(value, Decimal):
        sheet.write_number(row, col, value, formats.amount)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value)
    else:
        # A CR would be written as Excel's _x000D_ escape; XML reads a bare CR as LF anyway.
        sheet.write_string(row, col, _xlsx_cell(value).replace("\r\n", "\n").replace("\r", "\n"))


def _new_workbook(target, **options):
    return xlsxwriter.Workbook(target, {"strings_to_formulas": False, "strings_to_urls": False,
                                        "strings_to_numbers": False, **options})


def _write_table(workbook, sheet, columns, rows) -> None:
    """A header row (bold, frozen, columns as wide as their headers), the rows, and a totals row when a
    column asks for its sum (summed while the rows stream past)."""
    formats = _XlsxFormats(workbook)
    for col, column in enumerate(columns):
        header = _xlsx_cell(str(column.header))
        sheet.set_column(col, col, _column_width(header))
        sheet.write_string(0, col, header, formats.header)
    sheet.freeze_panes(1, 0)
    totals = {col: Decimal(0) for col, column in enumerate(columns) if column.total}
    number = 0
    for number, row in enumerate(rows, start=1):
        for col, column in enumerate(columns):
            value = column.value(row)
            _write_xlsx_cell(sheet, number, col, value, formats)
            if col in totals and value is not None:
                totals[col] += value
    if totals:
        _write_totals(sheet, number + 1, totals, formats)


def _write_totals(sheet, row: int, totals: dict, formats: _XlsxFormats) -> None:
    sheet.write_string(row, 0, str(_l("Total")), formats.total_label)
    for col, total in totals.items():
        sheet.write_number(row, col, total, formats.total)


def _xlsx_file(columns, rows, sheet_title: str):
    """The workbook in a temporary file, written by XlsxWriter in constant-memory mode (each row
    goes to disk as it is written): memory stays flat however many rows."""
    target = tempfile.TemporaryFile()
    workbook = _new_workbook(target, constant_memory=True, tmpdir=tempfile.gettempdir())
    _write_table(workbook, workbook.add_worksheet(safe_sheet_title(sheet_title)), columns, rows)
    workbook.close()
    return _rewound(target)


def _file_chunks(handle):
    try:
        while chunk := handle.read(FILE_CHUNK_BYTES):
            yield chunk
    finally:
        handle.close()


@dataclass(frozen=True)
class Sheet:
    """One table of a workbook with several sheets."""
    title: str
    columns: list
    rows: object  # iterable of rows


def _unique_sheet_title(title: str, taken: set) -> str:
    """A safe title no other sheet of the workbook has (Excel refuses two sheets of one name)."""
    base = candidate = safe_sheet_title(title)
    number = 1
    while candidate.lower() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = base[:31 - len(suffix)] + suffix
    taken.add(candidate.lower())
    return candidate


def _xlsx_workbook(sheets) -> bytes:
    """A small workbook (a page's tables, one sheet each) in memory."""
    buffer = io.BytesIO()
    workbook, taken = _new_workbook(buffer, in_memory=True), set()
    for table in sheets:
        _write_table(workbook, workbook.add_worksheet(_unique_sheet_title(table.title, taken)), table.columns,
                     table.rows)
    workbook.close()
    return buffer.getvalue()


def _download(body, mimetype: str, filename: str, size: int | None = None) -> Response:
    response = Response(body, mimetype=mimetype)
    if size is not None:
        response.content_length = size
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"  # figures of public money: no copy in shared caches
    return response


def workbook_response(filename: str, sheets) -> Response:
    """An .xlsx download with one sheet per table (Sheet); filename without extension, made safe here."""
    return _download(_xlsx_workbook(sheets), XLSX_MIME, f"{safe_filename(filename)}.xlsx")


def export_response(fmt: str, filename: str, columns, rows, sheet_title: str = "Sheet1") -> Response:
    """The download; filename (without extension) and sheet_title may be any title: both are made safe here."""
    if fmt not in FORMATS:
        abort(404)
    # Both are written to a temporary file while the rows are read (in chunks: the caller's yield_per),
    # then streamed from it with their length, so the browser shows the download's progress.
    if fmt == "csv":
        (handle, size), mimetype = _csv_file(columns, rows), "text/csv; charset=utf-8"
    else:
        (handle, size), mimetype = _xlsx_file(columns, rows, sheet_title), XLSX_MIME
    return _download(_file_chunks(handle), mimetype, f"{safe_filename(filename)}.{fmt}", size)
