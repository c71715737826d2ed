"""Each arm's mean change from baseline per visit (mean_change.csv): a case worked by hand, the
switch visit and carried-forward values left out, the reference arm first; and the fixed
two-arm cohort's golden against scipy's one-sample t interval on each arm's per-patient changes,
recomputed here from the cohort's CSV files in plain Python."""

import csv
import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy import stats

from pppflow.arm_settings import ArmDesign
from pppflow.arms import comparison_frame
from pppflow.continuous_comparisons import CHANGE_OUTCOME, PERCENT_CHANGE_OUTCOME
from pppflow.mean_change import MEAN_CHANGE_SCHEMA, mean_change_by_arm

ROOT = Path(__file__).resolve().parents[1]
COHORT = ROOT / "tests" / "cohorts" / "two_arm"
GOLDEN = ROOT / "tests" / "golden" / "two_arm"

SCHEMA = {
    "patient_id": pl.Utf8,
    "arm": pl.Utf8,
    "visit": pl.Utf8,
    "week": pl.Float64,
    "observed": pl.Boolean,
    "pppasi_baseline_tenths": pl.Int64,
    "pppasi_visit_tenths": pl.Int64,
}


def responses(rows) -> pl.DataFrame:
    """(patient, arm, visit, week, baseline tenths, visit tenths or None): observed where the
    visit has a value."""
    return pl.DataFrame(
        [(p, a, v, w, t is not None, b, t) for p, a, v, w, b, t in rows],
        schema=SCHEMA,
        orient="row",
    )


# Worked by hand. Arm "b" (the reference, sorting after "a"): baselines 10.0, 20.0, 30.0 points,
# at w4 9.0, 17.0, 24.0: changes -1, -3, -6, mean -10/3, SD sqrt(((-1+10/3)^2 + (-3+10/3)^2 +
# (-6+10/3)^2) / 2) = sqrt((49/9 + 1/9 + 64/9) / 2) = sqrt(19/3) = 2.5166; t(0.975, 2) = 4.3027,
# half width 4.3027 x 2.5166 / sqrt(3) = 6.2517. Arm "a": one patient, 10.0 -> 5.0: change -5,
# no SD, no interval. Percent: b -10, -15, -20 (mean -15, SD 5, half 4.3027 x 5 / sqrt 3 =
# 12.4208); a -50.
HAND = [
    ("b1", "b", "w4", 4.0, 100, 90),
    ("b2", "b", "w4", 4.0, 200, 170),
    ("b3", "b", "w4", 4.0, 300, 240),
    ("a1", "a", "w4", 4.0, 100, 50),
]


def test_a_case_worked_by_hand():
    got = mean_change_by_arm(responses(HAND), "b")
    assert got.columns == list(MEAN_CHANGE_SCHEMA)
    assert got.select("outcome", "visit", "arm", "week", "n").rows() == [
        (CHANGE_OUTCOME, "w4", "b", 4.0, 3),
        (CHANGE_OUTCOME, "w4", "a", 4.0, 1),
        (PERCENT_CHANGE_OUTCOME, "w4", "b", 4.0, 3),
        (PERCENT_CHANGE_OUTCOME, "w4", "a", 4.0, 1),
    ]
    b, a, b_percent, a_percent = got.iter_rows(named=True)
    assert b["mean"] == pytest.approx(-10 / 3)
    assert b["sd"] == pytest.approx(math.sqrt(19 / 3))
    assert b["ci_low"] == pytest.approx(-10 / 3 - 6.2517, abs=5e-4)
    assert b["ci_high"] == pytest.approx(-10 / 3 + 6.2517, abs=5e-4)
    assert (a["mean"], a["sd"], a["ci_low"], a["ci_high"]) == (
        pytest.approx(-5.0),
        None,
        None,
        None,
    )
    assert (b_percent["mean"], b_percent["sd"]) == (pytest.approx(-15.0), pytest.approx(5.0))
    assert b_percent["ci_high"] - b_percent["mean"] == pytest.approx(12.4208, abs=5e-4)
    assert a_percent["mean"] == pytest.approx(-50.0)
    assert "Student's t 95% CI" in b["method"] and "baseline above 0" in b_percent["method"]


def test_the_level_and_an_arm_missing_at_a_visit():
    rows = [*HAND, ("b1", "b", "w8", 8.0, 100, 80), ("a1", "a", "w8", None, 100, None)]
    got = mean_change_by_arm(responses(rows), "b", confidence_level=0.9, outcomes=[CHANGE_OUTCOME])
    assert got.select("visit", "arm", "n").rows() == [
        ("w4", "b", 3),
        ("w4", "a", 1),
        ("w8", "b", 1),
        ("w8", "a", 0),
    ]
    half = stats.t.ppf(0.95, 2) * math.sqrt(19 / 3) / math.sqrt(3)
    assert got["ci_high"][0] - got["mean"][0] == pytest.approx(half)
    assert got.row(3, named=True)["mean"] is None
    assert "90% CI" in got["method"][0]


def test_the_reference_first_then_the_others_sorted():
    rows = [
        (f"{arm}{i}", arm, "w4", 4.0, 100, 100 - 10 * i)
        for arm in ("zeta", "placebo", "alpha")
        for i in (1, 2)
    ]
    got = mean_change_by_arm(responses(rows), "placebo", outcomes=[CHANGE_OUTCOME])
    assert got["arm"].to_list() == ["placebo", "alpha", "zeta"]
    with pytest.raises(ValueError, match="reference arm"):
        mean_change_by_arm(responses(rows), "control")


def test_values_carried_forward_are_left_out():
    """Under `missing: locf` a missed visit's row carries the last value with `observed` false:
    it is no observation."""
    carried = responses(
        [*HAND, ("b1", "b", "w8", 8.0, 100, 80), ("b2", "b", "w8", None, 200, None)]
    )
    carried = carried.with_columns(
        pl.when(pl.col("patient_id") == "b2")
        .then(170)
        .otherwise(pl.col("pppasi_visit_tenths"))
        .alias("pppasi_visit_tenths")
    )
    got = mean_change_by_arm(carried, "b", outcomes=[CHANGE_OUTCOME]).filter(
        pl.col("visit") == "w8"
    )
    assert got.select("arm", "n", "mean").rows() == [("b", 1, pytest.approx(-2.0)), ("a", 0, None)]


def test_visits_after_the_switch_visit_are_left_out():
    """Through arms.comparison_frame, as the comparisons job calls it: week 20, after the switch
    at week 16, is in no row."""
    rows = [
        (pid, arm, visit, week, 100, value)
        for pid, arm in (("p1", "placebo"), ("p2", "placebo"), ("d1", "drug"), ("d2", "drug"))
        for visit, week, value in (("w16", 16.0, 80), ("w20", 20.0, 40))
    ]
    patients = pl.DataFrame({"patient_id": ["p1", "p2", "d1", "d2"]}).with_columns(
        arm=pl.Series(["placebo", "placebo", "drug", "drug"])
    )
    frame = comparison_frame(
        responses(rows).drop("arm"), patients, ArmDesign("arm", "placebo", switch_visit="w16")
    )
    got = mean_change_by_arm(frame, "placebo")
    assert set(got["visit"]) == {"w16"}
    assert got.filter(pl.col("outcome") == CHANGE_OUTCOME)["arm"].to_list() == ["placebo", "drug"]


# The fixed two-arm cohort ---------------------------------------------------------------------


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _changes() -> dict[tuple[str, str], list[tuple[float, float]]]:
    """(arm, visit) -> each patient's (change in points, percent change) at the visit, from the
    CSV files: PPPASI as written, in exact decimals."""
    arm_of = {row["patient_id"]: row["arm"] for row in _rows(COHORT / "patients.csv")}
    visits = _rows(COHORT / "visits.csv")
    baseline = {r["patient_id"]: Decimal(r["pppasi"]) for r in visits if r["visit"] == "baseline"}
    changes: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for row in visits:
        if row["visit"] == "baseline" or not row["pppasi"]:
            continue
        base, value = baseline[row["patient_id"]], Decimal(row["pppasi"])
        changes.setdefault((arm_of[row["patient_id"]], row["visit"]), []).append(
            (float(value - base), float(100 * (value - base) / base))
        )
    return changes


def test_the_two_arm_golden_against_scipy():
    """Every arm and visit to the switch visit (week 16; week 20 after it in no row), placebo
    (the reference) first at each visit: n, mean, SD and scipy's t interval of the changes."""
    golden = pl.read_csv(GOLDEN / "mean_change.csv")
    changes = _changes()
    assert golden.filter(pl.col("outcome") == CHANGE_OUTCOME).select("visit", "arm").rows() == [
        (visit, arm)
        for visit in ("week4", "week8", "week12", "week16")
        for arm in ("placebo", "active")
    ]
    assert "week20" not in golden["visit"].to_list()
    for row in golden.iter_rows(named=True):
        pairs = changes[(row["arm"], row["visit"])]
        values = np.array([p[0] if row["outcome"] == CHANGE_OUTCOME else p[1] for p in pairs])
        low, high = stats.ttest_1samp(values, 0).confidence_interval(0.95)
        assert row["n"] == len(values)
        assert row["mean"] == pytest.approx(values.mean(), rel=1e-12)
        assert row["sd"] == pytest.approx(values.std(ddof=1), rel=1e-12)
        assert (row["ci_low"], row["ci_high"]) == (
            pytest.approx(low, rel=1e-10),
            pytest.approx(high, rel=1e-10),
        )
