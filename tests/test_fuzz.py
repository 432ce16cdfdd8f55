"""Fuzzing the readers: on any bytes, each returns normally or raises a WorkbenchError of one line naming the file.

Covered: every transcript format, the codebook loader, the participants CSV, and the anonymisation roster and
glossary. Anything else escaping is a bug (see workbench/errors.py), and so is a read that takes seconds: a pattern
that backtracks on a long line hangs the app on a file a user can upload. The runs are derandomised, so CI always
tries the same inputs; set FUZZ_SCALE=10 (or more) to try ten times as many on your machine.
"""

from __future__ import annotations

import functools
import io
import json
import os
import struct
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES, REPO, SAMPLE
from workbench.anonymise.lists import read_glossary, read_roster
from workbench.codebook import CodebookFile, parse_codebook, read_codebook
from workbench.errors import WorkbenchError
from workbench.ingest import SUPPORTED_SUFFIXES, Transcript, read_transcript
from workbench.participants import read_participants_csv

T = TypeVar("T")

_SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
# Far above any read here once it is linear (the slowest takes well under a second), far below the minutes a
# quadratic or exponential pattern takes on the long lines below.
HANG_SECONDS = 10


def fuzz(examples: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Return the settings for one fuzz test: a fixed number of derandomised examples and no per-example deadline."""
    return settings(
        max_examples=examples * _SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def outcome(call: Callable[[], T], name: str) -> T | None:
    """Return what the call returns, or None when it raised a WorkbenchError of one line naming the file."""
    started = time.perf_counter()
    try:
        return call()
    except WorkbenchError as error:
        message = str(error)
        assert message.strip(), "the error message is empty"
        assert message.splitlines() == [message], f"the error message is not one line: {message!r}"
        assert name in message, f"the error message does not name {name}: {message!r}"
        return None
    finally:
        elapsed = time.perf_counter() - started
        assert elapsed < HANG_SECONDS, f"reading {name} took {elapsed:.0f} s"


def check_transcript(name: str, data: bytes) -> Transcript | None:
    """Read a transcript from bytes; when it reads, every turn must be an ordered span of its text."""
    transcript = outcome(lambda: read_transcript(Path(name), data=data), name)
    if transcript is not None:
        assert transcript.text.strip()
        previous_end = 0
        for turn in transcript.turns:
            assert 0 <= turn.start <= turn.end <= len(transcript.text), turn
            assert turn.start >= previous_end, turn
            previous_end = turn.end
    return transcript


# --- Strategies ----------------------------------------------------------------------------------------------------

# Characters that matter to the readers: separators, quotes, brackets, digits, line breaks of every kind, invisible
# characters, a BOM, non-ASCII letters and digits (Arabic-Indic, superscript), and a surrogate-free random tail.
_INTERESTING = ":;,\t\"'[]()<>*_#-–—>|/\\.?!0123456789 \n\r\x0b\x0c\x85\u2028\u2029\u200b\ufeff\u00a0éß£٣²"
texts = st.text(alphabet=st.one_of(st.sampled_from(_INTERESTING), st.characters(codec="utf-8")), max_size=80)
words = st.text(alphabet=st.one_of(st.sampled_from("aeiouRSTLN ’'-."), st.sampled_from(_INTERESTING)), max_size=20)

LABELS = [
    "Interviewer", "I", "Int", "Q", "R", "A", "CW12", "CW", "Case Worker 3", "Participant (CW7)", "Interviewer (JS)",
    "Speaker 1", "Speaker 2", "Jane Smith", "Mr John O'Neil", "Dr. Ana de Souza", "Respondent", "P1", "Note",
    "Transcriber", "Date", "Interview", "**Interviewer:**", "__CW3__", "[Jane Smith]", "Smith, Jane", "Tom's iPhone",
]  # fmt: skip
TIMES = ["00:01:23", "0:05", "1:02:03.450", "0:0:3.0", "99:99", "12:45.200", "00:00:03,000"]
labels = st.one_of(st.sampled_from(LABELS), words)
times = st.one_of(st.sampled_from(TIMES), st.from_regex(r"\A\d{1,3}:\d{1,3}(:\d{1,3})?([.,]\d{1,4})?\Z"))


@st.composite
def transcript_lines(draw: st.DrawFn) -> str:
    """Return one line as transcripts write them: a label with a time here or there, a header field, or speech."""
    kind = draw(st.sampled_from(["label", "label", "time label", "label time", "time", "header", "speech", "blank"]))
    label, clock, body = draw(labels), draw(times), draw(texts)
    colon = draw(st.sampled_from([": ", ":", " : ", ":\t", " "]))
    return {
        "label": f"{label}{colon}{body}",
        "time label": f"[{clock}] {label}{colon}{body}",
        "label time": f"{label} {clock}",
        "time": draw(st.sampled_from([f"[{clock}]", f"{clock} --> {clock}", clock])),
        "header": f"{draw(st.sampled_from(['Date', 'Duration', 'Interviewer', 'Location', 'Mode']))}: {body}",
        "speech": body,
        "blank": "",
    }[kind]


@st.composite
def encoded(draw: st.DrawFn, text: str) -> bytes:
    """Return text in one of the encodings evaluators' tools write, with LF, CRLF or CR line ends."""
    text = text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"]))
    return text.encode(encoding, errors="replace")


@st.composite
def plain_transcripts(draw: st.DrawFn) -> bytes:
    """Return a .txt or .md transcript of random lines, sometimes under YAML front matter."""
    lines = draw(st.lists(transcript_lines(), max_size=25))
    if draw(st.booleans()):
        lines = [
            "---",
            *draw(st.lists(st.sampled_from(["title: x", "date: 2025", "a: 'b'", "...", ""]))),
            "---",
            *lines,
        ]
    return draw(encoded("\n".join(lines)))


# Cue text as Teams, Zoom, Otter and hand-made captions write it.
CUE_LINES = [
    "<v {speaker}>{body}</v>", "<v.loud {speaker}>{body}", "[{speaker}] {body}", ">> {speaker}: {body}",
    "{speaker}: {body}", "- {body}", "<i>{body}</i> &amp; &lt;", "{body}",
]  # fmt: skip


@st.composite
def captions(draw: st.DrawFn, subrip: bool) -> bytes:
    """Return a caption file near the valid: cues with random timings, voices, brackets and display names."""
    separator = "," if subrip else "."
    timestamp = st.builds(
        lambda hours, minutes, seconds, millis, sep: f"{hours}{minutes:02}:{seconds:02}{sep}{millis:03}",
        st.sampled_from(["", "00:", "1:", "99:", "123:"]),
        st.integers(0, 99),
        st.integers(0, 99),
        st.integers(0, 9999),
        st.sampled_from([separator, separator, ".", ",", ":"]),
    )
    blocks = [] if subrip else [draw(st.sampled_from(["WEBVTT", "WEBVTT - Teams", "WEBVTT\nKind: captions", ""]))]
    for number in range(draw(st.integers(0, 8))):
        cue = []
        if subrip or draw(st.booleans()):
            cue.append(str(number + 1) if draw(st.booleans()) else draw(words))
        arrow = draw(st.sampled_from([" --> ", "-->", " -> ", " --> ", " => "]))
        cue.append(f"{draw(timestamp)}{arrow}{draw(timestamp)}{draw(st.sampled_from(['', ' align:start', ' x']))}")
        for _ in range(draw(st.integers(0, 3))):
            template = draw(st.sampled_from(CUE_LINES))
            cue.append(template.format(speaker=draw(labels), body=draw(texts)))
        if draw(st.integers(0, 9)) == 0:
            cue = [draw(st.sampled_from(["NOTE a note", "STYLE", "REGION"])), *cue[1:]]
        blocks.append("\n".join(cue))
    return draw(encoded(draw(st.sampled_from(["\n\n", "\n", "\n\n\n"])).join(blocks) + "\n"))


@st.composite
def mutated(draw: st.DrawFn, original: bytes, fragments: list[bytes]) -> bytes:
    """Return the bytes with a few random edits: slices cut, doubled, flipped or overwritten, fragments inserted."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(data)))
        stop = draw(st.integers(start, min(len(data), start + 64)))
        operation = draw(st.sampled_from(["cut", "double", "flip", "insert", "fragment", "truncate"]))
        if operation == "cut":
            del data[start:stop]
        elif operation == "double":
            data[start:start] = data[start:stop]
        elif operation == "flip" and start < len(data):
            data[start] ^= 1 << draw(st.integers(0, 7))
        elif operation == "insert":
            data[start:stop] = draw(st.binary(max_size=16))
        elif operation == "fragment" and fragments:
            data[start:start] = draw(st.sampled_from(fragments))
        elif operation == "truncate":
            del data[start:]
    return bytes(data)


# --- Word documents ------------------------------------------------------------------------------------------------

DOCX_FILES = sorted(FIXTURES.glob("*.docx")) + sorted(SAMPLE.glob("*.docx"))
# Pieces of WordprocessingML to splice into document.xml: labels in bold, tables, wrappers, tracked changes, breaks.
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_XML_PIECES = [
    "<w:p>", "</w:p>", "<w:r>", "</w:r>", "<w:t>", "</w:t>", "<w:br/>", "<w:tab/>", "<w:cr/>", "<w:noBreakHyphen/>",
    '<w:p><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">Interviewer: </w:t></w:r>'
    "<w:r><w:t>So?</w:t></w:r></w:p>",
    '<w:p><w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t>CW3:</w:t></w:r></w:p>',
    '<w:p><w:r><w:rPr><w:rStyle w:val="Strong"/></w:rPr><w:t>Jane Smith</w:t></w:r></w:p>',
    "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Speaker</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Text</w:t></w:r></w:p>"
    "</w:tc></w:tr><w:tr><w:tc><w:p><w:r><w:t>I</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
    "<w:tbl><w:tr><w:tc><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl>",
    "<w:sdt><w:sdtContent>", "</w:sdtContent></w:sdt>", "<w:del><w:r><w:t>gone</w:t></w:r></w:del>",
    "<w:body>", "</w:body>", f"<w:document {W}/>", "&amp;", "&#0;", "&nosuch;", "<!-- c -->", "<![CDATA[x]]>",
    '<!DOCTYPE d [<!ENTITY e "eeeeeeee">]>', "\x00", "\ufeff", "Interviewer: ", "\n\n",
]  # fmt: skip
XML_FRAGMENTS = [piece.encode() for piece in _XML_PIECES]


@functools.cache
def docx_members(path: Path) -> tuple[tuple[zipfile.ZipInfo, bytes], ...]:
    """Return the parts of a .docx, read once."""
    with zipfile.ZipFile(path) as archive:
        return tuple((info, archive.read(info)) for info in archive.infolist())


def rezip(members: list[tuple[str, bytes]], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """Return a zip archive of (name, content) members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in members:
            archive.writestr(name, content)
    return buffer.getvalue()


def with_part(path: Path, name: str, content: bytes) -> bytes:
    """Return a real .docx with one part's content replaced."""
    return rezip([(info.filename, content if info.filename == name else old) for info, old in docx_members(path)])


def with_headers(data: bytes, *, flags: int = 0, method: int | None = None) -> bytes:
    """Return a zip whose members all have these flag bits set (1: encrypted) or this compression method."""
    patched = bytearray(data)
    for signature, flags_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        at = patched.find(signature)
        while at >= 0:
            patched[at + flags_at] |= flags
            if method is not None:
                patched[at + method_at : at + method_at + 2] = struct.pack("<H", method)
            at = patched.find(signature, at + 4)
    return bytes(patched)


docx_paths = st.sampled_from(DOCX_FILES)


@st.composite
def docx_with_mutated_part(draw: st.DrawFn) -> bytes:
    """Return a real .docx whose document.xml, styles.xml or [Content_Types].xml has had a few random edits."""
    members = docx_members(draw(docx_paths))
    names = [info.filename for info, _ in members]
    target = draw(st.sampled_from([name for name in names if name.endswith(".xml")] + ["word/document.xml"] * 4))
    edited = [
        (info.filename, draw(mutated(content, XML_FRAGMENTS)) if info.filename == target else content)
        for info, content in members
        if info.filename != target or draw(st.integers(0, 19)) > 0  # now and then the part is missing altogether
    ]
    return rezip(edited, compression=draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])))


@st.composite
def docx_with_random_body(draw: st.DrawFn) -> bytes:
    """Return a valid .docx whose body is random paragraphs (bold labels, breaks, plain runs) and tables."""

    def run(text: str, bold: str | None) -> str:
        properties = "" if bold is None else f"<w:rPr>{bold}</w:rPr>"
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<w:r>{properties}<w:t xml:space="preserve">{escaped}</w:t></w:r>'

    xml_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]) | st.sampled_from(":[] "))
    bolds = st.sampled_from([None, None, "<w:b/>", '<w:b w:val="false"/>', '<w:rStyle w:val="Strong"/>'])
    runs = st.lists(
        st.builds(run, st.one_of(labels.map(lambda label: label + ":"), xml_text, texts), bolds), max_size=4
    )
    paragraph = runs.map(lambda found: "<w:p>" + "<w:r><w:br/></w:r>".join(found) + "</w:p>")
    cell = runs.map(lambda found: "<w:tc><w:p>" + "".join(found) + "</w:p></w:tc>")
    row = st.lists(cell, min_size=1, max_size=3).map(lambda cells: "<w:tr>" + "".join(cells) + "</w:tr>")
    table = st.lists(row, max_size=4).map(lambda rows: "<w:tbl>" + "".join(rows) + "</w:tbl>")
    body = "".join(draw(st.lists(st.one_of(paragraph, paragraph, table), max_size=12)))
    document = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W}><w:body>{body}</w:body></w:document>'
    )
    # Characters XML 1.0 forbids make the document invalid, which the reader must report, not crash on.
    return with_part(DOCX_FILES[0], "word/document.xml", document.encode())


random_zips = st.lists(
    st.tuples(
        st.sampled_from(["word/document.xml", "[Content_Types].xml", "_rels/.rels", "content.xml", "x"])
        | words.filter(bool),
        st.binary(max_size=64) | st.sampled_from([b"<w:document/>", b"<?xml version='1.0'?><a/>"]),
    ),
    max_size=4,
    unique_by=lambda member: member[0],
).map(rezip)


# --- Transcripts ---------------------------------------------------------------------------------------------------


CUE = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n"


@fuzz(500)
@given(suffix=st.sampled_from(SUPPORTED_SUFFIXES), data=st.binary(max_size=400))
# Each of these took from 15 s to hours before its pattern was made linear (see captions.py, speakers.py, turns.py).
@example(suffix=".vtt", data=b"WEBVTT\n\n" + b"1:1" * 20_000)  # a clock, then no arrow: rescanned from every digit
@example(suffix=".srt", data=b"1\n" + b"0:" * 40_000)
@example(suffix=".vtt", data=CUE + b"<v" + b".a" * 30 + b"!")  # every split of ".a.a.a..." into voice classes
@example(suffix=".vtt", data=CUE + b"<v" + b" " * 60_000 + b"x")  # a voice tag never closed
@example(suffix=".vtt", data=CUE + b"<a" * 100_000)  # nor a tag
@example(suffix=".txt", data=b"A" + b" " * 20_000 + b"x")  # a name and a long run of spaces: two \s* in a row
@example(suffix=".txt", data=b"Date: 1\n" + b"".join(b"K%d: v\n" % number for number in range(10_000)))
def test_any_bytes_as_a_transcript(suffix: str, data: bytes) -> None:
    check_transcript(f"x{suffix}", data)


# Units that the transcript patterns look for; a long run of one of them finds backtracking that is quadratic or
# worse, which short random inputs never show.
UNITS = [
    "1:1", "0:", "<v.", "<v ", "<a", "[", "[0:0", "**", "__", "(", "(a", "a:", "A: ", "A ", " ", "\t", "- ", "->",
    "-->", "0:00:00.000 --> ", "&#", ":", "a", "1", "I: ", "CW1 ", "[0:00] ", "0:00:01 A ", "A:\n", "Zz%d: 1\n",
    "\u2028", "é",
]  # fmt: skip
PREFIXES = {
    ".txt": ["", "Date: 1\n"],
    ".md": ["", "---\n"],
    ".vtt": ["WEBVTT\n\n", CUE.decode()],
    ".srt": ["1\n", "1\n00:00:01,000 --> 00:00:02,000\n"],
}


@fuzz(60)
@given(
    suffix=st.sampled_from(sorted(PREFIXES)),
    in_cue=st.booleans(),
    unit=st.sampled_from(UNITS),
    count=st.integers(2_000, 20_000),
)
def test_long_runs_of_one_pattern_read_in_linear_time(suffix: str, in_cue: bool, unit: str, count: int) -> None:
    body = "".join(unit.replace("%d", str(number)) for number in range(count)) if "%d" in unit else unit * count
    check_transcript(f"x{suffix}", (PREFIXES[suffix][in_cue] + body).encode())


@fuzz(300)
@given(suffix=st.sampled_from([".txt", ".md"]), data=plain_transcripts())
def test_near_valid_text_transcripts(suffix: str, data: bytes) -> None:
    check_transcript(f"x{suffix}", data)


@fuzz(300)
@given(subrip=st.booleans(), data=st.data())
def test_near_valid_caption_transcripts(subrip: bool, data: st.DataObject) -> None:
    check_transcript("x.srt" if subrip else "x.vtt", data.draw(captions(subrip)))


@fuzz(200)
@given(data=st.data())
def test_real_word_documents_with_damaged_bytes(data: st.DataObject) -> None:
    original = data.draw(docx_paths).read_bytes()
    check_transcript("x.docx", data.draw(mutated(original, [b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"])))


@fuzz(200)
@given(data=docx_with_mutated_part())
def test_real_word_documents_with_damaged_xml(data: bytes) -> None:
    check_transcript("x.docx", data)


@fuzz(150)
@given(data=docx_with_random_body())
def test_word_documents_with_random_bodies(data: bytes) -> None:
    check_transcript("x.docx", data)


@fuzz(200)
@given(data=random_zips)
@example(data=b"PK\x05\x06PK\x03\x04\x14\x00\x08\x08\x08\x00Trw]\x00\x00\x00\x00")  # an end record, a bad directory
@example(data=rezip([("word/document.xml", b""), ("[Content_Types].xml", b"<_/>")]))  # python-docx trusts the root
@example(data=with_part(DOCX_FILES[0], "word/document.xml", f"<w:document {W}/>".encode()))  # no body
@example(data=with_part(DOCX_FILES[0], "word/document.xml", b"<a/>"))  # no document
@example(data=with_headers(DOCX_FILES[0].read_bytes(), flags=1))  # encrypted parts: zipfile raises RuntimeError
@example(data=with_headers(DOCX_FILES[0].read_bytes(), method=99))  # NotImplementedError
@example(data=with_headers(DOCX_FILES[0].read_bytes(), method=12))  # bz2 raises OSError on deflated data
def test_random_zip_archives_as_word_documents(data: bytes) -> None:
    check_transcript("x.docx", data)


# --- Codebooks -----------------------------------------------------------------------------------------------------

CODEBOOKS = sorted((REPO / "codebooks").glob("*.yaml"))
_YAML_PIECES = [
    "\n", "\n  ", "\n- ", "- ", ": ", ":", "#", '"', "'", "[", "]", "{", "}", "&a ", "*a", "<<: *a\n", "? ", "~",
    "!!binary ", "!!timestamp ", "!!python/object:os.system ", "!custom ", "!!int ", "!!bool ", "!!float ", "!!omap ",
    "!!set ", "null", "true", "0x1F", "1e3", "2025-03-12", "2025-02-30", "\t", "%YAML 1.1\n", "---\n", "...\n", "|\n",
    ">-\n", "id: ", "name: ", "parent: ", "codes:\n", "codes: []", "keywords: ", "colour: ", "themes: ", "\\u2028",
    '"a\\nb": ', "\x00", "\ufeff", "\u2028", "\x85", "- &a {id: a, name: A}\n", "- <<: *a\n", "- " * 50,
]  # fmt: skip
YAML_FRAGMENTS = [piece.encode() for piece in _YAML_PIECES]
yaml_keys = st.sampled_from(["id", "name", "description", "themes", "parent", "codes", "keywords", "colour"]) | words
yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), words, texts, st.sampled_from(["#FFF", "a.b"])
)


def yaml_containers(inner: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.lists(inner, max_size=3) | st.dictionaries(yaml_keys, inner, max_size=4)


yaml_values = st.recursive(yaml_scalars, yaml_containers, max_leaves=12)


@fuzz(300)
@given(text=st.text(max_size=300) | st.text(alphabet=st.sampled_from(":-[]{}#&*!?|>'\"\n id"), max_size=200))
@example(text='"a\\nb": 1')  # a line break in a key, an id, a name, a colour or a parent must not break the message
@example(text='name: x\nthemes:\n- id: "a\\nb"\n  name: A\n')
@example(text='name: x\nthemes:\n- name: "a\\nb"\n')
@example(text='name: x\nthemes:\n- id: a\n  name: A\n  colour: "#a\\nb"\n')
@example(text='name: x\nthemes:\n- id: a\n  name: A\n  parent: "a\\nb"\n')
@example(text="a: |\n  x\n  y\na: 1\n")  # the duplicate key's values, quoted in ruamel's message
# ruamel builds typed values with date(), int(), float() and a table of booleans, which raise without a line.
@example(text="a: 2025-02-30")
@example(text="a: !!bool x")
@example(text="a: !!int 0x")
@example(text="a: !!float .")
@example(text="a: " + "1" * 5_000)  # int() refuses more than 4,300 digits
@example(text="- " * 2_000)  # ruamel recurses once per level
@example(text="name: x\nthemes:\n- &a {id: a, name: A}\n- <<: *a\n  name: B\n")  # merged keys have no line
@example(text="name: x\nthemes:\n- !!omap [id: a]\n")  # nor have the keys of an ordered map
def test_any_text_as_a_codebook(text: str) -> None:
    outcome(lambda: parse_codebook(text, "x.yaml"), "x.yaml")


@fuzz(250)
@given(data=st.data())
def test_real_codebooks_with_random_edits(data: st.DataObject) -> None:
    original = data.draw(st.sampled_from(CODEBOOKS)).read_bytes()
    text = data.draw(mutated(original, YAML_FRAGMENTS)).decode("utf-8", errors="replace")
    outcome(lambda: parse_codebook(text, "x.yaml"), "x.yaml")


@fuzz(250)
@given(document=st.dictionaries(yaml_keys, yaml_values, max_size=5), flow=st.booleans())
def test_codebook_shaped_yaml(document: dict[str, object], flow: bool) -> None:
    # JSON is YAML: a quick way to write any structure of keys and values, with every string quoted.
    text = json.dumps(document, indent=None if flow else 2, ensure_ascii=False)
    outcome(lambda: parse_codebook(text, "x.yaml"), "x.yaml")


@fuzz(200)
@given(data=st.binary(max_size=300) | st.text(max_size=200).map(str.encode))
def test_any_bytes_as_a_codebook_file(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.yaml"
        path.write_bytes(data)
        outcome(lambda: read_codebook(path), "x.yaml")


# --- Participants, roster and glossary -----------------------------------------------------------------------------

PARTICIPANT_COLUMNS = ["id", "ID", "Participant", "participant id", "case_worker", "label", "role", "team", "years"]
ROSTER_COLUMNS = ["original", "category", "replacement", "Original", "CATEGORY", "note"]
CATEGORY_VALUES = ["person", "place", "organisation", "organization", "service user", "staff", "date", "nope"]
IDS = ["1", "01", "12", "CW12", "Case Worker 3", "P 4", "cw-012", "٣", "²", "1" * 5000, "x", ""]


def cell(values: list[str]) -> st.SearchStrategy[str]:
    """A CSV cell: a likely value or any text, bare or quoted (quotes doubled, or left open as hand edits do)."""
    raw = st.sampled_from(values) | texts
    return st.builds(
        lambda value, quoting: {
            "bare": value,
            "quoted": '"' + value.replace('"', '""') + '"',
            "broken": '"' + value,
        }[quoting],
        raw,
        st.sampled_from(["bare", "bare", "quoted", "broken"]),
    )


@st.composite
def csv_files(draw: st.DrawFn, columns: list[str], values: list[str]) -> bytes:
    """Return a CSV near the valid: a header of likely columns, rows of likely values, any separator and encoding."""
    separator = draw(st.sampled_from([",", ";", "\t", ", "]))
    header = draw(st.lists(cell(columns), max_size=5))
    rows = draw(st.lists(st.lists(cell(values), max_size=6), max_size=6))
    return draw(encoded("\n".join(separator.join(row) for row in [header, *rows])))


@fuzz(300)
@given(data=st.binary(max_size=300) | csv_files(PARTICIPANT_COLUMNS, [*IDS, "Case Worker 1", "social worker"]))
@example(data=b"id\n\xb2\n")  # a superscript digit passes str.isdigit() but int() refuses it
@example(data=b"id\n" + b"1" * 5000 + b"\n")  # int() refuses more than 4,300 digits
@example(data=b'name,"years\nin post"\nA,2\n')  # a line break in a header cell must not break the message
@example(data=b'id\n1 2\n"1\n2"\n')  # nor one in an id listed twice
def test_any_participants_csv(data: bytes) -> None:
    outcome(lambda: read_participants_csv(Path("x.csv"), data), "x.csv")


@fuzz(300)
@given(data=st.binary(max_size=300) | csv_files(ROSTER_COLUMNS, [*CATEGORY_VALUES, "Denise Walsh", "Leeds"]))
def test_any_roster_csv(data: bytes) -> None:
    outcome(lambda: read_roster(Path("x.csv"), data), "x.csv")


@fuzz(200)
@given(data=st.binary(max_size=300) | texts.map(str.encode))
def test_any_glossary(data: bytes) -> None:
    outcome(lambda: read_glossary(Path("x.txt"), data), "x.txt")


EDITS = [
    lambda book, a, b: book.update(a, name="Renamed", colour="#123456"),
    lambda book, a, b: book.update(a, colour="", definition="", keywords=[]),
    lambda book, a, b: book.move(a, b),
    lambda book, a, b: book.move(a, None, before=b),
    lambda book, a, b: book.merge(a, b),
    lambda book, a, b: book.delete(a),
    lambda book, a, b: book.add(id="new.code", name="New", parent=a, colour="#abc"),
]
SHARING = [
    (REPO / "tests" / "test_codebooks.py").read_text("utf-8").split('SHARED = """\\\n')[1].split('"""')[0],
    "name: S\nd: &d {colour: '#aabbcc', keywords: [k]}\nthemes:\n  - &t\n    id: t\n    name: T\n    <<: *d\n"
    "  - <<: *t\n    id: u\n  - id: v\n    parent: t\n    name: V\n    definition: &def Shared.\n"
    "  - {id: w, name: W, parent: u, definition: *def}\n",
]


@fuzz(100)
@given(data=st.data())
def test_random_edits_of_codebooks_that_share_values_with_anchors(data: st.DataObject) -> None:
    """An edit of a valid codebook using anchors and merge keys is made and reads back as the model it left, or is
    refused in one line, the text as it was."""
    original = data.draw(st.sampled_from(SHARING)).encode()
    if data.draw(st.booleans()):
        original = data.draw(mutated(original, YAML_FRAGMENTS))
    try:
        book = CodebookFile.parse(original.decode("utf-8", errors="replace"), "x.yaml")
    except WorkbenchError:
        return
    for _ in range(3):
        ids = [code.id for code in book.codebook.codes] or ["none"]
        before = book.dump()
        edit = data.draw(st.sampled_from(EDITS))
        try:
            edit(book, data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(ids)))
        except WorkbenchError as error:
            assert str(error).splitlines() == [str(error)]
            assert book.dump() == before
            continue
        assert parse_codebook(book.dump(), "x.yaml") == book.codebook
