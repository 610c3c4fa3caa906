"""Polish an editor signs: every number in every generated sentence and alt text of the demo batch
governs the right form of its noun, and phrases reviewers flagged are gone.

The agreement rule is written out here by hand, independently of Babel's CLDR rules that the code
uses: after a whole number n the noun is in the nominative singular for 1, the nominative plural
when n ends in 2–4 (not 12–14), the genitive plural otherwise; after a fraction it is in the
genitive singular ("2,5 osoby"). After a preposition that governs the genitive ("od", "do",
"w ciągu"...) it is the genitive singular for 1 and the genitive plural for any other whole number.
"""

from __future__ import annotations

import re

import pytest

from analysis import charts
from analysis import display as show
from analysis.catalogue import indicators
from analysis.params import load_batch
from analysis.paths import PARAMS_DIR
from analysis.report import prepare_report
from analysis.town import TownParams

# lemma: (nominative singular, nominative plural, genitive plural, genitive singular)
NOUNS = {
    "osoba": ("osoba", "osoby", "osób", "osoby"),
    "rok": ("rok", "lata", "lat", "roku"),
    "zdarzenie": ("zdarzenie", "zdarzenia", "zdarzeń", "zdarzenia"),
    "wskaźnik": ("wskaźnik", "wskaźniki", "wskaźników", "wskaźnika"),
    "podmiot": ("podmiot", "podmioty", "podmiotów", "podmiotu"),
    "mieszkanie": ("mieszkanie", "mieszkania", "mieszkań", "mieszkania"),
    "miejsce": ("miejsce", "miejsca", "miejsc", "miejsca"),
    "mieszkaniec": ("mieszkaniec", "mieszkańcy", "mieszkańców", "mieszkańca"),
    "strona": ("strona", "strony", "stron", "strony"),
}
FORMS = {form: lemma for lemma, forms in NOUNS.items() for form in forms}
GENITIVE_PREPOSITIONS = ("od", "do", "w ciągu", "ponad", "około", "spośród", "wśród", "bez", "z", "wobec")
# "na" governs the accusative, which for masculine-personal nouns has the genitive's forms ("na 1 mieszkańca").
ACCUSATIVE_PERSONAL = ("na",)
PERSONAL = {"mieszkaniec"}
NUMBER = r"(\d{1,3}(?:[\u00a0 ]\d{3})*(?:,\d+)?)"
PREPOSITIONS = "|".join(GENITIVE_PREPOSITIONS + ACCUSATIVE_PERSONAL)
# The noun follows the number directly ("5 osób") or after one adjective ("2 mocne strony").
PATTERN = re.compile(rf"(?:\b(?P<prep>{PREPOSITIONS})\s+)?{NUMBER}[\u00a0 ](?P<first>\w+)(?=(?: (?P<second>\w+))?)")  # noqa: E501
FLAGGED = (
    "lat(a)",
    "najkorzystniej wypada:",
    "średni z odporny",
    "osoby do",
    "zmieniła się o −",
    "Partia",
    "Wynik syntetyczny",
)

# Acronyms in the catalogue's names (PIT, CIT, REGON) stay upper case inside a sentence ("udziały w PIT").
ACRONYMS = sorted({word for i in indicators().values() for word in re.findall(r"\b[A-Z]{2,}\b", i.name_pl)})
LOWERED_ACRONYM = re.compile(rf"\b({'|'.join(a.lower() for a in ACRONYMS)})\b")


def expected_form(number: str, lemma: str, genitive: bool) -> str:
    nominative_singular, nominative_plural, genitive_plural, genitive_singular = NOUNS[lemma]
    if "," in number:
        return genitive_singular
    n = int(re.sub(r"\D", "", number))
    if genitive:
        return genitive_singular if n == 1 else genitive_plural
    if n == 1:
        return nominative_singular
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return nominative_plural
    return genitive_plural


def agreement_errors(text: str) -> list[str]:
    errors = []
    for match in PATTERN.finditer(text):
        noun = match["first"] if match["first"] in FORMS else match["second"]
        if noun not in FORMS:
            continue
        lemma, preposition = FORMS[noun], match["prep"]
        genitive = preposition in GENITIVE_PREPOSITIONS or (preposition in ACCUSATIVE_PERSONAL and lemma in PERSONAL)
        expected = expected_form(match[2], lemma, genitive)
        if noun != expected:
            errors.append(f"{match[0]!r}: expected {expected!r}")
    return errors


@pytest.mark.parametrize(
    "text, wrong",
    [
        ("W ciągu 5 lat liczba wzrosła o 2 osoby.", False),
        ("od 44 275 osoby do 41 957 osoby", True),
        ("od 44 275 osób do 41 957 osób", False),
        ("brak danych za 1 lata", True),
        ("ocenione: 22 wskaźniki, 25 wskaźników, 1 wskaźnik, 2,5 wskaźnika", False),
        ("wartość niepewna: 17 zdarzeń", False),
        ("wartość niepewna: 12 zdarzenia", True),
        ("dochody na 1 mieszkańca, wydatki na 1000 mieszkańców", False),
        ("od 180 miejsca do 1 miejsca", True),
        ("134,9 osoby wobec 156,0 osób", True),  # a printed fraction, even ",0", takes the genitive singular
        ("887 podmiotów wobec 1 171 podmiotów", False),
        ("2 mocne strony i 1 słaba strona; 5 mocnych stron", False),
        ("2 mocnych stron", True),
        ("od 40 876 osób do 36 383 osób", False),  # the next word is looked at, never taken from the next match
    ],
)
def test_the_rule_itself(text, wrong):
    assert bool(agreement_errors(text)) == wrong


# Case after a preposition, by hand: "w województwie" takes the locative (every voivodeship's name is a
# neuter adjective: "w województwie śląskim"); "z" is said "ze" before a number said from "sto" (100–199:
# "ze stu dwoma gminami"), and "z" before any other ("z dwudziestoma", "z 2021 r.", "6 z 13").
LOCATIVE = re.compile(r"w województwie ([\w\\-]+)")
Z_BEFORE_NUMBER = re.compile(r"\b(ze?) (\d{1,3}(?:[\u00a0 ]\d{3})*)\b")


def case_errors(text: str) -> list[str]:
    errors = [f"{m[0]!r}: expected the locative" for m in LOCATIVE.finditer(text) if not m[1].endswith("im")]
    for match in Z_BEFORE_NUMBER.finditer(text):
        digits = re.sub(r"\D", "", match[2])
        said_from_sto = digits[0] == "1" and len(digits) % 3 == 0  # 1xx, 1xx xxx
        if (match[1] == "ze") != said_from_sto:
            errors.append(f"{match[0]!r}: expected {'ze' if said_from_sto else 'z'}")
    return errors


@pytest.mark.parametrize(
    "text, wrong",
    [
        ("porównujemy z gminami w województwie wielkopolskie (112 gmin)", True),
        ("porównujemy z gminami w województwie kujawsko\\-pomorskim (8 gmin)", False),
        ("porównujemy z 102 gminami", True),
        ("porównujemy ze 102 gminami; z 20 gminami; z 675 gminami; ze 150 000 osób", False),
        ("ze 20 gminami", True),
        ("ocenione wskaźniki: 6 z 13; spisu z 2021 r.", False),
        ("gminy tego samego rodzaju w województwie | 8", False),
    ],
)
def test_the_case_rule_itself(text, wrong):
    assert bool(case_errors(text)) == wrong


# A heading before a list agrees with the number of items after its colon ("Mocna strona …: X." but
# "Mocne strony …: X; Y."): (singular, plural, the separator between items).
LIST_HEADINGS = (
    ("Mocna strona", "Mocne strony", "; "),
    ("Słaba strona", "Słabe strony", "; "),
    ("Nie oceniono wskaźnika opartego", "Nie oceniono wskaźników opartych", ", "),
    ("Nie oceniamy wskaźnika, według którego", "Nie oceniamy wskaźników, według których", ", "),
    ("Nowy rok danych", "Nowe lata danych", ", "),
    ("Nowa mocna strona", "Nowe mocne strony", "; "),  # what changed since the previous edition
    ("Nowa słaba strona", "Nowe słabe strony", "; "),
)


def _items(listed: str, separator: str) -> int:
    """Items of a list: its bullets, or else the separators outside parentheses ("X (1; 2), Y" is two items)."""
    if "\n- " in listed:
        return listed.count("\n- ")
    depth, count = 0, 1
    for i, char in enumerate(listed):
        depth += {"(": 1, ")": -1}.get(char, 0)
        count += depth == 0 and listed.startswith(separator, i)
    return count


def list_heading_errors(text: str) -> list[str]:
    errors = []
    for singular, plural, separator in LIST_HEADINGS:
        for heading in (singular, plural):
            if text.startswith(heading) and ":" in text:
                items = _items(text.split(":", 1)[1], separator)
                if (heading == singular) != (items == 1):
                    errors.append(f"{heading!r} before {items} item(s): {text[:80]!r}")
    return errors


@pytest.mark.parametrize(
    "text, wrong",
    [
        ("Mocna strona na tle grupy porównawczej: wysoki odsetek (79,5% wobec 73,6%).", False),
        ("Mocne strony na tle grupy porównawczej: wysoki odsetek (79,5% wobec 73,6%).", True),
        ("Słabe strony na tle grupy porównawczej: niski X (1; 2); wysoki Y (3).", False),
        ("Słaba strona na tle grupy porównawczej: niski X (1); wysoki Y (3).", True),
        ("Nie oceniono wskaźników opartych na mniej niż 10 zdarzeniach: saldo (ok. 7 zdarzeń).", True),
        ("Nowe lata danych: 2024, 2025.", False),
        ("Nowa mocna strona: wysoki X; niski Y.", True),
        ("Mocne strony poprzedniej edycji, które już nimi nie są: a; b.", False),
        ("Mocne strony na tle grupy porównawczej:\n\n- a (1; 2);\n- b;\n- c;\n- d.", False),
        ("Mocna strona na tle grupy porównawczej:\n\n- a (1; 2);\n- b;\n- c;\n- d.", True),
    ],
)
def test_the_list_heading_rule_itself(text, wrong):
    assert bool(list_heading_errors(text)) == wrong


ENGLISH_NOUNS = ("year", "person", "event", "indicator", "municipalit", "resident")
ENGLISH_NOUNS += ("entit", "place", "dwelling", "strength", "weakness")
# A quantity's space is often a no-break one (`formatting.with_noun`): a plain space alone missed those.
ENGLISH_PATTERN = re.compile(rf"\b(\d[\d,]*(?:\.\d+)?)[\u00a0 ]({'|'.join(ENGLISH_NOUNS)})(\w*)")


def english_errors(text: str) -> list[str]:
    """`1 year`, `2 years`, `1.5 years`: singular exactly for the number one."""
    errors = []
    for match in ENGLISH_PATTERN.finditer(text):
        singular = match[3] in ("", "y") if match[2] in ("municipalit", "entit") else match[3] == ""
        if singular != (match[1] == "1"):
            errors.append(repr(match[0]))
    return errors


@pytest.mark.parametrize(
    "text, wrong",
    [
        ("1 year, 2 years, 1.5 years", False),
        ("1 years", True),
        ("5 municipality", True),
        ("1 municipality", False),
        ("1 entity, 25 entities", False),
        ("1\u00a0persons", True),
        ("1 strength and 3 weaknesses", False),
    ],
)
def test_the_english_rule_itself(text, wrong):
    assert bool(english_errors(text)) == wrong


def _texts(report) -> list[str]:
    """Every sentence and alt text the report generates (Polish), as a reader meets them."""
    texts = [sentence for sentences in report.narrative.values() for sentence in sentences]
    for item in (show.peer_method_text(report), show.sensitivity_text(report), show.methodology_text(report)):
        texts.append(item.text)
    verdicts = show.verdicts_table(report)  # page one's verdicts: a row as a reader meets it, cells apart
    texts += [" | ".join(map(str, row)) for row in verdicts.frame.itertuples()] + [verdicts.caption]
    for section in ("demography", "economy", "services"):
        # a table row as a reader meets it: cells apart, so a number never runs into the next cell's words
        for table in (show.comparison_table(report, section), show.changes_table(report, section)):
            if isinstance(table, show.Markdown):  # a section without such a table says so in a sentence
                texts.append(table.text)
            elif isinstance(table, show.Table):  # (`show.Nothing`: a section the data do not cover, its text says)
                texts += [" | ".join(map(str, row)) for row in table.frame.itertuples()]
    for section in ("summary", "demography", "economy", "services"):
        texts += [text.alt for text in charts.section_chart_texts(report, section)]
    return texts


@pytest.mark.slow
def test_every_sentence_and_alt_text_of_the_demo_batch_agrees(demo_reports):
    errors, flagged, count = [], [], 0
    for teryt, report in demo_reports.items():
        for text in _texts(report):
            count += 1
            errors += [
                f"{teryt}: {error}" for error in agreement_errors(text) + list_heading_errors(text) + case_errors(text)
            ]
            flagged += [f"{teryt}: {phrase!r} in {text[:80]!r}" for phrase in FLAGGED if phrase in text]
            flagged += [f"{teryt}: {match[0]!r} in {text[:80]!r}" for match in LOWERED_ACRONYM.finditer(text)]
    assert count > 54 * 40 and {"PIT", "REGON"} <= set(ACRONYMS)
    assert errors == []
    assert flagged == []


@pytest.mark.slow
def test_every_sentence_of_what_changed_since_the_previous_edition_agrees(demo_reports, tmp_path):
    # The demo batch has no previous edition: each town's section against its own edition of a year before
    # (data to 2023), where verdicts, strengths, peers and years move, swept by the same rules.
    from analysis.editions import write_figures

    errors, said = [], []
    for teryt, report in demo_reports.items():
        record = tmp_path / f"{teryt}.json"
        write_figures(prepare_report(TownParams(teryt=teryt, last_year=2023, edition="2025-12-01")), record)
        texts = []
        for part in show.edition_changes(report, str(record)):
            if isinstance(part, show.Table):
                texts += [" | ".join(map(str, row)) for row in part.frame.itertuples()] + [part.caption]
            else:
                texts += [line for line in part.text.split("\n") if line.strip()]
        said += texts
        errors += [
            f"{teryt}: {error}"
            for text in texts
            for error in agreement_errors(text) + list_heading_errors(text) + case_errors(text)
        ]
    assert errors == []
    said = "\n".join(said)
    for heading in ("Nowy rok danych: 2024.", "Nowe mocne strony:", "Nowa słaba strona:", "ocena zmieniła się z"):
        assert heading in said  # the sweep met each kind of sentence
    assert "Mocne strony poprzedniej edycji, które już nimi nie są:" in said


@pytest.mark.slow
def test_english_sentences_use_singular_only_for_one():
    errors = []
    for teryt in load_batch(PARAMS_DIR / "demo.yaml").teryts[::3]:
        report = prepare_report(TownParams(teryt=teryt, language="en"))
        errors += [f"{teryt}: {error}" for text in _texts(report) for error in english_errors(text)]
    assert errors == []


@pytest.mark.parametrize("method", ["voivodeship", "powiat", "population_class", "explicit"])
def test_the_peer_group_text_of_every_rule_agrees(method):
    # The demo batch uses the nearest rule only: the other rules' sentences, swept by the same rules.
    errors = []
    for teryt, members in (("0490013", "0490023,0490033,0491023"), ("2290011", "2290021,2290031,2290041")):
        members = members if method == "explicit" else ""
        report = prepare_report(TownParams(teryt=teryt, peer_method=method, peer_members=members))
        text = show.peer_method_text(report).text
        errors += [f"{teryt}: {e}" for e in agreement_errors(text) + case_errors(text)]
        assert str(len(report.peers.members)) in text
    assert errors == []


def test_every_sentence_of_reports_on_changed_boundaries_agrees(demo_store, tmp_path):
    # The sentences, notes and alt texts that only a change of boundaries brings (the demo store has none):
    # Bursztynojar with land and residents taken in (2022), with land alone (2022), and with two peers whose
    # land moved. Swept by the same rules as the demo batch.
    from analysis.report import compute_report
    from analysis.store import load_store
    from tests.conftest import write_annexed_store

    peers = prepare_report(TownParams(teryt="0290011")).peers.members
    stores = {
        "annexed": write_annexed_store(demo_store, tmp_path / "annexed", "0290011", 2022, residents=1.3, land=1.4),
        "land": write_annexed_store(demo_store, tmp_path / "land", "0290011", 2022, residents=1.0, land=1.1),
    }
    one = write_annexed_store(demo_store, tmp_path / "one", peers[0], 2022, residents=1.05, land=1.1)
    stores["peers"] = write_annexed_store(load_store(one), tmp_path / "two", peers[1], 2021, residents=0.95, land=0.9)
    errors, texts = [], []
    for name, store in stores.items():
        report = compute_report(TownParams(teryt="0290011", data_dir=str(store)))
        texts += _texts(report)
        errors += [
            f"{name}: {error}"
            for text in _texts(report)
            for error in agreement_errors(text) + list_heading_errors(text) + case_errors(text)
        ]
    said = " ".join(texts).replace("\xa0", " ")
    for phrase in (  # each store's own words were swept; "gmina" after a number is checked here by hand
        "Nie oceniono wskaźników obejmujących zmianę granic gminy w 2022 r.",
        "bez zauważalnej zmiany liczby mieszkańców",
        "mediana grupy bez 2 gmin, których granice się zmieniły",
    ):
        assert phrase in said
    assert errors == []
