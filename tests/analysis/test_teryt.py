import pandas as pd
import pytest

from analysis.teryt import (
    batch_entry,
    codes_named,
    name_like,
    read_terc,
    teryt_from_bdl,
    units_matching,
    voivodeship_bdl_id,
)
from tests.conftest import SHARED


def test_a_bdl_unit_id_maps_to_its_teryt_code():
    # the example: characters 3–4 and 8–12 of 011212001011 (Bochnia, urban gmina)
    assert teryt_from_bdl("011212001011") == "1201011"
    assert voivodeship_bdl_id("011212001011") == "011200000000"
    with pytest.raises(ValueError, match="12-digit"):
        teryt_from_bdl("1201011")


def test_bdl_gmina_ids_of_the_units_dump_map_to_codes_of_the_terc_register(terc):
    """Every current gmina of the 2019 BDL units dump lands on a TERC gmina of the same name.

    The dump (../shared/data/bdl/units/, PROVENANCE.md: IwoA/BDL) and TERC 2020-01-01 are
    independent GUS publications, so this checks the mapping on real ids.
    """
    import pandas as pd

    dump = SHARED / "bdl" / "units" / "bdl_units_all_levels_2019-11-25.csv"
    if not dump.is_file():
        pytest.skip(f"units dump not present: {dump}")
    units = pd.read_csv(dump, dtype=str)
    register = read_terc(SHARED / "teryt" / "TERC_Urzedowy_2020-01-01.csv").set_index("teryt")["name"]
    gminy = units.loc[units["id"].str[-1].isin(["1", "2", "3"]) & (units["id"].str[-3:] != "000")]
    mapped = gminy.assign(teryt=gminy["id"].map(teryt_from_bdl))
    current = mapped.loc[mapped["teryt"].isin(register.index)]
    assert len(current) > 2400  # nearly all 2 477 gminy; the rest changed between 2019 and 2020
    assert (current["name"].to_numpy() == register.loc[current["teryt"]].to_numpy()).mean() > 0.99


def test_the_terc_register_lists_the_2477_gminy(terc, tmp_path):
    register = read_terc(SHARED / "teryt" / "TERC_Urzedowy_2020-01-01.csv")
    assert len(register) == 2477  # PROVENANCE.md: RODZ 1: 302, 2: 1533, 3: 642
    assert register["kind"].value_counts().to_dict() == {"rural": 1533, "urban-rural": 642, "urban": 302}
    with pytest.raises(ValueError, match="not a TERC register"):
        (tmp_path / "x.csv").write_text("a;b\n1;2\n")
        read_terc(tmp_path / "x.csv")


def test_a_name_is_found_in_any_case_with_or_without_its_polish_letters():
    # A town and the rural gmina around it often share a name (Lipno, Łąka here): both codes, for the caller to ask.
    units = pd.DataFrame(
        {"teryt": ["0000011", "0000012", "0000023"], "name": ["Łąka", "Łąka", "Żurawiołęka"]},
    )
    assert codes_named("ŻURAWIOŁĘKA", units) == ["0000023"]
    assert codes_named("zurawioleka", units) == ["0000023"]
    assert codes_named("laka", units) == ["0000011", "0000012"]
    assert codes_named("Żurawio", units) == []  # a name whole, not its beginning
    assert codes_named("Warszawa", units) == []


def test_a_name_typed_with_a_slip_is_answered_with_the_name_it_resembles():
    # "Did you mean …?" for a town's name, as for a mistyped key of a batch: a letter dropped, added or swapped
    # away from a name, typed with or without its Polish letters; nothing offered for a name unlike any.
    units = pd.DataFrame({"teryt": ["0000011", "0000023"], "name": ["Łąka Wielka", "Żurawiołęka"]})
    assert name_like("zurawiolek", units) == "Żurawiołęka"  # a letter short
    assert name_like("Żurawiołękaa", units) == "Żurawiołęka"  # a letter more
    assert name_like("laka wileka", units) == "Łąka Wielka"  # two letters swapped
    assert name_like("Warszawa", units) == ""
    assert name_like("Łąka", units) == ""  # the start of a name is another gmina's name, not a slip


def test_units_are_found_by_part_of_a_name_or_the_start_of_a_code_as_batch_lines():
    units = pd.DataFrame(
        {
            "teryt": ["0292011", "0290023", "0890041", "0290011"],
            "name": ["Łąka", "Łąka", "Żurawiołęka", "Lubań"],
            "kind": ["urban", "urban-rural", "urban", "urban"],
            "voivodeship": ["dolnośląskie", "dolnośląskie", "lubuskie", "dolnośląskie"],
        }
    )
    # Part of a name, in any case, without Polish letters: "laka" is in Łąka (both) and Żurawiołęka.
    assert list(units_matching("LAKA", units)["teryt"]) == ["0290023", "0292011"]
    assert list(units_matching("zurawiol", units)["teryt"]) == ["0890041"]
    assert list(units_matching("0290", units)["teryt"]) == ["0290011", "0290023"]  # powiat 0290, by code
    assert units_matching("Warszawa", units).empty and units_matching(" ", units).empty
    # A line to paste into a batch's `towns:`, its kind telling the town from the rural gmina of the same name.
    assert batch_entry(units.iloc[1]) == '  - "0290023"  # Łąka, gmina miejsko-wiejska, dolnośląskie'


def test_the_voivodeships_and_poland_of_the_units_dump_are_the_areas_a_fetch_stores():
    """Of all 4,434 ids of the real 2019 BDL units dump, exactly 16 voivodeships (named as the register names
    them) and Poland are areas whose published figures a fetch keeps (`analysis.bdl.fetch.area_code`):
    no macroregion (level 1, "010000000000"), region, powiat or gmina."""
    import pandas as pd

    from analysis.bdl.fetch import area_code
    from analysis.teryt import VOIVODESHIPS

    dump = SHARED / "bdl" / "units" / "bdl_units_all_levels_2019-11-25.csv"
    if not dump.is_file():
        pytest.skip(f"units dump not present: {dump}")
    units = pd.read_csv(dump, dtype=str).drop_duplicates("id")
    areas = units.assign(area=units["id"].map(area_code)).dropna(subset=["area"])
    assert sorted(areas["area"]) == sorted([*VOIVODESHIPS, "PL"])
    names = areas.set_index("area")["name"]
    assert names["PL"] == "POLSKA"
    assert all(names[code].lower() == name for code, name in VOIVODESHIPS.items())
