import pytest
import yaml

from analysis.params import ParamsError, check_against_store, load_batch, parse_batch
from analysis.paths import PARAMS_DIR, PROJECT_ROOT

VALID = {"batch": "t", "years": {"first": 2014, "last": 2024}, "towns": ["0290011", "0290021"]}


def problems(raw) -> list[str]:
    with pytest.raises(ParamsError) as caught:
        parse_batch(raw, "test.yaml")
    return caught.value.problems


def test_demo_batch_is_valid_against_the_demo_store(demo_store):
    batch = load_batch(PARAMS_DIR / "demo.yaml")
    check_against_store(batch, demo_store)
    assert len(batch.towns) == 54
    assert len(set(batch.teryts)) == 54


def test_unknown_key_is_named_with_the_key_of_its_place_it_resembles():
    # A typo gets the key it was meant to be, looked up where it stands: the batch's own keys for "langauge",
    # a peer rule's for "methd" (in the batch's rule and in a town's own), a town's for "nam"; a key that
    # resembles none is only named.
    assert problems({**VALID, "langauge": "pl"}) == ["langauge: unknown key (did you mean language?)"]
    found = problems(
        {
            **VALID,
            "peers": {"methd": "nearest"},
            "towns": [{"teryt": "0290011", "nam": "Bursztynojar", "peers": {"method": "nearest", "membrs": []}}],
            "colour": "blue",
        }
    )
    assert sorted(found) == [
        "colour: unknown key",
        "peers.methd: unknown key (did you mean method?)",
        "towns[0].nam: unknown key (did you mean name?)",
        "towns[0].peers.membrs: unknown key (did you mean members?)",
    ]


def test_a_value_outside_its_choices_is_named_with_the_choice_it_resembles():
    # A spelling of a rule's name ("voivodship" is common), a code in capitals, a rule that resembles one:
    # each with the choice meant. A value resembling none gets the choices only.
    found = problems({**VALID, "language": "PL", "peers": {"method": "voivodship"}})
    rules = "'nearest', 'voivodeship', 'powiat', 'population_class' or 'explicit'"
    assert found == [
        "language: must be 'pl' or 'en' (got 'PL'; did you mean 'pl'?)",
        f"peers.method: must be {rules} (got 'voivodship'; did you mean 'voivodeship'?)",
    ]
    found = problems({**VALID, "language": "de", "towns": [{"teryt": "0290011", "peers": {"method": "Powiat"}}]})
    assert found == [
        "language: must be 'pl' or 'en' (got 'de')",
        f"towns[0].peers.method: must be {rules} (got 'Powiat'; did you mean 'powiat'?)",
    ]


def test_duplicate_town_is_named_with_both_positions():
    found = problems({**VALID, "towns": ["0290011", "0290021", "0290011"]})
    assert any("towns[2]" in p and "0290011" in p and "towns[0]" in p for p in found)


def test_a_duplicate_town_is_named_beside_problems_with_other_keys():
    # One run names both: the analyst should not fix the language to learn of the duplicate next.
    found = problems({**VALID, "language": "de", "towns": ["0290011", 290011]})
    assert len(found) == 2 and found[0].startswith("language")
    assert found[1] == "towns: TERYT code 0290011 is listed twice (towns[0] and towns[1])"


@pytest.mark.parametrize("years", [{"first": 2024, "last": 2014}, {"first": 2022, "last": 2022}])
def test_bad_year_range(years):
    assert any(p.startswith("years") for p in problems({**VALID, "years": years}))


def test_malformed_code_and_language():
    found = problems({**VALID, "towns": ["29001"], "language": "de"})
    assert any("towns[0]" in p and "29001" in p for p in found)
    assert any(p.startswith("language") for p in found)


def test_a_number_too_short_to_have_lost_one_leading_zero_is_refused_as_written():
    # Voivodeships are numbered 02–32, so a code that lost its leading zero (a spreadsheet, papermill's
    # -p) has six digits; 99 or 29001 lost more than a zero and is no code: refused as the analyst wrote
    # it, not padded to "0000099" and then looked up.
    found = problems({**VALID, "towns": [99, 29001, 290011]})
    assert found == [
        "towns[0].teryt: must be a 7-digit TERYT code, e.g. \"0290011\" (got '99')",
        "towns[1].teryt: must be a 7-digit TERYT code, e.g. \"0290011\" (got '29001')",
    ]


def test_an_entry_that_should_be_a_mapping_is_shown_as_one_not_named_by_its_python_class():
    # YAML's list or plain word where the batch wants keys: the line shows the shape, as the README writes it.
    found = problems({**VALID, "years": [2014, 2024], "peers": "nearest", "towns": ["0290011", [1, 2]]})
    assert found == [
        "years: must be the first and the last year, e.g. {first: 2014, last: 2024}",
        "peers: must be a peer rule, e.g. {method: nearest, k: 20} or {method: voivodeship} (got 'nearest')",
        'towns[1]: must be a TERYT code, or a town with its keys, e.g. {teryt: "0290011", peers: {method: powiat}}',
    ]
    assert not any("instance of" in problem for problem in found)
    # A list given as one code, an empty list, a missing key: said in the batch file's words, not pydantic's
    # ("a valid tuple", "at least 1 item after validation", "Field required").
    found = problems({**VALID, "towns": "0290011", "peers": {"method": "explicit", "members": "0290021"}})
    assert found == [
        'peers.members: must be a list of TERYT codes, e.g. ["0290011", "0290021"] (got \'0290021\')',
        'towns: must be a list of TERYT codes, e.g. ["0290011", "0290021"] (got \'0290011\')',
    ]
    assert problems({**VALID, "towns": []}) == ["towns: must list at least one town"]
    assert problems({**VALID, "towns": [{"name": "Bursztynojar"}]}) == ["towns[0].teryt: is required"]
    # Numbers out of their range or not whole: the bound or the kind of number, not "Input should be greater
    # than or equal to 3" or "unable to parse string as an integer".
    found = problems({**VALID, "years": {"first": 1990, "last": 2200}, "peers": {"method": "nearest", "k": 2}})
    assert found == [
        "years.first: must be at least 1995 (got 1990)",
        "years.last: must be at most 2100 (got 2200)",
        "peers.k: must be at least 3 (got 2)",
    ]
    assert problems({**VALID, "peers": {"method": "nearest", "k": "twenty"}}) == [
        "peers.k: must be a whole number (got 'twenty')"
    ]
    assert problems({**VALID, "peers": {"method": "nearest", "k": 12.5}}) == [
        "peers.k: must be a whole number (got 12.5)"
    ]


def test_k_given_with_a_rule_that_does_not_use_it_is_refused():
    # `k: 20` kept from a copied batch file after its method was changed: no rule but nearest reads it, so it
    # would be ignored without a word. Left at its default, it is no problem.
    found = problems({**VALID, "peers": {"method": "voivodeship", "k": 20}})
    assert found == ["peers: k (how many nearest peers) is only used with method 'nearest', not 'voivodeship'"]
    assert parse_batch({**VALID, "peers": {"method": "voivodeship"}}, "test.yaml").peers.method == "voivodeship"
    assert parse_batch({**VALID, "peers": {"method": "nearest", "k": 10}}, "test.yaml").peers.k == 10


def test_a_malformed_code_or_batch_name_is_explained_in_words_not_as_a_regular_expression():
    found = problems({**VALID, "batch": "Rozwój Lokalny", "towns": ["12ab"]})
    assert found == [
        "batch: must be lower-case letters, digits, '-' or '_', as it names a folder under reports/"
        " (got 'Rozwój Lokalny')",
        "towns[0].teryt: must be a 7-digit TERYT code, e.g. \"0290011\" (got '12ab')",
    ]
    # and the analyst learns that the codes' existence and the years are checked in a second step
    with pytest.raises(ParamsError) as caught:
        parse_batch({**VALID, "towns": ["12ab"]}, "test.yaml")
    assert str(caught.value).endswith("Once these are fixed, the TERYT codes and years are checked against the data.")


def test_a_town_given_by_its_name_is_shown_the_command_that_finds_its_code(tmp_path, monkeypatch):
    # A batch's author writes the town's name, as a mayor's office names it: the message names the command
    # that turns it into the code (quoted for the shell where the name has a space). "12ab" is no name.
    found = problems({**VALID, "towns": ["Bursztynojar", "Łąka Wielka", "12ab"]})
    assert found == [
        "towns[0].teryt: must be a 7-digit TERYT code, e.g. \"0290011\" (got 'Bursztynojar'; to find a town's code "
        "by its name: diagnoza data towns Bursztynojar)",
        "towns[1].teryt: must be a 7-digit TERYT code, e.g. \"0290011\" (got 'Łąka Wielka'; to find a town's code "
        "by its name: diagnoza data towns 'Łąka Wielka')",
        "towns[2].teryt: must be a 7-digit TERYT code, e.g. \"0290011\" (got '12ab')",
    ]
    # A batch reading another store than the demo one: the command searches that store, not the demo's (its
    # default), where a real town's name would find nothing.
    [found] = problems({**VALID, "data": "data/bdl", "towns": ["Radków"]})
    assert found.endswith(
        "(got 'Radków'; to find a town's code by its name: diagnoza data towns 'Radków' --data data/bdl)"
    )
    # The batch's `data` is read from the project root, the command's `--data` from where it is typed: from
    # another folder (or a kernel in notebooks/) the command names the store by its whole path (it named
    # `data/bdl`, a store that is not there).
    monkeypatch.chdir(tmp_path)
    [found] = problems({**VALID, "data": "data/bdl", "towns": ["Radków"]})
    named = found.rsplit("--data ", 1)[1].rstrip(")")
    assert (tmp_path / named).resolve() == (PROJECT_ROOT / "data" / "bdl").resolve()


def test_codes_are_read_as_written_in_yaml_and_padded_as_in_a_notebook(tmp_path):
    # Unquoted in YAML, 0261011 (Jelenia Góra: every digit below 8) is the octal number 90633 to
    # yaml.safe_load, and the batch used to refuse it as '90633'. 290011 is what a spreadsheet leaves of
    # 0290011; TownParams pads it, and now the batch does too, in its towns and its explicit members.
    text = (
        "batch: t\nyears: {first: 2014, last: 2024}\n"
        "towns:\n  - 0261011\n  - 290011\n  - teryt: 1291011\n"
        "    peers: {method: explicit, members: [290021, 0290033, '291013', 0261011]}\n"
    )
    assert yaml.safe_load(text)["towns"][0] == 0o261011 == 90633  # the premise
    path = tmp_path / "unquoted.yaml"
    path.write_text(text, encoding="utf-8")
    batch = load_batch(path)
    assert batch.teryts == ["0261011", "0290011", "1291011"]
    assert batch.peer_rule("1291011").members == ("0290021", "0290033", "0291013", "0261011")


@pytest.mark.parametrize(
    ("written", "expected"),
    [("2027-03-31", "2027-03-31"), ("'2027-03-31'", "2027-03-31"), ("20270331", "2027-03-31"), ("''", "")],
)
def test_a_batch_keeps_its_edition_date_as_written_in_yaml(tmp_path, written, expected):
    # Unquoted, plain YAML reads 2027-03-31 as a date and 20270331 as a number: each is the same day, in the
    # one form the reports and records keep. Empty (or no key) leaves the day of the build.
    path = tmp_path / "edition.yaml"
    path.write_text(f"batch: t\nyears: {{first: 2014, last: 2024}}\nedition: {written}\ntowns: ['0290011']\n")
    assert load_batch(path).edition == expected
    assert parse_batch(VALID).edition == ""


@pytest.mark.parametrize("written", ["2027-02-30", "31.03.2027", "2027-03-31 12:00:00"])
def test_an_edition_that_is_no_date_is_named_in_the_batch(tmp_path, written):
    path = tmp_path / "edition.yaml"
    path.write_text(f"batch: t\nyears: {{first: 2014, last: 2024}}\nedition: {written}\ntowns: ['0290011']\n")
    with pytest.raises(ParamsError) as caught:
        load_batch(path)
    assert caught.value.problems == [f"edition: must be a date YYYY-MM-DD, or empty for today (got {written!r})"]


@pytest.mark.parametrize("edition, refused", [("2016-12-06", True), ("2024-12-31", True), ("2025-01-02", False)])
def test_an_edition_dated_before_its_data_could_be_published_is_refused(tmp_path, edition, refused):
    # 2016 typed for 2026 would print on every report of the batch. Data of 2024 (the years' last) are published
    # in 2025 at the earliest, so an edition dated in 2024 or before cannot carry them; from 2025 it can.
    path = tmp_path / "edition.yaml"
    path.write_text(f"batch: t\nyears: {{first: 2014, last: 2024}}\nedition: {edition}\ntowns: ['0290011']\n")
    if not refused:
        assert load_batch(path).edition == edition
        return
    with pytest.raises(ParamsError) as caught:
        load_batch(path)
    assert caught.value.problems == [
        "edition: comes before the data it reports on: their last year is 2024, whose figures are published in 2025"
        f" at the earliest (got {edition!r})"
    ]


def test_unknown_code_against_store_names_it(demo_store):
    batch = parse_batch({**VALID, "towns": ["0290011", "1465011"]})
    with pytest.raises(ParamsError) as caught:
        check_against_store(batch, demo_store)
    assert caught.value.problems == ["towns[1]: TERYT code 1465011 is not in the data store"]


def test_a_towns_name_is_matched_with_or_without_its_polish_letters_but_never_for_another_town(demo_store):
    # The name beside a code catches a mistyped code: typed without Polish letters or in capitals it is still the
    # town's ("Hajnowka" for Hajnówka was refused, the code being right). The demo store's 0890041 is Żurawiołęka;
    # Żurawiolas is another demo town.
    def problems(name):
        batch = parse_batch({**VALID, "towns": [{"teryt": "0890041", "name": name}]})
        try:
            check_against_store(batch, demo_store)
        except ParamsError as error:
            return error.problems
        return []

    assert demo_store.unit("0890041")["name"] == "Żurawiołęka"
    assert problems("Zurawioleka") == problems("ŻURAWIOŁĘKA") == problems("Żurawiołęka") == []
    assert problems("Żurawiolas") == [
        "towns[0]: TERYT code 0890041 is 'Żurawiołęka' in the data store, not 'Żurawiolas'"
    ]


def test_a_code_of_the_wrong_kind_is_named_with_the_gmina_it_may_mean(demo_store):
    # TERC lists an urban-rural gmina (kind digit 3) beside its town (4) and rural area (5), which are no gminy;
    # a batch's author copying the town's row, or mistyping the last digit, is shown the gmina (here the demo
    # store's 0290033 Jaśminolas, urban-rural, and 0290011 Bursztynojar), in the town's place and as a peer.
    town = {"teryt": "0290021", "peers": {"method": "explicit", "members": ["0290034", "0290011", "0290043"]}}
    batch = parse_batch({**VALID, "towns": ["0290014", town]})
    with pytest.raises(ParamsError) as caught:
        check_against_store(batch, demo_store)
    assert caught.value.problems == [
        "towns[0]: TERYT code 0290014 is not in the data store; did you mean 0290011 (Bursztynojar)? The codes "
        "differ only in the last digit, the kind of gmina",
        "towns[1] (0290021): peer TERYT code 0290034 is not in the data store; did you mean 0290033 (Jaśminolas)? "
        "The codes differ only in the last digit, the kind of gmina",
    ]


def test_years_outside_the_store(demo_store):
    batch = parse_batch({**VALID, "years": {"first": 2005, "last": 2024}})
    with pytest.raises(ParamsError, match="outside the store"):
        check_against_store(batch, demo_store)


def test_per_town_peer_override(tmp_path):
    raw = {**VALID, "towns": [{"teryt": "0290011", "peers": {"method": "voivodeship"}}, "0290021"]}
    path = tmp_path / "b.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    batch = load_batch(path)
    assert batch.peer_rule("0290011").method == "voivodeship"
    assert batch.peer_rule("0290021").method == "nearest"


def test_not_a_mapping_and_missing_file(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="mapping"):
        load_batch(path)
    with pytest.raises(ParamsError, match="no such file") as missing:
        load_batch(tmp_path / "absent.yaml")
    assert "list.yaml" in str(missing.value)  # the batch files that are there: a mistyped name is the usual cause


@pytest.mark.parametrize(
    "text, problem",
    [
        # A list left open on line 2 and a mapping written inside it on line 3, whose colon is its 10th character.
        # Before, PyYAML's own text came out over five lines, naming "<unicode string>" rather than the file.
        (
            "batch: x\ntowns: [0290011\n  - peers: voivodeship\n",
            "line 3, column 10: while parsing a flow sequence (begun on line 2), expected ',' or ']', but got ':'",
        ),
        # An editor's Tab key: PyYAML's "found character '\\t' that cannot start any token" alone does not say what to do.
        (
            "batch: x\ntowns:\n\t- '0290011'\n",
            "line 3, column 1: while scanning for the next token, found character '\\t' that cannot start any token "
            "(YAML indents with spaces, not tabs)",
        ),
    ],
)
def test_a_batch_file_that_is_not_valid_yaml_says_where_in_one_line(tmp_path, text, problem):
    path = tmp_path / "batch.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as raised:
        load_batch(path)
    assert raised.value.problems == [f"not valid YAML: {problem}"]


def test_a_key_given_twice_is_refused_naming_both_lines(tmp_path):
    # PyYAML keeps the last of two equal keys: the batch below would silently cover 2020–2024 only.
    path = tmp_path / "batch.yaml"
    path.write_text(
        'batch: x\nyears: {first: 2014, last: 2024}\ntowns: ["0290011"]\nyears: {first: 2020, last: 2024}\n',
        encoding="utf-8",
    )
    with pytest.raises(ParamsError) as raised:
        load_batch(path)
    assert raised.value.problems == ["not valid YAML: line 4, column 1: 'years' given a second time (first on line 2)"]
    # within a town's entry too; the second key is the line's 24th character (counted by hand)
    path.write_text(
        'batch: x\nyears: {first: 2014, last: 2024}\ntowns:\n  - {teryt: "0290011", teryt: "0490013"}\n',
        encoding="utf-8",
    )
    with pytest.raises(ParamsError, match=r"line 4, column 24: 'teryt' given a second time \(first on line 4\)"):
        load_batch(path)


def test_a_missing_batch_file_names_the_ones_there(tmp_path):
    # A folder without batch files (a hidden YAML file such as .pre-commit-config.yaml is none), or no
    # folder at all: the project's params/ is named with its batch files then.
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    for path in (tmp_path / "demo.yaml", tmp_path / "absent" / "demo.yaml"):
        with pytest.raises(ParamsError) as missing:
            load_batch(path)
        listed = ", ".join(sorted(path.name for path in PARAMS_DIR.glob("*.yaml")))  # demo.yaml, ...
        assert str(missing.value).splitlines()[-1] == f"  - no such file; the batch files in {PARAMS_DIR}: {listed}"


@pytest.mark.parametrize(
    "given, language, expected",
    [
        ({}, "pl", "Diagnoza społeczno-gospodarcza"),
        ({}, "en", "Socio-economic diagnosis"),  # an English batch without a title is not headed in Polish
        ({"title": "Raport dla rady"}, "en", "Raport dla rady"),
    ],
)
def test_a_batch_without_a_title_takes_its_languages(given, language, expected):
    batch = parse_batch({**VALID, "language": language, **given}, "test.yaml")
    assert batch.report_title == expected
