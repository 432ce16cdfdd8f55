"""The codebook as the rest of the workbench sees it: a validated tree of themes, codes and sub-codes."""

from __future__ import annotations

from dataclasses import dataclass, field

# Tableau 10: distinct colours that stay readable behind black text, given to themes that have none of their own.
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip


@dataclass(frozen=True)
class Code:
    """One node of the tree: a theme (depth 0), a code or a sub-code, as written in the codebook file."""

    id: str
    name: str
    parent: str | None
    depth: int
    position: int
    definition: str
    inclusion: str
    exclusion: str
    example: str
    keywords: tuple[str, ...]
    colour: str
    own_colour: str | None
    line: int

    @property
    def is_theme(self) -> bool:
        """Return True for a code at the top of the tree."""
        return self.parent is None


@dataclass(frozen=True)
class Codebook:
    """A named tree of codes, kept in pre-order (each theme followed by its sub-tree, in file order)."""

    id: str
    name: str
    description: str
    codes: tuple[Code, ...]
    _by_id: dict[str, Code] = field(init=False, repr=False, compare=False)
    _children: dict[str | None, tuple[Code, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        children: dict[str | None, list[Code]] = {}
        for code in self.codes:
            children.setdefault(code.parent, []).append(code)
        object.__setattr__(self, "_by_id", {code.id: code for code in self.codes})
        object.__setattr__(self, "_children", {key: tuple(value) for key, value in children.items()})

    @property
    def ids(self) -> frozenset[str]:
        """Return the ids of every code in the codebook."""
        return frozenset(self._by_id)

    @property
    def themes(self) -> list[Code]:
        """Return the codes at the top of the tree, in file order."""
        return self.children(None)

    def code(self, code_id: str) -> Code:
        """Return the code with this id; raise KeyError when the codebook has none."""
        return self._by_id[code_id]

    def children(self, code_id: str | None) -> list[Code]:
        """Return the direct sub-codes of a code in file order, or the themes when code_id is None."""
        if code_id is not None:
            self.code(code_id)
        return list(self._children.get(code_id, ()))

    def ancestors(self, code_id: str) -> list[Code]:
        """Return the codes above a code, its parent first and its theme last."""
        found: list[Code] = []
        parent = self.code(code_id).parent
        while parent is not None:
            found.append(self._by_id[parent])
            parent = found[-1].parent
        return found

    def descendants(self, code_id: str) -> list[Code]:
        """Return every code below a code, in pre-order, without the code itself."""
        start = self.code(code_id)
        found: list[Code] = []
        # Pre-order keeps a sub-tree contiguous: it runs until the next code no deeper than the start.
        for code in self.codes[start.position + 1 :]:
            if code.depth <= start.depth:
                break
            found.append(code)
        return found

    def theme_of(self, code_id: str) -> Code:
        """Return the theme a code belongs to (the code itself when it is a theme)."""
        ancestors = self.ancestors(code_id)
        return ancestors[-1] if ancestors else self.code(code_id)

    def path(self, code_id: str) -> str:
        """Return the names from the theme down to the code, e.g. "Perception > The RAS form > Duplication"."""
        chain = [self.code(code_id), *self.ancestors(code_id)]
        return " > ".join(code.name for code in reversed(chain))
