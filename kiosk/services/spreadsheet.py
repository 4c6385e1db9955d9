"""The treasurer's CSV tables as one spreadsheet (.xlsx): one sheet a table, amounts as
numbers in euros with a euro format, times and dates as the spreadsheet's own dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from kiosk.vocabulary import PARIS

EURO_FORMAT = '#,##0.00\\ "€";-#,##0.00\\ "€"'
DATE_FORMAT = "dd/mm/yyyy"
TIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
CENTS = "_centimes"


@dataclass
class Table:
    """One table of the treasurer's export: a CSV file, or a sheet of the spreadsheet."""

    name: str
    header: list[str]
    rows: list

    def __post_init__(self) -> None:
        self.rows = list(self.rows)



def write_workbook(tables: list[Table], path: Path) -> Path:
    from openpyxl import Workbook  # imported by the export that asks, not at start
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.name[:31])
        money = [column.endswith(CENTS) for column in table.header]
        sheet.append([column[:-len(CENTS)] + "_euros" if is_money else column
                      for column, is_money in zip(table.header, money, strict=True)])
        for values in table.rows:
            row = []
            for value, is_money in zip(values, money, strict=True):
                row.append(_cell(value, is_money))
            sheet.append(row)
            for cell, value, is_money in zip(sheet[sheet.max_row], values, money,
                                             strict=True):
                if is_money and isinstance(value, int):
                    cell.number_format = EURO_FORMAT
                elif isinstance(value, datetime):
                    cell.number_format = TIME_FORMAT
                elif isinstance(value, date):
                    cell.number_format = DATE_FORMAT
                elif isinstance(value, str):
                    # A name typed by anyone stays text: openpyxl would store "=…" as a
                    # formula the spreadsheet runs.
                    cell.data_type = "s"
        sheet.freeze_panes = "A2"
        for number, column in enumerate(sheet.iter_cols(max_row=1), start=1):
            sheet.column_dimensions[get_column_letter(number)].width = max(
                10, min(40, len(str(column[0].value)) + 2))
    book.save(path)
    return path


def _cell(value: object, is_money: bool) -> object:
    if value == "" or value is None:
        return None
    if is_money and isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value) / 100
    if isinstance(value, datetime):
        return value.astimezone(PARIS).replace(tzinfo=None)  # the sheet's time is Paris
    return value
