"""Tables out of the workbench: CSV, XLSX and Word, with spreadsheet formulas neutralised.

A cell that starts with = + - @ (or a tab or carriage return) would be run as a formula by Excel or LibreOffice when
the file is opened (CSV injection): such cells get a leading apostrophe, which spreadsheets show as plain text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from docx import Document
from docx.shared import Pt

from workbench.errors import QuoteError
from workbench.quotes import Quote, attribute_names

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx", "docx")


def safe_cell(value: object) -> object:
    """Return the value with a leading apostrophe when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a table whose text cells, column names and row labels are safe to open in a spreadsheet."""
    safe = frame.map(safe_cell)
    safe.columns = [safe_cell(str(column)) for column in frame.columns]
    safe.index = [safe_cell(label) if isinstance(label, str) else label for label in frame.index]
    safe.index.name = frame.index.name
    return safe


def quote_table(quotes: Sequence[Quote]) -> pd.DataFrame:
    """One row per quote: citation, participant and their attributes, code path, coder, key quote, the words."""
    attributes = attribute_names(quotes)
    return pd.DataFrame(
        [
            {
                "citation": quote.citation,
                "participant": quote.participant,
                "role": quote.role or "",
                **{name: quote.attributes.get(name, "") for name in attributes},
                "code": quote.code,
                "code path": quote.code_path,
                "coder": quote.coder,
                "key quote": "yes" if quote.key_quote else "",
                "quote": quote.text,
                "document": quote.document,
                "start": quote.start,
                "end": quote.end,
            }
            for quote in quotes
        ],
        columns=["citation", "participant", "role", *attributes, "code", "code path", "coder", "key quote", "quote",
                 "document", "start", "end"],
    )  # fmt: skip


def table_bytes(frame: pd.DataFrame, kind: str, *, title: str = "Quotes", index: bool = False) -> bytes:
    """Return a table as a CSV, XLSX or .docx file's bytes."""
    if kind == "csv":
        return safe_frame(frame).to_csv(index=index).encode("utf-8-sig")  # the BOM makes Excel read UTF-8
    if kind == "xlsx":
        buffer = io.BytesIO()
        safe_frame(frame).to_excel(buffer, index=index, sheet_name=title[:31], engine="openpyxl")
        return buffer.getvalue()
    if kind == "docx":
        return _docx(frame.reset_index() if index else frame, title)
    raise QuoteError(f"cannot export a table as {kind!r}: choose one of {', '.join(FORMATS)}")


def write_table(frame: pd.DataFrame, path: str | Path, *, title: str = "Quotes", index: bool = False) -> Path:
    """Write a table to ``path``, its format chosen by the file's suffix (.csv, .xlsx or .docx)."""
    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    data = table_bytes(frame, kind, title=title, index=index)
    try:
        path.write_bytes(data)
    except OSError as error:
        raise QuoteError(f"{path} cannot be written ({error.strerror or error})") from None
    return path


def _docx(frame: pd.DataFrame, title: str) -> bytes:
    document = Document()
    document.add_heading(title, level=1)
    columns = [column for column in frame.columns if column not in ("document", "start", "end")]
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, column in zip(table.rows[0].cells, columns, strict=True):
        cell.text = str(column).capitalize()
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for _, row in frame.iterrows():
        cells = table.add_row().cells
        for cell, column in zip(cells, columns, strict=True):
            cell.text = "" if pd.isna(row[column]) else str(row[column])
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(9)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
