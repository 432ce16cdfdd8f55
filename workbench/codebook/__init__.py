"""Codebooks: the YAML file format, its validated tree of themes and codes, and edits that keep comments and order.

See docs/codebooks.md for the file format. This layer reads and writes files only; it knows no database or UI.
"""

from __future__ import annotations

from workbench.codebook.edit import CodebookFile
from workbench.codebook.files import decode_text, read_codebook, read_text
from workbench.codebook.model import PALETTE, Code, Codebook
from workbench.codebook.parse import parse_codebook

__all__ = ["PALETTE", "Code", "Codebook", "CodebookFile", "decode_text", "parse_codebook", "read_codebook", "read_text"]
