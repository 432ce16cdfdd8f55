"""The coding commands: codebook validate/load/show/edit, code, uncode, memo, suggest, undo, redo and quotes."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tests.conftest import INTERVIEW, REPO, TEST_CODEBOOK, database_dump, run_cli, sign_off_everything, write
from workbench.cli_codebook import codebook


def _study(tmp_path: Path, *, sign_off: bool = True) -> str:
    folder = str(tmp_path / "study")
    assert run_cli("init", folder).exit_code == 0
    assert run_cli("import", folder, str(write(tmp_path, "cw01.txt", INTERVIEW))).exit_code == 0
    assert run_cli("codebook", "load", folder, str(write(tmp_path, "test_book.yaml", TEST_CODEBOOK))).exit_code == 0
    if sign_off:
        sign_off_everything(folder)
    return folder


def _participant_turn(folder: str) -> dict[str, object]:
    (document,) = json.loads(run_cli("transcripts", folder, "--json").stdout)
    return next(turn for turn in document["turns"] if turn["role"] == "participant")


def test_validate_names_the_line_and_exits_1(tmp_path: Path) -> None:
    good = run_cli("codebook", "validate", str(REPO / "codebooks" / "ras_evaluation.yaml"))
    assert good.exit_code == 0 and "codebook 'ras_evaluation' (RAS evaluation) is valid: 3 themes" in good.stdout
    twice = TEST_CODEBOOK.replace("id: t.manager", "id: t.training")
    result = run_cli("codebook", "validate", str(write(tmp_path, "twice.yaml", twice)))
    assert result.exit_code == 1
    assert result.stderr == 'Error: twice.yaml, line 12: code "t.training" is defined twice (first on line 9)\n'


def test_code_quote_undo_and_redo_from_the_shell(tmp_path: Path) -> None:
    folder = _study(tmp_path)
    turn = _participant_turn(folder)
    made = run_cli("code", folder, "--doc", "1", "--segment", str(turn["id"]), "--code", "t.training", "--coder", "Sam")
    assert made.exit_code == 0, made.stderr
    assert made.stdout.startswith("Coding 1: t.training on document 1") and made.stdout.strip().endswith("by Sam")
    (quote,) = json.loads(run_cli("quotes", folder, "--json").stdout)
    assert quote == {
        "document": 1,
        "participant": "1",
        "citation": "(Case Worker 1)",
        "code": "t.training",
        "coder": "Sam",
        "text": turn["text"],
        "start": turn["start"],
        "end": turn["end"],
    }
    assert run_cli("undo", folder, "--coder", "Sam").stdout == "Undone: code 1 segment\n"
    assert json.loads(run_cli("quotes", folder, "--json").stdout) == []
    assert run_cli("redo", folder, "--coder", "Sam").stdout == "Redone: code 1 segment\n"
    assert len(json.loads(run_cli("quotes", folder, "--json").stdout)) == 1
    memo = run_cli("memo", folder, "--on", "coding:1", "--kind", "recommendation", "Slow the training down.")
    assert memo.exit_code == 0 and memo.stdout == "Memo 1 (recommendation) on coding 1\n"
    assert "[recommendation] tester: Slow the training down." in run_cli("memo", folder, "--list").stdout


def test_suggest_then_accept_all_makes_codings_in_the_coders_name(tmp_path: Path) -> None:
    folder = _study(tmp_path)
    listed = run_cli("suggest", folder)
    assert listed.exit_code == 0 and "5 suggestions pending (5 new) in 1 signed-off transcripts" in listed.stderr
    accepted = run_cli("suggest", folder, "--accept-all", "--coder", "Sam")
    assert accepted.stdout == "Accepted 5 suggestions as codings by Sam\n"
    quotes = json.loads(run_cli("quotes", folder, "--json").stdout)
    assert {(q["code"], q["coder"]) for q in quotes} >= {("t.paperwork", "Sam"), ("t.duplication", "Sam")}
    assert "0 suggestions pending" in run_cli("suggest", folder).stderr


def test_edits_from_the_shell_keep_the_codings(tmp_path: Path) -> None:
    folder = _study(tmp_path)
    turn = _participant_turn(folder)
    run_cli("code", folder, "--doc", "1", "--segment", str(turn["id"]), "--code", "t.manager")
    assert run_cli("codebook", "rename", folder, "t.manager", "Managers").exit_code == 0
    assert run_cli("codebook", "move", folder, "t.manager", "--theme").exit_code == 0
    describe = run_cli("codebook", "describe", folder, "t.manager", "--keywords", "manager, supervision")
    assert describe.exit_code == 0
    merged = run_cli("codebook", "merge", folder, "t.manager", "t.training")
    assert merged.stdout == "Merged t.manager into t.training; 1 coding followed\n"
    assert json.loads(run_cli("quotes", folder, "--json").stdout)[0]["code"] == "t.training"
    shown = json.loads(run_cli("codebook", "show", folder, "--json").stdout)
    training = next(code for code in shown[0]["codes"] if code["id"] == "t.training")
    assert training["codings"] == 1 and "supervision" in training["keywords"]
    text = (Path(folder) / "codebooks" / "test_book.yaml").read_text("utf-8")
    assert "# A small codebook for the tests." in text and "t.manager" not in text


def test_bad_input_is_one_error_line_and_changes_nothing(tmp_path: Path) -> None:
    folder = _study(tmp_path, sign_off=False)
    before = database_dump(Path(folder))
    for args, message in [
        (("code", folder, "--doc", "1", "--segment", "d1.t2", "--code", "t.training"), "cannot be coded"),
        (("codebook", "load", folder, str(write(tmp_path, "bad.yaml", "name: [\n"))), "bad.yaml, line"),
        (("codebook", "delete", folder, "t.nothing"), "there is no code 't.nothing'"),
        (("memo", folder, "--on", "chapter:1", "text"), "--on takes coding:ID, code:ID or document:ID"),
        (("undo", folder), "tester has nothing to undo"),
        (("suggest", folder, "--accept", "99"), "there is no suggestion 99"),
    ]:
        result = run_cli(*args)
        assert result.exit_code == 1, args
        assert result.stderr.startswith("Error: ") and message in result.stderr and result.stderr.count("\n") == 1
    assert database_dump(Path(folder)) == before


def test_every_codebook_subcommand_has_help_text() -> None:
    assert isinstance(codebook, click.Group)
    for name, command in codebook.commands.items():
        assert command.help, f"workbench codebook {name} has no help text"
        assert run_cli("codebook", name, "--help").exit_code == 0
