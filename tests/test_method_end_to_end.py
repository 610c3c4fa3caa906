"""The report notebook, run as papermill users run it, on the method's hard cases.

- every documented peer rule builds a report (the population_class rule used to fail every town);
- a store with only two years and no services data at all: no exception, no "nan", and no
  comparative claim about the section without data;
- a town without any services figure while its peers have theirs: said so, and the peers' figures shown;
- a gmina of under 2,000 residents: its rare events (births) are compared over three years together.
"""

from __future__ import annotations

import re

import nbformat
import papermill
import pytest

from analysis.catalogue import variables
from analysis.paths import REPORT_NOTEBOOK
from analysis.report import prepare_report
from analysis.store import load_store, write_store
from analysis.town import TownParams
from tests.conftest import services_only_variables, write_sparse_store

pytestmark = pytest.mark.slow

TOWN = "0290011"  # powiat 0290 has four demo towns, so the powiat rule has three peers
SMALL_TOWN = "0892022"  # the smallest demo town: 1,710 residents in 2024, 13 births


def run(tmp_path, **parameters):
    """Execute the notebook as `papermill report.ipynb out.ipynb -p …` does; the outputs as text."""
    out = tmp_path / f"{parameters.get('teryt', TOWN)}-{parameters.get('peer_method', 'nearest')}.ipynb"
    papermill.execute_notebook(
        str(REPORT_NOTEBOOK),
        str(out),
        parameters={"teryt": TOWN, **parameters},
        progress_bar=False,
        kernel_name="python3",
        cwd=str(REPORT_NOTEBOOK.parent),
    )
    notebook = nbformat.read(out, as_version=4)
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            texts += [data.get("text/markdown", ""), data.get("text/plain", "")]
            if output.get("output_type") == "error":
                raise AssertionError(output.get("evalue"))
    return "\n".join(str(t) for t in texts).replace("\u00a0", " ")  # number and noun are joined by a no-break space


def assert_no_nan(text: str) -> None:
    assert not re.search(r"\bnan\b", text, re.IGNORECASE), re.search(r".{60}\bnan\b.{60}", text, re.I | re.S)


@pytest.mark.parametrize(
    "method, members",
    [
        ("nearest", ""),
        ("voivodeship", ""),
        ("powiat", ""),
        ("population_class", ""),
        ("explicit", "0290021,0290033,0291013"),
    ],
)
def test_every_documented_peer_rule_builds_a_report(tmp_path, method, members):
    text = run(tmp_path, peer_method=method, peer_members=members)
    assert "Grupa porównawcza" in text and "Podsumowanie" in text
    assert_no_nan(text)
    # Powiat 0290 and the explicit list give three peers: page one says the verdicts are indicative;
    # the nearest rule's twenty peers need no such word.
    small = method in ("powiat", "explicit")
    assert ("Grupa porównawcza liczy tylko 3 gminy" in text) is small


def test_two_years_and_a_section_without_data(tmp_path):
    directory = write_sparse_store(tmp_path / "sparse")
    text = run(tmp_path, data_dir=str(directory), first_year=2023, last_year=2024)
    assert_no_nan(text)
    # Page one's verdict table comes first of the tables with a row per section.
    summary_services = re.search(r"\| Usługi publiczne \| [^\n]*", text).group(0)
    assert "| bez oceny | brak danych do porównania z grupą" in summary_services
    # The services section says once that the data do not cover it, and shows nothing else: no note in place
    # of each of its charts and tables.
    section = re.search(r"## Usługi publiczne\n(.*?)## Grupa porównawcza", text, re.S).group(1)
    heading, *outputs = [line for line in section.split("\n") if line.strip()]  # the heading's text/plain first
    assert heading == "Usługi publiczne"
    assert len(outputs) == 2 and outputs[0] == outputs[1]  # its one paragraph, as text/markdown and text/plain
    assert outputs[0].startswith("Dane nie obejmują tej części raportu: ani gmina, ani gminy jej grupy")
    for claim in ("podobnie", "środkowej połowie"):
        assert claim not in summary_services
    assert "W ciągu pięciu lat" not in text  # no 5-year change from two years of data
    # None from two years, and the note says why: the backtest behind its interval needs 6 + 5 years.
    assert (
        "Prognoza liczby ludności gminy Bursztynojar nie powstała: wymaga co najmniej 11 lat danych (6 lat historii "
        "i 5 lat testu wstecznego, który wyznacza jej przedział), a dane o liczbie ludności w latach raportu "
        "obejmują 2 lata."
    ) in text.replace("\u00a0", " ").replace("\\", "")  # as read: without Markdown's escapes


def test_a_town_without_any_figure_of_a_section_is_shown_beside_its_peers(tmp_path):
    # Only the town lacks its services figures, in every year; its peers have theirs. The section said "neither the
    # town nor its peers have a value", which was false. Now one sentence says that the town's figures are missing,
    # no chart stands there (each would only say "no data"), and its table gives the peers' median beside the
    # town's "b.d.": checked for pre-school coverage, worked out by hand from the store's counts of the peers
    # (the demo store's peers: they are matched on population and PIT, not on services).
    store = load_store()
    observations = store.observations
    kept = observations.loc[~((observations["teryt"] == TOWN) & observations["var_id"].isin(services_only_variables()))]
    directory = tmp_path / "store"
    write_store(directory, store.units, kept, dict(store.metadata))
    text = run(tmp_path, data_dir=str(directory))
    assert_no_nan(text)
    section = re.search(r"## Usługi publiczne\n(.*?)## Grupa porównawcza", text, re.S).group(1)
    assert "Dane nie zawierają wartości gminy dla żadnego ze wskaźników tej części raportu" in section
    assert "ani gminy jej grupy" not in text and "brak danych." not in section  # no note in place of each chart
    peers = list(prepare_report(TownParams(teryt=TOWN)).peers.members)
    assert list(prepare_report(TownParams(teryt=TOWN, data_dir=str(directory))).peers.members) == peers
    ids = {key: v.bdl_id for key, v in variables().items()}
    last = kept.loc[kept["teryt"].isin(peers) & (kept["year"] == 2024)].pivot(index="teryt", columns="var_id")["value"]
    coverage = (100 * last[ids["children_3_6_in_preschool"]] / last[ids["children_3_6"]]).median()
    median = f"{coverage:.1f}".replace(".", ",")
    row = re.search(r"\| Odsetek dzieci w wieku 3–6 lat objętych wychowaniem przedszkolnym \\\(%\\\) \|[^\n]*", section)
    # The table's year is its caption's: every row is of 2024, so no column repeats it.
    assert "Polski (2024 r.)" in section
    assert row and f"(%\\) | b\\.d\\. | {median} |" in row.group(0), (median, row and row.group(0))


def test_a_small_gmina_is_compared_on_three_years_of_births(tmp_path):
    # 13 births in 2024 alone would be an uncertain value (fewer than 20 events); the catalogue pools
    # births over 3 years, so the table shows 2022–2024: the births of those years over their residents,
    # summed here by hand from the store's observations (BDL ids).
    ids = {key: v.bdl_id for key, v in variables().items()}
    obs = load_store().observations
    town = obs.loc[(obs["teryt"] == SMALL_TOWN) & obs["year"].between(2022, 2024)]
    births = town.loc[town["var_id"] == ids["live_births"], "value"].sum()
    residents = town.loc[town["var_id"] == ids["population"], "value"].sum()
    assert town.loc[(town["var_id"] == ids["live_births"]) & (town["year"] == 2024), "value"].item() < 20 <= births
    rate = f"{1000 * births / residents:.1f}".replace(".", ",")
    text = run(tmp_path, teryt=SMALL_TOWN)
    assert_no_nan(text)
    # The Markdown of the two tables (name and unit as one escaped cell): where the town stands, how it changes.
    name = r"\| Urodzenia żywe na 1000 ludności \\\(‰\\\) \|"
    row = re.search(name + r" 2022–2024 \| ([^|]+) \|.*", text).group(0)
    notes = re.findall(name + r".*", text)[-1]
    assert f"| {rate} |" in row and "średnia roczna z 3 lat" in notes and "niepewna" not in notes
