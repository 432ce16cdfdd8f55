"""Blocks to transcript: the document text, written out once, and the speaker turns as offsets into it."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from workbench.ingest import speakers
from workbench.ingest.model import Block, Join, SourceDocument, Transcript, Turn

NO_SPEAKER = ""

# Header keys that only ever describe the interview, never a speaker; a header must hold at least one of them, so
# that a transcript opening "Interviewer: Hello" is never mistaken for one.
_DESCRIPTIVE_KEYS = {
    "date", "time", "duration", "length", "location", "venue", "place", "transcriber", "transcribed by",
    "recorded", "recording", "recording date", "interview date", "interview", "interview id", "interview no",
    "interview number", "transcript", "transcript id", "project", "study", "site", "file", "mode", "format",
    "role", "team", "audio", "language", "setting",
}  # fmt: skip
# Keys a header may hold that also label turns; any other key used as a speaker label elsewhere starts the interview.
_PEOPLE_KEYS = {
    "interviewer", "interviewers", "researcher", "participant", "participant id", "interviewee", "respondent",
    "case worker", "moderator", "facilitator", "note taker", "present",
}  # fmt: skip
_HEADER_LINE = re.compile(r"^(?P<key>[A-Za-z][\w '’/-]{0,30}?)\s*:\s*(?P<value>.{0,80})$")
_TITLE_LINES = 2  # lines such as "Interview transcript – Case Worker 7" allowed above a header


@dataclass
class _Draft:
    """A turn being collected: its speaker (None for text before the first label) and its body parts."""

    speaker: str | None
    timed: bool = False  # started by a timestamped label, as tools write each segment
    parts: list[tuple[Join, str]] = field(default_factory=list)
    start_time: str | None = None
    end_time: str | None = None
    new_paragraph: bool = False  # the next text starts a paragraph (after a repeated label of the same speaker)

    def add(self, join: Join, text: str, block: Block, time: str | None = None) -> None:
        if text:
            self.parts.append((Join.PARAGRAPH if self.new_paragraph else join, text))
            self.new_paragraph = False
        self.start_time = self.start_time or time or block.start_time
        self.end_time = block.end_time or self.end_time

    def body(self) -> str:
        pieces: list[str] = []
        for join, text in self.parts:
            if pieces:
                pieces.append(join.value)
            pieces.append(text)
        return "".join(pieces)


def build_transcript(source: SourceDocument) -> Transcript:
    """Return the transcript: one canonical ``Speaker: speech`` paragraph per turn, and the turns' offsets."""
    blocks, header = _split_header([b for b in source.blocks if not speakers.is_tool_note(b.text)])
    metadata = {**source.metadata, **header}
    labelled = _find_labels(blocks)
    counts = Counter(
        match.label.casefold() for match in labelled if match is not None and not speakers.is_known_label(match.label)
    )
    drafts: list[_Draft] = []
    spelling: dict[str, str] = {}  # one spelling per speaker: the first one seen
    for block, match in zip(blocks, labelled, strict=True):
        if speakers.is_time_only(block.text):
            continue
        current = drafts[-1] if drafts else None
        if match is not None and _accepted(match, block, counts):
            speaker = spelling.setdefault(match.label.casefold(), match.label)
            continues = current is not None and current.speaker == speaker
            if continues and block.join is Join.CUE:
                assert current is not None
                current.add(Join.CUE, match.body, block, match.time)
                continue
            if continues and match.time is not None and current is not None and current.timed:
                current.new_paragraph = True
                current.add(Join.PARAGRAPH, match.body, block, match.time)
                continue
            current = _Draft(speaker, timed=match.time is not None)
            drafts.append(current)
            current.add(Join.CUE, match.body, block, match.time)
            continue
        text = speakers.strip_leading_time(block.text).strip()
        if current is None:
            current = _Draft(None)
            drafts.append(current)
        current.add(block.join, text, block)
    return _render(drafts, source.format, metadata)


def _find_labels(blocks: list[Block]) -> list[speakers.LabelMatch | None]:
    """Return the speaker label each block opens with, if any.

    Besides ``Label:`` at the start, a line holding only a name right after a line holding only a time is a label
    (Teams writes "0:0:3.0 --> 0:0:5.4", then the name, then the speech).
    """
    found: list[speakers.LabelMatch | None] = []
    time_before: str | None = None
    for block in blocks:
        if block.speaker is not None:
            label = speakers.clean_label(block.speaker)
            found.append(speakers.LabelMatch(label, block.text.strip(), block.start_time) if label else None)
        else:
            match = speakers.match_label(block.text)
            if match is None and time_before is not None:
                alone = speakers.name_alone(block.text)
                match = speakers.LabelMatch(alone.label, "", time_before) if alone else None
            found.append(match)
        time_before = _time_of(block.text) if speakers.is_time_only(block.text) else None
    return found


def _time_of(text: str) -> str:
    return re.split(r"\s*-+>\s*", text.strip().strip("[]()"))[0]


def _accepted(match: speakers.LabelMatch, block: Block, counts: Counter[str]) -> bool:
    """True for a label we trust: stated by the format, a role label, a name beside a time, or a name used twice."""
    if block.speaker is not None and block.join is Join.CUE:
        return True
    return speakers.is_known_label(match.label) or match.time is not None or counts[match.label.casefold()] >= 2


def _split_header(blocks: list[Block]) -> tuple[list[Block], dict[str, str]]:
    """Take off a run of ``Key: value`` lines near the top that describes the interview (a date, a duration, ...).

    Up to two title lines may stand above it; they stay in the text. Caption files have no header.
    """
    if not blocks or blocks[0].join is Join.CUE:
        return blocks, {}
    # How many paragraphs each "Key:" opens, counted once: counting for each field would be quadratic in the length
    # of a long run of fields.
    opens = Counter(block.text.split(":", 1)[0].casefold() for block in blocks if ":" in block.text)

    def field(block: Block) -> tuple[str, str] | None:
        found = _header_pair(block.text)
        if found is None:
            return None
        key = found[0].casefold()
        if key in _DESCRIPTIVE_KEYS or key in _PEOPLE_KEYS:
            return found
        return None if opens[key] >= 2 else found  # a name that labels other paragraphs too is a speaker, not a field

    for first in range(min(_TITLE_LINES, len(blocks) - 1) + 1):
        run = first
        pairs: dict[str, str] = {}
        # In a text file the header is a group of lines, which ends at the first blank line.
        grouped = first + 1 < len(blocks) and blocks[first + 1].join is Join.LINE
        while run < len(blocks) and (found := field(blocks[run])) is not None:
            if grouped and run > first and blocks[run].join is not Join.LINE:
                break
            pairs.setdefault(*found)
            run += 1
        if pairs and run < len(blocks) and any(key.casefold() in _DESCRIPTIVE_KEYS for key in pairs):
            return blocks[:first] + blocks[run:], pairs
        if field(blocks[first]) is not None or speakers.match_label(blocks[first].text):
            break  # a title line never looks like a field or a turn
    return blocks, {}


def _header_pair(text: str) -> tuple[str, str] | None:
    found = _HEADER_LINE.match(text.strip())
    if found is None:
        return None
    value = found.group("value").strip()
    # A header value is a short fact; a question or a long sentence is somebody speaking.
    if value.endswith("?") or len(value.split()) > 10:
        return None
    return found.group("key").strip(), value


def _render(drafts: list[_Draft], source_format: str, metadata: dict[str, str]) -> Transcript:
    warnings: list[str] = []
    if not any(draft.speaker for draft in drafts):
        # No speaker labels anywhere: keep the text as one turn so that it can still be read and coded.
        merged = _Draft(NO_SPEAKER)
        for draft in drafts:
            merged.parts.extend(draft.parts)
        drafts = [merged]
        warnings.append("no speaker labels were found, so the whole text is one turn with no speaker")
    pieces: list[str] = []
    position = 0
    turns: list[tuple[_Draft, int, int]] = []
    for draft in drafts:
        body = draft.body()
        if not body:
            continue
        if pieces:
            pieces.append("\n\n")
            position += 2
        if draft.speaker:
            prefix = f"{draft.speaker}: "
            pieces.append(prefix)
            position += len(prefix)
        pieces.append(body)
        if draft.speaker is not None:
            turns.append((draft, position, position + len(body)))
        position += len(body)
    roles = speakers.assign_roles(
        list(dict.fromkeys(draft.speaker for draft, _, _ in turns if draft.speaker)),
        _question_share(turns),
        metadata,
    )
    transcript_turns = [
        Turn(
            speaker=draft.speaker or NO_SPEAKER,
            role=roles.get(draft.speaker or "", speakers.PARTICIPANT),
            start=start,
            end=end,
            start_time=draft.start_time,
            end_time=draft.end_time,
        )
        for draft, start, end in turns
    ]
    return Transcript(
        text="".join(pieces),
        turns=transcript_turns,
        format=source_format,
        metadata=metadata,
        warnings=warnings,
        participant_hint=_participant_hint(transcript_turns),
    )


def _question_share(turns: list[tuple[_Draft, int, int]]) -> dict[str, float]:
    asked: Counter[str] = Counter()
    spoke: Counter[str] = Counter()
    for draft, _, _ in turns:
        if draft.speaker:
            spoke[draft.speaker] += 1
            asked[draft.speaker] += draft.body().rstrip().endswith("?")
    return {speaker: asked[speaker] / spoke[speaker] for speaker in spoke}


def _participant_hint(turns: list[Turn]) -> str | None:
    numbers = {
        number
        for turn in turns
        if turn.role == speakers.PARTICIPANT and (number := speakers.label_number(turn.speaker)) is not None
    }
    return numbers.pop() if len(numbers) == 1 else None
