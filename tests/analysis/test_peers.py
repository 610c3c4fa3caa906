import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.peers import PeerRule, choose_peers, nearest_peers


def features_frame(points: dict[str, tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(points, orient="index", columns=["log_population", "log_income"])


def test_nearest_peers_by_hand():
    # Standardised with mean 0 and the population sd of each column; distances worked out by hand:
    # x = [0, 1, 2, 10, 3], sd_x = 3.5214, y all equal except E -> only x matters for A..D.
    features = features_frame({"A": (0, 0), "B": (1, 0), "C": (2, 0), "D": (10, 0), "E": (3, 0)})
    assert nearest_peers("A", features, pd.Index(["B", "C", "D", "E"]), k=2) == ("B", "C")
    assert nearest_peers("D", features, pd.Index(["A", "B", "C", "E"]), k=1) == ("E",)


def test_ties_are_broken_by_code_not_by_row_order():
    features = features_frame({"T": (0, 0), "Z": (1, 0), "M": (-1, 0), "A": (5, 5)})
    assert nearest_peers("T", features, pd.Index(["Z", "M", "A"]), k=1) == ("M",)


def test_standardisation_makes_both_features_count():
    # Raw distance from T(0, 0) would pick C (0.5 away) over B (10 away). Standardised:
    # x = 0, 10, 0, 100, 50 -> mean 32, population sd sqrt(7480 / 5) = 38.68, so B is 10 / 38.68 = 0.26 away;
    # y = 0, 0, .5, 1, 1 -> mean .5, sd sqrt(.2) = 0.447, so C is .5 / .447 = 1.12 away. B is nearer.
    features = features_frame({"T": (0, 0), "B": (10, 0), "C": (0, 0.5), "D": (100, 1), "E": (50, 1)})
    assert nearest_peers("T", features, pd.Index(["B", "C", "D", "E"]), k=1) == ("B",)


def units_frame():
    return pd.DataFrame(
        {
            "teryt": ["0290011", "0290021", "0290031", "0290041", "0490011", "0490023"],
            "name": list("abcdef"),
            "kind": ["urban", "urban", "urban", "urban", "urban", "urban-rural"],
            "voivodeship": ["dolnośląskie"] * 4 + ["kujawsko-pomorskie"] * 2,
            "powiat": ["0290"] * 4 + ["0490"] * 2,
        }
    )


def indicator_values(population, income):
    index = pd.MultiIndex.from_product([units_frame()["teryt"], [2024]], names=["teryt", "year"])
    return pd.DataFrame(
        {"population": population, "pit_per_capita": income, "own_revenue_per_capita": [3000.0] * 6}, index=index
    )


def test_nearest_rule_keeps_to_the_same_kind_and_compares_incomes_of_one_measure():
    # Own revenue per capita (here 3,000 zł) is about twice the PIT share (1,500 zł): the two are never set
    # against each other. A town with a PIT figure is matched with the towns that have one; 0290021, without,
    # is left out of its group, not placed as if twice as rich.
    values = indicator_values([10_000, 11_000, 30_000, 12_000, 10_500, 10_000], [1500, np.nan, 1500, 1500, 1500, 1500])
    group = choose_peers("0290011", units_frame(), values, PeerRule(k=3), 2024)
    assert "0490023" not in group.members  # urban-rural, not comparable
    assert group.members == ("0290031", "0290041", "0490011")
    # 0290021 itself is matched on own revenue, its own and every other town's (all 3,000 zł here): by size alone.
    # Sizes (log): 11,000 is nearest 10,500 and 12,000, then 10,000 (0290011); 30,000 is farthest.
    group = choose_peers("0290021", units_frame(), values, PeerRule(k=3), 2024)
    assert group.members == ("0290011", "0290041", "0490011")


def test_a_town_without_pit_gets_peers_of_its_own_size_and_own_revenue():
    # The demo store's 1292013 (7,015 residents) has no PIT figure in 2024. Matched on its own revenue against
    # the others' PIT, it got peers of 2,251 to 134,821 residents (median 40,799): a revenue twice the PIT
    # share read as a rich town's. Matched on own revenue for all, worked out here from the store with plain
    # pandas: standardised log population and log own revenue over the urban-rural towns, 20 nearest.
    from analysis.report import load_store_and_values

    store, values = load_store_and_values(None)[:2]
    in_2024 = values.xs(2024, level="year")
    kind = store.units.set_index("teryt")["kind"]
    pool = in_2024.loc[kind[kind == "urban-rural"].index, ["population", "own_revenue_per_capita"]].dropna()
    logs = np.log(pool)
    standard = (logs - logs.mean()) / logs.std(ddof=0)
    distance = np.sqrt(((standard - standard.loc["1292013"]) ** 2).sum(axis=1)).drop("1292013")
    expected = tuple(sorted(distance.sort_values(kind="stable").index[:20]))
    group = choose_peers("1292013", store.units, values, PeerRule(k=20), 2024)
    assert group.members == expected
    sizes = in_2024.loc[list(group.members), "population"]
    assert sizes.median() < 2 * 7015  # of its own size, not 40,799


def test_a_town_without_its_matching_figures_gets_no_nearest_peers_and_is_told_which_year_lacks_them():
    # No population in 2024: nothing to match it on, so no peer group (and no report), said with the year.
    values = indicator_values([np.nan, 11_000, 30_000, 12_000, 10_500, 10_000], [1500] * 6)
    with pytest.raises(ValueError, match="0290011: no population in 2024, .* give this town the 'voivodeship'"):
        choose_peers("0290011", units_frame(), values, PeerRule(k=3), 2024)
    assert len(choose_peers("0290021", units_frame(), values, PeerRule(k=3), 2024).members) == 3  # the others can


def test_a_year_without_anyones_income_is_matched_on_the_year_before():
    # A store fetched before GUS published 2024's budget figures: 2024 has residents but no income. The towns are
    # matched on 2023, the latest year with both, and the group says so. 2023 by hand, over the five urban towns:
    # log population 9.21, 9.31, 11.00, 9.39, 9.26 (sd 0.69); log PIT 7.31 four times and 8.41 for 0490011 (three
    # times the others', sd 0.44). From 0290011: 0290021 is 0.14 away, 0290041 0.27, 0490011 2.50 (its income),
    # 0290031 2.61 (its size).
    index = pd.MultiIndex.from_product([units_frame()["teryt"], [2023, 2024]], names=["teryt", "year"])
    values = pd.DataFrame(
        {
            "population": [
                10_000,
                9_900,
                11_000,
                10_900,
                60_000,
                59_000,
                12_000,
                11_900,
                10_500,
                10_400,
                10_000,
                9_900,
            ],
            "pit_per_capita": [1500, np.nan, 1500, np.nan, 1500, np.nan, 1500, np.nan, 4500, np.nan, 1500, np.nan],
            "own_revenue_per_capita": [3000, np.nan] * 6,
        },
        index=index,
    )
    group = choose_peers("0290011", units_frame(), values, PeerRule(k=3), 2024)
    assert group.reference_year == 2023 and group.members == ("0290021", "0290041", "0490011")
    # A year with the figures is matched on itself.
    assert choose_peers("0290011", units_frame(), values, PeerRule(k=3), 2023).reference_year == 2023
    # The town alone without its income in 2024, the others with theirs (a gmina that ended, a gap in its data):
    # no peers, as before, rather than a report on another year than its peers'.
    values.loc[[(code, 2024) for code in ("0290021", "0290031", "0290041", "0490011")], "pit_per_capita"] = 1500.0
    # Its population is there: the message names the income it lacks and a rule that needs none.
    lacks_income = r"0290011: no income per capita in 2024 \(neither pit_per_capita nor own_revenue_per_capita\)"
    with pytest.raises(ValueError, match=lacks_income + ".*such as 'population_class'"):
        choose_peers("0290011", units_frame(), values, PeerRule(k=3), 2024)


def test_voivodeship_and_explicit_rules():
    values = indicator_values([10_000] * 6, [1500] * 6)
    group = choose_peers("0290011", units_frame(), values, PeerRule(method="voivodeship"), 2024)
    assert group.members == ("0290021", "0290031", "0290041")
    rule = PeerRule(method="explicit", members=("0490011", "0490023", "0290041"))
    assert choose_peers("0290011", units_frame(), values, rule, 2024).members == ("0290041", "0490011", "0490023")


def test_the_voivodeship_rule_keeps_to_the_towns_kind_and_the_powiat_rule_takes_every_neighbour():
    # A rural gmina joins dolnośląskie's four towns, in 0290011's powiat. Under `voivodeship` a town is
    # compared with the voivodeship's towns, as `nearest` would; its powiat is its neighbourhood, villages too.
    units = pd.concat(
        [
            units_frame(),
            pd.DataFrame(
                {
                    "teryt": ["0290052"],
                    "name": ["g"],
                    "kind": ["rural"],
                    "voivodeship": ["dolnośląskie"],
                    "powiat": ["0290"],
                }
            ),
        ],
        ignore_index=True,
    )
    index = pd.MultiIndex.from_product([units["teryt"], [2024]], names=["teryt", "year"])
    values = pd.DataFrame({"population": 10_000.0, "pit_per_capita": 1500.0, "own_revenue_per_capita": 3000.0}, index)
    assert choose_peers("0290011", units, values, PeerRule(method="voivodeship"), 2024).members == (
        "0290021",
        "0290031",
        "0290041",
    )
    assert "0290052" in choose_peers("0290011", units, values, PeerRule(method="powiat"), 2024).members


def test_a_gmina_that_ended_before_the_reference_year_is_no_ones_peer():
    # BDL lists a rural gmina that gained town rights in 2023 twice: 0290052 (rural) with figures up to 2022,
    # 0290053 (urban-rural) from 2023. In 2024 its neighbours' powiat group holds the new code, not the old one
    # (a second "g" without a figure); under `voivodeship` the old one, rural, was a rural gmina's peer.
    ended = {"teryt": "0290052", "name": "g", "kind": "rural", "voivodeship": "dolnośląskie", "powiat": "0290"}
    units = pd.concat(
        [
            units_frame(),
            pd.DataFrame([ended, {**ended, "teryt": "0290053", "kind": "urban-rural"}]),
            pd.DataFrame([{**ended, "teryt": f"029006{i}", "name": f"r{i}"} for i in (2, 4, 6, 8)]),  # four rural
        ],
        ignore_index=True,
    )
    years = {
        code: [2022] if code == "0290052" else [2023, 2024] if code == "0290053" else [2022, 2024]
        for code in units.teryt
    }
    index = pd.MultiIndex.from_tuples([(c, y) for c, ys in years.items() for y in ys], names=["teryt", "year"])
    values = pd.DataFrame({"population": 10_000.0, "pit_per_capita": 1500.0, "own_revenue_per_capita": 3000.0}, index)
    powiat = choose_peers("0290011", units, values, PeerRule(method="powiat"), 2024).members
    assert "0290053" in powiat and "0290052" not in powiat
    assert choose_peers("0290062", units, values, PeerRule(method="voivodeship"), 2024).members == (
        "0290064",
        "0290066",
        "0290068",
    )
    # In 2022, before the change, the old code is a peer and the new one not yet.
    before = choose_peers("0290011", units, values, PeerRule(method="powiat"), 2022)
    assert "0290052" in before.members and "0290053" not in before.members


def test_a_rule_with_too_few_peers_says_how_many_it_found_and_what_to_do():
    # Powiat 0490 holds 0490011 and 0490023 only: one neighbour each. A city with powiat rights (its own
    # powiat, as Kraków, 1261011) has none; the message says why, since "0 peers" alone puzzles.
    from analysis.peers import TooFewPeers

    values = indicator_values([10_000] * 6, [1500] * 6)
    with pytest.raises(TooFewPeers, match=r"^0490011: the 'powiat' rule gives only 1 peer; 3 are needed") as one:
        choose_peers("0490011", units_frame(), values, PeerRule(method="powiat"), 2024)
    assert one.value.found == 1
    units = units_frame().assign(powiat=["0290"] * 4 + ["0461", "0490"])  # 0490011 as a city with powiat rights
    with pytest.raises(TooFewPeers, match="gives no peers, as the town is a powiat of its own") as none:
        choose_peers("0490011", units, values, PeerRule(method="powiat"), 2024)
    assert none.value.found == 0 and "give this town another peer rule" in str(none.value)


def test_rules_are_validated():
    with pytest.raises(ValueError):
        PeerRule(method="explicit", members=("0290011",))
    with pytest.raises(ValueError):
        PeerRule(method="nearest", members=("0290011", "0290021", "0290031"))
    # A peer listed twice would weigh twice in every median and quartile; 0290021 and '290021' are one code.
    with pytest.raises(ValueError, match="peer TERYT code 0290021 listed twice"):
        PeerRule(method="explicit", members=("0290021", "290021", "0290031", "0290041"))


def test_an_explicit_list_naming_the_town_itself_says_so_when_too_few_peers_are_left():
    # Three codes are listed, but one is the town: two peers remain, and the message says why, and that
    # listing more peers is a remedy as well as another rule.
    from analysis.peers import TooFewPeers

    values = indicator_values([10_000] * 6, [1500] * 6)
    rule = PeerRule(method="explicit", members=("0290011", "0290021", "0290031"))
    with pytest.raises(TooFewPeers, match="is not its own peer; 3 are needed, so list more peers") as raised:
        choose_peers("0290011", units_frame(), values, rule, 2024)
    assert raised.value.found == 2 and "gives only 2 peers, as the town itself" in str(raised.value)
    # A batch-wide list naming several of its towns: each is compared with the others, not with itself.
    group = choose_peers(
        "0290021",
        units_frame(),
        values,
        PeerRule(method="explicit", members=("0290011", "0290021", "0290031", "0290041")),
        2024,
    )
    assert group.members == ("0290011", "0290031", "0290041")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-3, 3), st.floats(-3, 3)), min_size=6, max_size=12, unique=True),
    st.randoms(use_true_random=False),
)
def test_row_order_does_not_change_the_peer_group(points, random):
    codes = [f"{i:07d}" for i in range(len(points))]
    features = features_frame(dict(zip(codes, points)))
    shuffled = features.sample(frac=1, random_state=random.randint(0, 1000))
    pool = pd.Index(codes[1:])
    assert nearest_peers(codes[0], features, pool, 4) == nearest_peers(codes[0], shuffled, pool[::-1], 4)


def test_population_class_rule_by_hand():
    from analysis.peers import population_class

    assert [population_class(p) for p in (4_999, 5_000, 19_999, 20_000, 150_000, 250_000)] == [0, 1, 2, 3, 5, 6]
    from analysis.peers import population_class_bounds

    assert [population_class_bounds(p) for p in (4_999, 13_177, 250_000)] == [
        (0, 5_000),
        (10_000, 20_000),
        (200_000, None),
    ]
    # towns of 10 000, 11 000, 12 000 and 10 500 are in class 10–20k; 30 000 is not; 0490023 is another kind
    values = indicator_values([10_000, 11_000, 30_000, 12_000, 10_500, 10_000], [1500] * 6)
    group = choose_peers("0290011", units_frame(), values, PeerRule(method="population_class"), 2024)
    assert group.members == ("0290021", "0290041", "0490011")


def test_nearest_groups_are_nested_so_the_widest_holds_the_narrower(demo_store):
    """`towns_compared` relies on it: nearest(k) is the first k of one ranking."""
    from analysis.indicators import indicator_table

    values = indicator_table(demo_store)
    for town in ("0290011", "0490013", "1693023"):
        groups = [
            set(choose_peers(town, demo_store.units, values, PeerRule(method="nearest", k=k), 2024).members)
            for k in (10, 20, 40)
        ]
        assert groups[0] < groups[1] < groups[2]


@pytest.mark.parametrize(
    "missing",
    [
        ["population"],
        ["pit_share_revenue"],
        ["own_revenue"],
        ["pit_share_revenue", "own_revenue"],
        ["live_births", "deaths"],
        ["revenue_total", "own_revenue", "pit_share_revenue"],
    ],
)
def test_the_rule_on_missing_variables_agrees_with_the_matching_itself(demo_store, missing):
    # `no_one_matched_without` (which the store's note on a late year reads) against `matching_features` run on
    # a store whose towns all lack these variables in 2024: the rule says no town is matched exactly when none is.
    from analysis.catalogue import variables
    from analysis.indicators import indicator_table
    from analysis.peers import matching_features, no_one_matched_without
    from analysis.store import Store

    ids = [variables()[name].bdl_id for name in missing]
    observations = demo_store.observations.copy()
    observations.loc[(observations["year"] == 2024) & observations["var_id"].isin(ids), "value"] = np.nan
    store = Store(demo_store.units, observations, demo_store.metadata)
    nobody = matching_features(indicator_table(store), 2024).empty
    assert no_one_matched_without(missing) == nobody
