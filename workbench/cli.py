"""The ``workbench`` command: a thin shell that parses arguments, calls the core and prints the result.

Every failure the user can fix is printed as one ``Error: ...`` line on stderr with exit status 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from workbench import __version__
from workbench.anonymise.placeholders import STYLES
from workbench.cli_anonymise import anonymise
from workbench.cli_backup import COMMANDS as BACKUP_COMMANDS
from workbench.cli_codebook import codebook
from workbench.cli_coding import COMMANDS as CODING_COMMANDS
from workbench.cli_common import Context, open_project, progress_printer, reported
from workbench.cli_explore import COMMANDS as EXPLORE_COMMANDS
from workbench.cli_refi import codebook_export, export
from workbench.cli_refi_import import import_qdc_command, import_qdpx_command
from workbench.cli_reliability import reliability
from workbench.cli_report import report
from workbench.cli_team import team as team_group
from workbench.demo import build_demo
from workbench.ingest import transcript_files
from workbench.launch import LOOPBACK, check_serving, serve_app
from workbench.project import Project, Source


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench")
@click.option(
    "--user", envvar="WORKBENCH_USER", help="Your name for the audit log (default: $WORKBENCH_USER or your login)."
)
@click.pass_context
def cli(ctx: click.Context, user: str | None) -> None:
    """A qualitative research workbench for interview studies."""
    ctx.obj = Context(user)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.pass_context
def init(ctx: click.Context, folder: str) -> None:
    """Create a new project in FOLDER (project.db plus a separate key store)."""
    with reported():
        Project.init(folder, actor=ctx.obj.user).close()
    click.echo(f"Created project {folder}")


@cli.command("import")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option(
    "--participant", "participant", metavar="ID", help="The participant these files belong to (e.g. 12 or CW12)."
)
@click.option(
    "--participants",
    "participants_csv",
    metavar="CSV",
    type=click.Path(dir_okay=False),
    help="A CSV of participants: id, label, role and attribute columns.",
)
@click.pass_context
def import_(
    ctx: click.Context, folder: str, files: tuple[str, ...], participant: str | None, participants_csv: str | None
) -> None:
    """Import transcripts (.docx, .txt, .md, .vtt, .srt) into the project in FOLDER.

    FILES are transcript files or folders of them (a folder gives the transcripts directly in it).

    All files are checked first; if any cannot be imported, nothing is written. Then each file is written as soon as
    its sentences are split, so a batch of any size imports in little memory; files already imported are skipped.
    """
    with reported(), open_project(ctx, folder) as project:
        documents, plan = project.import_files(
            [Source(path) for path in transcript_files([Path(name) for name in files])],
            participant=participant,
            participants_csv=Path(participants_csv) if participants_csv else None,
            progress=progress_printer(),
        )
        for message in plan.skipped:
            click.echo(message, err=True)
        for item in plan.ready:
            for warning in item.warnings:
                click.echo(f"Warning: {item.source.path.name}: {warning}", err=True)
        for document in documents:
            click.echo(
                f"{document.source_name}: document {document.id}, {document.citation}, {document.turns} turns, "
                f"{document.words} words"
            )
    click.echo(f"Imported {len(documents)} transcript{'s' if len(documents) != 1 else ''} into {folder}")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option(
    "--json", "as_json", is_flag=True, help="Print every transcript with its text, turns and sentences as JSON."
)
@click.pass_context
def transcripts(ctx: click.Context, folder: str, as_json: bool) -> None:
    """List the transcripts in the project in FOLDER."""
    with reported(), open_project(ctx, folder) as project:
        summaries = project.documents()
        if as_json:
            click.echo(
                json.dumps(
                    [d.as_json() for d in project.export_documents([s.id for s in summaries])],
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        for summary in summaries:
            click.echo(
                f"{summary.id:>4}  {summary.citation:<20} {summary.source_name:<28} {summary.turns:>4} turns "
                f"{summary.words:>6} words  {summary.status}"
            )


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option(
    "--load",
    "csv_path",
    metavar="CSV",
    type=click.Path(dir_okay=False),
    help="Add or update participants from a CSV first.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the participants as JSON.")
@click.pass_context
def participants(ctx: click.Context, folder: str, csv_path: str | None, as_json: bool) -> None:
    """List the participants of the project in FOLDER, with their citation labels and attributes."""
    with reported(), open_project(ctx, folder) as project:
        if csv_path:
            loaded = project.load_participants(csv_path)
            click.echo(f"Loaded {len(loaded)} participants from {Path(csv_path).name}", err=True)
        records = project.participants()
        if as_json:
            click.echo(json.dumps([record.__dict__ for record in records], ensure_ascii=False, indent=2))
            return
        for record in records:
            attributes = ", ".join(f"{key}={value}" for key, value in record.attributes.items())
            click.echo(
                f"{record.id:>4}  {record.citation:<20} {record.role or '':<24} {record.documents} doc  {attributes}"
            )


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--citation-label", metavar="TEMPLATE", help='How quotes are attributed, e.g. "Case Worker {n}".')
@click.option(
    "--placeholder-style",
    type=click.Choice(sorted(STYLES)),
    help="How identifiers are replaced: braces {service user 1}, brackets [service user 1], capitals.",
)
@click.pass_context
def settings(ctx: click.Context, folder: str, citation_label: str | None, placeholder_style: str | None) -> None:
    """Show or change the project settings."""
    with reported(), open_project(ctx, folder) as project:
        if citation_label is not None:
            project.set_citation_template(citation_label)
        if placeholder_style is not None:
            project.review.set_style(placeholder_style)
        click.echo(f"citation label: {project.citation_template}")
        click.echo(f"placeholder style: {project.review.style}")


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.pass_context
def demo(ctx: click.Context, folder: str) -> None:
    """Build the sample study (16 case-worker interviews) into a new project in FOLDER."""
    with reported(), build_demo(Path(folder), actor=ctx.obj.user, progress=progress_printer()) as project:
        count = len(project.documents())
    click.echo(f"Built the sample study in {folder}: {count} transcripts")


@cli.command()
@click.argument("folder", required=False, type=click.Path(file_okay=False))
@click.option("--port", default=8501, show_default=True, help="The port to serve the app on.")
@click.option(
    "--team",
    is_flag=True,
    help="Team mode: everyone signs in with a `workbench team` account and sees only their role's pages.",
)
@click.option(
    "--host",
    default=LOOPBACK,
    show_default=True,
    help="The address to serve on; anything but 127.0.0.1 needs --team (e.g. --team --host 0.0.0.0).",
)
def app(folder: str | None, port: int, team: bool, host: str) -> None:
    """Serve the workbench app on 127.0.0.1 and open it in your browser, on the project in FOLDER if given.

    With --team, the project's team signs in (see `workbench team`) and the app may be served beyond this machine.
    """
    with reported():
        check_serving(Path(folder) if folder else None, team=team, host=host)
        if folder is not None:
            Project.open(folder).close()  # a clear error now rather than inside the app
        serve_app(Path(folder).resolve() if folder else None, port, team=team, host=host)


cli.add_command(anonymise)
cli.add_command(codebook)
cli.add_command(report)
cli.add_command(reliability)
cli.add_command(export)
cli.add_command(team_group)
codebook.add_command(codebook_export)
cli.add_command(import_qdpx_command)
codebook.add_command(import_qdc_command)
for command in (*CODING_COMMANDS, *EXPLORE_COMMANDS, *BACKUP_COMMANDS):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="workbench")


if __name__ == "__main__":
    main()
