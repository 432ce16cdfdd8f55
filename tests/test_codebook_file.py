"""The codebook file format: reading and checking codebooks, and edits that keep comments, order and layout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.codebook import CodebookFile, parse_codebook, read_codebook
from workbench.codebook.model import PALETTE
from workbench.errors import CodebookEditError, CodebookError

SAMPLE = """\
# Codebook for the tests: comments must survive every edit.
id: test_book
name: Test codebook      # the name
description: >
  Codes used by the tests.
themes:
  # -- the context theme --
  - id: ctx                 # a theme with its own colour
    name: Context
    colour: "#4C78A8"
    definition: How case workers were prepared.
    codes:
      # training comes first
      - id: ctx.training
        name: Training
        keywords: [training, course, "too much too fast"]
        # a note inside training
      - id: ctx.support     # support from managers
        name: Support
        colour: "#abc"

  - id: per
    name: Perception
    codes:
      - id: per.form
        name: The RAS form
        codes:
          - id: per.form.dup
            name: Duplication

  # a flat entry, listed under themes
  - id: extra
    parent: ctx
    name: Extra
# the end
"""
# The blocks of SAMPLE that edits elsewhere must leave byte for byte.
TRAINING = """\
      # training comes first
      - id: ctx.training
        name: Training
        keywords: [training, course, "too much too fast"]
        # a note inside training
"""
SUPPORT = """\
      - id: ctx.support     # support from managers
        name: Support
        colour: "#abc"
"""
FORM = """\
      - id: per.form
        name: The RAS form
        codes:
          - id: per.form.dup
            name: Duplication
"""
EXTRA = """\
  # a flat entry, listed under themes
  - id: extra
    parent: ctx
    name: Extra
"""


def sample() -> CodebookFile:
    return CodebookFile.parse(SAMPLE, "test_book.yaml")


def tree(book: CodebookFile) -> list[tuple[str, str | None]]:
    """Return (id, parent) in pre-order, after checking the dumped text reads back as the same codebook."""
    assert parse_codebook(book.dump(), "again.yaml").codes == book.codebook.codes
    return [(code.id, code.parent) for code in book.codebook.codes]


# Reading


def test_sample_reads_as_a_tree_in_file_order() -> None:
    book = parse_codebook(SAMPLE, "test_book.yaml")
    assert (book.id, book.name, book.description) == ("test_book", "Test codebook", "Codes used by the tests.")
    assert [(c.id, c.parent, c.depth, c.position, c.line) for c in book.codes] == [
        ("ctx", None, 0, 0, 8),
        ("ctx.training", "ctx", 1, 1, 14),
        ("ctx.support", "ctx", 1, 2, 18),
        ("extra", "ctx", 1, 3, 32),  # a flat entry comes among its siblings by its line in the file
        ("per", None, 0, 4, 22),
        ("per.form", "per", 1, 5, 25),
        ("per.form.dup", "per.form", 2, 6, 28),
    ]
    assert book.code("ctx.training").keywords == ("training", "course", "too much too fast")
    assert book.code("ctx").definition == "How case workers were prepared."
    assert book.code("ctx.training").inclusion == ""
    assert book.ids == frozenset(code.id for code in book.codes)


def test_tree_navigation_and_colours() -> None:
    book = parse_codebook(SAMPLE, "test_book.yaml")
    assert [code.id for code in book.children(None)] == ["ctx", "per"]
    assert [code.id for code in book.children("ctx")] == ["ctx.training", "ctx.support", "extra"]
    assert [code.id for code in book.ancestors("per.form.dup")] == ["per.form", "per"]
    assert [code.id for code in book.descendants("per")] == ["per.form", "per.form.dup"]
    assert book.descendants("per.form.dup") == []
    assert book.theme_of("per.form.dup").id == "per"
    assert book.theme_of("per").id == "per"
    assert book.path("per.form.dup") == "Perception > The RAS form > Duplication"
    with pytest.raises(KeyError):
        book.code("nope")
    colours = {code.id: (code.colour, code.own_colour) for code in book.codes}
    assert (colours["ctx"], colours["ctx.training"]) == (("#4c78a8", "#4c78a8"), ("#4c78a8", None))  # inherited
    assert colours["ctx.support"] == ("#aabbcc", "#aabbcc")  # #RGB, any case, as lower-case #rrggbb
    assert colours["per.form.dup"] == colours["per"] == (PALETTE[1], None)  # the second theme's palette colour


def test_codebook_id_defaults_to_the_file_stem() -> None:
    book = parse_codebook("name: B\nthemes: []\n", "codebooks/My Codes.yaml")
    assert (book.id, book.codes) == ("my_codes", ())


def test_loose_values_are_read_as_text() -> None:
    text = "name: B\nthemes:\n  - id: '12'\n    name: 2024\n    example: true\n    keywords: [1, x]\n    codes:\n"
    code = parse_codebook(text, "b.yaml").code("12")
    assert (code.name, code.example, code.keywords) == ("2024", "true", ("1", "x"))


H = "name: Book\nthemes:\n"
A = H + "  - id: a\n    name: A\n"  # a valid first code, on lines 3 and 4
ID_RULE = 'use letters, digits, ".", "_" and "-", starting with a letter or digit'


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [
        (H + "  - id: a\n    name: b: c\n", 4, None, "malformed YAML: mapping values are not allowed here"),
        (A + "    name: B\n", 5, None,
         'malformed YAML: found duplicate key "name" with value "B" (original value: "A")'),
        (H + "\t- id: a\n", 3, None,
         "malformed YAML: found character '\\t' that cannot start any token (indent with spaces, not tabs)"),
        ("- id: a\n  name: A\n", 1, None, "the top level is a list; it must be a mapping with name and themes"),
        ("id: b\nthemes: []\n", 1, "name", "the codebook has no name (add name: ...)"),
        ("name: ''\nthemes: []\n", 1, "name", "the codebook has an empty name"),
        ("name: B\nversion: 2\nthemes: []\n", 2, "version",
         'the codebook: unknown field "version" (the fields allowed are id, name, description, themes)'),
        ("# c\nname: B\n", 2, "themes", "the codebook has no themes; add a list of them (themes:)"),
        ("name: B\nthemes: a, b\n", 2, "themes", "themes must be a list of codes, each starting with - id: ..."),
        (A + "  - just text\n", 5, "themes",
         "entry 2 of themes is plain text, not a code (write it as - id: ... with name: ...)"),
        (H + "  - name: A\n", 3, "id", 'the code named "A" has no id (add id: ...)'),
        (H + "  - id:\n    name: A\n", 3, "id", "a code has an empty id"),
        (H + "  - id: ras context\n    name: A\n", 3, "id",
         f'the id "ras context" is not a valid id ({ID_RULE})'),
        (H + "  - id: 1.10\n    name: A\n", 3, "id",
         'the id 1.1 is read as a number; put it in quotes (id: "...") so that it stays exactly as written'),
        (A + "    codes:\n      - id: b\n        name: B\n  - id: b\n    name: B\n", 8, "id",
         'code "b" is defined twice (first on line 6)'),
        (H + "  - id: a\n    definition: x\n", 3, "name", 'code "a" has no name (add name: ...)'),
        (H + "  - id: a\n    name:\n", 4, "name", 'code "a" has an empty name'),
        (H + "  - id: a\n    name: [x]\n", 4, "name", 'code "a": name must be text, not a list'),
        (A + "  - id: b\n    parent: ras.contxt\n    name: B\n", 6, "parent",
         'code "b": parent "ras.contxt" is not a code in this codebook'),
        (A + "    codes:\n      - id: b\n        parent: a\n        name: B\n", 7, "parent",
         'code "b": parent is only for entries listed under themes; this one already sits under "a"'),
        (H + "  - id: a\n    parent: b\n    name: A\n  - id: b\n    parent: a\n    name: B\n", 4, "parent",
         'code "a": parent "b" makes a loop (a -> b -> a)'),
        (A + "    definition:\n      - x\n", 5, "definition",
         'code "a": definition must be text, not a list'),
        (A + "    example: {a: 1}\n", 5, "example", 'code "a": example must be text, not a mapping'),
        (A + "    keywords: training\n", 5, "keywords",
         'code "a": keywords must be a list of words or phrases, e.g. [training, "too much too fast"]'),
        (A + "    keywords:\n      - x\n      - ''\n", 7, "keywords", 'code "a": keyword 2 is empty'),
        (A + "    keywords: [x, [y]]\n", 5, "keywords",
         'code "a": keyword 2 must be a word or phrase, not a list'),
        (A + "    colour: '#12'\n", 5, "colour",
         'code "a": colour "#12" is not a colour (write it as #RRGGBB)'),
        (A + "    colour: red\n", 5, "colour",
         'code "a": colour "red" is not a colour (write it as #RRGGBB)'),
        (A + "    colour: #4C78A8\n", 5, "colour",
         'code "a": colour is empty; write it in quotes, as colour: "#RRGGBB" (an unquoted # starts a comment)'),
        (A + "    defintion: x\n", 5, "defintion",
         'code "a": unknown field "defintion" (did you mean "definition"? the fields allowed are id, parent, name, '
         "definition, inclusion, exclusion, example, keywords, colour, codes)"),
        (A + "    codes:\n      id: b\n", 5, "codes",
         'code "a": codes must be a list of sub-codes, each starting with - id: ...'),
    ],
)  # fmt: skip
def test_invalid_codebooks_are_refused_with_their_line(text: str, line: int, field: str | None, reason: str) -> None:
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, "codebooks/book.yaml")
    assert str(caught.value) == f"book.yaml, line {line}: {reason}"
    assert (caught.value.line, caught.value.field) == (line, field)


@pytest.mark.parametrize("colour", ["#ABC", "#abc", "#AABBCC", "#aAbBcC"])
def test_colours_in_either_form_and_any_case(colour: str) -> None:
    text = f"name: B\nthemes:\n  - id: a\n    name: A\n    colour: '{colour}'\n"
    assert parse_codebook(text, "b.yaml").code("a").own_colour == "#aabbcc"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "is empty; a codebook needs a name and a list of themes"),
        (b"  \n\n", "is empty; a codebook needs a name and a list of themes"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a PNG image, not a codebook; a codebook is a YAML text file"),
        (b"name: x\x00\x01\x02", "is a binary file, not a codebook; a codebook is a YAML text file"),
        ("name: Café\n".encode("cp1252"),
         "is not UTF-8 text (byte 10 on line 1 is not valid UTF-8); save it as UTF-8"),
    ],
)  # fmt: skip
def test_unreadable_files_are_refused_naming_the_file(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "codes.yaml"
    path.write_bytes(data)
    with pytest.raises(CodebookError) as caught:
        read_codebook(path)
    assert str(caught.value) == f"codes.yaml: {reason}"


def test_missing_file_and_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CodebookError, match=r"^gone\.yaml: does not exist$"):
        read_codebook(tmp_path / "gone.yaml")
    with pytest.raises(CodebookError, match="is a folder"):
        read_codebook(tmp_path)


def test_bom_and_windows_line_ends_are_read(tmp_path: Path) -> None:
    path = tmp_path / "codes.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.replace("\n", "\r\n").encode())
    assert read_codebook(path).codes == parse_codebook(SAMPLE, "codes.yaml").codes
    assert CodebookFile.read(path).dump() == SAMPLE


# Editing


def test_dump_without_edits_is_the_file_as_written() -> None:
    assert sample().dump() == SAMPLE


def test_add_code_appends_the_last_sub_code_in_field_order() -> None:
    book = sample()
    code = book.add(
        id="per.time", name="Time: too little", parent="per", definition="Two\nlines", keywords=["a", "b, c"],
        colour="#123", example="",
    )  # fmt: skip
    assert (code.parent, code.definition, code.keywords, code.colour) == ("per", "Two\nlines", ("a", "b, c"), "#112233")
    new = """\
      - id: per.time
        name: 'Time: too little'
        definition: |-
          Two
          lines
        keywords: [a, 'b, c']
        colour: "#123"
"""
    assert book.dump() == SAMPLE.replace(FORM, FORM + new)
    assert tree(book)[-1] == ("per.time", "per")


def test_add_under_a_leaf_opens_its_codes_list() -> None:
    book = sample()
    book.add(id="per.form.dup.x", name="X", parent="per.form.dup")
    opened = "            name: Duplication\n            codes:\n              - id: per.form.dup.x\n"
    assert book.dump() == SAMPLE.replace("            name: Duplication\n", opened + "                name: X\n")


def test_add_theme_follows_the_blank_line_style_and_keeps_the_end_comment() -> None:
    book = sample()
    book.add(id="new", name="New theme", parent=None)
    assert book.dump() == SAMPLE.replace(EXTRA, EXTRA + "\n  - id: new\n    name: New theme\n")
    assert [code.id for code in book.codebook.children(None)] == ["ctx", "per", "new"]


def test_add_to_an_empty_codebook() -> None:
    book = CodebookFile.parse("name: Empty\nthemes: []   # none yet\n", "empty.yaml")
    book.add(id="a", name="A", parent=None)
    book.add(id="a.b", name="B", parent="a")
    expected = "name: Empty\nthemes:      # none yet\n  - id: a\n    name: A\n    codes:\n      - id: a.b\n"
    assert book.dump() == expected + "        name: B\n"  # the comment keeps its column


def test_update_changes_fields_in_place_and_keeps_end_of_line_comments() -> None:
    book = sample()
    code = book.update("ctx", name="Context of use", definition="", inclusion="Any preparation.", colour="#fff")
    assert (code.name, code.definition, code.inclusion) == ("Context of use", "", "Any preparation.")
    before = '    name: Context\n    colour: "#4C78A8"\n    definition: How case workers were prepared.\n'
    after = '    name: Context of use\n    inclusion: Any preparation.\n    colour: "#fff"\n'  # in field order
    assert book.dump() == SAMPLE.replace(before, after)
    book.update("ctx.support", name="Manager support", keywords=["manager"], colour="")
    assert "      - id: ctx.support     # support from managers\n        name: Manager support\n" in book.dump()
    assert book.codebook.code("ctx.support").keywords == ("manager",)
    assert book.codebook.code("ctx.support").colour == "#ffffff"  # inherited again, from the theme


def test_update_keeps_the_comment_after_a_field() -> None:
    book = CodebookFile.parse("name: B\nthemes:\n  - id: a\n    name: A   # short\n", "b.yaml")
    book.update("a", name="Longer")
    assert book.dump() == "name: B\nthemes:\n  - id: a\n    name: Longer   # short\n"


def test_update_of_the_field_on_the_dash_line() -> None:
    text = "name: B\nthemes:\n  - colour: '#fff'  # white\n    # about a\n    id: a\n    name: A\n"
    book = CodebookFile.parse(text, "b.yaml")
    book.update("a", colour="#000")
    assert book.dump() == text.replace("'#fff'", '"#000"')
    book.update("a", colour="")
    assert book.dump() == "name: B\nthemes:\n  - id: a\n    # about a\n    name: A\n"


def test_update_to_the_same_values_leaves_the_text_alone() -> None:
    book = sample()
    book.update("ctx.training", name="Training", keywords=["training", "course", "too much too fast"], colour="")
    book.update("ctx", colour="#4c78a8", definition=" How case workers were prepared. ")
    assert book.dump() == SAMPLE


def test_move_nested_code_to_another_theme_keeps_its_comments() -> None:
    book = sample()
    book.move("ctx.support", "per")
    assert book.dump() == SAMPLE.replace(SUPPORT, "").replace(FORM, FORM + SUPPORT)
    assert tree(book)[:4] == [("ctx", None), ("ctx.training", "ctx"), ("extra", "ctx"), ("per", None)]


def test_move_before_a_sibling_reindents_the_sub_tree_with_its_comments() -> None:
    book = sample()
    book.move("ctx", "per", before="per.form")
    moved = (
        "    codes:\n"
        "      # -- the context theme --\n"
        "      - id: ctx                 # a theme with its own colour\n"
        "        name: Context\n"
    )
    assert moved in book.dump()
    assert "          # training comes first\n          - id: ctx.training\n" in book.dump()
    assert "            # a note inside training\n" in book.dump()
    assert tree(book)[:3] == [("per", None), ("ctx", "per"), ("ctx.training", "ctx")]
    assert book.codebook.code("ctx.training").depth == 2
    assert EXTRA in book.dump()  # the flat entry still names its (moved) parent


def test_move_theme_before_theme() -> None:
    book = sample()
    book.move("per", None, before="ctx")
    assert [code.id for code in book.codebook.children(None)] == ["per", "ctx"]
    assert book.dump().startswith(SAMPLE.split("  # -- the context")[0] + "  - id: per\n    name: Perception\n")
    assert FORM in book.dump() and TRAINING in book.dump()


def test_move_flat_entry_changes_its_parent_field_when_it_stays_in_order() -> None:
    book = sample()
    book.move("extra", "per")
    assert book.dump() == SAMPLE.replace("    parent: ctx\n", "    parent: per\n")
    book.move("extra", None)
    assert book.dump() == SAMPLE.replace("    parent: ctx\n", "")
    assert book.codebook.code("extra").depth == 0


def test_move_flat_entry_into_a_nested_list_drops_its_parent_field() -> None:
    book = sample()
    book.move("extra", "ctx", before="ctx.support")
    nested = "      # a flat entry, listed under themes\n      - id: extra\n        name: Extra\n"
    assert book.dump() == SAMPLE.replace("\n" + EXTRA, "").replace(SUPPORT, nested + SUPPORT)
    assert [code.id for code in book.codebook.children("ctx")] == ["ctx.training", "extra", "ctx.support"]


def test_move_keeps_the_order_of_sub_codes_listed_apart() -> None:
    # Moved last, ctx would come after its flat sub-code "extra", which so is nested under it, after its siblings.
    book = sample()
    book.move("ctx", None)
    assert tree(book)[3:] == [("ctx", None), ("ctx.training", "ctx"), ("ctx.support", "ctx"), ("extra", "ctx")]
    nested = "      # a flat entry, listed under themes\n      - id: extra\n        name: Extra\n"
    assert book.dump().endswith(SUPPORT + nested + "# the end\n")


def test_move_last_sub_code_away_removes_the_empty_codes_list() -> None:
    book = sample()
    book.move("per.form.dup", "per")
    assert "        name: The RAS form\n      - id: per.form.dup\n        name: Duplication\n" in book.dump()
    assert tree(book)[-2:] == [("per.form", "per"), ("per.form.dup", "per")]


def test_move_to_where_the_code_already_is_changes_nothing() -> None:
    book = sample()
    book.move("ctx.training", "ctx", before="ctx.support")
    book.move("per", None)
    assert book.dump() == SAMPLE


def test_merge_moves_sub_codes_and_keywords_then_removes_the_source() -> None:
    book = CodebookFile.parse(
        SAMPLE.replace("        name: Support\n", "        name: Support\n        keywords: [Course, help]\n"), "b.yaml"
    )
    book.merge("ctx", "per")
    assert tree(book) == [
        ("per", None), ("per.form", "per"), ("per.form.dup", "per.form"),
        ("ctx.training", "per"), ("ctx.support", "per"), ("extra", "per"),
    ]  # fmt: skip
    book.merge("ctx.support", "ctx.training")
    assert book.codebook.code("ctx.training").keywords == ("training", "course", "too much too fast", "help")
    assert "        keywords: [training, course, too much too fast, help]\n        # a note" in book.dump()
    assert "ctx.support" not in book.codebook.ids
    assert "        # a note inside training\n" in book.dump()
    assert "# the end\n" in book.dump() and "# Codebook for the tests" in book.dump()


def test_merge_into_the_parent_puts_the_sub_codes_where_the_source_was() -> None:
    text = "name: B\nthemes:\n  - id: a\n    name: A\n    codes:\n      - id: a.b   # the only one\n        name: B\n"
    book = CodebookFile.parse(text + "        codes:\n          - id: c\n            name: C\n", "b.yaml")
    book.merge("a.b", "a")
    assert book.dump() == "name: B\nthemes:\n  - id: a\n    name: A\n    codes:\n      - id: c\n        name: C\n"


def test_delete_removes_the_entry_with_its_own_comments_only() -> None:
    book = sample()
    book.delete("ctx.training")
    assert book.dump() == SAMPLE.replace(TRAINING, "")
    book.delete("extra")
    assert book.dump() == SAMPLE.replace(TRAINING, "").replace("\n" + EXTRA, "")
    book.delete("per.form.dup")
    assert "        name: The RAS form\n# the end\n" in book.dump()  # codes: went with its last sub-code


def test_delete_the_last_theme_leaves_an_empty_list() -> None:
    book = CodebookFile.parse("name: B\nthemes:  # all of them\n  - id: a\n    name: A\n", "b.yaml")
    book.delete("a")
    assert book.dump() == "name: B\nthemes: []  # all of them\n"
    assert book.codebook.codes == ()


def test_edits_of_a_flow_style_codebook_write_block_style() -> None:
    book = CodebookFile.parse(
        "name: F\nthemes: [{id: a, name: A, codes: [{id: a.1, name: One}]}, {id: b, name: B}]\n", "f.yaml"
    )
    book.move("a.1", "b")
    expected = "name: F\nthemes:\n  - id: a\n    name: A\n  - id: b\n    name: B\n    codes:\n      - id: a.1\n"
    assert book.dump() == expected + "        name: One\n"


def test_edits_follow_a_file_written_without_list_indentation() -> None:
    text = "name: O\nthemes:\n- id: a\n  name: A\n  codes:\n  - id: a.1\n    name: One\n- id: b\n  name: B\n"
    book = CodebookFile.parse(text, "o.yaml")
    book.move("a.1", "b")
    assert (
        book.dump()
        == "name: O\nthemes:\n- id: a\n  name: A\n- id: b\n  name: B\n  codes:\n  - id: a.1\n    name: One\n"
    )


def test_an_edit_that_would_change_other_fields_is_refused() -> None:
    # A block scalar whose last line looks like a comment: the editor cannot tell, and the check after the edit can.
    text = "name: B\nthemes:\n  - id: a\n    name: A\n    example: |\n      line\n      # hashtag\n"
    book = CodebookFile.parse(text, "b.yaml")
    with pytest.raises(CodebookEditError, match=r"would change more of b\.yaml than asked"):
        book.update("a", keywords=["k"])
    assert book.dump() == text


FAILING: list[tuple[Callable[[CodebookFile], object], str]] = [
    (lambda book: book.add(id="per", name="X", parent=None), 'the id "per" is already used by the code "Perception"'),
    (lambda book: book.add(id="new", name="X", parent="nope"), 'there is no code "nope" in the codebook'),
    (lambda book: book.add(id="bad id", name="X", parent="ctx"), 'the id "bad id" is not a valid id'),
    (lambda book: book.add(id="new", name=" ", parent="ctx"), 'code "new" has an empty name'),
    (lambda book: book.add(id="new", name="X", parent="ctx", colour="red"), 'colour "red" is not a colour'),
    (lambda book: book.update("nope", name="X"), 'there is no code "nope" in the codebook'),
    (lambda book: book.update("ctx", name=""), 'code "ctx" has an empty name'),
    (lambda book: book.update("ctx", colour="#12"), 'code "ctx": colour "#12" is not a colour (write it as #RRGGBB)'),
    (lambda book: book.update("ctx", keywords=["ok", " "]), 'code "ctx": keyword 2 is empty'),
    (lambda book: book.move("per", "per"), 'cannot move the code "per" under itself or one of its own sub-codes'),
    (lambda book: book.move("per", "per.form.dup"), "under itself or one of its own sub-codes"),
    (lambda book: book.move("nope", None), 'there is no code "nope" in the codebook'),
    (
        lambda book: book.move("ctx.support", "ctx", before="per"),
        'before "per", which is not another sub-code of "ctx"',
    ),
    (lambda book: book.move("per", None, before="per"), 'before "per", which is not another theme'),
    (lambda book: book.merge("ctx", "ctx"), 'cannot merge the code "ctx" into itself'),
    (lambda book: book.merge("per", "per.form.dup"), 'into "per.form.dup", one of its own sub-codes'),
    (lambda book: book.merge("nope", "ctx"), 'there is no code "nope"'),
    (lambda book: book.delete("per.form"), 'the code "per.form" has sub-codes; move or delete its sub-codes first'),
    (lambda book: book.delete("ctx"), "move or delete its sub-codes first"),  # its flat sub-code counts too
]


@pytest.mark.parametrize(("edit", "message"), FAILING)
def test_failed_edits_leave_the_file_as_it_was(edit: Callable[[CodebookFile], object], message: str) -> None:
    book = sample()
    model = book.codebook
    with pytest.raises(CodebookEditError) as caught:
        edit(book)
    assert message in str(caught.value)
    assert book.dump() == SAMPLE
    assert book.codebook is model


# --- YAML anchors and merge keys --------------------------------------------------------------------------------------

SHARED = """\
name: Shared values
defaults: &defaults        # values several codes take in
  colour: "#aabbcc"
  definition: Shared definition.
themes:
  - &context
    id: ctx
    name: Context
    <<: *defaults
    codes:
      - id: ctx.training
        <<: *defaults
        name: Training
        keywords: [train]
  - <<: *context           # takes ctx's name, colour and definition, and has its own codes
    id: per
    codes:
      - id: per.form
        name: The form
"""


def test_merge_keys_apply_and_a_key_at_the_top_that_holds_an_anchor_is_allowed() -> None:
    book = parse_codebook(SHARED, "shared.yaml")
    assert [(code.id, code.parent) for code in book.codes] == [
        ("ctx", None), ("ctx.training", "ctx"), ("per", None), ("per.form", "per")
    ]  # fmt: skip
    for code_id in ("ctx", "ctx.training", "per"):
        assert (book.code(code_id).own_colour, book.code(code_id).definition) == ("#aabbcc", "Shared definition.")
    assert book.code("per").name == "Context"
    assert book.code("per.form").colour == "#aabbcc"  # inherited from its theme, as usual


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "name: X\ndefaults:\n  colour: '#aabbcc'\nthemes: []\n",
            'x.yaml, line 2: the codebook: unknown field "defaults" (the fields allowed are id, name, description, '
            "themes); a key at the top that only holds shared fields needs an anchor (defaults: &defaults)",
        ),
        (
            "name: X\nthemes:\n  - id: a\n    name: A\n    shared: &s {colour: '#aabbcc'}\n",
            'x.yaml, line 5: code "a": unknown field "shared"',
        ),
        (
            "name: X\nthemes:\n  - &a\n    id: a\n    name: A\n    codes:\n      - <<: *a\n        id: b\n",
            "x.yaml, line 7: malformed YAML: a merge key (<<) here takes in a mapping that contains it",
        ),
        (
            "name: X\nd: &d\n  keywords: [k]\n  shape: round\nthemes:\n  - id: a\n    name: A\n    <<: *d\n",
            'x.yaml, line 6: code "a": unknown field "shape"',
        ),
    ],
)
def test_anchors_and_merge_keys_in_the_wrong_place_are_refused_with_their_line(text: str, message: str) -> None:
    with pytest.raises(CodebookError) as caught:
        parse_codebook(text, "x.yaml")
    assert str(caught.value).startswith(message)


def test_edits_keep_anchors_and_merge_keys_working() -> None:
    book = CodebookFile.parse(SHARED, "shared.yaml")
    book.update("ctx.training", name="Training days", colour="#112233")
    book.update("per", name="Perception")
    book.move("ctx.training", "per")
    book.add(id="per.new", name="New", parent="per")
    book.add(id="ctx.new", name="Also new", parent="ctx")  # per has codes of its own: it does not take ctx's in
    book.delete("ctx.new")
    book.delete("per.form")
    text = book.dump()
    assert text.startswith(SHARED.split("themes:")[0])  # the key that holds the anchor is kept
    assert "  - <<: *context           # takes ctx's name" in text
    again = parse_codebook(text, "shared.yaml")
    assert again == book.codebook
    assert [(code.id, code.parent) for code in again.codes] == [
        ("ctx", None), ("per", None), ("ctx.training", "per"), ("per.new", "per")
    ]  # fmt: skip
    assert (again.code("ctx.training").name, again.code("ctx.training").own_colour) == ("Training days", "#112233")
    assert again.code("ctx.training").definition == "Shared definition."  # still taken in from the anchor
    assert (again.code("per").name, again.code("ctx").name, again.code("per").own_colour) == (
        "Perception", "Context", "#aabbcc"
    )  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "line"),
    [
        (lambda book: book.move("per", None, before="ctx"), 6),  # *context would come before &context
        (lambda book: book.merge("ctx", "per"), 6),
        (lambda book: book.update("ctx", colour="#000000"), 6),  # per takes ctx's colour in too
        (lambda book: book.update("ctx.training", colour=""), 12),  # a value taken in cannot be removed here
    ],
)
def test_edits_that_would_break_anchors_or_merge_keys_are_refused_with_the_line(
    edit: Callable[[CodebookFile], object], line: int
) -> None:
    book = CodebookFile.parse(SHARED, "shared.yaml")
    with pytest.raises(CodebookEditError) as caught:
        edit(book)
    assert str(caught.value).startswith(
        f"shared.yaml, line {line}: this edit cannot be made without changing what the YAML anchor, alias or merge "
        "key there ("
    )
    assert str(caught.value).endswith("shares between codes; make the change in a text editor")
    assert book.dump() == SHARED
