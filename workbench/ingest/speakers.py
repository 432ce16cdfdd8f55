"""Speaker labels: finding ``Label:`` at the start of a paragraph, and telling interviewers from participants."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

INTERVIEWER = "interviewer"
PARTICIPANT = "participant"

# A clock reading as transcription tools write it: 0:05, 00:01:23, 1:02:03.450, and Teams' unpadded 0:0:3.0.
_TIME = r"\d{1,2}:\d{1,2}(?::\d{1,2})?(?:[.,]\d{1,3})?"
# A reading nobody says aloud, because it has seconds: 00:12:45, 0:0:3.0, 01:05.200. "9:15" may be speech.
_STAMP = r"\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d{1,3})?|\d{1,2}:\d{2}[.,]\d{1,3}"
_RANGE = rf"{_TIME}\s*-+>\s*{_TIME}"
_BOLD = r"(?:\*\*|__)"
# "Interviewer (JS)", "Participant (CW7)": a short aside after the label, which is not a time.
_ASIDE = r"\s*\([^()\d:][^():]{0,24}\)"

# "[00:01:23] Interviewer:", "**CW12:**", "Interviewer (00:01:23):", "Speaker 1 [01:05]:", "Jane Smith: (00:05) Hi"
# No two "\s*" may meet before the colon: a paragraph of a name and thousands of spaces would take minutes.
_LABEL_LINE = re.compile(
    rf"""^\s*
    (?:[\[(]?(?P<lead_time>{_TIME})[\])]?\s*(?:[-–—|]\s*)?)?
    {_BOLD}?
    (?P<label>[^\W\d_][^:\n\[\]()*_]{{0,40}}?(?:{_ASIDE})?)
    \s*(?:[\[(](?P<trail_time>{_TIME})[\])]\s*)?
    (?:{_BOLD}\s*)?:\s*{_BOLD}?
    (?=\s|$)\s*
    (?:[\[(](?P<body_time>{_TIME})[\])]\s*)?
    """,
    re.VERBOSE,
)
_TIGHT_LABEL_LINE = re.compile(rf"^\s*{_BOLD}?(?P<label>[^\W\d_][\w ]{{0,20}}?){_BOLD}?:{_BOLD}?(?=[^\W\d_])")
# A label alone on its line with the time: Otter and Teams "Speaker 1  0:05", Zoom "[Jane Smith] 10:15:32",
# HappyScribe "00:00:03 Jane Smith". The speech follows on the next lines.
_LABEL_TIME_LINE = re.compile(
    rf"^\s*(?:\[(?P<bracketed>[^\]\d][^\]]{{0,40}})\]|(?P<label>[^\W\d_][^:\n]{{0,40}}?))\s+"
    rf"[\[(]?(?P<lead_time>{_TIME})[\])]?\s*$"
)
_TIME_LABEL_LINE = re.compile(rf"^\s*[\[(]?(?P<lead_time>{_STAMP})[\])]?\s+(?P<label>[^\W\d_][^:\n]{{0,40}}?)\s*$")
_TIME_ONLY = re.compile(rf"^\s*(?:[\[(](?:{_RANGE}|{_TIME})[\])]|{_RANGE}|{_STAMP})\s*$")
_LEADING_TIME = re.compile(rf"^\s*[\[(]{_TIME}[\])]\s*|^\s*(?:{_STAMP})\s+(?:[-–—]\s+)?")
_ASIDE_AT_END = re.compile(r"^(?P<base>.*?)\s*\((?P<inner>[^()]*)\)$")
# Notes transcription tools add that nobody said.
_TOOL_NOTE = re.compile(
    r"^(?:(?:transcribed|transcription|generated|created) (?:by|with|using) \S.{0,60}"
    r"|.{1,60} (?:started|stopped) (?:transcription|recording))$",
    re.IGNORECASE,
)

_INTERVIEWER_LABEL = re.compile(
    r"^(?:interviewer|int|iv|i|q|question|researcher|facilitator|moderator|evaluator)(?:\s*\d+|\s+[A-Z])?$",
    re.IGNORECASE,
)
# "Case Worker 12", "CW12", "cw-012", "case_worker 12", "P12", "R 4": the one rule for a participant's number.
_NUMBERED_PARTICIPANT = re.compile(
    r"^(?:case[\s_-]*worker|cw|participant|p|respondent|resp|interviewee|r)[\s_#.-]*0*(?P<number>\d+)$",
    re.IGNORECASE,
)
_PARTICIPANT_LABEL = re.compile(
    r"^(?:r|a|answer|resp|respondent|interviewee|participant|case\s*worker|cw)$", re.IGNORECASE
)
_SPEAKER_N = re.compile(r"^speaker\s*\d+$", re.IGNORECASE)
_NAME = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+)?[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|van|de|von|la|le|di|da))?"
    r"(?:\s+[A-Z][\w'’.-]*)?$"
)
# Capitalised words that end in a colon at the start of a paragraph without being anyone's name.
NOT_SPEAKERS = {
    "note", "notes", "nb", "comment", "comments", "transcriber", "transcriber note", "transcriber's note",
    "date", "time", "location", "duration", "present", "example", "summary", "title", "subject", "re", "ps",
    "action", "update", "end", "start", "so", "well", "yes", "no", "okay", "ok", "right", "and", "but", "because",
    "basically", "honestly", "again", "then", "now", "also", "plus", "firstly", "secondly", "finally", "anyway",
    "interview", "inaudible", "crosstalk", "pause", "laughs", "laughter", "edit", "edited", "music", "applause",
    "silence", "noise", "background noise", "unclear", "overlapping", "overtalk",
}  # fmt: skip


@dataclass(frozen=True)
class LabelMatch:
    """A speaker label found at the start of a paragraph, and the speech after it."""

    label: str
    body: str
    time: str | None = None


def match_label(text: str) -> LabelMatch | None:
    """Return the ``Label:`` that opens a paragraph, or None when the paragraph does not start with one."""
    found = _LABEL_LINE.match(text) or _LABEL_TIME_LINE.match(text) or _TIME_LABEL_LINE.match(text)
    if found is None:
        # "Interviewer:So ..." with no space is a typing slip we forgive for role labels, never for names.
        found = _TIGHT_LABEL_LINE.match(text)
        if found is None or not is_known_label(clean_label(found.group("label"))):
            return None
    groups = found.groupdict()
    label = clean_label(groups.get("label") or groups.get("bracketed") or "")
    if not looks_like_label(label):
        return None
    time = groups.get("lead_time") or groups.get("trail_time") or groups.get("body_time")
    return LabelMatch(label=label, body=text[found.end() :].strip(), time=time)


def name_alone(text: str) -> LabelMatch | None:
    """Return a label for a line that is only a speaker's name, as Teams writes under each cue time."""
    label = clean_label(text)
    if ":" in label or not looks_like_label(label):
        return None
    return LabelMatch(label=label, body="")


def is_tool_note(text: str) -> bool:
    """True for lines a transcription tool adds ("Transcribed by https://otter.ai", "Jane stopped transcription")."""
    return bool(_TOOL_NOTE.match(text.strip()))


def clean_label(label: str) -> str:
    """Return a label without markdown emphasis, trailing colon or doubled spaces."""
    label = re.sub(r"[*_]{2}", "", label).strip().rstrip(":").strip()
    return re.sub(r"\s+", " ", label)


def looks_like_label(label: str) -> bool:
    """True when the text could be a speaker label: a known role label or a short personal name."""
    base = _parts(label)[0]
    if not base or len(label) > 60 or base.casefold() in NOT_SPEAKERS:
        return False
    return is_known_label(label) or bool(_NAME.match(base))


def is_known_label(label: str) -> bool:
    """True for labels whose role is plain from the label alone (Interviewer, I, CW12, Case Worker 12, R, ...)."""
    return label_role(label) is not None or bool(_SPEAKER_N.match(_parts(label)[0]))


def label_role(label: str) -> str | None:
    """Return "interviewer" or "participant" when the label (or its aside, "(CW7)") says which, else None."""
    for part in _parts(label):
        if _INTERVIEWER_LABEL.match(part):
            return INTERVIEWER
        if _NUMBERED_PARTICIPANT.match(part) or _PARTICIPANT_LABEL.match(part):
            return PARTICIPANT
    return None


def label_number(label: str) -> str | None:
    """Return the participant number a label carries ("Case Worker 12", "CW12", "Participant (P12)" give "12")."""
    for part in _parts(label):
        found = _NUMBERED_PARTICIPANT.match(part)
        if found:
            return plain_number(found.group("number"))
    return None


def plain_number(digits: str) -> str:
    """Return decimal digits, of any script, as an ASCII number without leading zeros: "007" and "٧" give "7".

    Unlike ``str(int(digits))``, this takes any length: int() refuses strings of more than 4,300 digits.
    """
    return "".join(str(unicodedata.decimal(digit)) for digit in digits).lstrip("0") or "0"


def _parts(label: str) -> tuple[str, ...]:
    """Split "Participant (CW7)" into ("Participant", "CW7"); a label without an aside is one part."""
    found = _ASIDE_AT_END.match(label)
    return (found.group("base"), found.group("inner").strip()) if found else (label,)


def is_time_only(text: str) -> bool:
    """True for a paragraph that is nothing but a timestamp, such as ``[00:12:45]``."""
    return bool(_TIME_ONLY.match(text))


def strip_leading_time(text: str) -> str:
    """Return the paragraph without a timestamp at its start (``[00:05:12] And then`` gives ``And then``)."""
    return _LEADING_TIME.sub("", text, count=1)


def assign_roles(speakers: list[str], questions: dict[str, float], metadata: dict[str, str]) -> dict[str, str]:
    """Return each speaker's role, from the label where it says, else from the header, else from who asks.

    ``questions`` gives, per speaker, the share of their turns that end in a question mark.
    """
    roles: dict[str, str] = {}
    named_in_header = {key.casefold(): value.casefold() for key, value in metadata.items()}
    for speaker in speakers:
        role = label_role(speaker)
        if role is None and named_in_header.get("interviewer") == speaker.casefold():
            role = INTERVIEWER
        if role is not None:
            roles[speaker] = role
    unknown = [speaker for speaker in speakers if speaker not in roles]
    if unknown and INTERVIEWER not in roles.values():
        asker = max(unknown, key=lambda speaker: questions.get(speaker, 0.0))
        # With one unknown speaker beside known participants, that speaker is the interviewer; otherwise only
        # someone who asks questions is.
        if questions.get(asker, 0.0) > 0 or (len(unknown) == 1 and PARTICIPANT in roles.values()):
            roles[asker] = INTERVIEWER
    for speaker in unknown:
        roles.setdefault(speaker, PARTICIPANT)
    return roles
