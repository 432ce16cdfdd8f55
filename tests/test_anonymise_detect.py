"""Detection: what an ethics reviewer needs flagged in real interview text, and what must be left alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write
from workbench.anonymise.auto import anonymise_text
from workbench.anonymise.detect import Detector
from workbench.anonymise.lists import ListError, read_glossary, read_roster
from workbench.anonymise.patterns import find_patterns, nhs_number_is_valid


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def _found(detector: Detector, text: str) -> dict[str, str]:
    return {candidate.text: candidate.category for candidate in detector.detect(text)}


@pytest.mark.parametrize(
    ("text", "identifier", "category"),
    [
        ("Her postcode is le1 7qq, I think.", "le1 7qq", "postcode"),
        ("They moved to AB1 2CD last year.", "AB1 2CD", "postcode"),
        ("It's NG71AB on the letter.", "NG71AB", "postcode"),
        ("Her NHS number is 999 000 0018.", "999 000 0018", "NHS number"),
        ("I wrote 9990000018 on the form.", "9990000018", "NHS number"),
        ("NI number qq 12 34 56 c, he read it out.", "qq 12 34 56 c", "NI number"),
        ("His NI is QQ123456C.", "QQ123456C", "NI number"),
        ("Ring her on 07700 900461 after two.", "07700 900461", "phone"),
        ("The son's number is +44 7700 900123.", "+44 7700 900123", "phone"),
        ("Office line 0116 496 0123, extension none.", "0116 496 0123", "phone"),
        ("Or 07700-900-123 on a good day.", "07700-900-123", "phone"),
        ("She said oh seven seven double oh, nine double oh, seven three five.",
         "oh seven seven double oh, nine double oh, seven three five", "phone"),
        ("Email jo.bloggs@example.org with the form.", "jo.bloggs@example.org", "email"),
        ("It's on www.brightwater.example.org somewhere.", "www.brightwater.example.org", "url"),
        ("She lives at 14 Meadow Lane with the cat.", "14 Meadow Lane", "address"),
        ("Flat 3, 22 Holloway Road is the address.", "Flat 3, 22 Holloway Road", "address"),
        ("He was born on the 3rd of March 1948, he told me.", "the 3rd of March 1948", "date"),
        ("DOB 03/03/1948 on the referral.", "03/03/1948", "date"),
    ],
)  # fmt: skip
def test_shaped_identifiers_are_found_in_any_case_and_spacing(
    detector: Detector, text: str, identifier: str, category: str
) -> None:
    assert _found(detector, text).get(identifier) == category


def test_an_nhs_number_must_pass_its_check_digit() -> None:
    assert nhs_number_is_valid("9990000018")
    assert not nhs_number_is_valid("9990000019")
    found = [(m.category, m.confidence) for m in find_patterns("Ref 999 000 0019 on the file.")]
    assert ("NHS number", 0.99) not in found


@pytest.mark.parametrize(
    "text",
    [
        "I did three visits down the road and back.",
        "Last March the Panel met on a Monday.",
        "It's about 150 a week, 12 hours of support.",
        "She scored 14 on the Needs Profile.",
    ],
)
def test_ordinary_numbers_and_times_are_not_identifiers(detector: Detector, text: str) -> None:
    assert detector.detect(text) == []


def test_domain_terms_and_placeholders_survive(detector: Detector) -> None:
    text = (
        "Case Worker 7: The RAS and the Needs Profile gave an Indicative Budget, then the Support Plan went to "
        "Panel. Direct Payments came through the ILF and the NHS, and the GP agreed. I told {client} and "
        "{OTHER} that [name] would ring the Ready Reckoner people at the council."
    )
    assert detector.detect(text) == []


@pytest.mark.parametrize(
    ("text", "name", "category"),
    [
        ("Her daughter, Denise, rang me about it.", "Denise", "family member"),
        ("My manager, Priya, signed it off.", "Priya", "manager"),
        ("There's a carer called Bev who goes in.", "Bev", "carer"),
        ("Our team manager was Mrs Okafor then.", "Mrs Okafor", "manager"),
    ],
)
def test_names_after_a_relation_take_its_category(detector: Detector, text: str, name: str, category: str) -> None:
    assert _found(detector, text).get(name) == category


def test_a_name_found_once_is_found_everywhere_in_the_text_even_in_lower_case(detector: Detector) -> None:
    text = "Her daughter, Denise, rang. I said to denise it was fine. Denise's husband agreed."
    spans = [c.text for c in detector.detect(text)]
    assert spans == ["Denise", "denise", "Denise"]


def test_the_model_and_rules_find_names_places_and_agencies(detector: Detector) -> None:
    found = _found(detector, "She moved from Kettlebrook to Leeds and Brightwater Homecare took over from Mr Jones.")
    assert found.get("Brightwater Homecare") == "organisation"
    assert found.get("Mr Jones") is not None
    assert found.get("Leeds") == "place"


def test_a_roster_catches_its_names_with_titles_possessives_lower_case_and_misspellings(tmp_path: Path) -> None:
    roster = read_roster(
        write(
            tmp_path, "roster.csv", "original,category\nDenise Walsh,family member\nBabatunde Ogunleye,service user\n"
        )
    )
    text = (
        "Mrs Walsh rang. walsh's view was clear. I spoke to denisse about it. Mr Ogunleye, Babatunde, "
        "he's eighty. ogunleye said yes."
    )
    found = {c.text: (c.category, c.detector) for c in Detector(roster=roster).detect(text)}
    for mention in ("Mrs Walsh", "walsh", "denisse", "Mr Ogunleye", "Babatunde", "ogunleye"):
        assert mention in found, (mention, found)
    assert found["denisse"][0] == "family member"
    assert found["Babatunde"][0] == "service user"


def test_a_project_glossary_protects_its_terms(tmp_path: Path) -> None:
    text = "We used the Kettlewick Tool with her, and Hollin Grid too."
    assert "Kettlewick Tool" in [c.text for c in Detector().detect(text)]
    glossary = read_glossary(write(tmp_path, "terms.txt", "# our tools\nKettlewick Tool\nHollin Grid\n"))
    assert Detector(glossary=glossary).detect(text) == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "name,category\nDenise,family\n",
            "roster.csv, line 1: the header must name the columns original and category",
        ),
        ("original,category\nDenise,astronaut\n", "roster.csv, line 2: unknown category 'astronaut'"),
        ("original,category\n,family\n", "roster.csv, line 2: the original name is empty"),
        ("original,category\n", "roster.csv: lists no names"),
        ('original,category\n"Denise,family\n', "roster.csv, line 2: is not valid CSV"),
    ],
)
def test_a_malformed_roster_is_reported_by_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(ListError) as raised:
        read_roster(write(tmp_path, "roster.csv", content))
    assert str(raised.value).startswith(message)


def test_a_binary_glossary_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ListError) as raised:
        read_glossary(write(tmp_path, "terms.txt", bytes(range(256)) * 4))
    assert str(raised.value).startswith("terms.txt: ")


def test_the_automatic_pass_gives_one_person_one_placeholder(detector: Detector) -> None:
    text = "Her daughter, Denise, rang. Later Denise rang again, and so did her son, Gary. Call 07700 900461."
    result = anonymise_text(text, detector)
    assert result.text == (
        "Her daughter, {family member 1}, rang. Later {family member 1} rang again, and so did her son, "
        "{family member 2}. Call {phone}."
    )


def test_a_rostered_organisation_is_found_only_by_its_whole_name(tmp_path: Path) -> None:
    roster = read_roster(write(tmp_path, "roster.csv", "original,category\nBrightwater Homecare,organisation\n"))
    text = "She had homecare from brightwater  homecare for years; homecare is stretched."
    found = [(c.text, c.detector) for c in Detector(roster=roster).detect(text)]
    assert found == [("brightwater  homecare", "roster")]


def test_scanning_in_worker_processes_finds_exactly_what_one_process_finds(detector: Detector) -> None:
    texts = [
        "Her daughter, Denise, rang from 07700 900461.",
        "Mr Okafor at Brightwater Homecare, 14 Meadow Lane.",
        "Nothing here but the RAS and the Needs Profile.",
        "She lives in Kettlebrook, le1 7qq, NHS 999 000 0018.",
    ]
    assert list(detector.detect_many(texts, workers=2)) == list(detector.detect_many(texts, workers=0))


@pytest.mark.parametrize(
    ("text", "identifier", "category"),
    [
        ("Her NI number, qq 12 34 56, is on the form.", "qq 12 34 56", "NI number"),
        ("his sister lives in leeds now", "leeds", "place"),
        ("She lives at Rose Cottage, Mill Lane, out past the church.", "Rose Cottage, Mill Lane", "address"),
        ("He grew up in Little Mardon, a tiny place.", "Little Mardon", "place"),
    ],
)
def test_harder_identifiers(detector: Detector, text: str, identifier: str, category: str) -> None:
    found = _found(detector, text)
    assert identifier in found, found


def test_a_roster_knows_short_and_familiar_forms_of_its_names(tmp_path: Path) -> None:
    roster = read_roster(
        write(tmp_path, "roster.csv", "original,category\nBeverley Tulley,carer\nWinifred Soames,service user\n"
              "Will Ormerod,family member\n")
    )  # fmt: skip
    text = "Bev goes in daily, and Winnie likes her. Will rang; he will ring again."
    found = [(c.text, c.category) for c in Detector(roster=roster).detect(text)]
    assert ("Bev", "carer") in found and ("Winnie", "service user") in found and ("Will", "family member") in found
    assert "will" not in [text for text, _ in found]


def test_a_roster_finds_a_family_by_its_surname_in_the_plural(tmp_path: Path) -> None:
    roster = read_roster(
        write(tmp_path, "roster.csv", "original,category\nMaureen Hobbs,service user\nEllis Tranter,service user\n")
    )
    text = "That's the Hobbses, and the Tranters' house is next door."
    found = [c.text for c in Detector(roster=roster).detect(text)]
    assert "Hobbses" in found and any(name.startswith("Tranters") for name in found)


@pytest.mark.parametrize(
    ("text", "identifier"),
    [
        ("She moved to 14 The Green last spring.", "14 The Green"),
        ("He has Flat 3, The Maltings, now.", "Flat 3, The Maltings"),
        ("A lady from their church, Our Lady of Częstochowa, helps.", "Our Lady of Częstochowa"),
        ("He's a season ticket holder at Norbury Vale Town, or was.", "Norbury Vale Town"),
    ],
)
def test_names_with_articles_flats_and_connectors_are_caught_whole(
    detector: Detector, text: str, identifier: str
) -> None:
    assert identifier in _found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "In what way did the keyworker help with the timescales?",
        "Her MS got worse over the winter, and the café shut.",
        "I'd say we were pretty close on the figures, whichever way you look at it.",
    ],
)
def test_everyday_words_of_interviews_are_not_names(detector: Detector, text: str) -> None:
    assert detector.detect(text) == []


@pytest.mark.parametrize(
    ("text", "identifier", "category"),
    [
        ("Her date of birth was Diwali 1955, she said.", "Diwali 1955", "date"),
        ("He was born in March 1931 in Cork.", "March 1931", "date"),
        ("Oh, and now I've said it: my name is Bernadette.", "Bernadette", "person"),
    ],
)
def test_birth_dates_in_words_and_a_speakers_own_name(
    detector: Detector, text: str, identifier: str, category: str
) -> None:
    assert _found(detector, text).get(identifier) == category


def test_a_month_and_year_alone_is_not_an_identifier(detector: Detector) -> None:
    assert detector.detect("The Panel met in March 2024 about the budget.") == []


def test_a_rostered_name_that_is_a_word_is_caught_in_lower_case_beside_its_surname(tmp_path: Path) -> None:
    roster = read_roster(write(tmp_path, "roster.csv", "original,category\nRose Brennan,service user\n"))
    found = [c.text for c in Detector(roster=roster).detect("i went to see rose brennan on monday.")]
    assert found == ["rose brennan"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("he goes on a friday, because his mate will is there.", ["will"]),
        ("her son will ring me, and the lad will be fine.", []),
        ("and will will only go if kieran goes too.", ["will"]),
        ("will's money goes on the gym.", ["will"]),
        ("will said he'd rather stay in.", ["will"]),
        # The word itself stays: a modal, a last will, a free will.
        ("i will ring him, and we will see.", []),
        ("his will was read out after the funeral.", []),
        ("it's her own free will, isn't it.", []),
    ],
)
def test_a_rostered_name_that_is_a_word_counts_in_lower_case_only_where_the_word_cannot_be_meant(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    roster = read_roster(write(tmp_path, "roster.csv", "original,category\nWill Ormerod,service user\n"))
    found = [c.text for c in Detector(roster=roster).detect(text) if c.category == "service user"]
    assert found == expected


LOWER_CASE_TRANSCRIPT = (
    "INT: and what does he do in the week\n\n"
    "R: well he used to box, at phoenix amateur boxing club on a tuesday, and now he goes to the local boxing club "
    "with his brother. the money from the Indicative Budget pays for his bus. he likes it there, he says it keeps "
    "him out of trouble and his mum is glad of it, she says so every time i see her at the house.\n"
)


def test_an_organisation_in_a_transcript_typed_without_capitals_is_found_by_its_shape(detector: Detector) -> None:
    found = _found(detector, LOWER_CASE_TRANSCRIPT)
    assert found.get("phoenix amateur boxing club") == "organisation"
    assert not any("local boxing club" in text for text in found)  # a generic one, with an article, stays


def test_the_lower_case_shape_is_not_used_where_a_transcript_has_capitals(detector: Detector) -> None:
    capitalised = "I said to him, you go to amateur boxing club on a Tuesday. He goes. He likes it. It's good for him."
    assert _found(detector, capitalised) == {}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("And the cartoon faces, mrs warsame cant see them.", "mrs warsame"),
        ("So kath sat with mr hobbs on his own.", "mr hobbs"),
        ("I rang dr okafor back the next day.", "dr okafor"),
        # A surname that happens to join two words (war + same) is still a surname beside a name.
        ("her referral got lost. hodan warsame had four appointments cancelled", "hodan warsame"),
    ],
)
def test_a_title_or_a_first_name_makes_a_lower_case_name(detector: Detector, text: str, name: str) -> None:
    assert _found(detector, text).get(name) == "person"


@pytest.mark.parametrize(
    "text", ["Mrs is what she likes to be called.", "I said to the dr that she was fine.", "Not a dr, a nurse."]
)
def test_a_title_alone_is_not_a_name(detector: Detector, text: str) -> None:
    assert "person" not in _found(detector, text).values()
