"""The findings and recommendations drafts: Word and Markdown read back, opened by LibreOffice, and refused when a
quote is altered, a quoted transcript is not signed off, or an identifier is in the draft."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import docx
import pytest

from tests.conftest import run_cli
from workbench.errors import ReportRefused
from workbench.project import Project
from workbench.report import DraftOptions, build_draft, draft_bytes, write_report
from workbench.report.model import QuoteBlock

THEMES = ["Context", "Perception of the RAS", "Benefits and outcomes"]
AREAS = ["Training", "Support", "Management support", "Case worker responsibilities"]
_COUNT = re.compile(r"^(All \d+|One|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Eleven|Twelve) case workers? ")


def _texts(project: Project) -> list[str]:
    return [project.document(d.id).text for d in project.documents() if d.status == "signed off"]


def test_the_findings_draft_has_a_heading_per_theme_verbatim_quotes_and_counts_in_words(
    sample_project_folder: Path, tmp_path: Path
) -> None:
    with Project.open(sample_project_folder) as project:
        path = write_report(project, "findings", "docx", tmp_path / "findings.docx")
        texts = _texts(project)
    document = docx.Document(str(path))
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title" and paragraphs[0].text == "Findings"
    assert [p.text for p in paragraphs if p.style.name == "Heading 1"] == ["The study", *THEMES]
    assert "Duplication with other assessments" in [p.text for p in paragraphs if p.style.name == "Heading 3"]
    quotes = [p.text for p in paragraphs if p.style.name == "Quote"]
    assert len(quotes) > 40
    for quote in quotes:
        found = re.fullmatch(r"“(?P<words>.+)” \(Case Worker (?P<n>\d+)\)", quote, re.DOTALL)
        assert found, quote
        assert any(found["words"] in text for text in texts), quote
    drafts = [p.text for p in paragraphs if p.style.name == "Normal" and " described " in p.text]
    assert drafts and all(_COUNT.match(text) for text in drafts), drafts[:3]
    assert "Future considerations" in [p.text for p in paragraphs if p.style.name == "Heading 2"]
    assert [p for p in paragraphs if p.style.name == "List Bullet"]
    roles = document.tables[0]
    assert [cell.text for cell in roles.rows[0].cells] == ["Role", "Case workers"]
    assert {row.cells[0].text for row in roles.rows[1:]} == {
        "social worker", "community care worker", "homecare worker", "project officer"
    }  # fmt: skip


def test_the_recommendations_draft_is_grouped_by_area(sample_project_folder: Path, tmp_path: Path) -> None:
    with Project.open(sample_project_folder) as project:
        path = write_report(project, "recommendations", "md", tmp_path / "recommendations.md")
        texts = _texts(project)
    markdown = path.read_text("utf-8")
    assert re.findall(r"^## (.+)$", markdown, re.MULTILINE) == AREAS
    assert markdown.count("\n- ") >= 8 and "stand behind this." in markdown
    for words in re.findall(r"^> “(.+)” \(Case Worker \d+\)$", markdown, re.MULTILINE):
        assert any(words in text for text in texts)


def test_writers_choose_themes_quote_limits_and_the_citation_label(sample_project_folder: Path) -> None:
    options = DraftOptions(themes=["ras.context"], quotes_per_code=1, citation_label="Participant {n}")
    with Project.open(sample_project_folder) as project:
        report = build_draft(project, "findings", options)
    headings = [b.text for b in report.blocks if type(b).__name__ == "Heading" and b.level == 1]  # type: ignore[attr-defined]
    assert headings == ["The study", "Context"]
    assert all(q.citation.startswith("(Participant ") for q in report.quotes())
    assert len(report.quotes()) <= 5  # one per code: the theme's four codes and no more


def test_the_findings_draft_opens_in_libreoffice_with_its_quotes(sample_project_folder: Path, tmp_path: Path) -> None:
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    assert soffice and pdftotext, "LibreOffice and poppler-utils are installed by `make test`"
    with Project.open(sample_project_folder) as project:
        report = build_draft(project, "findings")
        path = tmp_path / "findings.docx"
        path.write_bytes(draft_bytes(project, report, "docx"))
    subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf", "--outdir",
         str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf_text = subprocess.run(
        [pdftotext, str(tmp_path / "findings.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    flat = " ".join(pdf_text.split())
    for quote in report.quotes()[:10]:
        assert " ".join(quote.text.split()) in flat
        assert quote.citation in flat


def test_an_altered_quote_or_an_unsigned_transcript_stops_the_draft(sample_project_folder: Path) -> None:
    with Project.open(sample_project_folder) as project:
        report = build_draft(project, "findings")
        index = next(i for i, block in enumerate(report.blocks) if isinstance(block, QuoteBlock))
        quote = report.blocks[index]
        assert isinstance(quote, QuoteBlock)
        report.blocks[index] = replace(quote, text=quote.text.replace(" ", "  ", 1) + " really")
        waiting = next(d.id for d in project.documents() if d.status != "signed off")
        report.blocks.append(QuoteBlock("Three. Three altogether.", "(Case Worker 3)", waiting, 0, 23))
        with pytest.raises(ReportRefused) as refused:
            draft_bytes(project, report, "docx")
    problems = refused.value.problems
    assert len(problems) == 2
    assert problems[0].startswith(f"the quote {quote.citation} at [{quote.start}, {quote.end}) is not what the")
    assert "cannot be quoted: an ethics reviewer has not signed off its anonymisation yet" in problems[1]


def test_a_planted_identifier_in_a_memo_stops_the_export_with_a_list(sample_copy: Path, tmp_path: Path) -> None:
    with Project.open(sample_copy, actor="Alex Morgan") as project:
        coding = project.quotes()[0].coding
        project.coding.add_memo(
            "coding", coding, "Ring her daughter Denise Okafor on 07700 900461 first.", kind="future consideration"
        )
    out = tmp_path / "findings.docx"
    result = run_cli("report", str(sample_copy), "--kind", "findings", "--out", str(out))
    assert result.exit_code == 1 and not out.exists()
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: the findings draft was not written; fix these and try again:"
    flagged = " ".join(lines[1:])
    assert "“Denise Okafor” may identify someone (family member" in flagged
    assert "“07700 900461” may identify someone (phone" in flagged
    assert "workbench anonymise glossary DIR --add TERM" in flagged


def test_the_cli_writes_each_kind_and_refuses_bad_input(sample_project_folder: Path, tmp_path: Path) -> None:
    folder = str(sample_project_folder)
    for kind, fmt in (("findings", "md"), ("recommendations", "docx"), ("ethics", "md")):
        out = tmp_path / f"{kind}.{fmt}"
        result = run_cli("report", folder, "--kind", kind, "--format", fmt, "--out", str(out))
        assert result.exit_code == 0 and out.stat().st_size > 500, result.stderr
    bad = run_cli("report", folder, "--kind", "findings", "--codebook", "nope", "--out", str(tmp_path / "x.md"))
    assert bad.exit_code == 1 and bad.stderr == "Error: there is no codebook 'nope' in this project\n"
    bad = run_cli("report", folder, "--kind", "findings", "--citation-label", "CW", "--out", str(tmp_path / "x.md"))
    assert bad.exit_code == 1 and "must contain {n} or {label}" in bad.stderr
