"""Declared outcomes: validated against their scale, their responder rates, descriptives and
tests, each checked against a hand count or scipy/numpy called directly."""

import csv
from fractions import Fraction
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import stats

from pppflow.outcomes import (
    declared_descriptives,
    declared_tests,
    outcome_units,
    outcome_wide,
    outcomes_from_config,
    responder_rates,
    units_of,
)
from pppflow.response import visit_weeks
from pppflow.stats import pair_visits
from pppflow.validate import CohortFiles, CohortInvalid, validate_cohort

DEMO = Path(__file__).parent / "cohorts" / "outcomes_demo"
DLQI = {
    "column": "dlqi",
    "scale": {"min": 0, "max": 30, "step": 1},
    "better": "lower",
    "responders": {"0/1": {"at_most": 1}, "improvement >= 4": {"improves_by": 4}},
}
NRS_HALVES = {
    "column": "itch_nrs",
    "scale": {"min": 0, "max": 10, "step": 0.5},
    "better": "lower",
    "responders": {"0/1 and >= 4 better": {"at_most": 1, "improves_by": 4}},
}
PATIENTS = "patient_id\np1\np2\np3\n"


def cohort(tmp_path: Path, visits: str, outcomes: dict) -> CohortFiles:
    (tmp_path / "patients.csv").write_text(PATIENTS)
    (tmp_path / "visits.csv").write_text(visits)
    return CohortFiles(
        patients=str(tmp_path / "patients.csv"),
        visits=str(tmp_path / "visits.csv"),
        components=None,
        baseline_visit="baseline",
        endpoint_visit="week12",
        pga_max=4,
        outcomes=outcomes,
    )


def failures(files: CohortFiles) -> list[tuple]:
    with pytest.raises(CohortInvalid) as err:
        validate_cohort(files)
    return sorted(
        err.value.failures.select("row", "patient_id", "column", "check", "value").rows(),
        key=str,
    )


def test_values_off_the_scale_or_its_step_are_failure_lines(tmp_path):
    visits = (
        "patient_id,visit,week,pppasi,dlqi,itch_nrs\n"
        "p1,baseline,0,10.0,31,7.5\n"
        "p1,week12,12,2.0,2.5,7.25\n"
        "p2,baseline,0,8.0,abc,-1\n"
        "p2,week12,12,1.0,3.0,\n"
        "p3,baseline,0,8.0,4,10.5\n"
    )
    found = failures(cohort(tmp_path, visits, {"dlqi": DLQI, "itch": NRS_HALVES}))
    assert found == sorted(
        [
            (1, "p1", "dlqi", "number_in_range(low=0, high=30)", "31"),
            (2, "p1", "dlqi", "on_step(step=1)", "2.5"),
            (2, "p1", "itch_nrs", "on_step(step=0.5)", "7.25"),
            (3, "p2", "dlqi", "is_number", "abc"),
            (3, "p2", "itch_nrs", "number_in_range(low=0, high=10)", "-1"),
            (5, "p3", "itch_nrs", "number_in_range(low=0, high=10)", "10.5"),
        ],
        key=str,
    )


def test_a_declared_column_spelt_otherwise_or_absent_is_named(tmp_path):
    visits = "patient_id,visit,week,pppasi,DLQI\np1,baseline,0,1.0,3\np1,week12,12,0.5,1\n"
    found = failures(cohort(tmp_path, visits, {"dlqi": DLQI, "itch": NRS_HALVES}))
    checks = {(column, check) for _, _, column, check, _ in found}
    assert ("dlqi", "header_spelling") in checks
    assert ("itch_nrs", "column_in_dataframe") in checks


def test_values_are_kept_in_whole_steps(tmp_path):
    visits = (
        "patient_id,visit,week,pppasi,itch_nrs\n"
        "p1,baseline,0,1.0,7.5\np1,week12,12,0.5,1.0\n"
        "p2,baseline,0,1.0,3\np2,week12,12,0.5,\n"
        "p3,baseline,0,1.0,10\n"
    )
    validated = validate_cohort(cohort(tmp_path, visits, {"itch": NRS_HALVES}))
    units = validated.outcomes.sort("patient_id", "visit")
    assert units["itch:units"].to_list() == [15, 2, 6, None, 20]
    # One row per visit, in the validated visits' order: the stages take the values by row
    assert validated.outcomes.select("patient_id", "visit").equals(
        validated.visits.select("patient_id", "visit")
    )


def demo() -> tuple[pl.DataFrame, tuple]:
    config = __import__("yaml").safe_load((DEMO / "config.yaml").read_text())
    declared = outcomes_from_config(config["cohorts"]["outcomes_demo"]["outcomes"])
    visits = pl.read_csv(DEMO / "visits.csv", infer_schema=False)
    visits = visits.with_columns(pl.col("week").cast(float))
    return visits, declared


def test_responder_rates_of_the_demo_cohort_by_hand():
    visits, declared = demo()
    rates = responder_rates(
        outcome_units(visits, declared), visits, declared, "baseline", "observed", 0.95
    )
    got = {
        (r["endpoint"], r["visit"]): (
            r["responders"],
            r["evaluable"],
            r["not_evaluable"],
            r["missing"],
        )
        for r in rates.iter_rows(named=True)
    }
    # DLQI at week 12 (o05 not seen): o03 0 and o07 1 are at most 1, of 7.
    assert got["dlqi:0/1", "week12"] == (2, 7, 0, 1)
    # o04 has no baseline DLQI: not evaluable; o06 6 -> 3 is 3 points only.
    assert got["dlqi:improvement >= 4", "week12"] == (5, 6, 1, 1)
    # week 4: o07's row is empty and o05 has no itch score: both missing.
    assert got["itch:improvement >= 4", "week4"] == (2, 6, 0, 2)
    assert got["itch:0/1 and improvement >= 4", "week12"] == (3, 7, 0, 1)
    row = rates.filter(pl.col("endpoint") == "dlqi:0/1", pl.col("visit") == "week12").row(
        0, named=True
    )
    low = stats.beta.ppf(0.025, 2, 6)
    high = stats.beta.ppf(0.975, 3, 5)
    assert row["ci_low"] == pytest.approx(low, abs=1e-6)
    assert row["ci_high"] == pytest.approx(high, abs=1e-6)


def test_nri_counts_the_missing_as_non_responders():
    visits, declared = demo()
    rates = responder_rates(
        outcome_units(visits, declared), visits, declared, "baseline", "nri", 0.95
    )
    row = rates.filter(pl.col("endpoint") == "dlqi:0/1", pl.col("visit") == "week12").row(
        0, named=True
    )
    assert (row["responders"], row["evaluable"], row["missing"]) == (2, 8, 1)


def test_higher_is_better_and_thresholds_off_the_step():
    visits = pl.DataFrame(
        {
            "patient_id": ["a", "a", "b", "b"],
            "visit": ["baseline", "week12"] * 2,
            "week": [0.0, 12.0] * 2,
            "qol": ["2.0", "3.5", "1.0", "2.0"],
        }
    )
    declared = outcomes_from_config(
        {
            "qol": {
                "column": "qol",
                "scale": {"min": 0, "max": 5, "step": 0.5},
                "better": "higher",
                # 1.2 better is 3 half-steps (ceil); at least 3.2 is 7 half-steps (3.5)
                "responders": {"up": {"improves_by": 1.2}, "high": {"at_least": 3.2}},
            }
        }
    )
    rates = responder_rates(
        outcome_units(visits, declared),
        visits,
        declared,
        "baseline",
        "observed",
        0.95,
    )
    assert dict(zip(rates["endpoint"], rates["responders"], strict=True)) == {
        "qol:up": 1,
        "qol:high": 1,
    }


def test_descriptives_and_tests_against_numpy_and_scipy():
    visits, declared = demo()
    valued = outcome_wide(visits, outcome_units(visits, declared), declared)
    summary = declared_descriptives(valued, declared, visit_weeks(visits))
    tests = declared_tests(valued, declared, "baseline", "week12", 0.95)
    raw = pl.read_csv(DEMO / "visits.csv")
    dlqi_base = raw.filter(pl.col("visit") == "baseline")["dlqi"].drop_nulls().to_numpy()
    row = summary.filter(pl.col("outcome") == "dlqi", pl.col("visit") == "baseline").row(
        0, named=True
    )
    assert row["n"] == 7
    assert row["mean"] == pytest.approx(np.mean(dlqi_base), rel=1e-12)
    assert row["sd"] == pytest.approx(np.std(dlqi_base, ddof=1), rel=1e-12)
    assert row["q1"] == pytest.approx(np.quantile(dlqi_base, 0.25), rel=1e-12)
    both = (
        raw.filter(pl.col("visit") == "baseline")
        .join(raw.filter(pl.col("visit") == "week12"), on="patient_id")
        .drop_nulls(["itch_nrs", "itch_nrs_right"])
    )
    expected = stats.ttest_rel(both["itch_nrs"].to_numpy(), both["itch_nrs_right"].to_numpy())
    paired_t = tests.filter(pl.col("outcome") == "itch", pl.col("test") == "paired_t").row(
        0, named=True
    )
    assert paired_t["n"] == 7
    assert paired_t["statistic"] == pytest.approx(expected.statistic, rel=1e-9)
    assert paired_t["p_value"] == pytest.approx(expected.pvalue, rel=1e-9)
    assert set(tests["outcome"]) == {"dlqi", "itch"}


def test_config_numbers_are_read_as_decimals():
    (outcome,) = outcomes_from_config({"x": {**NRS_HALVES, "scale": {"min": 0, "step": 0.1}}})
    assert outcome.step == Fraction(1, 10)
    assert outcome.high is None


def test_parquet_numbers_are_checked_as_stored(tmp_path):
    (tmp_path / "patients.csv").write_text(PATIENTS)
    pl.DataFrame(
        {
            "patient_id": ["p1", "p1", "p2", "p2"],
            "visit": ["baseline", "week12"] * 2,
            "week": [0.0, 12.0] * 2,
            "pppasi": [10.0, 2.0, 8.0, 1.0],
            "dlqi": [12.0, 31.0, 4.5, None],
        }
    ).write_parquet(tmp_path / "visits.parquet")
    files = CohortFiles(
        patients=str(tmp_path / "patients.csv"),
        visits=str(tmp_path / "visits.parquet"),
        components=None,
        baseline_visit="baseline",
        endpoint_visit="week12",
        pga_max=4,
        outcomes={"dlqi": DLQI},
    )
    assert [f for f in failures(files) if f[2] == "dlqi"] == [
        (2, "p1", "dlqi", "number_in_range(low=0, high=30)", "31.0"),
        (3, "p2", "dlqi", "on_step(step=1)", "4.5"),
    ]


def test_pairs_of_the_wide_form_against_a_plain_python_pairing():
    """The stats job reads the outcomes one row per patient-visit (outcome_wide); its pairs are
    those of the CSV's values paired by hand, in order of outcome and patient, each value the
    double nearest units x step."""
    visits, declared = demo()
    steps = units_of(declared)
    wide = outcome_wide(visits, outcome_units(visits, declared), declared)
    assert wide.height == visits.height
    with (DEMO / "visits.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    at = {
        (o.name, row["patient_id"], row["visit"]): int(Fraction(row[o.column]) / o.step)
        for o in declared
        for row in rows
        if row[o.column].strip()
    }
    expected = [
        (o, p, at[(o, p, "baseline")], at[(o, p, "week12")])
        for o in sorted(steps)
        for p in sorted({p for (oo, p, v) in at if oo == o})
        if (o, p, "baseline") in at and (o, p, "week12") in at
    ]
    pairs = pair_visits(wide, steps, "baseline", "week12")
    assert pairs.select("outcome", "patient_id", "baseline_units", "endpoint_units").rows() == (
        expected
    )
    assert len(expected) > 10
    assert pairs["baseline"].to_list() == [float(Fraction(b) * steps[o]) for o, _, b, _ in expected]
