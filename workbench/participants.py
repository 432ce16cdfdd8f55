"""Participants: their ids as written in labels, file names and CSV files, and the participants CSV itself."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import ParticipantsError, SettingError, TranscriptError
from workbench.ingest.decode import decode_text
from workbench.ingest.speakers import label_number, plain_number

DEFAULT_CITATION = "Case Worker {n}"

# In a file name the number may sit among other words: "CW12_final.docx", "interview-case-worker-3.txt". Only the
# unambiguous prefixes count there ("r2" or "resp2" in a name is as likely a revision as a respondent).
_NAME_NUMBER = re.compile(
    r"(?:^|[^a-z])(?:case[\s_-]*worker|cw|participant|p|respondent)[\s_#.-]*0*(?P<number>\d+)(?![\d])", re.IGNORECASE
)
_ID_COLUMNS = ("id", "participant", "participant id", "participant_id", "case worker", "case_worker")


@dataclass(frozen=True)
class Participant:
    """A person interviewed: an id ("12"), an optional label and role, and any further attributes."""

    id: str
    label: str | None = None
    role: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


def normalise_participant_id(value: str) -> str:
    """Return the canonical id: "Case Worker 12", "CW12", "cw-012" and "12" all give "12"; other ids stay as typed."""
    value = re.sub(r"\s+", " ", value.strip())
    # isdecimal(), not isdigit(): "²" is a digit that int() refuses.
    if value.isdecimal():
        return plain_number(value)
    return label_number(value) or value


def participant_from_filename(path: str | Path) -> str | None:
    """Return the participant id a file name carries ("cw12.docx", "Case Worker 3.txt", "07.vtt"), else None."""
    stem = Path(path).stem.strip()
    if stem.isdecimal():
        return plain_number(stem)
    found = _NAME_NUMBER.search(stem)
    return plain_number(found.group("number")) if found else None


def citation_for(template: str, participant: Participant) -> str:
    """Return the citation label, e.g. "Case Worker 12" from "Case Worker {n}"."""
    return template.format(n=participant.id, id=participant.id, label=participant.label or participant.id)


def check_citation_template(template: str) -> str:
    """Return the template when it names the participant with {n} or {label}; raise SettingError otherwise."""
    template = template.strip()
    try:
        example = template.format(n="12", id="12", label="CW12")
    except (KeyError, IndexError, ValueError):
        raise SettingError(
            f"the citation label {template!r} can only use {{n}} (the participant number) or {{label}}"
        ) from None
    if example == template:
        raise SettingError(f"the citation label {template!r} must contain {{n}} or {{label}}, e.g. 'Case Worker {{n}}'")
    return template


def read_participants_csv(path: str | Path, data: bytes | None = None) -> list[Participant]:
    """Return the participants listed in a CSV with an id column and optional label, role and attribute columns.

    Raises ParticipantsError naming the line of the first bad row.
    """
    path = Path(path)
    try:
        raw = path.read_bytes() if data is None else data
        text = decode_text(raw, path)
    except TranscriptError as error:
        raise ParticipantsError(path, error.reason) from None
    except OSError as error:
        raise ParticipantsError(path, f"cannot be read ({error.strerror})") from None
    lines = text.split("\n")
    dialect = "excel-tab" if "\t" in lines[0] else "excel"
    delimiter = ";" if dialect == "excel" and lines[0].count(";") > lines[0].count(",") else ","
    options = {"strict": True} if dialect == "excel-tab" else {"strict": True, "delimiter": delimiter}
    reader = csv.reader(io.StringIO(text), dialect=dialect, **options)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise ParticipantsError(path, f"is not valid CSV ({error})", line=reader.line_num) from None
    header = [cell.strip() for cell in rows[0]] if rows else []
    columns = [cell.casefold() for cell in header]
    id_column = next((columns.index(name) for name in _ID_COLUMNS if name in columns), None)
    if id_column is None:
        # A quoted header cell may hold a line break; the message must stay on one line.
        found = ", ".join(" ".join(cell.split()) for cell in header) or "nothing"
        raise ParticipantsError(path, f"the header has no 'id' column (it has: {found})", line=1)
    if len(set(columns)) != len(columns):
        raise ParticipantsError(path, "the header names a column twice", line=1)
    participants: list[Participant] = []
    seen: dict[str, int] = {}
    for line_number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise ParticipantsError(
                path, f"has {len(row)} values but the header has {len(header)} columns", line=line_number
            )
        values = {columns[index]: cell.strip() for index, cell in enumerate(row)}
        raw_id = row[id_column].strip() if id_column < len(row) else ""
        if not raw_id:
            raise ParticipantsError(path, "the id is empty", line=line_number)
        participant_id = normalise_participant_id(raw_id)
        if participant_id in seen:
            raise ParticipantsError(
                path,
                f"participant {' '.join(raw_id.split())} is listed twice (also on line {seen[participant_id]})",
                line=line_number,
            )
        seen[participant_id] = line_number
        attributes = {
            header[index]: values[column]
            for index, column in enumerate(columns)
            if index != id_column and column not in ("label", "role") and column in values
        }
        participants.append(
            Participant(
                id=participant_id,
                label=values.get("label") or None,
                role=values.get("role") or None,
                attributes=attributes,
            )
        )
    if not participants:
        raise ParticipantsError(path, "lists no participants (it has a header but no rows)")
    return participants
