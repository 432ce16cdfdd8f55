"""The automatic pass: every candidate applied, with no review. For triage and measurement, never for release."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.anonymise.categories import CATEGORIES
from workbench.anonymise.detect import Candidate, Detector
from workbench.anonymise.placeholders import (
    DEFAULT_STYLE,
    Replacement,
    apply_replacements,
    entity_key,
    linked_key,
    render,
)


@dataclass(frozen=True)
class AutoResult:
    text: str
    candidates: list[Candidate]
    placeholders: list[str]


def anonymise_text(text: str, detector: Detector, style: str = DEFAULT_STYLE) -> AutoResult:
    """Replace every candidate in ``text``; one identifier gets one placeholder throughout."""
    candidates = detector.detect(text)
    numbers: dict[str, int] = {}
    keys: dict[str, str] = {}
    replacements = []
    for candidate in candidates:
        key = linked_key(entity_key(candidate.text, candidate.category), candidate.category, list(keys.items()))
        if key not in numbers:
            numbers[key] = 1 + sum(1 for other in keys.values() if other == candidate.category)
            keys[key] = candidate.category
        number = numbers[key] if CATEGORIES[candidate.category].numbered else None
        replacements.append(Replacement(candidate.start, candidate.end, render(keys[key], number, style)))
    anonymised, _ = apply_replacements(text, replacements)
    return AutoResult(anonymised, candidates, [r.placeholder for r in replacements])
