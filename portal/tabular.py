"""The one writer of tables to files: CSV and XLSX, safe to open in any spreadsheet.

Every export (rosters, evaluation responses, journal, audit log, the Records ZIP) goes
through here, so one rule keeps a person's text from running as a formula: a text cell
starting with = + - @, a tab or a carriage return gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

Cell = str | int | float | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: object) -> Cell:
    """The value as a cell that a spreadsheet shows and never evaluates."""
    if value is None or isinstance(value, int | float):
        return value  # type: ignore[return-value]
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _safe_rows(header: Sequence[str], rows: Iterable[Sequence[object]]) -> Iterable[list[Cell]]:
    yield [cell_safe(h) for h in header]
    for row in rows:
        yield [cell_safe(v) for v in row]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 CSV with a byte-order mark, so spreadsheets read every script correctly."""
    out = io.StringIO()
    csv.writer(out).writerows(_safe_rows(header, rows))
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(
    header: Sequence[str], rows: Iterable[Sequence[object]], sheet_title: str = "Sheet1"
) -> bytes:
    """An XLSX workbook of one sheet; text cells are stored as text, never as formulas."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title[:31])
    sheet.freeze_panes = "B2"
    for row in _safe_rows(header, rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
