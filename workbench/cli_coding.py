"""``workbench code``, ``uncode``, ``memo``, ``suggest``, ``undo`` and ``redo``: coding from the shell."""

from __future__ import annotations

import json

import click

from workbench.cli_common import open_project, reported
from workbench.coding import MEMO_KINDS, MEMO_TARGETS, Span
from workbench.errors import CodingError

_CODER = click.option("--coder", metavar="NAME", help="Whose coding this is (default: --user, $WORKBENCH_USER).")


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--doc", "document_id", type=int, required=True, help="The document id (see `workbench transcripts`).")
@click.option("--segment", "segment_id", help="A turn or sentence id from `workbench transcripts --json`.")
@click.option("--start", type=int, help="Code only part of the segment (or of a turn): from this offset ...")
@click.option("--end", type=int, help="... to this one (exclusive).")
@click.option("--code", "code_id", required=True, help="The code id (see `workbench codebook show`).")
@click.option("--key-quote", is_flag=True, help="Mark the coded words as a key quote for the reports.")
@_CODER
@click.pass_context
def code(ctx: click.Context, folder: str, document_id: int, segment_id: str | None, start: int | None,
         end: int | None, code_id: str, key_quote: bool, coder: str | None) -> None:  # fmt: skip
    """Apply a code to a segment (a turn or a sentence) or a span of a signed-off transcript."""
    with reported(), open_project(ctx, folder) as project:
        coding = project.coding.as_coder(coder) if coder else project.coding
        made = coding.apply(Span(document_id, segment_id, start, end), code_id, key_quote=key_quote)
    click.echo(f"Coding {made.id}: {made.code_id} on document {made.document_id} [{made.start}, {made.end}) by "
               f"{made.coder}")  # fmt: skip


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("coding_id", type=int, metavar="CODING")
@_CODER
@click.pass_context
def uncode(ctx: click.Context, folder: str, coding_id: int, coder: str | None) -> None:
    """Remove one of your codings (`workbench undo` brings it back)."""
    with reported(), open_project(ctx, folder) as project:
        (project.coding.as_coder(coder) if coder else project.coding).remove(coding_id)
    click.echo(f"Removed coding {coding_id}")


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("text", required=False)
@click.option("--on", "target", metavar="WHAT:ID", help="coding:12, code:ras.context.training or document:3.")
@click.option("--kind", type=click.Choice(MEMO_KINDS), default="memo", show_default=True)
@click.option("--list", "listing", is_flag=True, help="List the memos (of --on, if given) instead.")
@click.option("--json", "as_json", is_flag=True, help="With --list: as JSON.")
@_CODER
@click.pass_context
def memo(ctx: click.Context, folder: str, text: str | None, target: str | None, kind: str, listing: bool,
         as_json: bool, coder: str | None) -> None:  # fmt: skip
    """Write a memo on a coding, a code or a document ("future consideration" and "recommendation" memos feed the
    report drafts), or list the memos."""
    with reported(), open_project(ctx, folder) as project:
        what, _, which = (target or "").partition(":")
        if target is not None and (what not in MEMO_TARGETS or not which):
            raise CodingError(f"--on takes coding:ID, code:ID or document:ID, not {target!r}")
        if listing:
            memos = project.coding.memos(what or None, which or None)
            if as_json:
                click.echo(json.dumps([m.__dict__ for m in memos], ensure_ascii=False, indent=2))
            for item in [] if as_json else memos:
                click.echo(f"{item.id:>4}  {item.target}:{item.target_id}  [{item.kind}] {item.author}: {item.text}")
            return
        if target is None or text is None:
            raise CodingError("give the memo's text and what it is on, e.g. --on code:ras.context.training")
        coding = project.coding.as_coder(coder) if coder else project.coding
        made = coding.add_memo(what, which, text, kind=kind)
    click.echo(f"Memo {made.id} ({made.kind}) on {made.target} {made.target_id}")


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--document", "document_id", type=int, help="Only this document.")
@click.option("--accept-all", is_flag=True, help="Accept every pending suggestion as your codings.")
@click.option("--reject-all", is_flag=True, help="Reject every pending suggestion.")
@click.option("--accept", "accept_ids", type=int, multiple=True, metavar="ID", help="Accept these (repeatable).")
@click.option("--reject", "reject_ids", type=int, multiple=True, metavar="ID", help="Reject these (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the pending suggestions as JSON.")
@_CODER
@click.pass_context
def suggest(ctx: click.Context, folder: str, document_id: int | None, accept_all: bool, reject_all: bool,
            accept_ids: tuple[int, ...], reject_ids: tuple[int, ...], as_json: bool,
            coder: str | None) -> None:  # fmt: skip
    """Suggest codings from the codes' keywords (by lemma and near-spelling), and accept or reject them.

    A suggestion is not a coding until a coder accepts it.
    """
    with reported(), open_project(ctx, folder) as project:
        suggestions = project.suggestions.as_coder(coder) if coder else project.suggestions
        documents = [document_id] if document_id is not None else None
        if accept_ids or reject_ids:
            if accept_ids:
                click.echo(f"Accepted {len(suggestions.accept(accept_ids))} suggestions")
            if reject_ids:
                click.echo(f"Rejected {suggestions.reject(reject_ids)} suggestions")
            return
        outcome = suggestions.run(documents)
        pending = suggestions.pending(document_id)
        if accept_all and pending:
            made = suggestions.accept([item.id for item in pending])
            click.echo(f"Accepted {len(made)} suggestions as codings by {suggestions.coder}")
            return
        if reject_all and pending:
            click.echo(f"Rejected {suggestions.reject([item.id for item in pending])} suggestions")
            return
        if as_json:
            click.echo(json.dumps([item.__dict__ for item in pending], ensure_ascii=False, indent=2))
            return
        for item in pending:
            click.echo(f"{item.id:>5}  document {item.document_id} {item.segment_id:<14} {item.code_id:<40} "
                       f"{item.matched}")  # fmt: skip
        click.echo(
            f"{len(pending)} suggestions pending ({outcome.added} new) in {outcome.documents} signed-off transcripts",
            err=True,
        )


def _replay(ctx: click.Context, folder: str, coder: str | None, step: str) -> None:
    with reported(), open_project(ctx, folder) as project:
        coding = project.coding.as_coder(coder) if coder else project.coding
        done = coding.undo() if step == "undo" else coding.redo()
    click.echo(f"{'Undone' if step == 'undo' else 'Redone'}: {done}")


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@_CODER
@click.pass_context
def undo(ctx: click.Context, folder: str, coder: str | None) -> None:
    """Undo your latest coding action (a coding, a removal, a memo, a suggestion decision)."""
    _replay(ctx, folder, coder, "undo")


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@_CODER
@click.pass_context
def redo(ctx: click.Context, folder: str, coder: str | None) -> None:
    """Redo the coding action you last undid."""
    _replay(ctx, folder, coder, "redo")


COMMANDS = (code, uncode, memo, suggest, undo, redo)
