"""Inter-coder reliability: the statistics against published worked examples, the figures and disagreements of two
coders on a real project, the lead coder's reconciliation into agreed codings, and `workbench reliability`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from fractions import Fraction
from itertools import combinations
from pathlib import Path

import pytest

from tests.conftest import run_cli
from workbench.coding import Span
from workbench.errors import CodingError, NotSignedOff
from workbench.project import Project
from workbench.reliability import AGREED, Reliability, alpha, cohens_kappa, percent_agreement
from workbench.store import Store

# --- the statistics against published worked examples ---------------------------------------------------------------

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C: nominal data, four observers, twelve
# units, missing values (None); the paper works it through to alpha = 0.743.
KRIPPENDORFF_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# The same paper, example A: binary data, two observers, no missing values: alpha = 0.095.
KRIPPENDORFF_A = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]
# Example B: nominal data (letters), two observers, no missing values: alpha = 0.692.
KRIPPENDORFF_B = [list("aabbdcccedda"), list("babbbccceddd")]


def _pairs(yes_yes: int, yes_no: int, no_yes: int, no_no: int) -> tuple[list[str], list[str]]:
    """Two raters' answers from a 2x2 table (rater A's answer first)."""
    cells = [("yes", "yes", yes_yes), ("yes", "no", yes_no), ("no", "yes", no_yes), ("no", "no", no_no)]
    return [a for a, _, n in cells for _ in range(n)], [b for _, b, n in cells for _ in range(n)]


def test_alpha_matches_krippendorffs_worked_examples() -> None:
    assert alpha(KRIPPENDORFF_C) == pytest.approx(0.743, abs=5e-4)
    assert alpha(KRIPPENDORFF_A) == pytest.approx(0.095, abs=5e-4)
    assert alpha(KRIPPENDORFF_B) == pytest.approx(0.692, abs=5e-4)


@pytest.mark.parametrize(
    ("table", "kappa", "agreement"),
    [
        ((20, 5, 10, 15), 0.4, 0.70),  # Wikipedia, "Cohen's kappa", the worked example: 50 proposals for a grant
        ((45, 15, 25, 15), 0.1304, 0.60),  # the same page: equal agreement, different kappa
        ((25, 35, 5, 35), 0.2593, 0.60),
    ],
)
def test_kappa_and_agreement_match_the_textbook_2x2_examples(
    table: tuple[int, int, int, int], kappa: float, agreement: float
) -> None:
    first, second = _pairs(*table)
    assert cohens_kappa(first, second) == pytest.approx(kappa, abs=5e-5)
    assert percent_agreement([first, second]) == pytest.approx(agreement)


def test_undefined_figures_are_none_not_a_number() -> None:
    never = [False] * 5
    assert cohens_kappa(never, never) is None  # expected agreement 1: neither rater ever said yes
    assert cohens_kappa([True] * 3, [True] * 3) is None
    assert alpha([never, never]) is None
    assert alpha([[1, None], [None, 2]]) is None  # no unit with two values
    assert percent_agreement([[1, None], [None, 2]]) is None
    assert cohens_kappa([True, False, False], [False, False, False]) == 0  # one rater never said yes: chance level


def test_agreement_of_more_than_two_coders_averages_every_pair() -> None:
    # Pairs: (1, 2) agree on 1 of 2 units, (1, 3) on 0, (2, 3) on 1.
    assert percent_agreement([[1, 1], [1, 0], [0, 0]]) == pytest.approx(1 / 3)
    # Krippendorff's example C by hand: each pair over the units both observers coded.
    shares = []
    for first, second in combinations(KRIPPENDORFF_C, 2):
        both = [(a, b) for a, b in zip(first, second, strict=True) if None not in (a, b)]
        shares.append(Fraction(sum(a == b for a, b in both), len(both)))
    assert percent_agreement(KRIPPENDORFF_C) == pytest.approx(float(sum(shares) / 6))


CODERS = "this project's coders are alice and bob"
SEE_CODEBOOK = "(see `workbench codebook show`)"

# --- two coders on a real project ------------------------------------------------------------------------------------
# The interview's sentences: d1.t1.s1 (the interviewer), d1.t2.s1 "The training was rushed.", d1.t2.s2 "I was trained
# in one morning, and the paperwrok never ended.", d1.t2.s3 "My line manager checked everything.", d1.t3.s1,
# d1.t4.s1, d1.t4.s2: seven units.


def _code_both(project: Project) -> None:
    """alice: t.training on the whole of turn 2, t.manager on the words "line manager", t.paperwork on its 2nd
    sentence; bob: t.training on its 1st and 2nd sentences and t.manager on its 3rd."""
    document = project.document(1)
    manager = document.text.index("line manager")
    project.coding.apply(Span(1, "d1.t2"), "t.training")
    project.coding.apply(Span(1, "d1.t2", manager, manager + len("line manager")), "t.manager")
    project.coding.apply(Span(1, "d1.t2.s2"), "t.paperwork")
    bob = project.coding.as_coder("bob")
    for sentence, code_id in (("d1.t2.s1", "t.training"), ("d1.t2.s2", "t.training"), ("d1.t2.s3", "t.manager")):
        bob.apply(Span(1, sentence), code_id)


def _row(values: Sequence[object]) -> list[object]:
    return [pytest.approx(float(v)) if isinstance(v, Fraction) else v for v in values]


def test_figures_per_code_and_pooled(coded: Project) -> None:
    _code_both(coded)
    report = coded.reliability.report()
    assert (report.coders, report.documents, report.sentences) == (["alice", "bob"], [1], 7)
    figures = [[r.code_id, r.units, r.applied, r.agreement, r.kappa, r.alpha] for r in report.codes]
    assert figures == [
        # Three sentences against two: p_o 6/7, p_e (3*2 + 4*5)/49, so kappa 16/23. Alpha is 1 - (n - 1) * D / (2 *
        # n_applied * n_not), with n the 14 values and D the off-diagonal coincidences (2 for each unit in dispute).
        _row(["t.training", 7, {"alice": 3, "bob": 2}, Fraction(6, 7), Fraction(16, 23), Fraction(32, 45)]),
        # The words "line manager" count for their sentence, which bob coded whole.
        _row(["t.manager", 7, {"alice": 1, "bob": 1}, 1, 1, 1]),
        _row(["t.paperwork", 7, {"alice": 1, "bob": 0}, Fraction(6, 7), 0, 0]),  # bob never applied it: chance
    ]
    overall = report.overall  # 21 (sentence, code) units, two in dispute
    assert [overall.units, overall.applied, overall.agreement, overall.kappa, overall.alpha] == _row(
        [21, {"alice": 5, "bob": 3}, Fraction(19, 21), Fraction(16, 23), 1 - Fraction(41 * 4, 2 * 8 * 34)]
    )
    table = report.table()
    assert list(table.columns) == ["code", "name", "sentences", "alice", "bob", "agreement", "kappa", "alpha", "note"]
    assert table["code"].tolist() == ["t.training", "t.manager", "t.paperwork", "(all codes)"]


def test_a_code_no_one_applied_has_undefined_kappa_and_alpha(coded: Project) -> None:
    _code_both(coded)
    (row,) = coded.reliability.report(["alice", "bob"], ["t.duplication"]).codes
    assert (row.applied, row.agreement, row.kappa, row.alpha) == ({"alice": 0, "bob": 0}, 1.0, None, None)
    assert row.note == "kappa and alpha undefined: no coder applied it"


def test_the_disagreement_list(coded: Project) -> None:
    _code_both(coded)
    found = coded.reliability.disagreements(["alice", "bob"])
    assert [(d.segment_id, d.code_id, d.applied_by, d.not_applied_by, d.decision) for d in found] == [
        ("d1.t2.s2", "t.paperwork", ["alice"], ["bob"], None),
        ("d1.t2.s3", "t.training", ["alice"], ["bob"], None),
    ]
    document = coded.document(1)
    assert [(d.citation, d.text) for d in found] == [
        ("Case Worker 1", document.text[found[0].start : found[0].end]),
        ("Case Worker 1", "My line manager checked everything."),
    ]
    assert [d.code_id for d in coded.reliability.disagreements(code_ids=["t.training"])] == ["t.training"]


def _agreed(project: Project) -> list[tuple[str | None, str]]:
    return [(c.segment_id, c.code_id) for c in project.coding.codings(coder=AGREED)]


def test_the_lead_reconciles_into_agreed_codings(coded: Project) -> None:
    _code_both(coded)
    reliability = coded.reliability
    made = reliability.reconcile("d1.t2.s3", "t.training", True, "carol")
    assert made is not None and coded.coding.coding(made).origin == "manual"
    reliability.reconcile("d1.t2.s2", "t.paperwork", False, "carol")
    assert [d.decision for d in reliability.disagreements()] == ["reject", "apply"]
    assert _agreed(coded) == [("d1.t2.s3", "t.training")]
    assert reliability.agree_all_unanimous(lead="carol") == 3  # training on s1 and s2, manager on s3
    assert sorted(_agreed(coded)) == [
        ("d1.t2.s1", "t.training"),
        ("d1.t2.s2", "t.training"),
        ("d1.t2.s3", "t.manager"),
        ("d1.t2.s3", "t.training"),
    ]
    # A new decision replaces the old one, and a rejection takes the agreed coding away (unanimous or not).
    reliability.reconcile("d1.t2.s3", "t.training", False, "carol")
    reliability.reconcile("d1.t2.s1", "t.training", False, "carol")
    assert sorted(_agreed(coded)) == [("d1.t2.s2", "t.training"), ("d1.t2.s3", "t.manager")]
    assert reliability.agree_all_unanimous(lead="carol") == 0  # the lead's rejection stands
    assert reliability.reconcile("d1.t2.s3", "t.manager", True, "carol") is not None  # already agreed: the same one
    assert len(_agreed(coded)) == 2
    # The agreed codings are a coder of their own, left out of the comparison unless chosen.
    assert AGREED in reliability.coders() and reliability.report().coders == ["alice", "bob"]
    assert reliability.report(["bob", AGREED]).overall.applied == {"bob": 3, AGREED: 2}
    actions = [(entry.actor, entry.action) for entry in coded.audit_log(6)]
    assert actions[0] == ("carol", "reconcile") and ("carol", "agree unanimous") in actions


@pytest.mark.parametrize(
    ("coders", "message"),
    [
        (["alice"], f"choose at least two coders to compare; {CODERS}"),
        (["alice", "zed"], "there is no coder 'zed' in this project; its coders are alice and bob"),
        (["alice", " alice "], f"choose at least two coders to compare; {CODERS}"),
    ],
)
def test_refused_choices_of_coders(coded: Project, coders: list[str], message: str) -> None:
    _code_both(coded)
    with pytest.raises(CodingError) as refused:
        coded.reliability.report(coders)
    assert str(refused.value) == message


def test_one_coder_alone_is_refused(coded: Project) -> None:
    coded.coding.apply(Span(1, "d1.t2.s1"), "t.training")
    with pytest.raises(CodingError, match=r"^reliability needs two coders on the same transcripts, and only alice has"):
        coded.reliability.report()


@pytest.mark.parametrize(
    ("segment", "code", "lead", "message"),
    [
        ("d1.t2", "t.training", "carol", "d1.t2 is a turn: the lead coder decides sentence by sentence"),
        ("d1.t9.s1", "t.training", "carol", "there is no sentence 'd1.t9.s1' (see `workbench transcripts --json`)"),
        ("d1.t2.s1", "t.nope", "carol", f"there is no code 't.nope' in this project's codebooks {SEE_CODEBOOK}"),
        ("d1.t2.s1", "t.training", "  ", "give the lead coder's name"),
    ],
)
def test_refused_reconciliations_write_nothing(
    coded: Project, segment: str, code: str, lead: str, message: str
) -> None:
    _code_both(coded)
    with pytest.raises(CodingError) as refused:
        coded.reliability.reconcile(segment, code, True, lead)
    assert str(refused.value) == message
    assert _agreed(coded) == []


def test_reconciling_goes_through_the_sign_off_gate(coded: Project) -> None:
    def refuse(documents: Sequence[int], purpose: str) -> None:
        raise NotSignedOff(f"document {documents[0]} cannot be {purpose}")

    store = Store(coded.folder / "project.db")
    try:
        with pytest.raises(NotSignedOff, match=r"^document 1 cannot be reconciled$"):
            reliability = Reliability(store, coded.coding, refuse, lambda: lambda participant, label: participant)
            reliability.reconcile("d1.t2.s1", "t.training", True, "carol")
    finally:
        store.close()


# --- workbench reliability -------------------------------------------------------------------------------------------


def test_cli_prints_the_table_and_the_disagreements(coded: Project) -> None:
    _code_both(coded)
    result = run_cli("reliability", str(coded.folder), "--disagreements")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[:6] == [
        "alice and bob on 1 shared transcript (7 sentences)",
        "code         alice    bob  agreement    kappa    alpha",
        "t.training       3      2      85.7%    0.696    0.711",
        "t.manager        1      1     100.0%    1.000    1.000",
        "t.paperwork      1      0      85.7%    0.000    0.000",
        "(all codes)      5      3      90.5%    0.696    0.699",
    ]
    assert result.stdout.splitlines()[6:] == [
        "d1.t2.s2       t.paperwork                              applied by alice; not by bob [undecided] “I was "
        "trained in one morning, and the paperwrok never ended.”",
        "d1.t2.s3       t.training                               applied by alice; not by bob [undecided] “My line "
        "manager checked everything.”",
    ]
    assert result.stderr == "2 disagreements, 0 decided by a lead coder\n"


def test_cli_json_and_undefined_figures(coded: Project) -> None:
    _code_both(coded)
    result = run_cli("reliability", str(coded.folder), "--coders", "bob, alice", "--code", "t.duplication", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["coders"] == ["bob", "alice"] and data["sentences"] == 7
    assert data["codes"][0] | {"name": None} == {
        "code_id": "t.duplication", "name": None, "units": 7, "applied": {"bob": 0, "alice": 0}, "agreement": 1.0,
        "kappa": None, "alpha": None, "note": "kappa and alpha undefined: no coder applied it",
    }  # fmt: skip
    table = run_cli("reliability", str(coded.folder), "--code", "t.duplication").stdout.splitlines()
    assert table[-2:] == [
        "t.duplication      0      0     100.0%        -        -",
        "t.duplication: kappa and alpha undefined: no coder applied it",
    ]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--coders", "alice"], f"Error: choose at least two coders to compare; {CODERS}"),
        (["--coders", "alice,zed"], "Error: there is no coder 'zed' in this project; its coders are alice and bob"),
        (["--code", "t.nope"], f"Error: there is no code 't.nope' in this project's codebooks {SEE_CODEBOOK}"),
    ],
)
def test_cli_refusals_are_one_error_line(coded: Project, args: list[str], error: str) -> None:
    _code_both(coded)
    result = run_cli("reliability", str(coded.folder), *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", error + "\n")


def test_a_page_of_disagreements_is_that_slice_of_them_all_with_their_counts(sample_copy: Path) -> None:
    with Project.open(sample_copy, actor="lead") as project:
        reliability = project.reliability
        coders = [coder for coder in reliability.coders() if coder != AGREED]
        everything = reliability.disagreements(coders)
        assert len(everything) > 40  # the sample study's two coders differ on many sentences
        first = everything[0]
        reliability.reconcile(first.segment_id, first.code_id, apply=False, lead="lead")
        everything = reliability.disagreements(coders)

        page = reliability.disagreement_page(coders, offset=20, limit=20)
        assert page.total == len(everything) and page.matching == len(everything)
        assert page.decided == 1
        assert page.code_ids == list(dict.fromkeys(d.code_id for d in everything))
        assert page.items == list(enumerate(everything))[20:40]

        code = page.code_ids[1]
        on_code = [(n, d) for n, d in enumerate(everything) if d.code_id == code]
        assert reliability.disagreement_page(coders, code_id=code, limit=5).items == on_code[:5]
        undecided = reliability.disagreement_page(coders, undecided_only=True, limit=1000)
        assert undecided.items == [(n, d) for n, d in enumerate(everything) if d.decision is None]
        assert undecided.matching == len(everything) - 1
