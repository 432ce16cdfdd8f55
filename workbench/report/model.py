"""The report model: a draft as a list of blocks (headings, paragraphs, quotes, bullets, tables), before rendering."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1 = a theme or area, 2 = a code, 3 = a sub-code


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class QuoteBlock:
    """A verbatim quotation: cut from the released text of ``document`` at [start, end), cited "(Case Worker 12)"."""

    text: str
    citation: str
    document: int
    start: int
    end: int


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Paragraph | QuoteBlock | Bullets | Table


@dataclass
class Report:
    """A draft report: its title, a line under it, and its blocks in order."""

    kind: str
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def quotes(self) -> list[QuoteBlock]:
        return [block for block in self.blocks if isinstance(block, QuoteBlock)]

    def plain_text(self) -> str:
        """Every word the project put in the draft, one block per paragraph: what the residual anonymity scan reads
        (the title and subtitle are the workbench's own)."""
        parts = []
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph):
                parts.append(block.text)
            elif isinstance(block, QuoteBlock):
                parts.append(f"{block.text} {block.citation}")
            elif isinstance(block, Bullets):
                parts.extend(block.items)
            else:
                parts.extend(" | ".join(row) for row in (block.columns, *block.rows))
        return "\n\n".join(part for part in parts if part)
