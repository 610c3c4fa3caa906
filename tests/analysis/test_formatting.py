import pytest

from analysis.formatting import (
    MINUS,
    PERSONS,
    escape_markdown,
    format_bound,
    format_number,
    listed,
    slug,
    with_noun,
)

NBSP = "\u00a0"


@pytest.mark.parametrize(
    "count, expected",
    [
        (1, "1 osoba"),
        (2, "2 osoby"),
        (5, "5 osób"),
        (12, "12 osób"),
        (22, "22 osoby"),
        (25, "25 osób"),
        (104, "104 osoby"),
        (112, "112 osób"),
    ],
)
def test_polish_plural_forms(count, expected):
    assert with_noun(count, PERSONS["pl"]).replace(NBSP, " ") == expected


def test_the_noun_agrees_with_the_number_as_printed_not_as_computed():
    # 4.5 people print as "5" (half up), which governs "osób"; Python's round() (half to even) gives 4, whose
    # form is "osoby". 0.5 prints as "1" and 21.5 as "22": each noun follows the number the reader sees.
    assert with_noun(4.5, PERSONS["pl"]).replace(NBSP, " ") == "5 osób"
    assert with_noun(0.5, PERSONS["pl"]).replace(NBSP, " ") == "1 osoba"
    assert with_noun(21.5, PERSONS["pl"]).replace(NBSP, " ") == "22 osoby"


def test_fractions_take_the_genitive_singular_form():
    assert with_noun(1.5, PERSONS["pl"], decimals=1).replace(NBSP, " ") == "1,5 osoby"


def test_polish_number_format():
    assert format_number(1234.5, 1) == f"1{NBSP}234,5"
    assert format_number(1234567, 0) == f"1{NBSP}234{NBSP}567"
    assert format_number(1234.5, 1, "en") == "1,234.5"


def test_rounding_is_half_up_and_minus_is_typographic():
    assert format_number(2.25, 1) == "2,3"  # half-to-even would give 2,2
    assert format_number(-3.45, 1) == f"{MINUS}3,5"
    assert format_number(-0.04, 1) == "0,0"  # never "-0,0"
    assert format_number(3.5, 1, signed=True) == "+3,5"
    assert format_number(float("nan"), 1) == "b.d."


def test_markdown_escape_keeps_markup_literal():
    assert escape_markdown('<script>"x"</script>') == '\\<script\\>\\"x\\"\\</script\\>'


@pytest.mark.parametrize(
    "value, decimals, unit, genitive, expected",
    [
        (1, 0, "osoby", False, "1\u00a0osoba"),
        (22, 0, "osoby", False, "22\u00a0osoby"),
        (25, 0, "osoby", False, "25\u00a0osób"),
        (44275, 0, "osoby", True, "44\u00a0275\u00a0osób"),  # "od 44 275 osób", the reviewers' example
        (1, 0, "osoby", True, "1\u00a0osoby"),  # "od 1 osoby"
        (2.5, 1, "osoby", True, "2,5\u00a0osoby"),
        (120, 0, "osoby/km²", False, "120\u00a0osób/km²"),
        (3, 0, "podmioty", False, "3\u00a0podmioty"),
        (12.5, 1, "%", True, "12,5%"),
        (99.5, 1, "% ludności", False, "99,5% ludności"),  # the sign attached, as in "12,5%" beside it
        (4631, 0, "zł", True, "4\u00a0631\u00a0zł"),
    ],
)
def test_a_quantity_takes_the_form_its_number_and_case_need(value, decimals, unit, genitive, expected):
    # Expected forms written by hand from Polish grammar (see tests/analysis/test_polish.py).
    from analysis.formatting import quantity

    assert quantity(value, decimals, unit, "pl", genitive) == expected


def test_every_noun_unit_of_the_catalogue_has_its_forms():
    from analysis.catalogue import indicators
    from analysis.formatting import UNIT_NOUNS, is_symbol_unit

    for indicator in indicators().values():
        for language in ("pl", "en"):
            unit = indicator.unit(language)
            assert is_symbol_unit(unit) or unit.partition("/")[0] in UNIT_NOUNS[language], (indicator.id, unit)


@pytest.mark.parametrize(
    "value, decimals, unit, expected",
    [
        (1, 0, "persons", "1\u00a0person"),
        (1.2, 0, "persons", "1\u00a0person"),  # as printed: "1"
        (2, 0, "persons", "2\u00a0persons"),
        (1, 1, "persons", "1.0\u00a0persons"),  # a number with a fraction takes the plural, as English writes it
        (1, 0, "entities", "1\u00a0entity"),
        (1, 0, "persons/km²", "1\u00a0person/km²"),
        (1, 0, "PLN", "1\u00a0PLN"),
    ],
)
def test_an_english_quantity_of_one_takes_the_singular(value, decimals, unit, expected):
    # Before, every unit followed as given: "1 persons".
    from analysis.formatting import quantity

    assert quantity(value, decimals, unit, "en") == expected


def test_every_voivodeship_has_its_genitive_for_a_caption():
    # "na tle … województwa kujawsko-pomorskiego": the names are neuter adjectives, -ie → -iego.
    from analysis.formatting import voivodeship_genitive
    from analysis.teryt import VOIVODESHIPS

    assert voivodeship_genitive("kujawsko-pomorskie") == "kujawsko-pomorskiego"
    assert voivodeship_genitive("łódzkie") == "łódzkiego"
    assert all(voivodeship_genitive(name).endswith("kiego") for name in VOIVODESHIPS.values())


def test_every_voivodeship_has_its_locative_for_the_peer_group_text():
    # "w województwie kujawsko-pomorskim": the locative of a neuter adjective, -ie → -im.
    from analysis.formatting import voivodeship_locative
    from analysis.teryt import VOIVODESHIPS

    assert voivodeship_locative("kujawsko-pomorskie") == "kujawsko-pomorskim"
    assert voivodeship_locative("śląskie") == "śląskim"
    assert all(voivodeship_locative(name).endswith("kim") for name in VOIVODESHIPS.values())


@pytest.mark.parametrize(
    "number, expected",
    # As said aloud: "ze stu dwoma", "ze stu pięćdziesięcioma tysiącami", but "z dwudziestoma",
    # "z sześciuset siedemdziesięcioma pięcioma", "z tysiącem stu dwudziestoma".
    [
        (20, "z"),
        (7, "z"),
        (99, "z"),
        (100, "ze"),
        (102, "ze"),
        (199, "ze"),
        (200, "z"),
        (675, "z"),
        (1_120, "z"),
        (150_000, "ze"),
    ],
)
def test_z_before_a_number_is_ze_where_the_number_is_said_starting_sto(number, expected):
    from analysis.formatting import preposition_z

    assert preposition_z(number) == expected


def test_a_voivodeship_is_named_as_each_language_writes_it():
    from analysis.formatting import voivodeship_phrase

    assert voivodeship_phrase("kujawsko-pomorskie", "pl") == "województwo kujawsko-pomorskie"
    assert voivodeship_phrase("kujawsko-pomorskie", "en") == "Kujawsko-Pomorskie Voivodeship"
    assert voivodeship_phrase("łódzkie", "en") == "Łódzkie Voivodeship"


def test_a_voivodeship_column_is_headed_as_each_language_writes_the_name():
    from analysis.formatting import voivodeship_name

    assert voivodeship_name("warmińsko-mazurskie", "pl") == "warmińsko-mazurskie"
    assert voivodeship_name("warmińsko-mazurskie", "en") == "Warmińsko-Mazurskie"


NBSP = "\u00a0"


@pytest.mark.parametrize(
    "text, expected",
    [
        # A one-letter word is bound to the next: after a space, "(", "„", a tag's ">" or at the start.
        ("zmniejszyła się o 11,4% (w typowej gminie", f"zmniejszyła się o{NBSP}11,4% (w{NBSP}typowej gminie"),
        ("W latach 2014–2024 i dalej", f"W{NBSP}latach 2014–2024{NBSP}i{NBSP}dalej"),  # the year to its next word too
        ("„z grupą”, a potem", f"„z{NBSP}grupą”, a{NBSP}potem"),
        ("<td>w tle</td>", f"<td>w{NBSP}tle</td>"),
        # "r." (roku) stays with its year.
        ("Liczba ludności w 2024 r.: 3 483", f"Liczba ludności w{NBSP}2024{NBSP}r.: 3 483"),
        # A number stays with the word it counts or measures; not one inside a name ("v1.5") or before a sign.
        ("gminy na 1 mieszkańca", f"gminy na 1{NBSP}mieszkańca"),
        ("140 zł wobec 1\u00a0009 zł, 12.5 kg", f"140{NBSP}zł wobec 1{NBSP}009{NBSP}zł, 12.5{NBSP}kg"),
        ("wersja v1.5 działa; 5,0‰ w tle", f"wersja v1.5 działa; 5,0‰ w{NBSP}tle"),
        # A range's upper bound stays with its "do" ("to"), so the whole scale stays together; not a word's ending.
        ("Wynik (od −2 do +2)", f"Wynik (od −2{NBSP}do{NBSP}+2)"),
        ("| Wynik \\(od −2 do \\+2\\) |", f"| Wynik \\(od −2{NBSP}do{NBSP}\\+2\\) |"),  # as Markdown escapes it
        ("from 1 to 5 and 2 to b", f"from 1{NBSP}to{NBSP}5{NBSP}and 2{NBSP}to b"),
        ("wydatki sięgają 12, skądinąd do 5", f"wydatki sięgają 12, skądinąd do{NBSP}5"),
        ("kredo 5", "kredo 5"),
        # A spaced dash stays at the end of its line: bound to the word before it, not the one after.
        ("w tej samej grupie – nie. Dalej", f"w{NBSP}tej samej grupie{NBSP}– nie. Dalej"),
        ("**Mocna strona** – wysoki", f"**Mocna strona**{NBSP}– wysoki"),
        # Not a one-letter word: inside a word, an HTML tag's name, an attribute's quotes, an abbreviation.
        ('<a href="x">', '<a href="x">'),
        ('alt="w tle"', 'alt="w tle"'),
        ("zdrowia w. 5", "zdrowia w. 5"),
        ("Kraków i", "Kraków i"),  # the last word: nothing to bind it to
    ],
)
def test_one_letter_words_and_the_year_abbreviation_are_bound_to_their_neighbour(text, expected):
    from analysis.formatting import bind_short_words

    assert bind_short_words(text) == expected


def test_an_intervals_bound_that_would_print_as_zero_shows_its_sign():
    # Seen in the demo batch: a falling trend called clear, printed "(−0,26; 0,00)"; its upper bound is −0.0029.
    assert format_bound(-0.0029, 2) == "\u22120,003"
    assert format_bound(0.0004, 2) == "0,0004" and format_bound(-0.3, 0) == "\u22120,3"
    assert format_bound(-0.26, 2) == "\u22120,26" and format_bound(12.4, 0) == "12"  # already readable: as printed
    assert format_bound(0.0, 2) == "0,00" and format_bound(0.000001, 2) == "0,00"  # zero, or zero to 4 decimals
    assert format_bound(float("nan"), 1) == "b.d." and format_bound(-0.03, 1, "en") == "\u22120.03"
    # Signed, a positive bound takes "+", zero and a negative one as unsigned (the minus is there already).
    assert format_bound(0.0004, 2, signed=True) == "+0,0004" and format_bound(-0.0029, 2, signed=True) == "\u22120,003"
    assert format_bound(0.0, 2, signed=True) == "0,00"


@pytest.mark.parametrize(
    "low, high, language, expected",
    [
        (0.17, 0.59, "pl", "0,17–0,59"),
        (-0.36, 0.36, "pl", "od −0,36 do 0,36"),  # not "−0,36–0,36"
        (-0.5, -0.17, "pl", "od −0,50 do −0,17"),
        (-0.36, 0.36, "en", "−0.36 to 0.36"),
        (1.5, 2.25, "en", "1.50–2.25"),
    ],
)
def test_a_range_with_a_negative_bound_is_written_in_words(low, high, language, expected):
    from analysis.formatting import format_range

    assert format_range(low, high, 2, language) == expected


def test_slug_is_ascii_and_readable():
    assert slug("Łąka Wielka") == "laka-wielka"
    assert slug("Żółć-Gęśla (miasto)") == "zolc-gesla-miasto"
    assert slug('<script>"') == "script"
    assert slug("!!!") == "gmina"
    assert slug("dzieci w wieku 3–6 lat") == "dzieci-w-wieku-3-6-lat"  # an en dash is a word break, not nothing


def test_a_list_in_a_sentence_joins_its_last_item_with_and():
    assert listed([], "pl") == "" and listed(["a"], "pl") == "a"
    assert listed(["a", "b"], "pl") == "a i b" and listed(["a", "b", "c"], "pl") == "a, b i c"
    assert listed(["a", "b", "c"], "en") == "a, b and c"
