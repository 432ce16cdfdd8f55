"""Word (.docx) transcripts: paragraphs and tables in document order, bold speaker labels, a metadata table."""

from __future__ import annotations

import io
import logging
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from workbench.errors import TranscriptError
from workbench.ingest import speakers
from workbench.ingest.decode import clean_text, describe_binary
from workbench.ingest.model import Block, Join, SourceDocument

_PARAGRAPH, _TABLE, _ROW, _CELL = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_TEXT, _TAB, _BREAK, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_NO_BREAK_HYPHEN, _RUN_PROPERTIES, _BOLD, _RUN_STYLE = qn("w:noBreakHyphen"), qn("w:rPr"), qn("w:b"), qn("w:rStyle")
_VALUE = qn("w:val")
_DOCUMENT = qn("w:document")
_PIECES = {_TEXT: None, _TAB: "\t", _BREAK: "\n", _CR: "\n", _NO_BREAK_HYPHEN: "-"}
# Containers whose paragraphs belong to the body flow (content controls, custom XML).
_WRAPPERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")}
# The runs whose text is visible: not deleted or moved away in tracked changes, and not inside drawings (whose text
# boxes Word stores twice). Runs inside hyperlinks, insertions, smart tags and inline content controls count.
_VISIBLE_RUNS = etree.XPath(
    ".//w:r[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:drawing or ancestor::w:pict"
    " or ancestor::w:object or ancestor::mc:AlternateContent)]",
    namespaces={
        "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    },
)
_FALSE = {"0", "false", "off", "none"}
# Word saves a password-protected .docx inside an OLE compound file holding an "EncryptedPackage" stream.
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

_SPEAKER_HEADINGS = {"speaker", "name", "who", "person"}
_TEXT_HEADINGS = {"text", "transcript", "transcription", "utterance", "speech", "dialogue", "content", "response"}
_TIME_HEADINGS = {"time", "timestamp", "start", "start time", "timecode"}
_METADATA_MAX_ROWS = 30

log = logging.getLogger(__name__)


def read_word(path: Path, data: bytes) -> SourceDocument:
    """Return the blocks of a .docx transcript, with a leading two-column table as the document's metadata."""
    document = _open_document(path, data)
    body = document.element.body
    reader = _WordReader(_bold_character_styles(document))
    blocks: list[Block] = []
    metadata: dict[str, str] = {}
    for element in _body_elements(body):
        if element.tag == _PARAGRAPH:
            blocks.extend(reader.paragraph(element))
            continue
        rows = reader.table_rows(element)
        transcript_started = any(block.speaker or speakers.match_label(block.text) for block in blocks)
        if not metadata and not transcript_started and _is_metadata_table(rows):
            metadata = {key: value for key, value in (row for row in rows if len(row) == 2) if key}
        else:
            blocks.extend(_table_blocks(rows))
    return SourceDocument(blocks=blocks, format="docx", metadata=metadata)


def _open_document(path: Path, data: bytes) -> DocxDocument:
    if data.startswith(_OLE_SIGNATURE) and _ENCRYPTED_PACKAGE in data:
        raise TranscriptError(path, "is password-protected; open it in Word, remove the password and save it again")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        known = describe_binary(data)
        if known is not None and not known.startswith("a zip"):
            raise TranscriptError(path, f"is not a Word document (it looks like {known})")
        if not data.strip():
            raise TranscriptError(path, "has no readable text (the file is empty)")
        raise TranscriptError(
            path, "is not a Word document or is damaged; open it in your word processor and save it as .docx again"
        )
    damaged = "is a damaged Word document; open it in Word or LibreOffice and save it as .docx again"
    try:
        # is_zipfile() finds only the end record; the directory it points to may still be damaged, or name a part
        # in UTF-8 that is not (UnicodeDecodeError, a ValueError).
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise TranscriptError(path, damaged) from None
    names = {member.filename for member in members}
    if "word/document.xml" not in names:
        kind = "an OpenDocument file (.odt)" if "content.xml" in names else "a zip archive but not a Word document"
        raise TranscriptError(path, f"is {kind}; save it from your word processor as .docx")
    # Word and LibreOffice store or deflate each part and never encrypt one (Word saves a password-protected file as
    # OLE, above). Anything else comes from damage, and zipfile would raise RuntimeError, NotImplementedError or a bz2
    # or lzma error for it.
    if any(member.flag_bits & 0x1 or member.compress_type not in _ZIP_METHODS for member in members):
        raise TranscriptError(path, damaged)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError, zlib.error, EOFError):
        raise TranscriptError(path, damaged) from None
    except (AttributeError, TypeError, IndexError):
        # python-docx takes the package's XML parts on trust: a part with the wrong root element (a damaged
        # [Content_Types].xml, say) fails deep inside it. The traceback goes to the log in case it is a bug there.
        log.debug("python-docx could not open %s", path, exc_info=True)
        raise TranscriptError(path, damaged) from None
    if document.element.tag != _DOCUMENT or document.element.body is None:
        raise TranscriptError(path, damaged)
    return document


def _body_elements(parent: etree._Element) -> Iterator[etree._Element]:
    for child in parent:
        if child.tag in _WRAPPERS:
            yield from _body_elements(child)
        elif child.tag in (_PARAGRAPH, _TABLE):
            yield child


class _WordReader:
    """Reads paragraphs and tables, resolving bold through character styles."""

    def __init__(self, bold_styles: set[str]) -> None:
        self._bold_styles = bold_styles

    def paragraph(self, element: etree._Element) -> list[Block]:
        """Return a paragraph's blocks: one per line, since a line break (Shift+Enter) often ends a label or time."""
        pieces = list(self._pieces(element))
        text = clean_text("".join(piece for piece, _ in pieces)).strip()
        if not text:
            return []
        label, rest = _bold_label(_first_line(pieces))
        lines = text.split("\n")
        if label is not None:
            lines[0] = rest
        blocks = [Block(text=lines[0].strip(), speaker=label)]
        blocks.extend(Block(text=line.strip(), join=Join.LINE) for line in lines[1:] if line.strip())
        return [block for block in blocks if block.text or block.speaker]

    def table_rows(self, table: etree._Element) -> list[list[str]]:
        rows = []
        for row in table.iter(_ROW):
            if row.getparent() is not None and _owning_table(row) is not table:
                continue  # a row of a nested table; its text is read with its cell
            cells = [self._cell_text(cell) for cell in row if cell.tag == _CELL]
            if any(cells):
                rows.append(cells)
        return rows

    def _cell_text(self, cell: etree._Element) -> str:
        texts = (clean_text("".join(piece for piece, _ in self._pieces(p))).strip() for p in cell.iter(_PARAGRAPH))
        return "\n".join(text for text in texts if text)

    def _pieces(self, paragraph: etree._Element) -> Iterator[tuple[str, bool]]:
        """Yield (text, bold) for each piece of the paragraph's visible text, in order."""
        for run in _VISIBLE_RUNS(paragraph):
            bold = self._is_bold(run)
            for child in run:
                if child.tag in _PIECES:
                    yield _PIECES[child.tag] or child.text or "", bold

    def _is_bold(self, run: etree._Element) -> bool:
        properties = run.find(_RUN_PROPERTIES)
        if properties is None:
            return False
        bold = properties.find(_BOLD)
        if bold is not None:
            return bold.get(_VALUE, "true").lower() not in _FALSE
        style = properties.find(_RUN_STYLE)
        return style is not None and style.get(_VALUE) in self._bold_styles


def _first_line(pieces: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    line: list[tuple[str, bool]] = []
    for text, bold in pieces:
        if "\n" in text:
            line.append((text.split("\n", 1)[0], bold))
            break
        line.append((text, bold))
    return line


def _owning_table(row: etree._Element) -> etree._Element | None:
    parent = row.getparent()
    while parent is not None and parent.tag != _TABLE:
        parent = parent.getparent()
    return parent


def _bold_character_styles(document: DocxDocument) -> set[str]:
    """Return the ids of character styles that make text bold (such as Strong), following basedOn."""
    styles = {style.get(qn("w:styleId")): style for style in document.styles.element.findall(qn("w:style"))}

    def bold(style_id: str | None, seen: frozenset[str] = frozenset()) -> bool:
        style = styles.get(style_id)
        if style is None or style_id is None or style_id in seen:
            return False
        flag = style.find(f"{qn('w:rPr')}/{qn('w:b')}")
        if flag is not None:
            return flag.get(qn("w:val"), "true").lower() not in _FALSE
        based_on = style.find(qn("w:basedOn"))
        return based_on is not None and bold(based_on.get(qn("w:val")), seen | {style_id})

    return {
        style_id
        for style_id, style in styles.items()
        if style_id and style.get(qn("w:type")) == "character" and bold(style_id)
    }


def _bold_label(pieces: list[tuple[str, bool]]) -> tuple[str | None, str]:
    """Return (label, speech) when the paragraph opens with a bold speaker label, else (None, "")."""
    bold_text: list[str] = []
    index = 0
    while index < len(pieces) and (pieces[index][1] or not pieces[index][0].strip()):
        if pieces[index][1] is False and bold_text:
            break  # white space after the bold label
        bold_text.append(pieces[index][0])
        index += 1
    prefix = "".join(bold_text)
    rest = "".join(piece for piece, _ in pieces[index:])
    if not prefix.strip() or (not rest.strip() and not prefix.rstrip().endswith(":")):
        return None, ""
    if rest.strip() and rest[:1].isalnum() and not prefix.rstrip().endswith(":"):
        return None, ""  # a bold word running straight into plain text is emphasis, not a label
    label = speakers.clean_label(prefix)
    rest = clean_text(rest).strip()
    if rest.startswith(":"):
        rest = rest[1:].strip()
    if not speakers.looks_like_label(label) or ":" in label:
        return None, ""
    return label, rest


def _is_metadata_table(rows: list[list[str]]) -> bool:
    """True for a short two-column key/value table; a table whose first column repeats is a transcript table."""
    pairs = [row for row in rows if len(row) == 2]
    if not pairs or len(rows) > _METADATA_MAX_ROWS or any(len(row) > 2 for row in rows):
        return False
    keys = [key.casefold() for key, _ in pairs]
    return len(set(keys)) == len(keys) and all(len(key) <= 40 and "\n" not in key for key in keys)


def _table_blocks(rows: list[list[str]]) -> list[Block]:
    """Return blocks for a table in the body: a speaker/text table gives turns, any other table a line per row."""
    if not rows:
        return []
    heading = [cell.strip().casefold() for cell in rows[0]]
    speaker_column = _column(heading, _SPEAKER_HEADINGS)
    text_column = _column(heading, _TEXT_HEADINGS)
    if speaker_column is not None and text_column is not None:
        time_column = _column(heading, _TIME_HEADINGS)
        return [
            Block(
                text=row[text_column],
                speaker=row[speaker_column] or None,
                start_time=row[time_column] if time_column is not None and time_column < len(row) else None,
            )
            for row in rows[1:]
            if len(row) > max(speaker_column, text_column) and row[text_column].strip()
        ]
    if all(len(row) == 2 and speakers.looks_like_label(speakers.clean_label(row[0])) for row in rows):
        return [Block(text=text, speaker=speakers.clean_label(label)) for label, text in rows if text.strip()]
    return [Block(text=" | ".join(cell for cell in row if cell)) for row in rows]


def _column(heading: list[str], names: set[str]) -> int | None:
    return next((index for index, cell in enumerate(heading) if cell in names), None)
