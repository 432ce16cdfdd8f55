"""A synthetic study of 16 to 1,000 interview transcript files (~12,000 words each) and their participants CSV.

`python -m bench.synthetic_corpus OUT_FOLDER --transcripts N [--seed S]` writes N transcripts as users bring them:
mostly Word (.docx, in the four label styles of the sample study, each with its metadata table), plain text (.txt,
UTF-8 with LF or Windows-1252 with CRLF, with a ``Key: value`` header) and some Teams captions (.vtt, with voice
tags), plus ``participants.csv`` as `workbench import --participants` reads it. 1,000 transcripts are ~12M words.

Every sentence is the sample study's own (the 13 transcripts the demo signs off, cut into sentences by
`bench.synthetic_project.source_pools`), recombined at random in turns shaped like the sample's; all of it invented.
So that the files are as realistic for the anonymiser as real ones, some answers carry identifiers of the kinds it
looks for, all fictitious: mobile numbers from Ofcom's drama range (07700 900xxx), NHS numbers from the 999 test range
(with a valid check digit), made-up names and streets, pseudo-postcodes (ZZ99) and example.org e-mail addresses.
The same seed gives the same files, byte for byte. Word files are written as XML into a zip built around one of the
sample's own LibreOffice documents, not through python-docx, so 1,000 files take seconds.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

from bench.synthetic_project import SourcePools, _participant_rows, source_pools
from workbench.demo import SAMPLE_FOLDER

MIN_TRANSCRIPTS, MAX_TRANSCRIPTS = 16, 1000
WORDS_PER_TRANSCRIPT = 12_000  # a 60-90 minute interview
PARTICIPANTS_FILE = "participants.csv"
# Out of 20 files: 12 Word, 6 plain text (2 of them as Notepad saves them), 2 captions.
FORMATS = ["docx"] * 12 + ["txt"] * 4 + ["txt-cp1252"] * 2 + ["vtt"] * 2
# The sample's Word label styles: (template file, interviewer label, participant label with {n}, separator).
WORD_STYLES = (
    ("cw01.docx", "Interviewer:", "Case Worker {n}:", " "),
    ("cw03.docx", "INT:", "CW{n}:", " "),
    ("cw08.docx", "I:", "R:", " "),  # the participant is named only in the metadata table
    ("cw11.docx", "Interviewer", "CW{n}", "\t"),
)
IDENTIFIER_EVERY = 1500  # words between identifiers, on average
_FIRST_NAMES = ("Denise", "Marcus", "Aileen", "Tomasz", "Grace", "Rohan", "Bernadette", "Kwame", "Sioned", "Phil")
_SURNAMES = ("Okafor", "Lindqvist", "Haddow", "Pereira", "Ashworth", "Mbeki", "Quinlan", "Dorsey", "Varga", "Tolland")
_STREETS = ("Meadow Lane", "Orchard Close", "Tanners Row", "Kiln Street", "Beacon Rise", "Wharf Road")


def _nhs_number(rng: random.Random) -> str:
    """A number from the NHS's 999 test range whose mod-11 check digit is valid, as a real one's would be."""
    while True:
        digits = [9, 9, 9] + [rng.randrange(10) for _ in range(6)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            number = "".join(map(str, digits)) + str(check)
            return f"{number[:3]} {number[3:6]} {number[6:]}"


def _identifier(rng: random.Random) -> str:
    """One sentence holding a fictitious identifier of a kind the anonymiser flags."""
    first, surname = rng.choice(_FIRST_NAMES), rng.choice(_SURNAMES)
    phone = f"07700 900{rng.randrange(1000):03d}"
    postcode = f"ZZ99 {rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
    return rng.choice(
        (
            f"Her daughter {first} rang me on 07700 900{rng.randrange(1000):03d} the next morning.",
            f"I wrote his mobile on the form, {phone}, so the agency could reach him.",
            f"His NHS number was on the referral, {_nhs_number(rng)}, and it still went to the wrong team.",
            f"She lives at {rng.randrange(2, 90)} {rng.choice(_STREETS)}, just round from the office.",
            f"The postcode was {postcode}, which put him outside the pilot area.",
            f"My manager, Mrs {surname}, signed it off in the end.",
            f"{first} {surname} from the brokerage team e-mailed me at {first.lower()}.{surname.lower()}@example.org.",
        )
    )


@dataclass(frozen=True)
class Interview:
    """One synthetic interview: its participant number, metadata and turns (role, paragraphs)."""

    number: int
    metadata: dict[str, str]
    turns: list[tuple[str, list[str]]]


def interview(pools: SourcePools, number: int, rng: random.Random, words: int = WORDS_PER_TRANSCRIPT) -> Interview:
    """Alternate interviewer and participant turns, shaped and filled like the sample's, until ``words`` are said."""
    turns: list[tuple[str, list[str]]] = []
    said, role = 0, "interviewer"
    target = int(rng.gauss(words, words * 0.08))
    next_identifier = rng.expovariate(1 / IDENTIFIER_EVERY)
    while said < target or role == "participant":  # end on the participant's answer
        paragraphs = []
        for size in rng.choice(pools.shapes[role]):
            sentences = [rng.choice(pools.sentences[role]).text for _ in range(size)]
            if role == "participant" and said >= next_identifier:
                sentences.insert(rng.randrange(len(sentences) + 1), _identifier(rng))
                next_identifier = said + rng.expovariate(1 / IDENTIFIER_EVERY)
            said += sum(len(sentence.split()) for sentence in sentences)
            paragraphs.append(" ".join(sentences))
        turns.append((role, paragraphs))
        role = "participant" if role == "interviewer" else "interviewer"
    metadata = {
        "Interview": f"CW{number:02d}",
        "Date": f"{rng.randint(1, 28)} {rng.choice(['March', 'April', 'May', 'June'])} 2025",
        "Interviewer": rng.choice(["Researcher A", "Researcher B"]),
        "Duration": f"{rng.randint(60, 90)} minutes",
    }
    return Interview(number, metadata, turns)


# --- plain text ---------------------------------------------------------------------------------------------------


def text_file(item: Interview, *, windows: bool = False) -> bytes:
    """A .txt transcript: a ``Key: value`` header, then ``Interviewer:`` / ``CWn:`` paragraphs."""
    lines = [f"{key}: {value}" for key, value in item.metadata.items()]
    for role, paragraphs in item.turns:
        label = "Interviewer" if role == "interviewer" else f"CW{item.number}"
        lines += ["", f"{label}: {paragraphs[0]}"]
        for paragraph in paragraphs[1:]:
            lines += ["", paragraph]
    if windows:  # as Notepad saves it, with a pound sign only Windows-1252 spells as one byte
        lines[-1] += " It came to about £40 a week, in the end."
        return ("\r\n".join(lines) + "\r\n").encode("cp1252", errors="replace")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- captions -----------------------------------------------------------------------------------------------------


def caption_file(item: Interview, rng: random.Random) -> bytes:
    """A Teams .vtt: each turn cut into cues of 6-14 words, with ``<v Speaker>`` voice tags and rising timings."""
    lines = ["WEBVTT", ""]
    seconds = 3.0
    cue = 0
    for role, paragraphs in item.turns:
        speaker = "Interviewer" if role == "interviewer" else f"Case Worker {item.number}"
        words = " ".join(paragraphs).split()
        while words:
            size = rng.randint(6, 14)
            piece, words = words[:size], words[size:]
            length = 0.35 * len(piece) + rng.random()
            cue += 1
            lines += [
                f"{item.number:08x}-{cue:04d}-0",
                f"{_clock(seconds)} --> {_clock(seconds + length)}",
                f"<v {speaker}>{' '.join(piece)}</v>",
                "",
            ]
            seconds += length + 0.2
        seconds += rng.uniform(0.5, 2.0)
    return "\n".join(lines).encode("utf-8")


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}.{int(seconds * 1000) % 1000:03d}"


# --- Word ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _WordTemplate:
    head: str  # document.xml up to and with <w:body>
    row: str  # one metadata table row, with {key} and {value}
    table_head: str  # the table up to its first row
    paragraph: str  # a body paragraph with {label}, {separator} and {text}
    continuation: str  # a paragraph without a label, with {text}
    tail: str  # the section properties and the closing tags
    parts: dict[str, bytes]  # the other parts of the package, as they are


@cache
def _word_template(name: str) -> _WordTemplate:
    """Cut one of the sample's LibreOffice documents into the pieces a new document is built from."""
    with zipfile.ZipFile(SAMPLE_FOLDER / name) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    xml = parts.pop("word/document.xml").decode("utf-8")
    body = xml.index("<w:body>") + len("<w:body>")
    table_end = xml.index("</w:tbl>")
    rows = re.findall(r"<w:tr>.*?</w:tr>", xml[body:table_end])
    row = re.sub(r"<w:t>[^<]*</w:t>", "<w:t>{key}</w:t>", rows[0], count=1)
    row = re.sub(r"(<w:tc>.*</w:tc>.*<w:t>)[^<]*(</w:t>)", r"\1{value}\2", row, count=1)
    paragraphs = re.findall(r"<w:p>.*?</w:p>", xml[table_end:])
    labelled = next(p for p in paragraphs if "<w:b/>" in p)
    plain = next(p for p in paragraphs if "<w:b/>" not in p and "<w:t" in p)
    pPr = re.match(r"<w:p>(<w:pPr>.*?</w:pPr>)", labelled)
    assert pPr is not None
    run = '<w:r><w:rPr></w:rPr>{separator}<w:t xml:space="preserve">{text}</w:t></w:r>'
    paragraph = f"<w:p>{pPr.group(1)}<w:r><w:rPr><w:b/></w:rPr><w:t>{{label}}</w:t></w:r>{run}</w:p>"
    continuation = re.sub(r"<w:t[^>]*>.*?</w:t>", '<w:t xml:space="preserve">{text}</w:t>', plain, count=1)
    return _WordTemplate(
        head=xml[:body],
        row=row,
        table_head=xml[body : body + xml[body:].index("<w:tr>")],
        paragraph=paragraph,
        continuation=continuation,
        tail=xml[xml.index("<w:sectPr") :],
        parts=parts,
    )


def word_file(item: Interview, style: int) -> bytes:
    """A .docx in one of the sample's label styles, with its metadata table; the bytes of the zip package."""
    name, interviewer, participant, separator = WORD_STYLES[style % len(WORD_STYLES)]
    template = _word_template(name)
    metadata = dict(item.metadata)
    if participant == "R:":
        metadata["Participant"] = f"CW{item.number:02d}"
    pieces = [template.head, template.table_head]
    pieces += [template.row.format(key=escape(k), value=escape(v)) for k, v in metadata.items()]
    pieces.append("</w:tbl>")
    tab = "<w:tab/>" if separator == "\t" else ""
    lead = "" if separator == "\t" else " "
    for role, paragraphs in item.turns:
        label = interviewer if role == "interviewer" else participant.format(n=item.number)
        pieces.append(
            template.paragraph.format(label=escape(label), separator=tab, text=escape(lead + paragraphs[0], False))
        )
        pieces += [template.continuation.format(text=escape(text, False)) for text in paragraphs[1:]]
    pieces.append(template.tail)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for part, content in template.parts.items():
            package.writestr(_fixed(part), content, compresslevel=1)
            if part == "word/_rels/document.xml.rels":
                package.writestr(_fixed("word/document.xml"), "".join(pieces).encode("utf-8"), compresslevel=1)
    return buffer.getvalue()


def _fixed(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed date, so that the same seed gives the same bytes."""
    info = zipfile.ZipInfo(name, date_time=(2025, 6, 30, 12, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


# --- the corpus ---------------------------------------------------------------------------------------------------


@dataclass
class Corpus:
    """What was written: the transcript files in order, the participants CSV, and the words in the transcripts."""

    files: list[Path]
    participants: Path
    words: int
    seconds: float


def write_corpus(
    folder: Path,
    transcripts: int,
    *,
    seed: int = 1,
    words: int = WORDS_PER_TRANSCRIPT,
    pools: SourcePools | None = None,
) -> Corpus:
    """Write ``transcripts`` synthetic interview files and participants.csv into ``folder``; return what was written."""
    started = time.perf_counter()
    pools = pools or source_pools()
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files: list[Path] = []
    total = 0
    for number in range(1, transcripts + 1):
        item = interview(pools, number, random.Random(f"{seed}:{number}"), words)
        kind = rng.choice(FORMATS)
        if kind == "docx":
            path, data = folder / f"cw{number:04d}.docx", word_file(item, rng.randrange(len(WORD_STYLES)))
        elif kind == "vtt":
            path, data = folder / f"cw{number:04d}.vtt", caption_file(item, random.Random(f"{seed}:{number}:vtt"))
        else:
            path, data = folder / f"cw{number:04d}.txt", text_file(item, windows=kind == "txt-cp1252")
        path.write_bytes(data)
        files.append(path)
        total += sum(len(p.split()) for _, paragraphs in item.turns for p in paragraphs)
    participants = folder / PARTICIPANTS_FILE
    write_participants(participants, transcripts, random.Random(f"{seed}:participants"))
    return Corpus(files, participants, total, time.perf_counter() - started)


def write_participants(path: Path, count: int, rng: random.Random) -> None:
    """The participants CSV (id, label, role, then the sample roster's attribute columns) for ``count`` people."""
    rows = _participant_rows(count, rng)
    attributes = _attribute_names()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "label", "role", *attributes])
        for participant_id, label, role, values in rows:
            loaded = json.loads(values)
            writer.writerow([participant_id, label, role, *(loaded[name] for name in attributes)])


def _attribute_names() -> Sequence[str]:
    with (SAMPLE_FOLDER / PARTICIPANTS_FILE).open(encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle))
    return [name for name in header if name not in ("id", "label", "role")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to write the transcripts (a new or empty folder)")
    parser.add_argument("--transcripts", type=int, default=MIN_TRANSCRIPTS, help="how many (16 to 1,000)")
    parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same files")
    arguments = parser.parse_args()
    if not MIN_TRANSCRIPTS <= arguments.transcripts <= MAX_TRANSCRIPTS:
        parser.error(f"--transcripts must be from {MIN_TRANSCRIPTS} to {MAX_TRANSCRIPTS}")
    if arguments.folder.exists() and any(arguments.folder.iterdir()):
        parser.error(f"{arguments.folder} is not empty; choose a new or empty folder")
    corpus = write_corpus(arguments.folder, arguments.transcripts, seed=arguments.seed)
    print(
        f"Wrote {len(corpus.files):,} transcripts ({corpus.words:,} words) and {corpus.participants.name} "
        f"into {arguments.folder} in {corpus.seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
