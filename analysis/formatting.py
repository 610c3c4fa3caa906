"""Numbers and words as a Polish (or English) reader expects them.

Babel supplies the locale rules (decimal comma and non-breaking thousands
separator in Polish; CLDR plural categories). Rounding is half-up, as in
statistical publications (`analysis.rounding`), not Python's half-to-even.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

from babel import Locale
from babel.numbers import format_decimal

from analysis.rounding import round_half_up

LOCALES = {"pl": "pl_PL", "en": "en_GB"}
MISSING = {"pl": "b.d.", "en": "n/a"}
NOT_APPLICABLE = "x"  # GUS's sign for a figure that cannot exist (not a missing one), in both languages
MINUS = "\u2212"  # the typographic minus sign, not a hyphen


@lru_cache(maxsize=65536)  # a report formats the same values again and again (tables, narrative, chart ticks)
def number_pattern(decimals: int) -> str:
    """A number with `decimals` decimals, always shown, and its thousands grouped: the pattern syntax Babel and
    Excel share, so the spreadsheets show a number as the report prints it (each in its locale's separators)."""
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def format_number(value: float | None, decimals: int = 0, language: str = "pl", signed: bool = False) -> str:
    """`1234.56` -> `1 234,6` (pl, non-breaking space) or `1,234.6` (en); NaN -> `b.d.`."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING[language]
    rounded = round_half_up(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)  # never print "-0,0"
    text = format_decimal(rounded, format=number_pattern(decimals), locale=LOCALES[language])
    if signed and rounded > 0:
        text = "+" + text
    return text.replace("-", MINUS)


BOUND_EXTRA_DECIMALS = 2  # at most this many more decimals for an interval's bound that would print as zero


def format_bound(value: float, decimals: int, language: str = "pl", signed: bool = False) -> str:
    """An interval's bound as `format_number` prints it, with up to `BOUND_EXTRA_DECIMALS` more decimals
    where it would print as zero though it is not: whether an interval holds zero is what a reader checks
    ("from −4.2 to −0.03", not "to 0.0", beside a trend called clear). `signed` for the bounds of a signed
    figure's interval that spans zero ("+6 a year, from −6 to +27")."""
    for places in range(decimals, decimals + BOUND_EXTRA_DECIMALS + 1):
        if math.isnan(value) or value == 0 or round_half_up(value, places) != 0:
            return format_number(value, places, language, signed)
    return format_number(value, decimals, language, signed)


def format_range(low: float, high: float, decimals: int, language: str = "pl") -> str:
    """`0,17–0,59`; with a negative bound `od −0,36 do 0,36` (`−0.36 to 0.36`): a dash beside a minus sign
    reads as one more minus, or as a range of its own."""
    low_text, high_text = format_number(low, decimals, language), format_number(high, decimals, language)
    if low >= 0 and high >= 0:
        return f"{low_text}–{high_text}"
    return f"od {low_text} do {high_text}" if language == "pl" else f"{low_text} to {high_text}"


def figures_range(low: str, high: str) -> str:
    """A table cell's range of two printed figures, `−0,34 – −0,18`: the spaced dash keeps signed bounds apart,
    and no-break spaces keep the range whole, where a bound alone on the next line reads as a figure of its
    own (`diagnoza.render.NUMBER_RANGE` holds the dash too). For a column that can afford its width: the
    peers' quartiles in the nine-column comparison table may break, as holding them narrowed every
    indicator's name to three to five lines (11 more pages in the demo batch)."""
    return f"{low}\u00a0–\u00a0{high}"


def listed(items: list[str], language: str = "pl") -> str:
    """Items as a sentence lists them: "a", "a i b", "a, b i c" ("a, b and c" in English)."""
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + (" i " if language == "pl" else " and ") + items[-1]


def plural_category(count: float, language: str = "pl") -> str:
    """CLDR plural category: pl 1 -> one, 2–4/22–24 -> few, 5–21/25 -> many, 1,5 -> other."""
    return Locale.parse(LOCALES[language]).plural_form(count)


def with_noun(
    count: float, forms: dict[str, str], decimals: int = 0, language: str = "pl", genitive: bool = False
) -> str:
    """A number with the noun form it governs: `2 osoby`, `5 osób`, `2,5 osoby`.

    `forms` maps CLDR categories to words, e.g. {"one": "osoba", "few": "osoby",
    "many": "osób", "other": "osoby"}: in Polish "many" is the genitive plural and "other"
    (fractions) the genitive singular. `genitive=True` is for a number after a preposition that
    governs the genitive ("od 2 osób do 1 osoby"): the genitive singular for 1, else the plural.
    """
    rounded = round_half_up(count, decimals)
    number = int(rounded) if decimals == 0 else float(rounded)
    category = plural_category(abs(number) if decimals == 0 else float(abs(rounded)), language)
    if decimals:
        category = "other"  # a number printed with a fraction, even ",0", governs the fraction's form: "156,0 osoby"
    if genitive and language == "pl" and category != "other":
        category = "other" if category == "one" else "many"
    word = forms.get(category) or forms["other"]
    return f"{format_number(count, decimals, language)}\u00a0{word}"


PERSONS = {
    "pl": {"one": "osoba", "few": "osoby", "many": "osób", "other": "osoby"},
    "en": {"one": "person", "other": "persons"},
}
YEARS = {
    "pl": {"one": "rok", "few": "lata", "many": "lat", "other": "roku"},
    "en": {"one": "year", "other": "years"},
}
EVENTS = {
    "pl": {"one": "zdarzenie", "few": "zdarzenia", "many": "zdarzeń", "other": "zdarzenia"},
    "en": {"one": "event", "other": "events"},
}
INDICATORS = {
    "pl": {"one": "wskaźnik", "few": "wskaźniki", "many": "wskaźników", "other": "wskaźnika"},
    "en": {"one": "indicator", "other": "indicators"},
}
MUNICIPALITIES = {
    "pl": {"one": "gminą", "few": "gminami", "many": "gminami", "other": "gminy"},  # instrumental: "z 20 gminami"
    "en": {"one": "municipality", "other": "municipalities"},
}
MUNICIPALITIES_COUNTED = {  # nominative: "grupa liczy 3 gminy"
    "pl": {"one": "gmina", "few": "gminy", "many": "gmin", "other": "gminy"},
    "en": {"one": "municipality", "other": "municipalities"},
}
MUNICIPALITIES_WITHOUT = {  # genitive after "bez": "bez 1 gminy", "bez 2 gmin"
    "pl": {"one": "gminy", "few": "gmin", "many": "gmin", "other": "gminy"},
    "en": {"one": "peer", "other": "peers"},
}
STRENGTHS = {  # a verdict's reason: "2 mocne strony i 1 słaba strona"
    "pl": {"one": "mocna strona", "few": "mocne strony", "many": "mocnych stron", "other": "mocnej strony"},
    "en": {"one": "strength", "other": "strengths"},
}
WEAKNESSES = {
    "pl": {"one": "słaba strona", "few": "słabe strony", "many": "słabych stron", "other": "słabej strony"},
    "en": {"one": "weakness", "other": "weaknesses"},
}
RESIDENTS = {
    "pl": {"one": "mieszkaniec", "few": "mieszkańcy", "many": "mieszkańców", "other": "mieszkańca"},
    "en": {"one": "resident", "other": "residents"},
}


# Units of the indicator catalogue that are nouns (in the plural, as a table's column heading shows them),
# by language, with the forms a number governs ("1 osoba", "5 osób"; "1 person", "2 persons"); a suffix such
# as "/km²" follows the noun.
UNIT_NOUNS = {
    "pl": {
        "osoby": PERSONS["pl"],
        "podmioty": {"one": "podmiot", "few": "podmioty", "many": "podmiotów", "other": "podmiotu"},
        "miejsca": {"one": "miejsce", "few": "miejsca", "many": "miejsc", "other": "miejsca"},
        "mieszkania": {"one": "mieszkanie", "few": "mieszkania", "many": "mieszkań", "other": "mieszkania"},
    },
    "en": {
        "persons": PERSONS["en"],
        "entities": {"one": "entity", "other": "entities"},
        "places": {"one": "place", "other": "places"},
        "dwellings": {"one": "dwelling", "other": "dwellings"},
    },
}


def quantity(value: float, decimals: int, unit: str, language: str = "pl", genitive: bool = False) -> str:
    """A value with its unit as a sentence needs it: `12,5%`, `4 631 zł`, `5 osób`, `120 osób/km²`,
    `od 180 miejsc` (with `genitive=True`); `1 person`, `2 persons`. Units that are neither symbols nor known
    nouns follow as given."""
    noun_part, slash, rest = unit.partition("/")
    if noun_part in UNIT_NOUNS[language]:
        return with_noun(value, UNIT_NOUNS[language][noun_part], decimals, language, genitive) + slash + rest
    return with_unit(format_number(value, decimals, language), unit)


def noun(count: float, forms: dict[str, str], language: str = "pl") -> str:
    """The noun form a whole number governs, without the number: 1 -> `rok`, 2 -> `lata`, 5 -> `lat`."""
    return forms.get(plural_category(abs(int(count)), language)) or forms["other"]


def with_unit(text: str, unit: str) -> str:
    """`12,5` + `%` -> `12,5%`, and `% ludności` -> `12,5% ludności` (the sign always attached, as
    everywhere in a report); `4 631` + `zł` -> `4 631 zł` (non-breaking space); no unit, the number alone."""
    if not unit or unit[:1] in ("%", "‰"):
        return text + unit
    return f"{text}\u00a0{unit}"


def voivodeship_name(name: str, language: str = "pl") -> str:
    """ "kujawsko-pomorskie"; in English "Kujawsko-Pomorskie", as GUS's English publications write it."""
    if language == "pl":
        return name
    return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))


def voivodeship_phrase(name: str, language: str = "pl") -> str:
    """ "województwo kujawsko-pomorskie"; in English "Kujawsko-Pomorskie Voivodeship"."""
    if language == "pl":
        return f"województwo {name}"
    return f"{voivodeship_name(name, language)} Voivodeship"


def voivodeship_genitive(name: str) -> str:
    """ "województwa kujawsko-pomorskiego": every voivodeship's name is a neuter adjective in -ie."""
    return name[:-1] + "ego" if name.endswith("ie") else name


def voivodeship_locative(name: str) -> str:
    """ "w województwie kujawsko-pomorskim", as `voivodeship_genitive`."""
    return name[:-1] + "m" if name.endswith("ie") else name


def preposition_z(number: int) -> str:
    """Polish "z" before a number as it is said: "ze" where the spoken number starts with "sto" (100–199,
    100 000–199 999: "ze 112 gminami", as "ze stu"), "z" otherwise ("z 20 gminami", "z 675 gminami")."""
    while number >= 1000:
        number //= 1000
    return "ze" if 100 <= number < 200 else "z"


def is_symbol_unit(unit: str) -> bool:
    """Units that read correctly after any number (%, ‰, zł); nouns need plural agreement."""
    return unit[:1] in ("%", "‰") or unit in ("zł", "PLN")


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in '\\`*_{}[]<>()#+-.!|&~$@^"'})


def escape_markdown(text: str) -> str:
    """Text from data (a town's name) made literal in Markdown, so `<script>` stays text."""
    return str(text).translate(_MARKDOWN_SPECIAL)


# Polish typesetting, as an editor marks it: a one-letter word ("w", "z", "i", "o", "a", "u") never ends a
# line, and "r." (roku) never starts one. A one-letter word is one after a space, "(", "„" or a tag's ">", or at
# the start: never a letter inside a word, an HTML tag's name ("<a href") or an attribute's quotes.
_ONE_LETTER_WORD = re.compile(r"(?<![^\s(„>])([aiouwzAIOUWZ]) ")
_YEAR_ABBREVIATION = re.compile(r"(\d) (r\.)")
# A number never ends a line away from the word it counts or measures: "na 1 / mieszkańca", "140 / zł".
_NUMBER_BEFORE_WORD = re.compile(r"(?<![\w.,])(\d+(?:[,.]\d+)?) (?=[^\W\d_])")
# A range's upper bound stays with its "do" ("to"): with the rule above, "od −2 do +2" keeps "−2 do +2" whole,
# where a narrow table header broke it into "(od −2 do" and "+2)". Markdown escapes the sign ("\+2").
_UPPER_BOUND = re.compile(r"(?<![^\s(])(do|to) (?=\\?[−+]?\d)")


def bind_short_words(text: str) -> str:
    """`text` with a no-break space after each one-letter word, after a number followed by a word ("na
    1 mieszkańca", "483 osoby"), before a range's upper bound ("do 1 361"), before "r." after a year
    ("w 2024 r.") and before a spaced dash ("grupy – nie"): in Polish typesetting a dash ends its line, it
    never begins the next."""
    text = _NUMBER_BEFORE_WORD.sub("\\1\u00a0", _ONE_LETTER_WORD.sub("\\1\u00a0", text))
    text = _UPPER_BOUND.sub("\\1\u00a0", text).replace(" – ", "\u00a0– ")
    return _YEAR_ABBREVIATION.sub("\\1\u00a0\\2", text)


def slug(text: str) -> str:
    """ASCII file-name form of a town's name: "Łąka Wielka" -> "laka-wielka". Also how a name typed with or
    without its Polish letters, in any case, is matched (`analysis.teryt.codes_named`)."""
    text = text.replace("ł", "l").replace("Ł", "L")
    text = re.sub("[\u2010-\u2015\u2212]", "-", text)  # dashes and the minus sign: "3–6 lat" -> "3-6-lat"
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "gmina"
