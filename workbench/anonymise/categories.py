"""What an identifier can be, the placeholder it becomes, and the coarse kind the benchmark scores it as."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    name: str
    """The category as reviewers see it and as a roster names it, e.g. "service user"."""
    kind: str
    """The coarse kind: person, place, organisation, address, postcode, phone, email, nhs, ni, date, url."""
    numbered: bool
    """People, places and organisations are numbered ({service user 2}) so that one stays one; numbers are not."""
    label: str
    """The placeholder's words, e.g. "NHS number" for {NHS number}."""


_CATEGORIES = (
    Category("service user", "person", True, "service user"),
    Category("family member", "person", True, "family member"),
    Category("carer", "person", True, "carer"),
    Category("staff", "person", True, "staff member"),
    Category("manager", "person", True, "manager"),
    Category("person", "person", True, "person"),
    Category("place", "place", True, "place"),
    Category("organisation", "organisation", True, "organisation"),
    Category("address", "address", False, "address"),
    Category("postcode", "postcode", False, "postcode"),
    Category("phone", "phone", False, "phone"),
    Category("email", "email", False, "email"),
    Category("NHS number", "nhs", False, "NHS number"),
    Category("NI number", "ni", False, "NI number"),
    Category("date", "date", False, "date"),
    Category("url", "url", False, "website"),
)
CATEGORIES: dict[str, Category] = {category.name: category for category in _CATEGORIES}
KINDS = tuple(dict.fromkeys(category.kind for category in _CATEGORIES))

# What rosters and reviewers may write for a category, mapped to its name.
_SYNONYMS = {
    "client": "service user",
    "user": "service user",
    "family": "family member",
    "relative": "family member",
    "staff member": "staff",
    "colleague": "staff",
    "worker": "staff",
    "care worker": "carer",
    "name": "person",
    "location": "place",
    "organization": "organisation",
    "agency": "organisation",
    "nhs": "NHS number",
    "nhs number": "NHS number",
    "ni": "NI number",
    "ni number": "NI number",
    "national insurance number": "NI number",
    "telephone": "phone",
    "phone number": "phone",
    "website": "url",
    "date of birth": "date",
}


def category_named(name: str) -> Category | None:
    """Return the category a roster or reviewer means by ``name`` (any case, common synonyms), or None."""
    key = " ".join(name.split()).casefold()
    for category in _CATEGORIES:
        if category.name.casefold() == key:
            return category
    synonym = _SYNONYMS.get(key)
    return CATEGORIES[synonym] if synonym else None


def kind_of(category: str) -> str:
    return CATEGORIES[category].kind
