"""Outcomes derived from the region components (PPPASI sign subscores, PPSI): one patient's
visit worked by hand, the subscores against the PPPASI recomputed from the same components, and
their descriptives and paired t test against plain Python and scipy on the components file read
with the csv module."""

import csv
from collections import defaultdict
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import stats

from pppflow import constants as c
from pppflow.fast_paths.subscores import derived_by_position, derived_table
from pppflow.outcomes import declared_descriptives, declared_tests, units_column
from pppflow.pppasi import combine_pppasi, recompute_pppasi
from pppflow.response import visit_weeks
from pppflow.subscores import DERIVED_OUTCOMES, derived_from_table, derived_outcomes
from pppflow.validate import CohortFiles, validate_cohort

DEMO = Path(__file__).parent / "cohorts" / "components_demo"


def one_visit(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "patient_id": pl.Utf8,
            "visit": pl.Utf8,
            "region": pl.Utf8,
            **{name: pl.Int8 for name in (*c.SEVERITY_ITEMS, "area")},
        },
        orient="row",
    )


def test_one_visit_by_hand():
    components = one_visit(
        [
            ("a", "baseline", "right_palm", 3, 2, 1, 2),  # weight 0.2
            ("a", "baseline", "left_palm", 1, 4, 0, 0),  # no involved area
            ("a", "baseline", "right_sole", 2, 1, 3, 3),  # weight 0.3
            ("a", "baseline", "left_sole", 4, 0, 2, 1),
        ]
    )
    scores = pl.DataFrame({"patient_id": ["a"], "visit": ["baseline"], "week": [0.0]})
    outcomes, wide = derived_outcomes(components, scores, [])
    units = {o.name: wide[units_column(o.name)].item() for o in outcomes}
    # erythema: 3x2x2 + 2x3x3 + 4x1x3 = 12 + 18 + 12 = 42 tenths (4.2)
    # pustules: 2x2x2 + 1x3x3 = 17 (1.7); desquamation: 1x2x2 + 3x3x3 + 2x1x3 = 37 (3.7)
    # PPSI: worst involved region per sign, erythema 4 + pustules 2 (left palm's 4 has no
    # area) + desquamation 3 = 9
    assert units == {
        "erythema_subscore": 42,
        "pustule_subscore": 17,
        "desquamation_subscore": 37,
        "ppsi": 9,
    }
    # The three subscores make the PPPASI: (6x2x2 + 6x3x3 + 6x1x3) = 96 tenths
    pppasi = recompute_pppasi(components.lazy()).collect()["pppasi_recomputed_tenths"].item()
    assert pppasi == 42 + 17 + 37 == 96
    # By position (the visit's block of four rows) the same
    by_position = derived_by_position(scores, components)
    assert by_position.row(0, named=True) == units


def demo():
    validated = validate_cohort(
        CohortFiles(
            patients=str(DEMO / "patients.csv"),
            visits=str(DEMO / "visits.csv"),
            components=str(DEMO / "components.csv"),
            baseline_visit="baseline",
            endpoint_visit="week12",
            pga_max=4,
        )
    )
    scores = combine_pppasi(validated.visits.lazy(), validated.components.lazy()).collect()
    return validated, scores


def by_hand() -> dict[tuple[str, str], dict[str, float]]:
    """The subscores in points and PPSI of every patient-visit, from the CSV text."""
    weights = {"right_palm": 0.2, "left_palm": 0.2, "right_sole": 0.3, "left_sole": 0.3}
    found: dict = defaultdict(lambda: defaultdict(float))
    worst: dict = defaultdict(lambda: defaultdict(int))
    with (DEMO / "components.csv").open() as handle:
        for row in csv.DictReader(handle):
            key = (row["patient_id"], row["visit"])
            area = int(row["area"])
            for name, sign in (
                ("erythema_subscore", "erythema"),
                ("pustule_subscore", "pustules"),
                ("desquamation_subscore", "desquamation"),
            ):
                found[key][name] += int(row[sign]) * area * weights[row["region"]]
                if area > 0:
                    worst[key][sign] = max(worst[key][sign], int(row[sign]))
            found[key]["ppsi"] = 0
    for key, signs in worst.items():
        found[key]["ppsi"] = sum(signs.values())
    return found


def test_demo_subscores_add_up_to_pppasi_and_match_a_hand_count():
    validated, scores = demo()
    outcomes, units = derived_outcomes(validated.components, scores, [])
    assert [o.name for o in outcomes] == [
        "erythema_subscore",
        "pustule_subscore",
        "desquamation_subscore",
        "ppsi",
    ]
    # A visit without components (scored by its recorded total) has none of them
    scored = units.filter(pl.col(units_column("ppsi")).is_not_null())
    assert units.height == scores.height > scored.height
    wide = scored.rename({units_column(o.name): o.name for o in outcomes})
    recomputed = recompute_pppasi(validated.components.lazy()).collect()
    joined = wide.join(recomputed, on=["patient_id", "visit"])
    assert joined.height == wide.height == recomputed.height
    assert (
        joined["erythema_subscore"] + joined["pustule_subscore"] + joined["desquamation_subscore"]
        == joined["pppasi_recomputed_tenths"]
    ).all()
    hand = by_hand()
    for row in wide.iter_rows(named=True):
        expected = hand[(row["patient_id"], row["visit"])]
        for name in ("erythema_subscore", "pustule_subscore", "desquamation_subscore"):
            assert row[name] / 10 == pytest.approx(expected[name], abs=1e-12)
        assert row["ppsi"] == expected["ppsi"]


def test_demo_descriptives_and_paired_t_against_numpy_and_scipy():
    validated, scores = demo()
    outcomes, valued = derived_outcomes(validated.components, scores, [])
    summary = declared_descriptives(valued, outcomes, visit_weeks(scores))
    tests = declared_tests(valued, outcomes, "baseline", "week12", 0.95)
    hand = by_hand()
    for name in ("erythema_subscore", "pustule_subscore", "desquamation_subscore", "ppsi"):
        base = {p: v[name] for (p, visit), v in hand.items() if visit == "baseline"}
        end = {p: v[name] for (p, visit), v in hand.items() if visit == "week12"}
        row = summary.filter((pl.col("outcome") == name) & (pl.col("visit") == "baseline")).row(
            0, named=True
        )
        values = np.array(list(base.values()))
        assert row["n"] == len(values)
        assert row["mean"] == pytest.approx(values.mean(), rel=1e-12)
        assert row["sd"] == pytest.approx(values.std(ddof=1), rel=1e-12)
        assert row["median"] == pytest.approx(np.median(values), rel=1e-12)
        both = sorted(set(base) & set(end))
        expected = stats.ttest_rel([base[p] for p in both], [end[p] for p in both])
        paired = tests.filter((pl.col("outcome") == name) & (pl.col("test") == "paired_t")).row(
            0, named=True
        )
        assert paired["n"] == len(both)
        assert paired["statistic"] == pytest.approx(expected.statistic, rel=1e-9)
        assert paired["p_value"] == pytest.approx(expected.pvalue, rel=1e-9)


def test_no_components_no_derived_outcomes_and_a_declared_name_wins():
    validated, scores = demo()
    empty = validated.components.clear()
    outcomes, units = derived_outcomes(empty, scores, [])
    assert outcomes == () and units.columns == ["patient_id", "visit"]
    assert units.height == scores.height
    outcomes, units = derived_outcomes(validated.components, scores, ["ppsi"])
    assert "ppsi" not in [o.name for o in outcomes]
    assert units_column("ppsi") not in units.columns


def test_by_position_equals_the_grouped_derivation_and_refuses_what_it_cannot_prove():
    validated, all_scores = demo()
    components = validated.components
    # One visit of the demo has no components: nothing to prove by position, the grouped way runs
    assert derived_by_position(all_scores, components) is None
    fast = derived_table(components, all_scores, [], fast_paths=True)
    general = derived_outcomes(components, all_scores, [])
    assert fast[0] == general[0] and fast[1].equals(general[1])
    # The visits with components, in the components' order: by position
    scores = components.select("patient_id", "visit").unique(maintain_order=True)
    general = derived_outcomes(components, scores, [])
    by_position = derived_by_position(scores, components)
    assert by_position is not None and by_position.height == scores.height == 19
    fast = derived_table(components, scores, [], fast_paths=True)
    assert fast[0] == general[0] and fast[1].equals(general[1])
    # Nothing to prove it on: rows out of the visits' order, or one visit's rows missing
    shuffled = components.sample(fraction=1.0, shuffle=True, seed=1)
    assert derived_by_position(scores, shuffled) is None
    assert derived_by_position(scores, components.slice(4)) is None
    # ...and the general derivation, from shuffled rows, gives the same units in scores' order
    assert derived_outcomes(shuffled, scores, [])[1].equals(general[1])
    assert [o.name for o in general[0]] == [o.name for o in DERIVED_OUTCOMES]


def test_the_stats_job_reads_the_pppasi_jobs_table():
    """subscores.parquet as the pppasi job writes it, read back beside the scores: the same
    units; none without components; a declared outcome of the same name is the cohort's."""
    validated, scores = demo()
    outcomes, table = derived_outcomes(validated.components, scores, [])
    kept, units = derived_from_table(table, scores, [])
    assert kept == outcomes and units.equals(table)
    kept, units = derived_from_table(table, scores, ["ppsi"])
    assert [o.name for o in kept] == [o.name for o in outcomes if o.name != "ppsi"]
    assert units_column("ppsi") not in units.columns
    kept, units = derived_from_table(table.clear(), scores, [])
    assert kept == () and units.columns == ["patient_id", "visit"]
