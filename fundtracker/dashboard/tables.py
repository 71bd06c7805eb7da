"""A dashboard table: its columns, its rows, the chart drawn from it and the Excel sheet made of it, so
the page, the chart and the download show one set of numbers."""
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from flask_babel import lazy_gettext as _l

from ..exports import Column, Sheet
from ..money import fen_to_yuan_decimal, format_fen
from .charts import BarChart

TEXT, MONEY, COUNT = "text", "money", "count"
TOTAL = _l("Total")


@dataclass(frozen=True)
class Field:
    header: object
    value: Callable  # row -> value (fen for MONEY)
    kind: str = TEXT
    link: Callable | None = None  # row -> URL of the page the cell summarises (None: no link for this user)

    @property
    def summed(self) -> bool:
        return self.kind in (MONEY, COUNT)


@dataclass(frozen=True)
class Table:
    key: str  # the anchor on the page
    title: object
    sheet_title: object  # at most 31 characters (Excel's limit) in every language
    fields: list
    rows: list
    chart: BarChart | None = None
    note: object = ""

    def total(self, index: int) -> int:
        column = self.fields[index]
        return sum(int(column.value(row) or 0) for row in self.rows)

    @cached_property
    def totals(self) -> list:
        """The footer: "Total" under the first column, the sum under every money and count column (summed once
        per table: the footer and the sheet read it cell by cell)."""
        return [TOTAL if index == 0 else (self.total(index) if f.summed else "")
                for index, f in enumerate(self.fields)]

    @cached_property
    def body(self) -> list:
        """The rows as the page shows them, computed in one pass rather than cell by cell in the template:
        per row (the first cell's text, its link or None, [(cell text, numeric?), …])."""
        return [(self.fields[0].value(row), self.fields[0].link(row) if self.fields[0].link else None,
                 [(_shown(f, f.value(row)), f.summed) for f in self.fields[1:]]) for row in self.rows]

    @cached_property
    def footer(self) -> list:
        """The totals row as shown: [(cell text, numeric?), …] after the "Total" label."""
        return [(_shown(f, value), f.summed) for f, value in zip(self.fields[1:], self.totals[1:])]

    def sheet(self) -> Sheet:
        """The table as an Excel sheet: money in yuan (numbers), the totals row last."""
        cells = [[_excel_value(f, f.value(row)) for f in self.fields] for row in self.rows]
        if cells:
            cells.append([_excel_value(f, value) if f.summed else str(value)
                          for f, value in zip(self.fields, self.totals)])
        columns = [Column(f"{f.header} ({_l('yuan')})" if f.kind == MONEY else str(f.header),
                          lambda row, index=index: row[index]) for index, f in enumerate(self.fields)]
        return Sheet(str(self.sheet_title), columns, cells)


def _shown(f: Field, value):
    return format_fen(value) if f.kind == MONEY else value


def _excel_value(f: Field, value):
    if f.kind == MONEY:
        return fen_to_yuan_decimal(value)
    return value if f.kind == COUNT else str(value)
