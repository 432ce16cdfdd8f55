"""REFI-QDA import: .qdpx projects and .qdc codebooks from NVivo, MAXQDA, ATLAS.ti, QualCoder and Taguette.

The real samples are read from ../shared/refi beside the repository (never copied: the NVivo texts are real social
media comments); small archives, safe and malicious, are built here.
"""

from __future__ import annotations

import collections
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import run_cli, sign_off_everything
from workbench.cli_common import Context
from workbench.cli_refi_import import import_qdc_command, import_qdpx_command
from workbench.codebook import parse_codebook, read_codebook
from workbench.errors import WorkbenchError
from workbench.project import Project
from workbench.refi.align import align
from workbench.refi.import_qdpx import import_qdpx
from workbench.refi.positions import NVIVO, STANDARD, Positions
from workbench.refi.qdc_import import import_qdc, split_description
from workbench.refi.read_xml import colour

REFI = Path(__file__).parents[1].parent / "shared" / "refi"
SAMPLES = REFI / "samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="the REFI-QDA samples are not in ../shared/refi")

USER = "6F1C2E0A-8C44-4B8E-9B0B-0E6B3C1D2A11"
CODE = "1C8A6E9F-3D2B-4A1F-9F32-6B4DAE3C8F02"
SOURCE = "4FBD91C2-6A5E-4D42-8265-9E70D16FBC05"
INTERVIEW = (
    "Interviewer: How was the training before the RAS?\n"
    "CW: The training was rushed and the paperwork never ended. 😀 My manager helped.\n"
)


def make_qdpx(path: Path, members: dict[str, bytes | str], *, stored: bool = False) -> Path:
    """Write a .qdpx (a zip) holding the given members."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return path


def project_xml(
    selections: list[tuple[int, int]], *, origin: str = "QualCoder 3.8", extra: str = "", namespace: str = "1.0"
) -> str:
    """A small project.qde: one user, a theme with one code, a case, one text source with coded selections."""
    coded = "".join(
        f'<PlainTextSelection guid="{index:08X}-0000-4000-8000-000000000001" startPosition="{start}" '
        f'endPosition="{end}" creatingUser="{USER}"><Coding guid="{index:08X}-0000-4000-8000-000000000002" '
        f'creatingUser="{USER}"><CodeRef targetGUID="{CODE.lower()}"/></Coding></PlainTextSelection>'
        for index, (start, end) in enumerate(selections)
    )
    return f"""\ufeff<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:{namespace}" name="Training study" origin="{origin}">
  <Users><User guid="{{{USER}}}" name="Ana Coder"/></Users>
  <CodeBook><Codes>
    <Code guid="0B7F5D8E-2C1A-4F0E-8E21-5A3C9D2B7E01" name="Barriers" isCodable="false" color="rgb(224, 108, 117)">
      <Code guid="{CODE}" name="Paperwork" isCodable="true" color="#FFAA00">
        <Description>Definition: Forms and records.

Inclusion: Complaints about forms.</Description>
        <NoteRef targetGUID="8DF1D506-AE92-4186-86A9-D2B415A3F009"/>
      </Code>
    </Code>
  </Codes></CodeBook>
  <Cases><Case guid="3EAC80B1-5F4D-4C31-B154-8D6FC05EAB04" name="Case Worker 7">
    <SourceRef targetGUID="{SOURCE}"/></Case></Cases>
  <Sources><TextSource guid="{SOURCE}" name="Interview A.docx" plainTextPath="internal://{SOURCE}.txt">{coded}
  </TextSource></Sources>
  <Notes><Note guid="8DF1D506-AE92-4186-86A9-D2B415A3F009" name="Recommendation" creatingUser="{USER}">
    <PlainTextContent>Simplify the forms.</PlainTextContent></Note></Notes>
  <Sets><Set guid="5E7B0C1D-0000-4000-8000-000000000009" name="Set A"><MemberSource targetGUID="{SOURCE}"/></Set></Sets>
  {extra}
</Project>"""


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def pending(folder: Path) -> list[tuple[int, int, int, str, str]]:
    connection = sqlite3.connect(folder / "project.db")
    try:
        return connection.execute(
            'SELECT document_id, start, "end", code_id, coder FROM pending_codings ORDER BY id'
        ).fetchall()
    finally:
        connection.close()


# --- a hand-made project, through review to quotes ------------------------------------------------------------------


def test_a_labelled_transcript_keeps_its_coding_through_review_and_lands_on_exactly_the_coded_words(
    tmp_path: Path,
) -> None:
    selection = span(INTERVIEW, "the paperwork never ended")
    qde = project_xml([selection, selection])  # the same selection twice: NVivo repeats them
    archive = make_qdpx(tmp_path / "study.qdpx", {"project.qde": qde, f"Sources/{SOURCE}.txt": INTERVIEW})
    folder = tmp_path / "imported"
    report = import_qdpx(archive, folder, "alice")
    assert (len(report.documents), report.codes, report.codings, report.merged, report.memos) == (1, 2, 1, 1, 1)
    assert report.dropped == {"sets": 1}
    with Project.open(folder, actor="alice") as project:
        (document,) = project.documents()
        assert document.status == "imported"  # in anonymisation review like any other transcript
        (participant,) = project.participants()
        assert (participant.id, participant.label) == ("7", "Case Worker 7")
        paperwork = project.codebooks.codes()["qualcoder.paperwork"]
        assert (paperwork.own_colour, paperwork.definition, paperwork.inclusion) == (
            "#ffaa00",
            "Forms and records.",
            "Complaints about forms.",
        )
        assert project.codebooks.codes()["qualcoder.barriers"].own_colour == "#e06c75"
        (memo,) = project.coding.memos("code", "qualcoder.paperwork")
        assert (memo.kind, memo.text, memo.author) == ("recommendation", "Simplify the forms.", "Ana Coder")
    sign_off_everything(folder)
    with Project.open(folder, actor="alice") as project:
        (quote,) = project.quotes()
    assert (quote.text, quote.code, quote.coder, quote.citation) == (
        "the paperwork never ended",
        "qualcoder.paperwork",
        "Ana Coder",
        "(Case Worker 7)",
    )


def test_nvivo_positions_count_utf16_units_and_crlf_as_two_after_a_bom(tmp_path: Path) -> None:
    text = INTERVIEW.replace("\n", "\r\n")
    start, end = span(text, "My manager helped")  # after an emoji and two CRLFs

    def units(index: int) -> int:
        return len(text[:index].encode("utf-16-le")) // 2

    qde = project_xml([(units(start), units(end))], origin="NVivo for Windows 12.6", namespace="1:0")
    archive = make_qdpx(
        tmp_path / "nvivo.qdpx",
        {"Any Name.qde": qde, f"sources/{SOURCE.lower()}.txt": b"\xef\xbb\xbf" + text.encode("utf-8")},
    )
    import_qdpx(archive, tmp_path / "nvivo", "alice")
    ((document_id, new_start, new_end, code, coder),) = pending(tmp_path / "nvivo")
    with Project.open(tmp_path / "nvivo", actor="alice") as project:
        working = project.working_document(document_id).text
    assert (working[new_start:new_end], code, coder) == ("My manager helped", "nvivo.paperwork", "Ana Coder")


def test_positions_map_units_to_code_points_over_lf_text() -> None:
    raw = "a😀 b\r\nword"
    assert Positions(raw, NVIVO).point(7) == "a😀 b\nword".index("w")
    assert Positions(raw, STANDARD).point(5) == "a😀 b\nword".index("w")
    assert Positions(raw, NVIVO).length == 11 and Positions(raw, STANDARD).length == 9


def test_alignment_survives_insertions_deletions_and_repeated_words() -> None:
    a = ["the", "cat", "sat", "on", "the", "mat", "and", "the", "dog", "sat", "on", "the", "log"]
    b = ["Interviewer:", "the", "cat", "sat", "on", "the", "mat", "the", "dog", "sat", "on", "a", "log"]
    match = align(a, b)
    assert [b[j] if j >= 0 else None for j in match] == [
        "the", "cat", "sat", "on", "the", "mat", None, "the", "dog", "sat", "on", None, "log",
    ]  # fmt: skip


# --- the real samples -----------------------------------------------------------------------------------------------


def nvivo_selections(archive: Path) -> dict[str, str]:
    """Each Coding GUID of an NVivo sample with the words its selection covers, found independently of the import."""
    with zipfile.ZipFile(archive) as packed:
        root = ET.fromstring(packed.read("project.qde"))
        found: dict[str, str] = {}
        for source in root.iter("{urn:QDA-XML:project:1.0}TextSource"):
            file = source.attrib["plainTextPath"].split("://")[1].lower()
            name = next(name for name in packed.namelist() if name.lower().endswith(file))
            units = packed.read(name).decode("utf-8-sig").encode("utf-16-le")
            for selection in source.iter("{urn:QDA-XML:project:1.0}PlainTextSelection"):
                start, end = int(selection.attrib["startPosition"]), int(selection.attrib["endPosition"])
                words = " ".join(units[2 * start : 2 * end].decode("utf-16-le", "replace").split())
                for coding in selection.iter("{urn:QDA-XML:project:1.0}Coding"):
                    found[coding.attrib["guid"].upper()] = words
    return found


@needs_samples
@pytest.mark.parametrize(
    ("sample", "documents", "codes", "codings"),
    [("oltas", 1, 60, 97), ("oltas0517", 2, 152, 303), ("OltasSzkepticizmus_17June", 2, 152, 297)],
)
def test_nvivo_samples_import_their_codings_on_word_boundaries(
    tmp_path: Path, sample: str, documents: int, codes: int, codings: int
) -> None:
    archive = SAMPLES / "pyqdpx" / f"{sample}.qdpx"
    report = import_qdpx(archive, tmp_path / sample, "alice")
    assert (len(report.documents), report.codes, report.codings) == (documents, codes, codings)
    assert "UTF-16" in report.counting
    expected = nvivo_selections(archive)
    edges = same = 0
    with Project.open(tmp_path / sample, actor="alice") as project:
        texts = {document.id: project.working_document(document.id).text for document in project.documents()}
        rows = project._store.query('SELECT document_id, start, "end", guid FROM pending_codings')
    for row in rows:
        text, start, end = texts[row["document_id"]], row["start"], row["end"]
        edges += all(p in (0, len(text)) or not (text[p - 1].isalnum() and text[p].isalnum()) for p in (start, end))
        same += " ".join(text[start:end].split()) == expected[row["guid"]]
    assert len(rows) == codings
    assert edges / len(rows) >= 0.95
    assert same / len(rows) >= 0.95  # the very words NVivo shows, not just some words


@needs_samples
def test_the_maxqda_sample_imports_codes_colours_and_descriptions(tmp_path: Path) -> None:
    archive = SAMPLES / "maxqda_paper_themes" / "ICLS_Conf_Themes_ALL_just10_MAXQDA24.qdpx"
    report = import_qdpx(archive, tmp_path / "maxqda", "alice")
    assert (len(report.documents), report.codes, report.codings) == (10, 307, 0)
    assert report.dropped == {"sets": 2}
    with Project.open(tmp_path / "maxqda", actor="alice") as project:
        codes = project.codebooks.codes()
    assert all(code.own_colour for code in codes.values())
    affordances = codes["maxqda.theme_affordances"]
    assert (affordances.own_colour, affordances.parent) == ("#ef8256", "maxqda.additional_themes_and_ideas")
    assert affordances.definition == "This code is applied when a paper includes the idea of affordances."


@needs_samples
def test_the_atlas_ti_samples_import_codes_colours_and_descriptions_and_report_what_they_drop(
    tmp_path: Path,
) -> None:
    small = import_qdpx(SAMPLES / "ponte_atlasti" / "target-atlas-project.qdpx", tmp_path / "small", "alice")
    assert (small.codes, small.codings, small.documents) == (3, 0, [])
    report = import_qdpx(SAMPLES / "sky-loom" / "TestProject.qdpx", tmp_path / "annex", "alice")
    with Project.open(tmp_path / "annex", actor="alice") as project:
        codes = {code.name: code for code in project.codebooks.codes().values()}
    assert report.codes == len(codes) == 14
    assert (codes["Coke::diet Coke"].own_colour, codes["Coke::diet Coke"].definition) == ("#966450", "non sucré")
    assert codes["milk"].own_colour is None and codes['"rushed"'].own_colour == "#f00082"
    assert report.dropped == {
        "picture sources": 1, "PDF sources": 2, "audio sources": 1, "video sources": 2, "graphs": 1, "sets": 15,
        "codings on pictures, PDFs, audio and video": 9,
        "text sources whose text file is not in the archive": 9,  # the Annex A example ships without its files
        "codings on text sources that were not imported": 7,
        "notes on transcripts, selections and codings (add them as memos after sign-off)": 1,
        "notes attached to nothing the workbench keeps": 1,
    }  # fmt: skip


@needs_samples
@pytest.mark.parametrize(
    ("sample", "codes", "bom"),
    [("qualcoder-3.8.2-codebook.qdc", 38, True), ("taguette-1.4.1-codebook.qdc", 3, False)],
)
def test_qualcoder_and_taguette_codebooks_convert_to_yaml_that_validates(
    tmp_path: Path, sample: str, codes: int, bom: bool
) -> None:
    source = tmp_path / sample
    source.write_bytes((b"\xef\xbb\xbf" if bom else b"") + (SAMPLES / "qdc" / sample).read_bytes())
    out = tmp_path / "imported.yaml"
    result = CliRunner().invoke(import_qdc_command, [str(source), str(out)])
    assert result.exit_code == 0, result.output
    codebook = parse_codebook(out.read_text("utf-8"), out)
    assert len(codebook.codes) == codes
    assert result.stdout.strip().endswith(f"{codes} codes")
    again = CliRunner().invoke(import_qdc_command, [str(source), str(out)])
    assert (again.exit_code, again.stderr) == (
        1,
        f"Error: {out} already exists; choose another file name, or add --force to replace it\n",
    )
    assert CliRunner().invoke(import_qdc_command, [str(source), str(out), "--force"]).exit_code == 0


@needs_samples
def test_qualcoder_colours_names_and_categories_survive(tmp_path: Path) -> None:
    out = tmp_path / "qualcoder.yaml"
    result = CliRunner().invoke(import_qdc_command, [str(SAMPLES / "qdc" / "qualcoder-3.8.2-codebook.qdc"), str(out)])
    assert "6 codes were marked not codable" in result.stderr
    codes = {code.name: code for code in parse_codebook(out.read_text("utf-8"), out).codes}
    assert codes['Ünïcøde & <angle> "quoted" — 教师'].own_colour == "#81bef7"
    assert codes["Curriculum fidelity"].parent == "qualcoder.implementation_quality"
    assert (
        codes["Curriculum fidelity"].definition
        == "Teacher follows the published sequence.\nSecond line, after a hard break."
    )


# --- export, then import ------------------------------------------------------------------------------------------


def test_exporting_the_sample_study_and_importing_it_gives_back_every_coding(
    sample_project_folder: Path, tmp_path: Path
) -> None:
    from workbench.refi.export_qdpx import export_qdpx

    def quotes(project: Project) -> collections.Counter[tuple[str, str, str, str]]:
        return collections.Counter((q.code_name, q.coder, q.text, q.citation) for q in project.quotes())

    with Project.open(sample_project_folder, actor="reader") as project:
        export_qdpx(project, tmp_path / "study.qdpx")
        before = quotes(project)
        books = [(loaded.codebook.id, loaded.codebook.name) for loaded in project.codebooks.loaded()]
    report = import_qdpx(tmp_path / "study.qdpx", tmp_path / "back", "alice")
    assert report.codings == sum(before.values())
    sign_off_everything(tmp_path / "back")
    with Project.open(tmp_path / "back", actor="reader") as project:
        assert quotes(project) == before
        assert [(loaded.codebook.id, loaded.codebook.name) for loaded in project.codebooks.loaded()] == books


def test_a_codebook_exported_as_qdc_comes_back_with_its_fields_and_colours(
    sample_project_folder: Path, tmp_path: Path
) -> None:
    from workbench.refi.qdc_export import export_qdc

    with Project.open(sample_project_folder, actor="reader") as project:
        export_qdc(project, "ras_evaluation", tmp_path / "ras.qdc")
        before = [loaded.codebook for loaded in project.codebooks.loaded() if loaded.codebook.id == "ras_evaluation"]
    imported = import_qdc(tmp_path / "ras.qdc", tmp_path / "ras_evaluation.yaml")
    after = parse_codebook(imported.yaml, "ras_evaluation.yaml")
    fields = ("name", "definition", "inclusion", "exclusion", "example", "own_colour", "depth")
    assert (after.id, after.name) == (before[0].id, before[0].name)
    assert [[getattr(code, f) for f in fields] for code in after.codes] == [
        [getattr(code, f) for f in fields] for code in before[0].codes
    ]


# --- refused archives -----------------------------------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY a "lollollollollollollollollollol">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>
<Project xmlns="urn:QDA-XML:project:1.0" name="&e;"/>"""
MINIMAL = '<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'


@pytest.mark.parametrize(
    ("members", "stored", "reason"),
    [
        ({"project.qde": MINIMAL, "../evil.txt": "x"}, False,
         "is refused: it holds a file named '../evil.txt', which points outside the archive (zip-slip)"),
        ({"project.qde": MINIMAL, "/etc/evil.txt": "x"}, False,
         "is refused: it holds a file with an absolute path ('/etc/evil.txt'), which a .qdpx never has"),
        ({"project.qde": MINIMAL, "sources/bomb.txt": b"\0" * 30 * 2**20}, False,
         "is refused: 'sources/bomb.txt' unpacks to 30 MB from "),
        ({"project.qde": MINIMAL, "sources/huge.txt": b"\0" * 51 * 2**20}, True,
         "is refused: 'sources/huge.txt' unpacks to 51 MB, over the 50 MB limit for one file"),
        ({"project.qde": BILLION_LAUGHS}, False,
         "is refused: its project.qde declares XML entities or external references, which REFI-QDA files never "
         "need and which can expand into gigabytes (an XML bomb)"),
        ({"sources/a.txt": "x"}, False, "has no project file (project.qde) at its top level"),
        ({"a.qde": MINIMAL, "b.qde": MINIMAL}, False,
         "holds 2 project files (a.qde, b.qde); a .qdpx has exactly one .qde at its top level"),
        ({"study/project.qde": MINIMAL}, False,
         "has no project file (project.qde) at its top level (there is study/project.qde inside a folder: zip the "
         "folder's contents, not the folder)"),
    ],
    ids=["zip-slip", "absolute-path", "zip-bomb", "oversized-member", "xml-bomb", "no-qde", "two-qde", "nested-qde"],
)  # fmt: skip
def test_unsafe_or_broken_archives_are_refused_and_leave_no_project(
    tmp_path: Path, members: dict[str, bytes | str], stored: bool, reason: str
) -> None:
    archive = make_qdpx(tmp_path / "evil.qdpx", members, stored=stored)
    with pytest.raises(WorkbenchError) as refused:
        import_qdpx(archive, tmp_path / "study", "alice")
    assert str(refused.value).startswith(f"evil.qdpx: {reason}")
    assert str(refused.value).endswith(("zip bomb looks", reason))
    assert not (tmp_path / "study").exists()


def test_a_failure_after_the_project_was_created_removes_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    qde = project_xml([span(INTERVIEW, "the paperwork")])
    archive = make_qdpx(tmp_path / "study.qdpx", {"project.qde": qde, f"sources/{SOURCE}.txt": INTERVIEW})
    empty = tmp_path / "empty"
    empty.mkdir()

    def broken(*args: object, **kwargs: object) -> None:
        raise WorkbenchError("the disk is full")

    monkeypatch.setattr(Project, "commit_import", broken)
    with pytest.raises(WorkbenchError, match="the disk is full"):
        import_qdpx(archive, empty, "alice")
    assert empty.is_dir() and not any(empty.iterdir())  # the empty folder we were given is left empty


def test_an_xml_bomb_in_a_codebook_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.qdc"
    bomb.write_text(BILLION_LAUGHS.replace("Project", "CodeBook"), "utf-8")
    result = CliRunner().invoke(import_qdc_command, [str(bomb), str(tmp_path / "out.yaml")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: bomb.qdc: is refused: the codebook declares XML entities")
    assert not (tmp_path / "out.yaml").exists()


# --- the command line ---------------------------------------------------------------------------------------------


def test_import_qdpx_prints_what_was_imported_and_one_line_per_kind_dropped(tmp_path: Path) -> None:
    qde = project_xml([span(INTERVIEW, "the training")], extra="<Graphs><Graph guid='{G}' name='g'/></Graphs>")
    archive = make_qdpx(tmp_path / "study.qdpx", {"project.qde": qde, f"sources/{SOURCE}.txt": INTERVIEW})
    result = CliRunner().invoke(import_qdpx_command, [str(archive), str(tmp_path / "study")], obj=Context("tester"))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"Imported study.qdpx (QualCoder 3.8) into {tmp_path / 'study'}: 1 transcript from 1 text source, 2 codes in "
        "1 codebook, 1 coding waiting for sign-off, 1 code memo, 1 participant"
    )
    assert "Dropped graphs: 1" in lines and "Dropped sets: 1" in lines
    again = CliRunner().invoke(import_qdpx_command, [str(archive), str(tmp_path / "study")], obj=Context("tester"))
    assert (again.exit_code, again.stderr) == (
        1,
        f"Error: {tmp_path / 'study'} is not empty; choose a new or empty folder for the imported project\n",
    )


def test_a_zip_slip_archive_is_one_error_line_on_the_command_line(tmp_path: Path) -> None:
    archive = make_qdpx(tmp_path / "evil.qdpx", {"project.qde": MINIMAL, "sources/../../evil.txt": "x"})
    result = CliRunner().invoke(import_qdpx_command, [str(archive), str(tmp_path / "study")], obj=Context("tester"))
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: evil.qdpx: is refused: it holds a file named 'sources/../../evil.txt', which points outside the "
        "archive (zip-slip)\n",
    )


# --- lenient values -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("#ABC", "#aabbcc"), ("#A1B2C3", "#a1b2c3"), ("a1b2c3", "#a1b2c3"), ("#A1B2C380", "#a1b2c3"),
        ("#FFA1B2C3", "#a1b2c3"), ("rgb(255, 0, 128)", "#ff0080"), ("RGBA(10%, 20%, 100%, 0.5)", "#1a33ff"),
        ("red", None), ("#12", None), ("rgb(300, 0, 0)", None),
    ],
)  # fmt: skip
def test_colours_are_read_in_every_usual_spelling(written: str, read: str | None) -> None:
    assert colour(written) == read


def test_a_description_in_labelled_paragraphs_fills_the_code_fields() -> None:
    assert split_description('Forms.\nInclusion: Complaints.\n\nExample: "So many forms."\nKeywords: form, paper') == {
        "definition": "Forms.",
        "inclusion": "Complaints.",
        "example": '"So many forms."',
        "keywords": ["form", "paper"],
    }
    assert split_description("Just a description: with a colon.") == {"definition": "Just a description: with a colon."}


def test_an_archive_that_is_not_a_zip_is_refused_plainly(tmp_path: Path) -> None:
    text = tmp_path / "notes.qdpx"
    text.write_text("hello", "utf-8")
    with pytest.raises(WorkbenchError) as refused:
        import_qdpx(text, tmp_path / "study", "alice")
    assert str(refused.value) == (
        "notes.qdpx: is not a .qdpx file: it is not a zip archive (a .qdpx is a zip holding project.qde and sources/)"
    )


@pytest.mark.parametrize(
    ("declared", "encoding", "error"),
    [
        ("utf-16-le", "utf-16-le", None),  # no BOM: expat alone refuses a multi-byte encoding
        ("Shift_JIS", "shift_jis", None),
        ("UTF-16", "utf-16", None),
        ("no-such-encoding", "utf-8", "codes.qdc: the codebook declares the encoding 'no-such-encoding', which is not "
         "a known text encoding; save it as UTF-8"),
        ("utf-16-le", "utf-8", "codes.qdc, line 1: the codebook is not well-formed XML"),
    ],
)  # fmt: skip
def test_a_codebook_in_any_declared_encoding_is_read_or_refused_in_one_line(
    tmp_path: Path, declared: str, encoding: str, error: str | None
) -> None:
    text = (
        f'<?xml version="1.0" encoding="{declared}"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
        '<Codes><Code guid="1C8A6E9F-3D2B-4A1F-9F32-6B4DAE3C8F02" name="Kosten ー 費用"/></Codes></CodeBook>'
    )
    source = tmp_path / "codes.qdc"
    source.write_bytes(text.encode(encoding))
    result = run_cli("codebook", "import-qdc", str(source), str(tmp_path / "codes.yaml"))
    if error is None:
        assert result.exit_code == 0, result.output
        assert read_codebook(tmp_path / "codes.yaml").codes[0].name == "Kosten ー 費用"
    else:
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: {error}") and result.stderr.count("\n") == 1
        assert not (tmp_path / "codes.yaml").exists()
