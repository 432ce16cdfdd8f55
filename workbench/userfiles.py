"""Reading a file the user named: its bytes, or one plain sentence saying why not (missing, a folder, too large)."""

from __future__ import annotations

from pathlib import Path

from workbench.errors import FileProblem


def read_user_file(path: Path, problem: type[FileProblem], what: str, limit: int) -> bytes:
    """Return the bytes of ``path``, a ``what`` ("a transcript", "a codebook") of at most ``limit`` bytes.

    Every failure is raised as ``problem(path, reason)``: the file is missing, a folder, too large or unreadable.
    """
    try:
        size = path.stat().st_size
        if size > limit:
            raise problem(path, f"is {size / 2**20:.0f} MB, too large for {what} (the limit is {limit // 2**20} MB)")
        return path.read_bytes()
    except FileNotFoundError:
        raise problem(path, "does not exist") from None
    except IsADirectoryError:
        raise problem(path, f"is a folder, not {what} file") from None
    except OSError as error:
        raise problem(path, f"cannot be read ({error.strerror})") from None
