"""A .qdpx archive read safely: every member checked before any is read, nothing ever extracted to disk.

Members with absolute or ``..`` paths (zip-slip), too many members, members or a total too large, compression ratios
of a zip bomb and encrypted members are refused with one sentence. The project file is the one ``*.qde`` at the root,
whatever its name (ATLAS.ti names it after the project); the files that sources and notes point at are found in
``sources/`` or ``Sources/`` or at the root, without regard to case (NOTES.md §4.1).
"""

from __future__ import annotations

import io
import re
import urllib.parse
import zipfile
import zlib
from pathlib import Path

from workbench.errors import ExchangeFileError

MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 50 * 2**20
MAX_TOTAL_BYTES = 200 * 2**20
MAX_RATIO = 100
"""A member that unpacks to more than this many times its packed size (and over RATIO_FLOOR) is a zip bomb."""
RATIO_FLOOR = 2**20


class QdpxRefused(ExchangeFileError):
    """A .qdpx was refused as unsafe (zip-slip, absolute paths, a zip or XML bomb, oversized members)."""


class Archive:
    """A .qdpx opened for reading, every member checked before any is read; nothing is ever extracted to disk."""

    def __init__(self, path: Path, data: bytes | None = None) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data) if data is not None else path)
        except FileNotFoundError:
            raise ExchangeFileError(path, "does not exist") from None
        except IsADirectoryError:
            raise ExchangeFileError(path, "is a folder, not a .qdpx file") from None
        except (zipfile.BadZipFile, EOFError):
            raise ExchangeFileError(
                path, "is not a .qdpx file: it is not a zip archive (a .qdpx is a zip holding project.qde and sources/)"
            ) from None
        except OSError as error:
            raise ExchangeFileError(path, f"cannot be read ({error.strerror})") from None
        infos = self._zip.infolist()
        if len(infos) > MAX_MEMBERS:
            self._refuse(f"it holds {len(infos)} files, more than the {MAX_MEMBERS} a .qdpx import accepts")
        self._members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename.replace("\\", "/")
            if name.startswith("/") or re.match(r"[A-Za-z]:", name):
                self._refuse(f"it holds a file with an absolute path ({info.filename!r}), which a .qdpx never has")
            if ".." in name.split("/"):
                self._refuse(f"it holds a file named {info.filename!r}, which points outside the archive (zip-slip)")
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                self._refuse(f"{info.filename!r} is encrypted; export the project again without a password")
            if info.file_size > MAX_MEMBER_BYTES:
                self._refuse(
                    f"{info.filename!r} unpacks to {info.file_size / 2**20:.0f} MB, over the "
                    f"{MAX_MEMBER_BYTES // 2**20} MB limit for one file"
                )
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                self._refuse(f"its files unpack to more than {MAX_TOTAL_BYTES // 2**20} MB, the limit for an import")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                self._refuse(
                    f"{info.filename!r} unpacks to {info.file_size / 2**20:.0f} MB from "
                    f"{info.compress_size / 1024:.0f} kB (a ratio of {ratio} to 1), which is how a zip bomb looks"
                )
            self._members.setdefault(name.casefold(), info)

    def _refuse(self, reason: str) -> None:
        raise QdpxRefused(self.path, f"is refused: {reason}")

    def project_file(self) -> tuple[str, bytes]:
        """Return the name and bytes of the one ``*.qde`` at the root."""
        found = [info for key, info in self._members.items() if key.endswith(".qde") and "/" not in key]
        if len(found) > 1:
            names = ", ".join(sorted(info.filename for info in found))
            raise ExchangeFileError(
                self.path, f"holds {len(found)} project files ({names}); a .qdpx has exactly one .qde at its top level"
            )
        if not found:
            nested = [info.filename for key, info in self._members.items() if key.endswith(".qde")]
            hint = (
                f" (there is {nested[0]} inside a folder: zip the folder's contents, not the folder)" if nested else ""
            )
            raise ExchangeFileError(self.path, f"has no project file (project.qde) at its top level{hint}")
        return found[0].filename, self.read(found[0])

    def read(self, info: zipfile.ZipInfo) -> bytes:
        """Return a member's bytes, never more than the limit for one file, whatever its header claims."""
        try:
            with self._zip.open(info) as stream:
                data = stream.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
            raise ExchangeFileError(
                self.path, f"its file {info.filename!r} is damaged or cannot be unpacked ({error})"
            ) from None
        if len(data) > MAX_MEMBER_BYTES:
            self._refuse(f"{info.filename!r} unpacks to more than its header says, as a zip bomb does")
        return data

    def resolve(self, reference: str) -> tuple[zipfile.ZipInfo | None, str]:
        """Return the member a path attribute points at, or None and why not ("external", "missing", "no scheme")."""
        scheme, _, rest = reference.partition("://")
        if not rest:
            scheme, rest = "", reference
        if scheme and scheme.casefold() != "internal":
            return None, "external"
        name = rest.replace("\\", "/").lstrip("/")
        if not name or ".." in name.split("/"):
            return None, "missing"
        for candidate in dict.fromkeys((name, urllib.parse.unquote(name))):
            for place in (candidate, f"sources/{candidate}"):
                info = self._members.get(place.casefold())
                if info is not None:
                    return info, "" if scheme else "no scheme"
        return None, "missing"

    def close(self) -> None:
        self._zip.close()
