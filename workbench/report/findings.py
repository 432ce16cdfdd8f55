"""The findings draft: study facts, then a section per theme and a subsection per code, each with counts in words,
quotations attributed "(Case Worker N)", and the theme's future considerations."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from workbench.analysis import in_prose, people_noun
from workbench.codebook import Code, Codebook
from workbench.errors import QuoteError
from workbench.participants import Participant, check_citation_template, citation_for
from workbench.project import Project
from workbench.quotes import Quote
from workbench.report.model import Bullets, Heading, Paragraph, QuoteBlock, Report, Table

RECOMMENDATIONS_CODEBOOK = "recommendations"
# Quotes of about this many characters read best in a report: a sentence or two, not a fragment or a page.
IDEAL_QUOTE_LENGTH = 180


@dataclass(frozen=True)
class DraftOptions:
    """What a writer chooses: codebooks, themes or codes (all when empty), quotes per code, the citation label."""

    codebooks: Sequence[str] = ()
    themes: Sequence[str] = ()
    codes: Sequence[str] = ()
    quotes_per_code: int = 3
    citation_label: str | None = None


class Drafting:
    """What both drafts need from the project, read once: codebooks, quotes, memos and participants."""

    def __init__(self, project: Project, options: DraftOptions) -> None:
        self.project = project
        self.options = options
        template = check_citation_template(options.citation_label or project.citation_template)
        self.template = template
        self.noun = people_noun(template)
        self.participants = {p.id: p for p in project.participants()}
        self.interviewed = sorted({d.participant_id for d in project.documents() if d.status == "signed off"})
        self.quotes = project.quotes()
        self.by_coding = {quote.coding: quote for quote in self.quotes}
        self.codebooks = {item.codebook.id: item.codebook for item in project.codebooks.loaded()}
        unknown = [c for c in options.codebooks if c not in self.codebooks]
        if unknown:
            raise QuoteError(f"there is no codebook {unknown[0]!r} in this project")

    def cite(self, participant: str) -> str:
        person = self.participants.get(participant)
        return f"({citation_for(self.template, Participant(participant, person.label if person else None))})"

    def quotes_of(self, codebook: Codebook, code: Code, *, nested: bool) -> list[Quote]:
        ids = {code.id} | ({c.id for c in codebook.descendants(code.id)} if nested else set())
        return [quote for quote in self.quotes if quote.code in ids]

    def counts(self, quotes: Sequence[Quote]) -> tuple[str, str]:
        """("Nine case workers", "(nine of the 13)"), or ("All 13 case workers", "") when every one did."""
        count, total = len({q.participant for q in quotes}), len(self.interviewed)
        if count == total and total > 1:
            return f"All {total} {self.noun}", ""
        first, share = in_prose(count, total, self.noun)
        return first[0].upper() + first[1:], f" ({share})"

    def choose(self, quotes: Sequence[Quote]) -> list[QuoteBlock]:
        """Key quotes first; then, where fewer are marked, well-spread ones: new case workers, moderate length."""
        chosen: list[Quote] = []
        for quote in [q for q in quotes if q.key_quote]:
            if len(chosen) < self.options.quotes_per_code and not _overlaps(quote, chosen):
                chosen.append(quote)
        people = Counter(q.participant for q in chosen)
        rest = [q for q in quotes if not _overlaps(q, chosen) and len(q.text.split()) >= 6]
        while len(chosen) < self.options.quotes_per_code and rest:
            best = min(rest, key=lambda q: (people[q.participant], abs(len(q.text) - IDEAL_QUOTE_LENGTH), q.coding))
            chosen.append(best)
            people[best.participant] += 1
            rest = [q for q in rest if not _overlaps(q, [best])]
        return [QuoteBlock(q.text, self.cite(q.participant), q.document, q.start, q.end) for q in chosen]

    def memos(self, kind: str, codebook: Codebook, code_ids: set[str]) -> list[tuple[str, str | None]]:
        """Memos of a kind on these codes or their codings, as (text, code id); duplicates once."""
        found: dict[str, str | None] = {}
        for memo in self.project.coding.memos(kind=kind):
            code = memo.target_id if memo.target == "code" else None
            if memo.target == "coding":
                quote = self.by_coding.get(int(memo.target_id))
                code = quote.code if quote else None
            if code in code_ids:
                found.setdefault(" ".join(memo.text.split()), code)
        return list(found.items())

    def selected_codebooks(self, *, recommendations: bool) -> list[Codebook]:
        wanted = self.options.codebooks or [
            cid for cid in self.codebooks if (cid == RECOMMENDATIONS_CODEBOOK) == recommendations
        ]
        return [self.codebooks[cid] for cid in wanted]

    def selected(self, codebook: Codebook, code: Code) -> bool:
        theme = codebook.theme_of(code.id).id
        if self.options.themes and theme not in self.options.themes:
            return False
        return not self.options.codes or code.depth == 0 or code.id in self.options.codes

    def study_facts(self, report: Report) -> None:
        documents = [d for d in self.project.documents() if d.status == "signed off"]
        roles = Counter((self.participants[pid].role or "not recorded") for pid in self.interviewed)
        report.add(
            Heading("The study", 1),
            Paragraph(
                f"{len(self.interviewed)} {self.noun} were interviewed ({len(documents)} transcripts, "
                f"{sum(d.words for d in documents):,} words, all anonymised and signed off by an ethics reviewer). "
                f"{len(self.quotes)} passages were coded by {len({q.coder for q in self.quotes})} coders."
            ),
            Table(("Role", self.noun.capitalize()), tuple((role, str(n)) for role, n in sorted(roles.items()))),
        )


def _overlaps(quote: Quote, chosen: Sequence[Quote]) -> bool:
    """Whether a quote shares words with one already chosen (two coders, or a sentence within a coded turn)."""
    return any(q.document == quote.document and q.start < quote.end and quote.start < q.end for q in chosen)


def build_findings(project: Project, options: DraftOptions | None = None) -> Report:
    """Return the findings draft: a section per theme, a subsection per code, future considerations per theme."""
    drafting = Drafting(project, options or DraftOptions())
    report = Report("findings", "Findings", "A first draft written by the workbench, for the writers to revise")
    drafting.study_facts(report)
    for codebook in drafting.selected_codebooks(recommendations=False):
        for theme in codebook.children(None):
            if not drafting.selected(codebook, theme):
                continue
            _theme(report, drafting, codebook, theme)
    return report


def _theme(report: Report, drafting: Drafting, codebook: Codebook, theme: Code) -> None:
    quotes = drafting.quotes_of(codebook, theme, nested=True)
    first, share = drafting.counts(quotes)
    report.add(Heading(theme.name, 1))
    report.add(Paragraph(f"{first}{share} spoke about {theme.name.casefold()}. {theme.definition}"))
    for code in codebook.descendants(theme.id):
        if drafting.selected(codebook, code):
            _code(report, drafting, codebook, code)
    ids = {theme.id} | {c.id for c in codebook.descendants(theme.id)}
    considerations = drafting.memos("future consideration", codebook, ids)
    if considerations:
        report.add(Heading("Future considerations", 2), Bullets(tuple(text for text, _ in considerations)))


def _code(report: Report, drafting: Drafting, codebook: Codebook, code: Code) -> None:
    quotes = drafting.quotes_of(codebook, code, nested=True)
    report.add(Heading(code.name, min(code.depth + 1, 3)))
    if not quotes:
        report.add(Paragraph(f"No {drafting.noun} were coded under this heading."))
        return
    first, share = drafting.counts(quotes)
    sentences = [f"{first}{share} described {code.name[0].lower() + code.name[1:]}."]
    spread = _keyword_spread(drafting.project, code)
    if spread:
        sentences.append(spread)
    report.add(Paragraph(" ".join(sentences)))
    report.add(*drafting.choose(drafting.quotes_of(codebook, code, nested=False) or quotes))


def _keyword_spread(project: Project, code: Code) -> str | None:
    """ "The word “duplication” came up in 12 interviews." for the code's most widespread keyword."""
    keywords = [k for k in code.keywords if len(k) > 3][:4]
    if not keywords:
        return None
    best = max(project.search.spread(keywords), key=lambda s: len(s.participants))
    if len(best.participants) < 2:
        return None
    kind = "phrase" if " " in best.query else "word"
    return f"The {kind} “{best.query}” came up in {len(best.participants)} interviews."
