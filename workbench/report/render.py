"""Rendering a report model to Word (real styles: Title, Heading 1-3, Quote, List Bullet, a table) and Markdown."""

from __future__ import annotations

import io

import docx

from workbench.report.model import Bullets, Heading, Paragraph, QuoteBlock, Report, Table


def render_markdown(report: Report) -> str:
    lines = [f"# {report.title}", "", f"*{report.subtitle}*", ""]
    for block in report.blocks:
        if isinstance(block, Heading):
            lines += [f"{'#' * (block.level + 1)} {block.text}", ""]
        elif isinstance(block, Paragraph):
            lines += [block.text, ""]
        elif isinstance(block, QuoteBlock):
            lines += [f"> “{block.text}” {block.citation}", ""]
        elif isinstance(block, Bullets):
            lines += [f"- {item}" for item in block.items] + [""]
        else:
            lines += ["| " + " | ".join(block.columns) + " |", "|" + "---|" * len(block.columns)]
            lines += ["| " + " | ".join(row) + " |" for row in block.rows] + [""]
    return "\n".join(lines).rstrip() + "\n"


def render_docx(report: Report) -> bytes:
    document = docx.Document()
    document.add_paragraph(report.title, style="Title")
    document.add_paragraph(report.subtitle, style="Subtitle")
    for block in report.blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            document.add_paragraph(block.text)
        elif isinstance(block, QuoteBlock):
            paragraph = document.add_paragraph(f"“{block.text}” ", style="Quote")
            paragraph.add_run(block.citation).italic = False
        elif isinstance(block, Bullets):
            for item in block.items:
                document.add_paragraph(item, style="List Bullet")
        else:
            _table(document, block)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _table(document: docx.document.Document, table: Table) -> None:
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, table.columns, strict=True):
        cell.text = name
        cell.paragraphs[0].runs[0].bold = True
    for row in table.rows:
        for cell, value in zip(grid.add_row().cells, row, strict=True):
            cell.text = value
