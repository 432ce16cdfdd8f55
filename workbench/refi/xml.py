"""What REFI-QDA export and import share: the namespaces, the two schemas, and how values are written in QDA-XML.

The schemas ship in ``workbench/refi/schemas/`` (see PROVENANCE.md there) and are compiled once per process.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files
from pathlib import Path

from lxml import etree

from workbench import __version__
from workbench.errors import WorkbenchError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_SCHEMA = "Project-mrt2019.xsd"
CODEBOOK_SCHEMA = "Codebook.xsd"
ORIGIN = f"Workbench {__version__}"
"""What our files give as their producer (``Project@origin``, ``CodeBook@origin``)."""

# XML 1.0 allows tab, line feed, carriage return and everything from U+0020 except surrogates and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@cache
def schema(name: str) -> etree.XMLSchema:
    """The compiled schema ``PROJECT_SCHEMA`` or ``CODEBOOK_SCHEMA``."""
    with files("workbench.refi").joinpath("schemas", name).open("rb") as source:
        return etree.XMLSchema(etree.parse(source))


def schema_errors(root: etree._Element, name: str) -> list[str]:
    """The schema's complaints about a document, as "line N: message" (empty when it is valid)."""
    checker = schema(name)
    if checker.validate(root):
        return []
    return [f"line {error.line}: {error.message}" for error in checker.error_log]


def require_valid(root: etree._Element, name: str, what: str) -> None:
    """Raise a WorkbenchError naming the first problem when a document we built does not pass its schema."""
    errors = schema_errors(root, name)
    if errors:
        raise WorkbenchError(
            f"the {what} was not written because it does not pass the REFI-QDA schema {name} ({len(errors)} "
            f"problem{'s' if len(errors) != 1 else ''}, the first at {errors[0]}); this is a bug in the workbench: "
            "please report it with this message"
        )


def to_bytes(root: etree._Element) -> bytes:
    """The document as UTF-8 bytes with an XML declaration (in double quotes, as every tool writes it), no BOM."""
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8", pretty_print=True)


def sub(
    parent: etree._Element, namespace: str, tag: str, text: str | None = None, **attributes: str | None
) -> etree._Element:
    """Add a child element in ``namespace``; attributes given as None are left out, text is made XML-safe."""
    child = etree.SubElement(parent, f"{{{namespace}}}{tag}")
    for key, value in attributes.items():
        if value is not None:
            child.set(key, xml_safe(value))
    if text is not None:
        child.text = xml_safe(text)
    return child


def xml_safe(text: str) -> str:
    """The text without the control characters XML 1.0 cannot hold (a stray form feed from a Word file, say)."""
    return _NOT_XML.sub("", text)


def refi_datetime(timestamp: str) -> str:
    """An ISO 8601 timestamp as every REFI-QDA tool writes it: UTC to the second, "2025-01-01T12:00:00Z"."""
    moment = datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def refi_colour(colour: str) -> str | None:
    """A colour as "#RRGGBB" (or "#RGB"), or None when it is not one a REFI-QDA file may carry."""
    return colour.upper() if re.fullmatch(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})", colour) else None


def check_writable(path: Path, what: str, suffix: str) -> None:
    """Refuse, before any work is done, an output path that cannot be written: a folder, or in a missing folder."""
    if path.is_dir():
        raise WorkbenchError(f"{path} is a folder; give a file name for the {what}, e.g. {path / ('study' + suffix)}")
    if not path.parent.is_dir():
        raise WorkbenchError(f"cannot write {path}: the folder {path.parent} does not exist; create it first")


def write_atomically(path: Path, data: bytes, what: str) -> None:
    """Write a file whole or not at all: a temporary file beside it, then a rename over the target."""
    temporary: Path | None = None
    try:
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        temporary = Path(name)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        if not isinstance(error, OSError):
            raise  # an interrupt, say: leave no partial file, and let it through
        raise WorkbenchError(
            f"the {what} could not be written to {path} ({error.strerror or error}); choose a folder you can write to"
        ) from None
