"""The exceptions the core raises for problems a user can fix.

The CLI prints each as one ``Error: ...`` line and exits 1; the UI shows it with ``st.error``. Anything else that
escapes the core is a bug and should keep its traceback.
"""

from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """A problem the user can fix, described in one plain sentence."""


class ProjectError(WorkbenchError):
    """The project folder is missing, not a project, or from a newer version of the workbench."""


class FileProblem(WorkbenchError):
    """A file the user gave cannot be used; the message names it, and its line (1-based) when there is one."""

    def __init__(self, path: str | Path, reason: str, *, line: int | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.line = line
        where = f"{self.path.name}, line {line}" if line is not None else self.path.name
        super().__init__(f"{where}: {reason}")


class TranscriptError(FileProblem):
    """A transcript file cannot be imported."""


class ParticipantsError(FileProblem):
    """A participants CSV file is malformed."""


class ExchangeFileError(FileProblem):
    """A REFI-QDA file (.qdpx, .qde or .qdc) cannot be imported: unsafe, malformed or not REFI-QDA at all."""


class SettingError(WorkbenchError):
    """A project setting was given a value it cannot take."""


class ModelMissingError(WorkbenchError):
    """No English spaCy model is installed."""


class NotSignedOff(WorkbenchError):
    """A transcript was asked for coding, quoting, reporting or export before an ethics reviewer signed it off."""


class ReviewError(WorkbenchError):
    """An anonymisation review step cannot be done as asked (an unknown candidate, undecided candidates...)."""


class ResidualFound(WorkbenchError):
    """The residual scan before an export or report found a possible identifier in signed-off text."""


class CodebookError(FileProblem):
    """A codebook file is malformed: the message names the file, the line and the field."""

    def __init__(self, path: str | Path, reason: str, *, line: int | None = None, field: str | None = None) -> None:
        self.field = field
        super().__init__(path, reason, line=line)


class CodebookEditError(WorkbenchError):
    """A codebook edit cannot be made as asked (an unknown code, a move under itself, deleting a used code...)."""


class CodingError(WorkbenchError):
    """A coding, memo, suggestion, undo or redo cannot be done as asked."""


class QuoteError(WorkbenchError):
    """A quote, search or analysis filter names something the project does not have, or an export cannot be made."""


class ReportRefused(WorkbenchError):
    """A draft failed its checks: a quote that is not verbatim, an unsigned transcript, a possible identifier."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listed = "; ".join(f"({number}) {problem}" for number, problem in enumerate(problems, 1))
        super().__init__(
            f"the draft was not written: {len(problems)} problem{'s' if len(problems) != 1 else ''}: {listed}"
        )
