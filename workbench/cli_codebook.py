"""``workbench codebook``: check, load, show and edit a project's codebooks (codings follow every edit)."""

from __future__ import annotations

import json
from collections.abc import Mapping

import click

from workbench.cli_common import open_project, reported
from workbench.codebook import Codebook, read_codebook


@click.group()
def codebook() -> None:
    """Check, load, show and edit thematic codebooks (YAML, comments and order kept).

    \b
    workbench codebook validate FILE
    workbench codebook load DIR FILE
    workbench codebook show DIR [--json]
    workbench codebook add DIR --id ID --name NAME [--parent CODE | --codebook ID] [--definition ...]
    workbench codebook rename DIR CODE NAME
    workbench codebook describe DIR CODE [--definition ...] [--keywords "a, b"] [--colour #RRGGBB]
    workbench codebook move DIR CODE (--parent CODE | --theme) [--before CODE]
    workbench codebook merge DIR CODE INTO
    workbench codebook delete DIR CODE [--reassign CODE]
    workbench codebook export DIR --qdc OUT [--codebook ID]
    workbench codebook import-qdc FILE OUT.yaml [--force] [--prefix PREFIX]
    """


def _fields(function: click.decorators.FC) -> click.decorators.FC:
    """The descriptive fields a code has, as options (shared by add and describe)."""
    for name, text in reversed(
        (
            ("definition", "What the code means."),
            ("inclusion", "When to apply it."),
            ("exclusion", "When not to (and what to use instead)."),
            ("example", "A typical quote."),
        )
    ):
        function = click.option(f"--{name}", help=text)(function)
    function = click.option("--keywords", help='Comma-separated words or phrases for suggestions ("" clears).')(
        function
    )
    return click.option("--colour", "--color", "colour", help="#RRGGBB (an empty value clears it).")(function)


def _keywords(value: str | None) -> list[str] | None:
    return None if value is None else [word.strip() for word in value.split(",") if word.strip()]


@codebook.command()
@click.argument("file", type=click.Path(dir_okay=False))
def validate(file: str) -> None:
    """Check a codebook FILE: the first problem is printed with its line, and the exit status is 1."""
    with reported():
        model = read_codebook(file)
    themes = len(model.children(None))
    click.echo(f"{file}: codebook {model.id!r} ({model.name}) is valid: {themes} themes, {len(model.codes)} codes")


@codebook.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("file", type=click.Path(dir_okay=False))
@click.pass_context
def load(ctx: click.Context, folder: str, file: str) -> None:
    """Load codebook FILE into the project in FOLDER (again, to take in edits made to its file by hand)."""
    with reported(), open_project(ctx, folder) as project:
        loaded = project.codebooks.load(file)
    model = loaded.codebook
    click.echo(f"Loaded codebook {model.id!r} ({model.name}): {len(model.codes)} codes; its file is {loaded.file}")


@codebook.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print every code with its fields and usage as JSON.")
@click.pass_context
def show(ctx: click.Context, folder: str, as_json: bool) -> None:
    """Show the codebooks of the project in FOLDER as trees, with how often each code is used."""
    with reported(), open_project(ctx, folder) as project:
        usage = project.codebooks.usage()
        loaded = project.codebooks.loaded()
    if as_json:
        click.echo(json.dumps([_as_json(item.codebook, usage) for item in loaded], ensure_ascii=False, indent=2))
        return
    for item in loaded:
        click.echo(f"{item.codebook.name} [{item.codebook.id}]  {item.file}")
        if item.changed_on_disk:
            click.echo("  (its file was edited by hand: `workbench codebook load` it to take the edits in)")
        for code in item.codebook.codes:
            used = usage.get(code.id)
            count = f"{used.codings} codings, {used.participants} participants" if used else "unused"
            click.echo(f"{'  ' * (code.depth + 1)}{code.name} [{code.id}] {code.colour}  {count}")


def _as_json(model: Codebook, usage: Mapping[str, object]) -> dict[str, object]:
    return {
        "id": model.id,
        "name": model.name,
        "codes": [
            {
                "id": code.id,
                "name": code.name,
                "parent": code.parent,
                "theme": model.theme_of(code.id).id,
                "definition": code.definition,
                "inclusion": code.inclusion,
                "exclusion": code.exclusion,
                "example": code.example,
                "keywords": list(code.keywords),
                "colour": code.colour,
                "codings": getattr(usage.get(code.id), "codings", 0),
            }
            for code in model.codes
        ],
    }


@codebook.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--id", "code_id", required=True, help="The new code's id (letters, digits, . _ -).")
@click.option("--name", required=True, help="The new code's name.")
@click.option("--parent", help="The code it goes under (leave out for a new theme).")
@click.option("--codebook", "codebook_id", help="The codebook of a new theme (when there is no --parent).")
@_fields
@click.pass_context
def add(ctx: click.Context, /, folder: str, code_id: str, name: str, parent: str | None, codebook_id: str | None,
        **fields: str | None) -> None:  # fmt: skip
    """Add a code (or, without --parent, a theme) to a codebook of the project in FOLDER."""
    with reported(), open_project(ctx, folder) as project:
        if parent is None and codebook_id is None:
            loaded = project.codebooks.loaded()
            codebook_id = loaded[0].codebook.id if len(loaded) == 1 else None
        code = project.codebooks.add(
            codebook_id=codebook_id,
            parent=parent,
            id=code_id,
            name=name,
            definition=fields["definition"] or "",
            inclusion=fields["inclusion"] or "",
            exclusion=fields["exclusion"] or "",
            example=fields["example"] or "",
            keywords=_keywords(fields["keywords"]) or [],
            colour=fields["colour"] or None,
        )
    click.echo(f"Added {code.name} [{code.id}]")


@codebook.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("code_id", metavar="CODE")
@click.argument("name")
@click.pass_context
def rename(ctx: click.Context, folder: str, code_id: str, name: str) -> None:
    """Rename CODE (its id, and so its codings, stay)."""
    with reported(), open_project(ctx, folder) as project:
        code = project.codebooks.update(code_id, name=name)
    click.echo(f"Renamed {code.id} to {code.name}")


@codebook.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("code_id", metavar="CODE")
@_fields
@click.pass_context
def describe(ctx: click.Context, /, folder: str, code_id: str, **fields: str | None) -> None:
    """Change CODE's definition, inclusion, exclusion, example, keywords or colour."""
    keywords = _keywords(fields.pop("keywords"))
    with reported(), open_project(ctx, folder) as project:
        code = project.codebooks.update(code_id, keywords=keywords, **fields)
    click.echo(f"Updated {code.name} [{code.id}]")


@codebook.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("code_id", metavar="CODE")
@click.option("--parent", help="The code to move it under.")
@click.option("--theme", "as_theme", is_flag=True, help="Make it a theme (top level).")
@click.option("--before", help="A sibling to put it before (default: last).")
@click.pass_context
def move(ctx: click.Context, folder: str, code_id: str, parent: str | None, as_theme: bool, before: str | None) -> None:
    """Move CODE, with its sub-codes, under another code or to the top level; its codings stay."""
    with reported(), open_project(ctx, folder) as project:
        if (parent is None) == (not as_theme):
            raise click.UsageError("give either --parent CODE or --theme")
        code = project.codebooks.move(code_id, parent, before=before)
    click.echo(f"Moved {code.name} [{code.id}] under {code.parent or 'the top level'}")


@codebook.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("source", metavar="CODE")
@click.argument("target", metavar="INTO")
@click.pass_context
def merge(ctx: click.Context, folder: str, source: str, target: str) -> None:
    """Merge CODE into INTO: its codings, memos, suggestions, keywords and sub-codes go to INTO."""
    with reported(), open_project(ctx, folder) as project:
        moved = project.codebooks.merge(source, target)
    click.echo(f"Merged {source} into {target}; {moved} coding{'s' if moved != 1 else ''} followed")


@codebook.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("code_id", metavar="CODE")
@click.option("--reassign", metavar="CODE", help="Give the code's codings and memos to this code.")
@click.pass_context
def delete(ctx: click.Context, folder: str, code_id: str, reassign: str | None) -> None:
    """Delete CODE: only when unused, or with --reassign for its codings and memos."""
    with reported(), open_project(ctx, folder) as project:
        moved = project.codebooks.delete(code_id, reassign=reassign)
    click.echo(f"Deleted {code_id}" + (f"; {moved} codings now use {reassign}" if reassign else ""))
