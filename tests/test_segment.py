"""Sentences: spaCy boundaries inside turns, code-point offsets into the text, ids that do not move."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write
from workbench.nlp import load_nlp
from workbench.project import Project, Source


def test_the_model_is_loaded_once_with_only_the_components_the_workbench_uses() -> None:
    assert load_nlp() is load_nlp()
    assert "parser" not in load_nlp().pipe_names  # the slowest component, and nothing needs it
    loaded = set(load_nlp().pipe_names) - {"entity_ruler"}  # the anonymiser adds its ruler on first use
    assert loaded == {"tok2vec", "tagger", "attribute_ruler", "lemmatizer", "senter", "ner"}


def test_sentences_follow_the_model_and_never_cross_a_turn_or_paragraph(project: Project, tmp_path: Path) -> None:
    text = (
        "Interviewer: Did the RAS help? Be honest.\n"
        "CW2: It did, mostly. The budget was £210 a week, which was fine\n\n"
        "but the forms weren't\n"
        "Interviewer: Go on…\n"
    )
    project.import_files([Source(write(tmp_path, "cw2.txt", text))])
    record = project.working_document(project.documents()[0].id)
    assert [(s.turn_id, s.text) for s in record.sentences] == [
        ("d1.t1", "Did the RAS help?"),
        ("d1.t1", "Be honest."),
        ("d1.t2", "It did, mostly."),
        ("d1.t2", "The budget was £210 a week, which was fine"),
        ("d1.t2", "but the forms weren't"),
        ("d1.t3", "Go on…"),
    ]
    for sentence in record.sentences:
        turn = next(t for t in record.turns if t.id == sentence.turn_id)
        assert turn.start <= sentence.start < sentence.end <= turn.end
        assert record.text[sentence.start : sentence.end] == sentence.text


def test_offsets_are_code_points_even_with_emoji_and_accents(project: Project, tmp_path: Path) -> None:
    text = "Interviewer: Was it 👍 or 👎?\nCW5: Zoë said 👍. Then José agreed.\n"
    project.import_files([Source(write(tmp_path, "cw5.txt", text))])
    record = project.working_document(1)
    assert [s.text for s in record.sentences] == ["Was it 👍 or 👎?", "Zoë said 👍.", "Then José agreed."]
    assert record.sentences[2].start == record.text.index("Then")


def test_segment_ids_are_the_same_when_the_same_file_is_imported_again(tmp_path: Path) -> None:
    path = Path(__file__).parent.parent / "transcripts_sample" / "cw12.txt"
    layouts = []
    for name in ("first", "second"):
        with Project.init(tmp_path / name) as project:
            project.import_files([Source(path)])
            record = project.working_document(1)
            layouts.append([(s.id, s.start, s.end) for s in record.turns + record.sentences])  # type: ignore[operator]
    assert layouts[0] == layouts[1]
    assert layouts[0][0][0] == "d1.t1"


def test_annotations_placeholders_and_asides_are_never_cut_in_two(project: Project, tmp_path: Path) -> None:
    text = (
        "Interviewer: And the faces on the form?\n"
        'CW8: Oh, the faces. [laughs] The little cartoon faces. She said, "Is this for children?" [pause] And I had '
        "nothing to say. I visited {service user} at {place} (that was in March, I think) and she laughed [laughs].\n"
    )
    project.import_files([Source(write(tmp_path, "cw8.txt", text))])
    sentences = [s.text for s in project.working_document(1).sentences]
    assert sentences == [
        "And the faces on the form?",
        "Oh, the faces. [laughs]",
        "The little cartoon faces.",
        'She said, "Is this for children?" [pause]',
        "And I had nothing to say.",
        "I visited {service user} at {place} (that was in March, I think) and she laughed [laughs].",
    ]


def test_no_sentence_in_the_sample_study_splits_a_bracket(sample_project_folder: Path) -> None:
    with Project.open(sample_project_folder) as project:
        for summary in project.documents():
            for sentence in project.working_document(summary.id).sentences:
                for opening, closing in ("[]", "{}", "()"):
                    assert sentence.text.count(opening) == sentence.text.count(closing), sentence
                assert any(character.isalnum() for character in sentence.text), sentence
