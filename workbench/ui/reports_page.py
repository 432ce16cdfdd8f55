"""Reports page: a first draft of the findings (a section per theme, quotations cited "(Case Worker 12)") or of the
recommendations (grouped by area), previewed on the page and taken away as Word or Markdown once its checks pass;
and the ethics report on the anonymisation, for the ethics committee."""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
import streamlit as st

from workbench.codebook import Code, Codebook
from workbench.errors import ReportRefused, WorkbenchError
from workbench.project import Project
from workbench.report import KINDS, DraftOptions, Report, build_draft, draft_bytes
from workbench.report.findings import RECOMMENDATIONS_CODEBOOK
from workbench.report.model import Bullets, Heading, Paragraph, QuoteBlock, Table
from workbench.ui.common import escape_markdown, link, open_project, sidebar
from workbench.ui.ethics_downloads import ethics_buttons

# Streamlit runs this file as a script, so its "magic" would print a docstring under a constant: comments here.
KIND_KEY = "report_kind"
CODEBOOKS_KEY = "report_codebooks"
THEMES_KEY = "report_themes"
CODES_KEY = "report_codes"
QUOTES_KEY = "report_quotes"
CITATION_KEY = "report_citation"
# The project and kind the draft's choices belong to: another project or kind starts again from its defaults.
CHOICES_FOR_KEY = "report_choices_for"
# The last preview as (choices, report): it is shown while the choices stay what they were.
PREVIEW_KEY = "report_preview_draft"
# The files built, format -> (choices, the file's bytes or the problems that refused it).
BUILT_KEY = "report_built"
SIGNED_OFF = "signed off"
KIND_LABELS = {"findings": "Findings draft", "recommendations": "Recommendations draft", "ethics": "Ethics report"}
# format -> (what the build button makes, the download's label, MIME type, icon)
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILES = {
    "docx": ("the Word file", "Download the Word file", DOCX_MIME, ":material/description:"),
    "md": ("Markdown", "Download the Markdown", "text/markdown", ":material/article:"),
}
# Plain tuples, never a class of this file: the page is run afresh each time, so its classes are new on every run
# and their instances kept in the session state would never compare equal.
Choices = tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str, ...], int, str | None]


def render() -> None:
    sidebar()
    with open_project() as project:
        st.title("Reports")
        if project is None:
            st.info("Open a project first.")
            link("project", label="Go to the Project page", icon=":material/folder_open:")
            return
        chosen = st.segmented_control(
            "Report", KINDS, default="findings", required=True, key=KIND_KEY,
            format_func=lambda k: KIND_LABELS.get(k, k),
        )  # fmt: skip
        kind = chosen if isinstance(chosen, str) and chosen in KINDS else "findings"
        if kind == "ethics":
            _ethics(project)
            return
        try:
            codebooks = [loaded.codebook for loaded in project.codebooks.loaded()]
            if not _ready(project, codebooks):
                return
            choices = _choose(project, kind, codebooks)
            if choices is not None:
                _draft(project, choices, codebooks)
        except WorkbenchError as error:
            st.error(escape_markdown(str(error)))


def _ready(project: Project, codebooks: list[Codebook]) -> bool:
    """Whether there is something to draft from; if not, say what is missing and link to the page that adds it."""
    if not any(document.status == SIGNED_OFF for document in project.documents()):
        st.info(
            "Nothing to draft yet: no transcript has been signed off. An ethics reviewer anonymises and signs off each "
            "transcript before anyone codes or quotes it."
        )
        link("anonymise", label="Go to the Anonymisation page", icon=":material/shield_person:")
        return False
    if not codebooks:
        st.info("This project has no codebook yet: load one on the Codebook page, then code the transcripts with it.")
        link("codebook", label="Go to the Codebook page", icon=":material/account_tree:")
        return False
    if not project.quotes(limit=1):
        st.info("No codings yet: a draft is written from coded passages. Code the transcripts on the Coding page.")
        link("coding", label="Go to the Coding page", icon=":material/label:")
        return False
    return True


# --- the draft's choices ----------------------------------------------------------------------------------------


def _choose(project: Project, kind: str, codebooks: list[Codebook]) -> Choices | None:
    """Draw the choices of a draft and return them, or None when no codebook is chosen."""
    by_id = {codebook.id: codebook for codebook in codebooks}
    owner = (str(project.folder), kind)
    if st.session_state.get(CHOICES_FOR_KEY) != owner or CODEBOOKS_KEY not in st.session_state:
        # The findings come from every codebook but the recommendations one; the recommendations from that one.
        wanted = [cid for cid in by_id if (cid == RECOMMENDATIONS_CODEBOOK) == (kind == "recommendations")]
        st.session_state[CODEBOOKS_KEY] = wanted
        st.session_state[THEMES_KEY] = []
        st.session_state[CODES_KEY] = []
        if st.session_state.get(CHOICES_FOR_KEY, ("",))[0] != owner[0] or CITATION_KEY not in st.session_state:
            st.session_state[CITATION_KEY] = project.citation_template
        st.session_state[CHOICES_FOR_KEY] = owner
    _keep_only(CODEBOOKS_KEY, by_id)
    section = "area" if kind == "recommendations" else "theme"
    book_column, theme_column, code_column = st.columns(3)
    with book_column:
        chosen = st.multiselect(
            "Codebooks", list(by_id), key=CODEBOOKS_KEY, format_func=lambda c: by_id[c].name if c in by_id else c,
            placeholder="Choose a codebook",
        )  # fmt: skip
    selected = [by_id[cid] for cid in chosen if cid in by_id]
    themes = {theme.id: (codebook, theme) for codebook in selected for theme in codebook.children(None)}
    _keep_only(THEMES_KEY, themes)
    with theme_column:
        chosen_themes = st.multiselect(
            f"{section.capitalize()}s", list(themes), key=THEMES_KEY,
            format_func=lambda t: themes[t][1].name if t in themes else t, placeholder=f"Every {section}",
        )  # fmt: skip
    codes = {
        code.id: (codebook, code)
        for theme_id, (codebook, theme) in themes.items()
        if not chosen_themes or theme_id in chosen_themes
        for code in codebook.descendants(theme_id)
    }
    _keep_only(CODES_KEY, codes)
    with code_column:
        chosen_codes = st.multiselect(
            "Codes", list(codes), key=CODES_KEY, format_func=lambda c: codes[c][0].path(c) if c in codes else c,
            placeholder="Every code", help=f"Leave empty for every code of the {section}s chosen.",
        )  # fmt: skip
    quotes_column, citation_column = st.columns(2)
    with quotes_column:
        quotes = st.slider(
            "Quotes per code", min_value=1, max_value=10, value=3, key=QUOTES_KEY, disabled=kind == "recommendations",
            help="Key quotes first, then passages spread over different participants. A recommendation has one quote.",
        )  # fmt: skip
    with citation_column:
        citation = st.text_input(
            "Citation label", key=CITATION_KEY,
            help="How quotes are cited, with {n} for the participant number or {label} for their label, e.g. "
            "Case Worker {n}. This draft only: the project's label is changed on the Project page.",
        )  # fmt: skip
    if not selected:
        if kind == "recommendations" and RECOMMENDATIONS_CODEBOOK not in by_id:
            st.info(
                "This project has no recommendations codebook: load codebooks/recommendations.yaml on the Codebook "
                "page, or choose the codebooks to draft recommendations from."
            )
        else:
            st.info("Choose at least one codebook to draft from.")
        return None
    label = (citation or "").strip()
    return (
        str(project.folder), kind, tuple(c.id for c in selected), tuple(chosen_themes), tuple(chosen_codes),
        int(quotes) if kind == "findings" else 1, label if label and label != project.citation_template else None,
    )  # fmt: skip


def _keep_only(key: str, options: Collection[str]) -> None:
    """Drop from a multiselect's value what is no longer among its options (another codebook or theme chosen)."""
    value = st.session_state.get(key) or []
    kept = [item for item in value if item in options]
    if kept != value:
        st.session_state[key] = kept


def _options(choices: Choices) -> DraftOptions:
    _, _, codebooks, themes, codes, quotes, citation = choices
    return DraftOptions(codebooks, themes, codes, quotes, citation)


def _sections(choices: Choices, codebooks: list[Codebook]) -> list[Code]:
    """The themes (or areas) the draft has a section for: those chosen, else every one of the codebooks chosen."""
    _, _, chosen, themes, *_ = choices
    return [
        theme
        for codebook in codebooks
        if codebook.id in chosen
        for theme in codebook.children(None)
        if not themes or theme.id in themes
    ]


# --- preview and files ------------------------------------------------------------------------------------------


def _draft(project: Project, choices: Choices, codebooks: list[Codebook]) -> None:
    kind = choices[1]
    st.caption(
        "Building a file checks the draft first: every quote is cut again from its transcript and compared, every "
        "quoted transcript must be signed off, and a last anonymity scan reads the whole draft. Any problem stops the "
        "file, and every problem is listed."
    )
    with st.container(horizontal=True, vertical_alignment="center", key="report_actions"):
        preview = st.button("Preview", key="report_preview", type="primary", icon=":material/visibility:")
        clicked = {
            fmt: st.button(f"Build {what}", key=f"report_build_{fmt}", icon=icon)
            for fmt, (what, _, _, icon) in FILES.items()
        }
        slots = {fmt: st.empty() for fmt in FILES}
    if preview:
        with st.spinner(f"Drafting the {kind}..."):
            st.session_state[PREVIEW_KEY] = (choices, build_draft(project, kind, _options(choices)))
    for fmt, pressed in clicked.items():
        if pressed:
            _build(project, choices, fmt)
    built: dict[str, tuple[Choices, bytes | list[str]]] = st.session_state.get(BUILT_KEY, {})
    name = f"{kind}-draft-{project.folder.resolve().name}"
    for fmt, (what, download, mime, icon) in FILES.items():
        outcome = built[fmt][1] if fmt in built and built[fmt][0] == choices else None
        if isinstance(outcome, bytes):
            slots[fmt].download_button(
                download, outcome, file_name=f"{name}.{fmt}", mime=mime, key=f"report_download_{fmt}", icon=icon,
                on_click="ignore", type="primary",
            )  # fmt: skip
        elif isinstance(outcome, list):
            _refused(what, outcome)
    shown = st.session_state.get(PREVIEW_KEY)
    if shown is not None and shown[0] == choices:
        _preview(project, shown[1], _sections(choices, codebooks))
    elif shown is not None:
        st.caption("The choices above changed since the last preview: press **Preview** to see the draft they make.")


def _build(project: Project, choices: Choices, fmt: str) -> None:
    """Draft afresh, check and render, with its progress shown; keep the file, or the problems that refused it."""
    kind, what = choices[1], FILES[fmt][0]
    outcome: bytes | list[str]
    with st.status(f"Building {what}...", expanded=True) as status:
        try:
            st.write(f"Drafting the {kind} from the codings and memos...")
            report = build_draft(project, kind, _options(choices))
            # The preview follows the draft the file is made from.
            st.session_state[PREVIEW_KEY] = (choices, report)
            st.write("Checking every quote against its transcript and scanning the draft for identifiers...")
            outcome = draft_bytes(project, report, fmt)
        except ReportRefused as refused:
            outcome = list(refused.problems)
            status.update(label=f"{_capital(what)} was not built", state="error", expanded=False)
        except WorkbenchError:
            status.update(label=f"{_capital(what)} was not built", state="error", expanded=False)
            raise
        else:
            status.update(label=f"Built {what}: the checks passed", state="complete", expanded=False)
    st.session_state.setdefault(BUILT_KEY, {})[fmt] = (choices, outcome)


def _refused(what: str, problems: list[str]) -> None:
    """Every problem on a line of its own; its words come from transcripts and memos, so they are escaped."""
    count = len(problems)
    lines = [f"{number}. {escape_markdown(problem)}" for number, problem in enumerate(problems, 1)]
    st.error(
        f"{_capital(what)} was not built: {count} problem{'' if count == 1 else 's'} to fix, then build it "
        "again.\n\n" + "\n".join(lines)
    )
    with st.container(horizontal=True, key=f"report_fix_{what.split()[-1].lower()}"):
        link("coding", label="Memos: the Coding page", icon=":material/label:")
        link("anonymise", label="Transcripts and the glossary: the Anonymisation page",
            icon=":material/shield_person:",
        )  # fmt: skip


def _preview(project: Project, report: Report, sections: list[Code]) -> None:
    quotes = report.quotes()
    people = {quote.citation for quote in quotes}
    area = report.kind == "recommendations"
    recommendations = sum(len(b.items) for b in report.blocks if isinstance(b, Bullets)) if area else None
    noun = project.analysis.noun
    counts = st.columns(4 if area else 3)
    counts[0].metric("Areas" if area else "Themes", len(sections), border=True)
    counts[1].metric("Quotes", len(quotes), border=True)
    counts[2].metric(f"{_capital(noun)} quoted", len(people), border=True)
    if recommendations is not None:
        counts[3].metric("Recommendations", recommendations, border=True)
    with st.container(border=True, height=720, key="report_preview_box"):
        st.header(escape_markdown(report.title), anchor=False)
        st.caption(escape_markdown(report.subtitle))
        for block in report.blocks:
            _block(block)


def _block(block: Heading | Paragraph | QuoteBlock | Bullets | Table) -> None:
    """One block of the draft, every text in it escaped (it comes from transcripts, memos and the codebook)."""
    if isinstance(block, Heading):
        if block.level <= 1:
            st.subheader(escape_markdown(block.text), anchor=False)
        else:
            st.markdown(f"{'#' * (block.level + 2)} {escape_markdown(block.text)}")
    elif isinstance(block, Paragraph):
        st.markdown(escape_markdown(block.text))
    elif isinstance(block, QuoteBlock):
        st.markdown(f"> “{escape_markdown(block.text)}” {escape_markdown(block.citation)}")
    elif isinstance(block, Bullets):
        st.markdown("\n".join(f"- {escape_markdown(item)}" for item in block.items))
    else:
        st.dataframe(pd.DataFrame(list(block.rows), columns=list(block.columns)), hide_index=True)


def _capital(text: str) -> str:
    """The text with its first letter a capital ("the Word file" -> "The Word file"; str.capitalize lowers "Word")."""
    return text[:1].upper() + text[1:]


# --- the ethics report ------------------------------------------------------------------------------------------


def _ethics(project: Project) -> None:
    if not project.documents():
        st.info("This project has no transcripts yet: import some on the Project page.")
        link("project", label="Go to the Project page", icon=":material/folder_open:")
        return
    ethics_buttons(project, docx_key="report_ethics_docx", md_key="report_ethics_md")


if __name__ == "__main__":  # Streamlit runs each page file as __main__
    render()
