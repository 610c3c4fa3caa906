"""The town contract: values normalised, and a name papermill passed that the notebook lacks is refused."""

import json

import pytest

from analysis.params import ParamsError
from analysis.town import TownParams, injected_names, validate_town

# What IPython's `In` holds after `papermill report.ipynb out.ipynb -p tery 0490013 -p language en`:
# the parameters cell, then the cell papermill injected (it begins with "# Parameters").
PARAMETERS_CELL = 'teryt: str = "0290011"\nlanguage: str = "pl"'
INJECTED = '# Parameters\ntery = "0490013"\nlanguage = "en"\n'


def test_the_names_papermill_injected_are_read_from_its_cell():
    assert injected_names(["", PARAMETERS_CELL, INJECTED]) == ["tery", "language"]
    assert injected_names(["", PARAMETERS_CELL]) == []  # run in JupyterLab: nothing injected
    # A re-run in the same kernel: the last injected cell counts.
    assert injected_names([INJECTED, '# Parameters\nteryt = "0490013"\n']) == ["teryt"]


def test_a_mistyped_parameter_is_refused_with_the_name_it_resembles():
    with pytest.raises(ParamsError) as raised:
        validate_town(history=["", PARAMETERS_CELL, INJECTED], teryt="0290011")
    assert raised.value.problems[0].startswith("tery: not a parameter of this notebook (did you mean teryt?)")
    assert len(raised.value.problems) == 1  # language is a parameter


def test_peer_k_passed_beside_another_rule_is_refused_as_the_batch_file_refuses_k():
    # `-p peer_method voivodeship -p peer_k 10`: no rule but nearest reads k. Only a value papermill passed
    # is refused; the parameters cell's default, always there, is not (nor under nearest, which reads it).
    injected = '# Parameters\npeer_method = "voivodeship"\npeer_k = 10\n'
    with pytest.raises(ParamsError) as raised:
        validate_town(history=["", PARAMETERS_CELL, injected], teryt="0290011", peer_method="voivodeship", peer_k=10)
    assert raised.value.problems == [
        "peer_k: only used with peer_method 'nearest' (how many nearest peers), not 'voivodeship'"
    ]
    town = validate_town(history=["", PARAMETERS_CELL], teryt="0290011", peer_method="voivodeship", peer_k=20)
    assert town.peer_rule.method == "voivodeship"
    # A build passes every parameter, the default k too: its notebook, and the kept one re-run, pass.
    build = '# Parameters\npeer_method = "voivodeship"\npeer_k = 20\n'
    assert validate_town(history=["", build], teryt="0290011", peer_method="voivodeship", peer_k=20).peer_k == 20
    nearest = "# Parameters\npeer_k = 10\n"
    assert validate_town(history=["", nearest], teryt="0290011", peer_k=10).peer_rule.k == 10


def test_known_names_and_no_papermill_pass():
    town = validate_town(history=["", PARAMETERS_CELL, '# Parameters\nteryt = "0490013"\n'], teryt="0490013")
    assert town.teryt == "0490013"
    assert validate_town(teryt=490013).teryt == "0490013"  # an int from `-p teryt 0490013` is zero-padded
    assert set(TownParams.model_fields) >= {"teryt", "language", "first_year", "last_year"}


def test_a_value_wrong_in_itself_is_refused_before_the_store_is_read():
    # Papermill's `-p language de` must fail in under 3 s (issue #14): pandas and the store take 0.6 s of it.
    # In a fresh interpreter, so that no other test's imports count: refused, and pandas never imported.
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from analysis.params import ParamsError\n"
        "from analysis.town import validate_town\n"
        "try:\n"
        "    validate_town(teryt='0290011', language='de')\n"
        "except ParamsError as error:\n"
        "    print(error.problems[0].split(':')[0], 'pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["language", "False"]


def test_a_town_given_by_its_name_is_shown_the_command_that_finds_its_code_in_the_notebooks_store():
    # As for a batch: the notebook's `data_dir`, as given, is the store the command must search.
    for data_dir, store in (("", ""), ("data/real store", " --data 'data/real store'")):
        with pytest.raises(ParamsError) as raised:
            validate_town(teryt="Radków", data_dir=data_dir)
        [problem] = raised.value.problems
        assert problem.endswith(
            f"(got 'Radków'; to find a town's code by its name: diagnoza data towns 'Radków'{store})"
        )


@pytest.mark.parametrize(
    "members, problem",
    [
        ("0490023,490023,0490033,0490041", "peer_members: peer TERYT code 0490023 listed twice"),
        ("0490023,0490033", "peer_members: an explicit peer group needs at least 3 member TERYT codes"),
        # One code from papermill's command line arrives as a number: read as a code, not "not a valid string".
        (490023, "peer_members: an explicit peer group needs at least 3 member TERYT codes"),
    ],
)
def test_a_bad_explicit_list_is_refused_naming_the_parameter_that_holds_it(members, problem):
    # The batch's own rule for a peer list (`PeerRule`), named by the notebook's parameter: the list, not
    # `peer_method`. A code listed twice (here once without its leading zero) would weigh twice in every median.
    with pytest.raises(ParamsError) as raised:
        validate_town(teryt="0490013", peer_method="explicit", peer_members=members)
    assert raised.value.problems == [problem]


@pytest.mark.parametrize("members", ["0490023,0490033,0490041", "0490023 0490033 0490041", "0490023; 490033;\n0490041"])
def test_an_explicit_list_may_be_separated_by_commas_semicolons_or_spaces(members):
    # Codes pasted from a spreadsheet column or a list: read as one code, three were "fewer than 3 members".
    town = validate_town(teryt="0490013", peer_method="explicit", peer_members=members)
    assert town.members == ("0490023", "0490033", "0490041")


def test_a_previous_edition_of_another_town_or_no_file_is_refused_naming_the_parameter(tmp_path):
    # The batch finds each town's record in the --previous folder; the notebook is given a path. Without this
    # check a mistyped path dropped the section unsaid, and 0490013's record printed 0490013's figures as the
    # past of 0290011 ("Liczba ludności: było 3 483, jest 8 009").
    from analysis.editions import figures
    from analysis.report import prepare_report

    record = tmp_path / "0490013" / "figures.json"
    record.parent.mkdir()
    record.write_text(json.dumps(figures(prepare_report(TownParams(teryt="0490013")))), encoding="utf-8")
    assert validate_town(teryt="0490013", previous=str(record)).previous == str(record)
    for previous, problem in [
        (record, f"previous: {record} is the record of town 0490013, not of 0290011"),
        (tmp_path / "missing.json", f"previous: {tmp_path / 'missing.json'}: no such file"),
    ]:
        with pytest.raises(ParamsError) as raised:
            validate_town(teryt="0290011", previous=str(previous))
        assert raised.value.problems[0].startswith(problem)


def test_a_previous_edition_dated_after_the_report_is_refused(tmp_path):
    # Folders swapped, or a mistyped edition date: the report dated 2026-01-01 said what changed "since the
    # previous edition (2026-12-05)". A record of the same day is a rebuild's, and fine; so is one of no edition
    # given (today's) against an older record.
    from analysis.editions import figures
    from analysis.report import prepare_report

    record = tmp_path / "0490013" / "figures.json"
    record.parent.mkdir()
    kept = figures(prepare_report(TownParams(teryt="0490013", edition="2026-06-30")))
    record.write_text(json.dumps(kept), encoding="utf-8")
    with pytest.raises(ParamsError) as raised:
        validate_town(teryt="0490013", previous=str(record), edition="2026-06-29")
    assert raised.value.problems == [
        f"previous: {record} is of edition 2026-06-30, later than this report's 2026-06-29: give an earlier "
        "edition's record"
    ]
    for edition in ("2026-06-30", "2026-07-01", ""):
        assert validate_town(teryt="0490013", previous=str(record), edition=edition).previous == str(record)


def test_an_edition_date_is_printed_in_one_form_however_it_was_written():
    # Python 3.11 reads ISO 8601's basic form too: the reports print the extended one.
    assert TownParams(teryt="0490013", edition="20261201").edition == "2026-12-01"
    assert TownParams(teryt="0490013", edition="2026-12-01").edition == "2026-12-01"


def test_the_notebooks_validation_says_what_the_store_lacks_as_the_batch_does(tmp_path, capsys):
    # The sparse store lacks the variables only public services read (tests/conftest.py). An analyst running the
    # report notebook on it in JupyterLab learns below the validation cell what `diagnoza validate` tells the
    # batch's user: the same notes, line for line; on the demo store, which has every variable, only its marks.
    from typer.testing import CliRunner

    from diagnoza.cli import app
    from tests.conftest import write_sparse_store

    store = write_sparse_store(tmp_path / "sparse")
    validate_town(teryt="0290011", first_year=2023, last_year=2024, data_dir=str(store))
    said = capsys.readouterr().err
    batch = tmp_path / "one.yaml"
    batch.write_text('batch: one\nyears: {first: 2023, last: 2024}\ntowns: ["0290011"]\n', encoding="utf-8")
    output = CliRunner().invoke(app, ["validate", str(batch), "--data", str(store)]).output
    batch_notes = [line for line in output.splitlines() if line.startswith("note: ")]
    # what it lacks, and the figures GUS marks (the demo's 2024 migration: analysis.gus_marks)
    assert len(batch_notes) == 2 and batch_notes[1].startswith("note: GUS marks")
    assert said == "".join(note + "\n" for note in batch_notes) and "library_readers_per_1000" in said
    validate_town(teryt="0290011")
    said = capsys.readouterr().err
    assert said.startswith("note: GUS marks") and said.count("\n") == 1  # the demo store lacks nothing
