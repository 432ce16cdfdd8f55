"""Fuzzing the REFI-QDA importers: a .qdpx project and a .qdc codebook from any bytes, or from valid files mutated.

Every case ends in success or in a WorkbenchError of one line naming the file (see tests/test_fuzz.py), and a
failed import leaves no project folder behind and no codebook file written. The mutations work on the XML's
structure (attributes, positions, GUIDs, elements removed, doubled, moved or renamed, other encodings) as well as on
its bytes (cuts, flips, truncation). The runs are derandomised; FUZZ_SCALE=10 tries ten times as many.
"""

from __future__ import annotations

import copy
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from tests.test_fuzz import fuzz, mutated, outcome, rezip
from tests.test_refi_import import CODE, INTERVIEW, SOURCE, USER, project_xml
from workbench.project import Project
from workbench.refi.archive import Archive
from workbench.refi.import_qdpx import import_qdpx
from workbench.refi.qdc_import import import_qdc, read_qdc
from workbench.refi.qde import read_qde

NAME = "study.qdpx"
TEMPLATE = project_xml([(16, 24), (71, 79), (4, 200), (3, 3)], extra='<Graphs><Graph guid="G"/></Graphs>')
SOURCE_MEMBER = f"sources/{SOURCE}.txt"
QDC = """<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="QualCoder 3.8">
  <Codes>
    <Code guid="0B7F5D8E-2C1A-4F0E-8E21-5A3C9D2B7E01" name="Barriers" isCodable="false" color="#E06C75">
      <Description>Definition: Things in the way.

Keywords: cost, time</Description>
      <Code guid="1C8A6E9F-3D2B-4A1F-9F32-6B4DAE3C8F02" name="Cost" isCodable="true" color="rgb(1, 2, 3)"/>
    </Code>
  </Codes>
  <Sets><Set guid="5E7B0C1D-0000-4000-8000-000000000009" name="All">
    <MemberCode targetGUID="0B7F5D8E-2C1A-4F0E-8E21-5A3C9D2B7E01"/>
    <MemberCode targetGUID="1C8A6E9F-3D2B-4A1F-9F32-6B4DAE3C8F02"/></Set></Sets>
</CodeBook>
"""

_ATTRIBUTES = [
    "guid", "targetGUID", "startPosition", "endPosition", "name", "color", "plainTextPath", "creatingUser",
    "origin", "isCodable", "creatingUserGUID", "originGUID",
]  # fmt: skip
_VALUES = [
    "", " ", "0", "-1", "3", "24", "25", "80", "81", "1e3", "0x10", "9" * 40, "-" + "9" * 40, "١٢", "²", "nan",
    CODE, CODE.lower(), f"{{{CODE}}}", SOURCE, USER, "not-a-guid", "internal://", f"internal://{SOURCE}.txt",
    f"internal://sources/{SOURCE}.txt", "internal://../etc/passwd", "internal:///x.txt", "file:///etc/passwd",
    "relative.txt", "internal://%2e%2e/x", "#FFF", "rgb(300, 0, 0)", "rgba(1,2,3,0.5)", "#GGGGGG", "true", "false",
    "\u200b", "Participant 0", "CW12", "a/b\\c", ".", "..", "\ufeff", "x" * 300, "\x7f", "\x81", "a\u2028b", "a\x85b",
]  # fmt: skip
_TAGS = [
    "TextSource", "PictureSource", "PDFSource", "AudioSource", "Transcript", "PlainTextSelection", "Coding", "CodeRef",
    "Code", "Codes", "CodeBook", "Case", "Cases", "SourceRef", "Note", "Notes", "NoteRef", "Link", "Links", "Set",
    "MemberCode", "Variable", "VariableValue", "VariableRef", "PlainTextContent", "Description", "User", "Project",
]  # fmt: skip
_XML_PIECES = [
    "<", ">", "</Code>", "<Code>", "<Code guid=''>", '<CodeRef targetGUID="x"/>', "&amp;", "&#0;", "&#xD800;",
    "&nosuch;", "<!-- c -->", "<![CDATA[x]]>", '<!DOCTYPE d [<!ENTITY e "eeeeeeee">]>', "\x00", "\ufeff", '"', "'",
    ' startPosition="-5"', ' endPosition="999999999999999999999"', ' xmlns="urn:other"', ' xmlns:a="x" a:name="y"',
]  # fmt: skip
XML_FRAGMENTS = [piece.encode() for piece in _XML_PIECES]
ENCODINGS = ["utf-8", "utf-8", "utf-16", "utf-16-le", "iso-8859-1", "ascii", "cp1252"]


@st.composite
def mutated_tree(draw: st.DrawFn, xml: str) -> bytes:
    """Return the XML with a few structural edits, written in some encoding (and now and then byte-level edits)."""
    root = ET.fromstring(xml.removeprefix("\ufeff").encode("utf-8"))
    for _ in range(draw(st.integers(1, 5))):
        elements = list(root.iter())
        parents = {child: parent for parent in elements for child in parent}
        element = draw(st.sampled_from(elements))
        operation = draw(st.sampled_from(["set", "set", "set", "unset", "remove", "double", "move", "text", "tag"]))
        if operation == "set":
            value = draw(st.sampled_from(_VALUES) | st.text(max_size=12) | st.integers(-5, 500).map(str))
            element.set(draw(st.sampled_from(_ATTRIBUTES)), value)
        elif operation == "unset" and element.attrib:
            del element.attrib[draw(st.sampled_from(sorted(element.attrib)))]
        elif operation in ("remove", "double", "move") and element in parents:
            parent = parents[element]
            if operation == "remove":
                parent.remove(element)
            elif operation == "double":
                parent.append(copy.deepcopy(element))
            else:
                target = draw(st.sampled_from(elements))
                if element not in list(target.iter()):
                    parent.remove(element)
                    target.append(element)
        elif operation == "text":
            element.text = draw(st.text(max_size=20) | st.sampled_from(["", "42", "Participant 3", "x" * 200]))
        elif operation == "tag":
            namespace = element.tag.partition("}")[0] + "}" if element.tag.startswith("{") else ""
            element.tag = namespace + draw(st.sampled_from(_TAGS))
    encoding = draw(st.sampled_from(ENCODINGS))
    try:
        data = ET.tostring(root, encoding=encoding, xml_declaration=True)
    except UnicodeEncodeError:
        data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    if draw(st.integers(0, 3)) == 0:
        data = draw(mutated(data, XML_FRAGMENTS))
    return data


source_texts = st.sampled_from(
    [
        INTERVIEW.encode("utf-8"),
        b"\xef\xbb\xbf" + INTERVIEW.encode("utf-8"),
        INTERVIEW.replace("\n", "\r\n").encode("utf-16"),
        INTERVIEW.encode("utf-8", errors="replace").replace(b"\xf0\x9f\x98\x80", b"\xe9"),
        b"",
        b"\x00\x01\x02",
        b"\xff\xfe",
        INTERVIEW.encode("utf-8") * 50,
    ]
) | st.binary(max_size=60)


@st.composite
def qdpx_archives(draw: st.DrawFn) -> bytes:
    """Return a .qdpx holding a mutated project.qde and its source text, with members now and then renamed or left
    out, and a second .qde now and then."""
    members = [
        (draw(st.sampled_from(["project.qde"] * 5 + ["Project.QDE", "atlas project.qde", "nested/project.qde"])),
         draw(mutated_tree(TEMPLATE))),
        (draw(st.sampled_from([SOURCE_MEMBER, f"Sources/{SOURCE}.txt", f"{SOURCE}.txt", "sources/other.txt"])),
         draw(source_texts)),
    ]  # fmt: skip
    if draw(st.integers(0, 19)) == 0:
        members.append(("second.qde", TEMPLATE.encode("utf-8")))
    if draw(st.integers(0, 19)) == 0:
        members.pop(draw(st.integers(0, 1)))
    return rezip(members, compression=draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])))


random_zips = st.lists(
    st.tuples(
        st.sampled_from(["project.qde", "a.QDE", "sources/a.txt", "x/../y.qde", "/abs.qde", "C:/p.qde", "d/"])
        | st.text(max_size=12).filter(lambda name: name.strip("/") and "\x00" not in name),
        st.binary(max_size=40)
        | st.sampled_from([b"<Project/>", b"<Project><Sources><TextSource/></Sources></Project>"]),
    ),
    max_size=4,
    unique_by=lambda member: member[0],
).map(rezip)


def check_plan(data: bytes) -> None:
    """Read a .qdpx's project.qde into an import plan (no project is made): fast, so it takes most examples."""
    path = Path(NAME)

    def read() -> object:
        archive = Archive(path, data)
        try:
            return read_qde(archive, path)
        finally:
            archive.close()

    outcome(read, NAME)


def check_import(data: bytes) -> None:
    """Import a .qdpx into a new folder: a project that opens, or an error and no folder."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "imported"
        report = outcome(lambda: import_qdpx(Path(temporary) / NAME, folder, "fuzzer", data=data), NAME)
        if report is None:
            assert not folder.exists(), "a failed import left a project folder behind"
            return
        with Project.open(folder, actor="checker") as project:
            assert len(project.documents()) == len(report.documents)
            assert not any(loaded.changed_on_disk for loaded in project.codebooks.loaded())


@fuzz(200)
@given(data=st.binary(max_size=300) | random_zips)
@example(data=b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
@example(data=rezip([("project.qde", b"")]))
@example(data=rezip([("project.qde", b"<Project/>")]))
def test_any_bytes_as_a_qdpx(data: bytes) -> None:
    check_import(data)


@fuzz(400)
@given(data=qdpx_archives())
def test_qdpx_with_mutated_project_xml_plans(data: bytes) -> None:
    check_plan(data)


@fuzz(70)
@given(data=qdpx_archives())
def test_qdpx_with_mutated_project_xml_imports_or_leaves_nothing(data: bytes) -> None:
    check_import(data)


def check_qdc(data: bytes) -> None:
    """Convert a .qdc to YAML: the file is written, or an error and no file."""
    with tempfile.TemporaryDirectory() as temporary:
        source, target = Path(temporary) / "codes.qdc", Path(temporary) / "codes.yaml"
        source.write_bytes(data)
        if outcome(lambda: import_qdc(source, target), "codes.qdc") is None:
            assert not target.exists(), "a failed conversion wrote the codebook file"
        else:
            assert target.read_text("utf-8").startswith("# Imported from codes.qdc")


@fuzz(150)
@given(data=st.binary(max_size=300))
@example(data=b"")
@example(data=b"<CodeBook/>")
@example(data=b"<Project><CodeBook/></Project>")
@example(data=QDC.replace("utf-8", "utf-16-le").encode("utf-16-le"))  # expat cannot take multi-byte encodings
@example(data=QDC.replace("utf-8", "Shift_JIS").encode("shift_jis"))
@example(data=QDC.replace("utf-8", "no-such-encoding").encode())
def test_any_bytes_as_a_qdc(data: bytes) -> None:
    check_qdc(data)


@fuzz(300)
@given(data=mutated_tree(QDC))
@example(data=QDC.replace('origin="QualCoder 3.8"', 'origin="\x7f"').encode())  # into the YAML's header comment
@example(data=QDC.replace('name="All"', 'name="\x81"').encode())  # the codebook's name, from the Set
def test_qdc_with_mutated_xml(data: bytes) -> None:
    outcome(lambda: read_qdc(data, "codes.qdc"), "codes.qdc")


@fuzz(60)
@given(data=mutated_tree(QDC))
def test_qdc_with_mutated_xml_converts_or_writes_nothing(data: bytes) -> None:
    check_qdc(data)
