"""``workbench quotes``, ``search``, ``spread`` and ``matrix``: retrieving and counting what was coded."""

from __future__ import annotations

import json
from pathlib import Path

import click

from workbench.cli_common import open_project, reported
from workbench.errors import QuoteError
from workbench.exports import quote_table, write_table
from workbench.quotes import QuoteFilter


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--participant", metavar="ID", help="One participant: 12, CW12 and Case Worker 12 all match.")
@click.option("--code", "code_id", metavar="CODE_ID", help="One code, with its sub-codes (see --no-subcodes).")
@click.option("--no-subcodes", is_flag=True, help="With --code: that code only, not its sub-codes.")
@click.option("--theme", metavar="THEME_ID", help="Every code of one theme.")
@click.option("--coder", metavar="NAME", help="One coder's codings.")
@click.option("--attribute", "attributes", metavar="NAME=VALUE", multiple=True, help="e.g. role=social worker.")
@click.option("--search", "text", metavar="TEXT", help="Only quotes containing these words (any case).")
@click.option("--key", "key_only", is_flag=True, help="Only key quotes.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: text == document text[start:end].")
@click.option("--out", type=click.Path(dir_okay=False), help="Write a quote table: .csv, .xlsx or .docx.")
@click.pass_context
def quotes(ctx: click.Context, folder: str, participant: str | None, code_id: str | None, no_subcodes: bool,
           theme: str | None, coder: str | None, attributes: tuple[str, ...], text: str | None, key_only: bool,
           as_json: bool, out: str | None) -> None:  # fmt: skip
    """List coded quotes, verbatim and cited "(Case Worker 12)", filtered by participant, code, theme and more."""
    with reported(), open_project(ctx, folder) as project:
        wanted = QuoteFilter(
            participant=participant,
            code=code_id,
            subcodes=not no_subcodes,
            theme=theme,
            coder=coder,
            attributes=_pairs(attributes),
            text=text,
            key_only=key_only,
        )
        found = project.quotes(wanted)
        if out:
            path = write_table(quote_table(found), out)
            click.echo(f"Wrote {len(found)} quotes to {path}", err=True)
            return
    if as_json:
        click.echo(json.dumps([quote.as_json() for quote in found], ensure_ascii=False, indent=2))
        return
    for quote in found:
        star = "★ " if quote.key_quote else ""
        click.echo(f"{star}“{quote.text}” {quote.citation}  [{quote.code_path}; {quote.coder}]")
    click.echo(f"{len(found)} quote{'s' if len(found) != 1 else ''}", err=True)


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, equals, wanted = value.partition("=")
        if not equals or not name.strip():
            raise QuoteError(f"--attribute takes NAME=VALUE (e.g. role=social worker), not {value!r}")
        pairs[name.strip()] = wanted.strip()
    return pairs


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("query")
@click.option("--kwic", is_flag=True, help="Keyword in context: the words before and after each match.")
@click.option("--participant", metavar="ID", help="Only this participant's transcripts.")
@click.option("--code", "code_ids", metavar="CODE_ID", multiple=True, help="Only sentences coded with this code.")
@click.option("--limit", default=500, show_default=True, help="At most this many matches.")
@click.option("--json", "as_json", is_flag=True, help="Print the matches as JSON.")
@click.pass_context
def search(ctx: click.Context, folder: str, query: str, kwic: bool, participant: str | None,
           code_ids: tuple[str, ...], limit: int, as_json: bool) -> None:  # fmt: skip
    """Search the released sentences: words, "a phrase", a prefix such as duplicat*; OR and NOT work too."""
    with reported(), open_project(ctx, folder) as project:
        hits = project.search.search(query, participant=participant, code_ids=list(code_ids) or None, limit=limit)
    if as_json:
        click.echo(json.dumps([hit.__dict__ for hit in hits], ensure_ascii=False, indent=2))
        return
    for hit in hits:
        if kwic:
            click.echo(f"{hit.citation:<18} {hit.left[-50:]:>50} [{hit.keyword}] {hit.right[:50]}")
        else:
            click.echo(f"{hit.citation} {hit.segment}: {hit.text}")
    click.echo(f"{len(hits)} matching sentence{'s' if len(hits) != 1 else ''}", err=True)


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("words", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the spread as JSON.")
@click.pass_context
def spread(ctx: click.Context, folder: str, words: tuple[str, ...], as_json: bool) -> None:
    """In how many interviews each word or phrase occurs, in any of its forms ("duplicated" counts for
    "duplication"). Quote a phrase: workbench spread study duplication "line manager"."""
    with reported(), open_project(ctx, folder) as project:
        found = project.search.spread(words)
        total = len(project.analysis.matrix().index)
    if as_json:
        click.echo(json.dumps([item.__dict__ for item in found], ensure_ascii=False, indent=2))
        return
    for item in found:
        forms = ", ".join(f"{form} ({count})" for form, count in item.forms.items())
        click.echo(
            f"{item.query}: {len(item.participants)} of {total} participants, {item.occurrences} occurrences"
            + (f" ({forms})" if forms else "")
        )


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--presence", is_flag=True, help="1 when a participant has the code at all, instead of counts.")
@click.option("--coder", metavar="NAME", help="One coder's codings only.")
@click.option("--out", type=click.Path(dir_okay=False), help="Write the matrix as .csv or .xlsx (default: print).")
@click.pass_context
def matrix(ctx: click.Context, folder: str, presence: bool, coder: str | None, out: str | None) -> None:
    """The participant x code matrix: one row per participant, labelled as in citations; one column per code."""
    with reported(), open_project(ctx, folder) as project:
        frame = project.analysis.matrix("presence" if presence else "codings", coder=coder)
        if out:
            path = write_table(frame, Path(out), title="Matrix", index=True)
            click.echo(f"Wrote {len(frame)} participants x {len(frame.columns)} codes to {path}", err=True)
            return
    click.echo(frame.to_csv())


COMMANDS = (quotes, search, spread, matrix)
