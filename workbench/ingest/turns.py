"""Blocks to transcript: the document text, written out once, and the speaker turns as offsets into it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from workbench.ingest import speakers
from workbench.ingest.model import Block, Join, SourceDocument, Transcript, Turn

NO_SPEAKER = ""


@dataclass
class _Draft:
    """A turn being collected: its speaker (None for text before the first label) and its body parts."""

    speaker: str | None
    parts: list[tuple[Join, str]] = field(default_factory=list)
    start_time: str | None = None
    end_time: str | None = None

    def add(self, join: Join, text: str, block: Block, time: str | None = None) -> None:
        if text:
            self.parts.append((join, text))
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
    labelled = [_find_label(block) for block in source.blocks]
    counts = Counter(
        match.label.casefold() for match in labelled if match is not None and not speakers.is_known_label(match.label)
    )
    drafts: list[_Draft] = []
    spelling: dict[str, str] = {}  # one spelling per speaker: the first one seen
    for block, match in zip(source.blocks, labelled, strict=True):
        if speakers.is_time_only(block.text):
            continue
        current = drafts[-1] if drafts else None
        if match is not None and _accepted(match, block, counts):
            speaker = spelling.setdefault(match.label.casefold(), match.label)
            same_cue_run = block.join is Join.CUE and current is not None and current.speaker == speaker
            if not same_cue_run:
                current = _Draft(speaker)
                drafts.append(current)
            assert current is not None
            current.add(Join.CUE, match.body, block, match.time)
            continue
        text = speakers.strip_leading_time(block.text).strip()
        if current is None:
            current = _Draft(None)
            drafts.append(current)
        current.add(block.join, text, block)
    return _render(drafts, source)


def _find_label(block: Block) -> speakers.LabelMatch | None:
    if block.speaker is not None:
        label = speakers.clean_label(block.speaker)
        return speakers.LabelMatch(label, block.text.strip(), block.start_time) if label else None
    return speakers.match_label(block.text)


def _accepted(match: speakers.LabelMatch, block: Block, counts: Counter[str]) -> bool:
    """True for a label we trust: stated by the format (a voice tag), a role label, or a name used twice."""
    if block.speaker is not None and block.join is Join.CUE:
        return True
    return speakers.is_known_label(match.label) or counts[match.label.casefold()] >= 2


def _render(drafts: list[_Draft], source: SourceDocument) -> Transcript:
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
        source.metadata,
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
        format=source.format,
        metadata=dict(source.metadata),
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
