"""REFI-QDA export: the sample study as a .qdpx and its codebooks as a .qdc, checked against the schemas and the
project, and the refusals (nothing signed off, a residual identifier, a path that cannot be written)."""

from __future__ import annotations

import re
import shutil
import sqlite3
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from tests.conftest import SAMPLE, TEST_CODEBOOK, database_dump, write
from workbench.cli_common import Context
from workbench.cli_refi import codebook_export, export
from workbench.coding import Span
from workbench.errors import ResidualFound, WorkbenchError
from workbench.project import Project, Source
from workbench.refi.export_qdpx import ExportSummary, export_qdpx
from workbench.refi.qdc_export import export_qdc
from workbench.refi.xml import CODEBOOK_NS, CODEBOOK_SCHEMA, PROJECT_NS, PROJECT_SCHEMA, schema_errors

NS = {"q": PROJECT_NS}
GUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}")
REFI_DATE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


@dataclass(frozen=True)
class Exported:
    folder: Path
    path: Path
    summary: ExportSummary


@pytest.fixture(scope="module")
def exported(sample_project_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """The sample study exported once (from a copy: an export stores the GUIDs it mints)."""
    folder = tmp_path_factory.mktemp("refi") / "study"
    shutil.copytree(sample_project_folder, folder)
    with Project.open(folder, actor="exporter") as project:
        summary = export_qdpx(project, folder.parent / "study.qdpx")
    return Exported(folder, folder.parent / "study.qdpx", summary)


def qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def texts(path: Path) -> dict[str, str]:
    """Each TextSource's name and the text of its sources/ file, read as UTF-8."""
    root = qde(path)
    with zipfile.ZipFile(path) as archive:
        return {
            source.get("name"): archive.read(
                "sources/" + source.get("plainTextPath").removeprefix("internal://")
            ).decode("utf-8")
            for source in root.iterfind("q:Sources/q:TextSource", NS)
        }


def stored_guids(folder: Path) -> dict[str, tuple[str, str]]:
    connection = sqlite3.connect(folder / "project.db")
    try:
        return {guid: (kind, local_id) for kind, local_id, guid in connection.execute("SELECT * FROM guids")}
    finally:
        connection.close()


def invoke(command: object, *args: str) -> Result:
    return CliRunner().invoke(command, list(args), obj=Context("tester"), catch_exceptions=False)  # type: ignore[arg-type]


# --- the archive ----------------------------------------------------------------------------------------------------


def test_the_archive_holds_project_qde_and_one_lf_utf8_text_per_signed_off_transcript(exported: Exported) -> None:
    with zipfile.ZipFile(exported.path) as archive:
        names = archive.namelist()
        sources = [name for name in names if name != "project.qde"]
        assert names[0] == "project.qde" and len(sources) == 13
        assert all(re.fullmatch(f"sources/{GUID.pattern}\\.txt", name) for name in sources)
        data = [archive.read(name) for name in sources]
        assert not archive.read("project.qde").startswith(b"\xef\xbb\xbf")
    assert all(not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw for raw in data)
    assert all(raw.decode("utf-8") for raw in data)
    with Project.open(exported.folder, actor="reader") as project:
        signed = {d.source_name: project.document(d.id).text for d in project.documents() if d.status == "signed off"}
    assert texts(exported.path) == signed
    assert not {"cw03.docx", "cw09.txt", "cw13.docx"} & set(signed)
    assert (exported.summary.documents, exported.summary.left_out) == (13, 3)


def test_the_project_passes_the_schema_with_internal_paths_and_refi_dates(exported: Exported) -> None:
    root = qde(exported.path)
    assert schema_errors(root, PROJECT_SCHEMA) == []
    assert root.get("origin") == "Workbench 0.1.0"
    paths = [source.get("plainTextPath") for source in root.iterfind("q:Sources/q:TextSource", NS)]
    assert all(path.startswith("internal://") for path in paths)
    assert not root.xpath("//q:TextSource/@richTextPath", namespaces=NS)
    dates = root.xpath("//@creationDateTime | //@modifiedDateTime")
    assert dates and all(REFI_DATE.fullmatch(date) for date in dates)


def test_nothing_from_the_key_store_leaves(exported: Exported) -> None:
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    planted = re.findall(r"^\| cw\d\d\.\w+ \| [^|]+ \| `([^`]+)` \|", readme, flags=re.MULTILINE)
    assert {"Denise", "07700 900461", "Brightwater Homecare"} <= set(planted) and len(planted) == 7
    with zipfile.ZipFile(exported.path) as archive:
        everything = "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    for identifier in [*planted, "Brightwater"]:
        assert identifier not in everything


# --- codings, codes, cases, users, memos ----------------------------------------------------------------------------


def test_every_coding_is_a_selection_whose_range_cuts_its_quote_from_the_exported_text(exported: Exported) -> None:
    root = qde(exported.path)
    guids = stored_guids(exported.folder)
    users = {user.get("guid"): user.get("name") for user in root.iterfind("q:Users/q:User", NS)}
    exported_texts = texts(exported.path)
    cut: list[tuple[str, int, int, str, str, str]] = []
    for source in root.iterfind("q:Sources/q:TextSource", NS):
        text = exported_texts[source.get("name")]
        for selection in source.iterfind("q:PlainTextSelection", NS):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            (coding,) = selection.iterfind("q:Coding", NS)
            code = guids[coding.find("q:CodeRef", NS).get("targetGUID")]
            assert code[0] == "code" and coding.get("creatingUser") == selection.get("creatingUser")
            cut.append((source.get("name"), start, end, code[1], users[coding.get("creatingUser")], text[start:end]))
    with Project.open(exported.folder, actor="reader") as project:
        names = {d.id: d.source_name for d in project.documents()}
        quotes = [(names[q.document], q.start, q.end, q.code, q.coder, q.text) for q in project.quotes()]
    assert len(cut) == len(quotes) == exported.summary.codings == 353
    assert Counter(cut) == Counter(quotes)


def test_codes_are_nested_with_their_colours_and_descriptions(exported: Exported) -> None:
    root = qde(exported.path)
    guids = stored_guids(exported.folder)
    with Project.open(exported.folder, actor="reader") as project:
        codes = project.codebooks.codes()
        themes = [c.id for loaded in project.codebooks.loaded() for c in loaded.codebook.themes]
    elements = root.xpath("//q:CodeBook//q:Code", namespaces=NS)
    assert len(elements) == len(codes) == exported.summary.codes == 42
    assert [guids[e.get("guid")][1] for e in root.iterfind("q:CodeBook/q:Codes/q:Code", NS)] == themes
    for element in elements:
        code = codes[guids[element.get("guid")][1]]
        parent = element.getparent()
        assert (guids[parent.get("guid")][1] if parent.tag.endswith("}Code") else None) == code.parent
        assert (element.get("name"), element.get("isCodable"), element.get("color")) == (
            code.name, "true", code.colour.upper()
        )  # fmt: skip
        description = element.findtext("q:Description", namespaces=NS)
        assert description.startswith(f"Definition: {code.definition}")
        for label, value in (("Inclusion", code.inclusion), ("Exclusion", code.exclusion), ("Example", code.example)):
            assert (f"\n\n{label}: {value}" in description) == bool(value)
    sets = {s.get("name"): len(s.findall("q:MemberCode", NS)) for s in root.iterfind("q:Sets/q:Set", NS)}
    assert sets == {"RAS evaluation": 27, "Recommendations": 15}


def test_participants_are_cases_with_role_and_attributes_and_their_transcripts(exported: Exported) -> None:
    root = qde(exported.path)
    variables = {v.get("guid"): v.get("name") for v in root.iterfind("q:Variables/q:Variable", NS)}
    assert list(variables.values()) == ["role", "team", "years_in_post", "service_users_introduced", "interview_mode"]
    assert {v.get("typeOfVariable") for v in root.iterfind("q:Variables/q:Variable", NS)} == {"Text"}
    sources = {s.get("guid"): s.get("name") for s in root.iterfind("q:Sources/q:TextSource", NS)}
    cases = {}
    for case in root.iterfind("q:Cases/q:Case", NS):
        values = {
            variables[value.find("q:VariableRef", NS).get("targetGUID")]: value.findtext("q:TextValue", namespaces=NS)
            for value in case.iterfind("q:VariableValue", NS)
        }
        cases[case.get("name")] = (values, [sources[ref.get("targetGUID")] for ref in case.iterfind("q:SourceRef", NS)])
    assert len(cases) == exported.summary.cases == 13 and "Case Worker 3" not in cases
    assert cases["Case Worker 1"] == (
        {"role": "social worker", "team": "older people", "years_in_post": "9", "service_users_introduced": "3",
         "interview_mode": "face to face"},
        ["cw01.docx"],
    )  # fmt: skip
    assert Counter(values["role"] for values, _ in cases.values())["social worker"] >= 7


def test_coders_are_users_and_memos_are_notes_referenced_where_they_were_written(exported: Exported) -> None:
    root = qde(exported.path)
    guids = stored_guids(exported.folder)
    assert [u.get("name") for u in root.iterfind("q:Users/q:User", NS)] == ["Alex Morgan", "Sam Okoro"]
    users = {u.get("guid"): u.get("name") for u in root.iterfind("q:Users/q:User", NS)}
    notes = {note.get("guid"): note for note in root.iterfind("q:Notes/q:Note", NS)}
    holders: dict[str, tuple[str, str]] = {}
    for ref in root.iterfind(".//q:NoteRef", NS):
        holder = ref.getparent()
        if holder.tag.endswith("}PlainTextSelection"):
            holder = holder.find("q:Coding", NS)
        assert ref.get("targetGUID") not in holders
        holders[ref.get("targetGUID")] = guids[holder.get("guid")]
    with Project.open(exported.folder, actor="reader") as project:
        memos = project.coding.memos()
    assert len(notes) == len(holders) == len(memos) == exported.summary.notes == 84
    for memo in memos:
        note = next(note for guid, note in notes.items() if guids[guid] == ("memo", str(memo.id)))
        assert note.findtext("q:PlainTextContent", namespaces=NS) == memo.text
        assert (note.get("name"), users[note.get("creatingUser")]) == (memo.kind.capitalize(), memo.author)
        assert holders[note.get("guid")] == (memo.target, memo.target_id)


def test_guids_are_stable_from_one_export_to_the_next(exported: Exported, tmp_path: Path) -> None:
    before = stored_guids(exported.folder)
    with Project.open(exported.folder, actor="exporter") as project:
        minted = [entry for entry in project.audit_log(10_000) if entry.action == "assign guids"]
        assert len(minted) == 1 and minted[0].payload["count"] == len(before)  # the first export, in one transaction
        export_qdpx(project, tmp_path / "again.qdpx")
        assert [entry for entry in project.audit_log(10_000) if entry.action == "assign guids"] == minted
    first, second = qde(exported.path), qde(tmp_path / "again.qdpx")
    assert first.xpath("//@guid") == second.xpath("//@guid") and set(first.xpath("//@guid")) <= set(before)
    assert stored_guids(exported.folder) == before
    with zipfile.ZipFile(exported.path) as one, zipfile.ZipFile(tmp_path / "again.qdpx") as two:
        assert one.namelist() == two.namelist()


def test_positions_count_code_points_not_utf16_units(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    text = "Interviewer: How was it? 😀\n\nCase Worker 1: Great 😀 really great, 𝓽𝓻𝓪𝓲𝓷𝓲𝓷𝓰 too.\n"
    with Project.init(folder, actor="alice") as project:
        project.import_files([Source(write(tmp_path, "cw01.txt", text))])
        project.codebooks.load(write(tmp_path, "test_book.yaml", TEST_CODEBOOK))
        project.review.scan()
        for candidate in project.review.candidates(1):
            project.review.decide(candidate.id, accept=False)
        project.review.signoff(1, "Ruth Reviewer")
        released = project.document(1).text
        start = released.index("really great")
        project.coding.apply(Span(1, start=start, end=start + len("really great, 𝓽𝓻𝓪𝓲𝓷𝓲𝓷𝓰")), "t.training")
        export_qdpx(project, tmp_path / "study.qdpx")
    (selection,) = qde(tmp_path / "study.qdpx").iterfind(".//q:PlainTextSelection", NS)
    begin, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    assert texts(tmp_path / "study.qdpx")["cw01.txt"][begin:end] == "really great, 𝓽𝓻𝓪𝓲𝓷𝓲𝓷𝓰"
    assert (begin, end) == (start, start + 22)  # UTF-16 would count each emoji and script letter twice


# --- the codebook ---------------------------------------------------------------------------------------------------


def test_the_codebooks_export_as_a_valid_qdc_sharing_the_project_code_guids(exported: Exported) -> None:
    out = exported.folder.parent / "codebooks.qdc"
    result = invoke(codebook_export, str(exported.folder), "--qdc", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Exported 2 codebooks (ras_evaluation, recommendations) with 42 codes to {out}\n"
    raw = out.read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<CodeBook ')
    root = etree.fromstring(raw)
    assert schema_errors(root, CODEBOOK_SCHEMA) == []
    codes = root.xpath("//c:Code", namespaces={"c": CODEBOOK_NS})
    assert len(codes) == 42 and all(code.get("color") and code.get("isCodable") == "true" for code in codes)
    project_codes = qde(exported.path).xpath("//q:CodeBook//q:Code/@guid", namespaces=NS)
    assert [code.get("guid") for code in codes] == project_codes
    members = root.xpath("//c:Set/c:MemberCode/@guid", namespaces={"c": CODEBOOK_NS})
    assert sorted(members) == sorted(project_codes)


def test_one_codebook_exports_alone_and_an_unknown_one_is_refused(exported: Exported) -> None:
    out = exported.folder.parent / "recommendations.qdc"
    result = invoke(codebook_export, str(exported.folder), "--qdc", str(out), "--codebook", "recommendations")
    assert result.exit_code == 0, result.stderr
    root = etree.parse(str(out)).getroot()
    assert schema_errors(root, CODEBOOK_SCHEMA) == []
    assert len(root.xpath("//c:Code", namespaces={"c": CODEBOOK_NS})) == 15
    missing = exported.folder.parent / "nope.qdc"
    result = invoke(codebook_export, str(exported.folder), "--qdc", str(missing), "--codebook", "nope")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: there is no codebook 'nope' in this project; its codebooks are: ras_evaluation, recommendations\n"
    )
    assert not missing.exists()


# --- the command and its refusals -----------------------------------------------------------------------------------


def test_the_export_command_says_what_it_wrote_and_what_it_left_out(exported: Exported) -> None:
    out = exported.folder.parent / "cli.qdpx"
    result = invoke(export, str(exported.folder), "--qdpx", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Exported 13 transcripts, 353 codings, 42 codes, 13 cases and 84 memos to {out}\n"
    assert result.stderr == "Left out 3 transcripts not signed off yet\n"
    assert export.help and codebook_export.help


def test_nothing_signed_off_is_refused_with_one_line_and_no_file(tmp_path: Path) -> None:
    folder = tmp_path / "study"
    with Project.init(folder, actor="alice") as project:
        project.import_files([Source(write(tmp_path, "cw01.txt", "Interviewer: Hello?\n\nCase Worker 1: Hello.\n"))])
    before = database_dump(folder)
    result = invoke(export, str(folder), "--qdpx", str(tmp_path / "study.qdpx"))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: nothing to export: no transcript is signed off yet; an ethics reviewer signs transcripts off with "
        "`workbench anonymise signoff`\n"
    )
    assert sorted(tmp_path.iterdir()) == [tmp_path / "cw01.txt", folder]
    assert database_dump(folder) == before


def test_a_residual_identifier_refuses_the_export_and_writes_nothing(tmp_path: Path) -> None:
    from workbench.anonymise.lists import read_roster

    folder = tmp_path / "study"
    with Project.init(folder, actor="alice") as project:
        text = "Interviewer: Who?\n\nCase Worker 1: Zorbrook Lettice visits her.\n"
        project.import_files([Source(write(tmp_path, "cw01.txt", text))])
        project.review.scan()
        for candidate in project.review.candidates(1):
            project.review.decide(candidate.id, False)
        project.review.signoff(1, "Ruth")
        roster = write(tmp_path, "roster.csv", "original,category\nZorbrook Lettice,family member\n")
        project.review.load_roster(read_roster(roster))
        with pytest.raises(ResidualFound, match="export refused: the residual scan found 1 possible identifier"):
            export_qdpx(project, tmp_path / "study.qdpx")
    assert not (tmp_path / "study.qdpx").exists() and stored_guids(folder) == {}


def test_a_path_that_cannot_be_written_fails_cleanly(exported: Exported, tmp_path: Path) -> None:
    out = tmp_path / "missing" / "study.qdpx"
    result = invoke(export, str(exported.folder), "--qdpx", str(out))
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot write {out}: the folder {out.parent} does not exist; create it first\n"
    with Project.open(exported.folder, actor="exporter") as project:
        with pytest.raises(WorkbenchError, match=f"^{re.escape(str(tmp_path))} is a folder; give a file name"):
            export_qdpx(project, tmp_path)
        with pytest.raises(WorkbenchError, match="cannot write"):
            export_qdc(project, None, tmp_path / "missing" / "book.qdc")
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_fails_leaves_no_file_behind(
    exported: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(source: object, target: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("workbench.refi.xml.os.replace", refuse)
    with Project.open(exported.folder, actor="exporter") as project, pytest.raises(WorkbenchError) as failure:
        export_qdpx(project, tmp_path / "study.qdpx")
    assert str(failure.value) == (
        f"the project could not be written to {tmp_path / 'study.qdpx'} (Permission denied); choose a folder you can "
        "write to"
    )
    assert list(tmp_path.iterdir()) == []
