"""Lenient reading of REFI-QDA XML from other tools: safe parsing, local names, GUIDs, colours and readable ids.

Real files bend the standard (see the REFI-QDA research notes): namespaces vary (``urn:QDA-XML:codebook:1:0``,
``…:0:4``) or are missing, a byte-order mark may stand before ``<?xml``, GUIDs come in either case and sometimes in
braces, colours are written ``#RGB``, ``rgb()`` or with alpha. So elements are matched on their local names and
values are normalised here, once. Parsing goes through defusedxml: a .qde or .qdc is untrusted input, and entity
declarations (billion laughs), DTDs with external references and the like are refused, not expanded.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeElementTree

from workbench.errors import ExchangeFileError

_GUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_HEX_COLOUR = re.compile(r"#(?P<digits>[0-9A-Fa-f]{3,4}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})|(?P<bare>[0-9A-Fa-f]{6})")
_DECLARED = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
_RGB_COLOUR = re.compile(r"rgba?\(\s*(?P<values>[^)]*)\)", re.IGNORECASE)


def parse_xml(data: bytes, path: str | Path, *, what: str = "the XML") -> Element:
    """Return the root element of an untrusted XML document; raise ExchangeFileError when it is unsafe or broken.

    A byte-order mark and white space before the XML declaration are skipped (QualCoder writes both).
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # expat reads marked UTF-16 itself
        data = data.lstrip()
    try:
        return _parse(data, path, what)
    except (ValueError, LookupError):
        # expat itself reads only UTF-8, UTF-16 with a BOM, Latin-1 and ASCII; Python lends it single-byte codecs
        # but refuses multi-byte ones (Shift_JIS, UTF-16 without a BOM) and unknown names with these errors.
        return _parse(_decoded(data, path, what), path, what)


def _parse(data: bytes | str, path: str | Path, what: str) -> Element:
    try:
        root: Element = SafeElementTree.fromstring(data)
    except defusedxml.DefusedXmlException:
        raise ExchangeFileError(
            path,
            f"is refused: {what} declares XML entities or external references, which REFI-QDA files never need and "
            "which can expand into gigabytes (an XML bomb)",
        ) from None
    except ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else None
        raise ExchangeFileError(path, f"{what} is not well-formed XML ({error})", line=line) from None
    return root


def _decoded(data: bytes, path: str | Path, what: str) -> str:
    """Return XML bytes as text, in UTF-16 when they look it (no BOM) or else in the encoding they declare."""
    if data.startswith(b"<\x00"):
        encoding = "utf-16-le"
    elif data.startswith(b"\x00<"):
        encoding = "utf-16-be"
    else:
        declared = _DECLARED.match(data)
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ExchangeFileError(
            path, f"{what} declares the encoding {encoding!r}, which is not a known text encoding; save it as UTF-8"
        ) from None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ExchangeFileError(
            path, f"{what} is not {encoding} text as it declares (byte {error.start + 1} is not); save it as UTF-8"
        ) from None


def local_name(tag: str) -> str:
    """Return an element or attribute name without its namespace: ``{urn:QDA-XML:project:1.0}Code`` -> ``Code``."""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag.rsplit(":", 1)[-1]


def kids(element: Element, *names: str) -> list[Element]:
    """Return the direct children of an element with one of the local names given."""
    return [child for child in element if isinstance(child.tag, str) and local_name(child.tag) in names]


def kid(element: Element, name: str) -> Element | None:
    """Return the first direct child with this local name, or None."""
    found = kids(element, name)
    return found[0] if found else None


def walk(element: Element, *names: str) -> Iterator[Element]:
    """Yield the element and every descendant with one of the local names given, in document order."""
    for found in element.iter():
        if isinstance(found.tag, str) and local_name(found.tag) in names:
            yield found


def attr(element: Element, name: str) -> str:
    """Return an attribute's value, stripped ("" when missing), whatever namespace prefix it carries."""
    value = element.get(name)
    if value is None:
        for key, found in element.attrib.items():
            if local_name(key) == name:
                value = found
                break
    return (value or "").strip()


def text_of(element: Element | None) -> str:
    """Return all the text inside an element, with line ends as LF and outer white space removed."""
    if element is None:
        return ""
    return "".join(element.itertext()).replace("\r\n", "\n").replace("\r", "\n").strip()


def child_text(element: Element, name: str) -> str:
    """Return the text of the first direct child with this local name ("" when there is none)."""
    return text_of(kid(element, name))


def guid(value: str) -> str:
    """Return a GUID in one spelling (upper case, no braces) so that GUIDs from any tool compare equal."""
    value = value.strip().strip("{}").strip()
    return value.upper() if _GUID.fullmatch(value) else value


def colour(value: str) -> str | None:
    """Return a colour as lower-case #rrggbb, or None when it cannot be read.

    Accepted: #RGB, #RRGGBB (also without #), #RGBA, #RRGGBBAA and #AARRGGBB (alpha dropped), rgb(r, g, b) and
    rgba(r, g, b, a) with numbers 0-255 or percentages.
    """
    value = value.strip()
    if not value:
        return None
    found = _HEX_COLOUR.fullmatch(value)
    if found is not None:
        digits = (found.group("digits") or found.group("bare")).lower()
        if len(digits) in (3, 4):
            digits = "".join(digit * 2 for digit in digits[:3])
        elif len(digits) == 8:
            # #AARRGGBB (.NET, Qt) usually starts with an opaque ff; otherwise read it as CSS #RRGGBBAA.
            digits = digits[2:] if digits.startswith("ff") and not digits.endswith("ff") else digits[:6]
        return "#" + digits
    found = _RGB_COLOUR.fullmatch(value)
    if found is not None:
        parts = [part.strip() for part in re.split(r"[,\s/]+", found.group("values").strip()) if part.strip()]
        if len(parts) not in (3, 4):
            return None
        channels: list[int] = []
        for part in parts[:3]:
            try:
                number = float(part[:-1]) * 2.55 if part.endswith("%") else float(part)
            except ValueError:
                return None
            if not 0 <= number <= 255:
                return None
            channels.append(round(number))
        return "#" + "".join(f"{channel:02x}" for channel in channels)
    return None


def slug(text: str, *, limit: int = 40) -> str:
    """Return a readable id part made from a name: ASCII letters, digits and underscores ("" when none remain).

    "1. Perceived Susceptibility – Észlelt fogékonyság" gives "1_perceived_susceptibility_eszlelt_fogekonysag".
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[A-Za-z0-9]+", ascii_text.lower())
    result = ""
    for word in words:
        candidate = f"{result}_{word}" if result else word
        if len(candidate) > limit:
            return result or word[:limit]
        result = candidate
    return result
