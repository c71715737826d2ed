"""Continuous endpoints between arms: ANCOVA against statsmodels' formula fit and least squares by
hand, Hodges-Lehmann and its Moses interval against enumeration of every arrangement, the
Mann-Whitney P against the exact permutation distribution and scipy."""

import itertools
import math

import numpy as np
import polars as pl
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from pppflow.continuous_comparisons import (
    CHANGE_OUTCOME,
    CONTINUOUS_SCHEMA,
    PERCENT_CHANGE_OUTCOME,
    continuous_comparisons,
    hodges_lehmann_shift,
    mann_whitney_counts,
    moses_rank,
)

# (patient, arm, baseline tenths, {visit: tenths or None})
PATIENTS = [
    ("p1", "P", 120, {"w4": 110, "w12": 100}),
    ("p2", "P", 90, {"w4": 95, "w12": 60}),
    ("p3", "P", 150, {"w4": 120, "w12": 141}),
    ("p4", "P", 60, {"w4": 58, "w12": None}),
    ("p5", "P", 200, {"w4": 172, "w12": 152}),
    ("t1", "T", 110, {"w4": 70, "w12": 30}),
    ("t2", "T", 130, {"w4": 88, "w12": 47}),
    ("t3", "T", 80, {"w4": 75, "w12": 21}),
    ("t4", "T", 170, {"w4": None, "w12": 64}),
    ("t5", "T", 95, {"w4": 50, "w12": 9}),
    ("t6", "T", 140, {"w4": 101, "w12": 88}),
    ("h1", "H", 100, {"w4": 40, "w12": 10}),
    ("h2", "H", 160, {"w4": 80, "w12": 33}),
    ("h3", "H", 70, {"w4": 66, "w12": 12}),
    ("h4", "H", 125, {"w4": 63, "w12": 51}),
]
WEEKS = {"w4": 4.0, "w12": 12.0}


def frame(arms=("P", "T")) -> pl.DataFrame:
    rows = [
        (pid, arm, visit, WEEKS[visit] if v is not None else None, v is not None, base, v)
        for pid, arm, base, visits in PATIENTS
        if arm in arms
        for visit, v in visits.items()
    ]
    return pl.DataFrame(
        rows,
        schema={
            "patient_id": pl.Utf8,
            "arm": pl.Utf8,
            "visit": pl.Utf8,
            "week": pl.Float64,
            "observed": pl.Boolean,
            "pppasi_baseline_tenths": pl.Int64,
            "pppasi_visit_tenths": pl.Int64,
        },
        orient="row",
    )


def raw(visit: str, arms=("P", "T")) -> pl.DataFrame:
    """The analysis data by hand: change and percent change in plain Python."""
    rows = [
        (arm, base / 10, (v - base) / 10, 100 * (v - base) / base)
        for _, arm, base, visits in PATIENTS
        if arm in arms and (v := visits[visit]) is not None
    ]
    return pl.DataFrame(rows, schema=["arm", "baseline", "change", "percent"], orient="row")


def test_two_arm_ancova_against_the_formula_fit():
    got = continuous_comparisons(frame(), "P", confidence_level=0.9)
    assert got.columns == list(CONTINUOUS_SCHEMA)
    assert got.select("outcome", "visit", "arm", "n", "reference_n").rows() == [
        (CHANGE_OUTCOME, "w4", "T", 5, 5),
        (CHANGE_OUTCOME, "w12", "T", 6, 4),
        (PERCENT_CHANGE_OUTCOME, "w4", "T", 5, 5),
        (PERCENT_CHANGE_OUTCOME, "w12", "T", 6, 4),
    ]
    for outcome, column in ((CHANGE_OUTCOME, "change"), (PERCENT_CHANGE_OUTCOME, "percent")):
        for visit in ("w4", "w12"):
            data = raw(visit).to_pandas()
            fit = smf.ols(f"{column} ~ C(arm, Treatment('P')) + baseline", data).fit()
            name = "C(arm, Treatment('P'))[T.T]"
            low, high = fit.conf_int(alpha=0.1).loc[name]
            row = got.filter((pl.col("outcome") == outcome) & (pl.col("visit") == visit))
            row = row.row(0, named=True)
            assert row["ls_mean_difference"] == pytest.approx(fit.params[name], rel=1e-10)
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), rel=1e-10)
            assert row["p_value"] == pytest.approx(fit.pvalues[name], rel=1e-8)
            assert f"df {fit.df_resid:g}" in row["method"]


def test_three_arm_ancova_by_least_squares():
    got = continuous_comparisons(frame(("P", "T", "H")), "P")
    row = got.filter((pl.col("outcome") == CHANGE_OUTCOME) & (pl.col("visit") == "w12"))
    assert row["arm"].to_list() == ["H", "T"]
    data = raw("w12", ("P", "T", "H"))
    y = data["change"].to_numpy()
    x = np.column_stack(
        [
            np.ones(len(y)),
            (data["arm"] == "H").to_numpy(),
            (data["arm"] == "T").to_numpy(),
            data["baseline"].to_numpy(),
        ]
    ).astype(float)
    beta = np.linalg.solve(x.T @ x, x.T @ y)
    df = len(y) - 4
    sigma2 = float(((y - x @ beta) ** 2).sum()) / df
    se = np.sqrt(sigma2 * np.diag(np.linalg.inv(x.T @ x)))
    t = stats.t.ppf(0.975, df)
    for i, arm in ((1, "H"), (2, "T")):
        r = row.filter(pl.col("arm") == arm).row(0, named=True)
        assert r["ls_mean_difference"] == pytest.approx(beta[i], rel=1e-9)
        assert r["ci_high"] == pytest.approx(beta[i] + t * se[i], rel=1e-9)
        assert r["p_value"] == pytest.approx(2 * stats.t.sf(abs(beta[i] / se[i]), df), rel=1e-7)


def test_percent_change_leaves_out_a_zero_baseline_the_change_keeps_it():
    extra = pl.DataFrame(
        {
            "patient_id": ["z"],
            "arm": ["T"],
            "visit": ["w12"],
            "week": [12.0],
            "observed": [True],
            "pppasi_baseline_tenths": [0],
            "pppasi_visit_tenths": [5],
        }
    )
    got = continuous_comparisons(pl.concat([frame(), extra]), "P").filter(pl.col("visit") == "w12")
    assert got.select("outcome", "n").rows() == [(CHANGE_OUTCOME, 7), (PERCENT_CHANGE_OUTCOME, 6)]


def all_arrangements_u(m: int, n: int) -> list[int]:
    """U = #(arm value > reference value) over every way to choose the arm's ranks."""
    counts = [0] * (m * n + 1)
    for ranks in itertools.combinations(range(m + n), m):
        u = sum(r - i for i, r in enumerate(ranks))  # reference values below each arm value
        counts[u] += 1
    return counts


@pytest.mark.parametrize(("m", "n"), [(3, 3), (3, 4), (5, 2), (8, 8)])
def test_u_distribution_against_enumeration(m, n):
    assert mann_whitney_counts(m, n) == all_arrangements_u(m, n)


def test_hodges_lehmann_three_against_three_by_hand():
    arm = np.array([-4.0, -1.5, 2.0])
    reference = np.array([-1.0, 0.5, 3.0])
    # The 9 differences: -3, -4.5, -7, -0.5, -2, -4.5, 3, 1.5, -1 -> sorted
    # -7, -4.5, -4.5, -3, -2, -1, -0.5, 1.5, 3: median -2.
    estimate, low, high, note = hodges_lehmann_shift(arm, reference, 0.95)
    assert estimate == -2.0
    # P(U <= 0) = 1/20 = 0.05 > 0.025: no 95% interval with 3 and 3 patients ...
    assert (low, high) == (None, None) and "no Hodges-Lehmann interval" in note
    # ... while at 90% k = 1: the extreme differences, with coverage 1 - 2/20 exactly.
    estimate, low, high, note = hodges_lehmann_shift(arm, reference, 0.9)
    assert (low, high) == (-7.0, 3.0)
    assert "D(1), D(9)" in note and "exact" in note


def test_moses_rank_exact_and_normal():
    # Exact: the largest k with P(U <= k - 1) <= 0.025, from the enumerated distribution.
    counts = np.array(all_arrangements_u(8, 8))
    cdf = np.cumsum(counts) / math.comb(16, 8)
    expected = int(np.sum(cdf <= 0.025))
    assert moses_rank(8, 8, 0.95, exact=True) == expected == 14
    # Normal approximation (Hollander & Wolfe) by hand: 40 x 30 / 2 - 1.96 sqrt(40 30 71 / 12).
    z = stats.norm.ppf(0.975)
    assert moses_rank(40, 30, 0.95, exact=False) == math.floor(600 - z * math.sqrt(1200 * 71 / 12))


def test_hodges_lehmann_and_mann_whitney_in_the_table():
    got = continuous_comparisons(frame(), "P").filter(pl.col("outcome") == CHANGE_OUTCOME)
    for visit in ("w4", "w12"):
        data = raw(visit)
        arm = data.filter(pl.col("arm") == "T")["change"].to_numpy()
        ref = data.filter(pl.col("arm") == "P")["change"].to_numpy()
        row = got.filter(pl.col("visit") == visit).row(0, named=True)
        differences = sorted(a - r for a in arm for r in ref)
        assert row["hodges_lehmann"] == pytest.approx(float(np.median(differences)))
        # No ties in these data, small arms: exact U distribution, rank by enumeration.
        assert len(set(arm) | set(ref)) == len(arm) + len(ref)
        m, n = len(arm), len(ref)
        cdf = np.cumsum(all_arrangements_u(m, n)) / math.comb(m + n, m)
        k = int(np.sum(cdf <= 0.025))
        assert row["hl_ci_low"] == pytest.approx(differences[k - 1])
        assert row["hl_ci_high"] == pytest.approx(differences[m * n - k])
        # Exact two-sided P: twice the smaller tail of the U distribution at the observed U.
        u = sum(a > r for a in arm for r in ref)
        p_exact = min(1.0, 2 * min(cdf[u], 1 - (cdf[u - 1] if u else 0)))
        assert row["p_mann_whitney"] == pytest.approx(p_exact, rel=1e-10)


def test_ties_use_the_normal_approximation():
    # Percent change: arms large enough for an interval, tied values.
    arm = np.array([-50.0, -50.0, -40.0, -75.0, -60.0, -20.0, -50.0, -90.0, -35.0, -80.0])
    reference = np.array([-10.0, -20.0, 0.0, 5.0, -20.0, -30.0, -15.0, -10.0, 10.0])
    estimate, low, high, note = hodges_lehmann_shift(arm, reference, 0.95)
    k = math.floor(45 - stats.norm.ppf(0.975) * math.sqrt(90 * 20 / 12))
    differences = np.sort(np.subtract.outer(arm, reference).ravel())
    assert estimate == float(np.median(differences))
    assert (low, high) == (differences[k - 1], differences[90 - k])
    assert "normal approximation" in note


def test_an_arm_without_patients_at_a_visit_and_a_single_arm():
    data = frame().with_columns(
        pl.when((pl.col("arm") == "T") & (pl.col("visit") == "w4"))
        .then(None)
        .otherwise(pl.col("pppasi_visit_tenths"))
        .alias("pppasi_visit_tenths")
    )
    row = continuous_comparisons(data, "P").row(0, named=True)
    assert (row["visit"], row["n"], row["reference_n"]) == ("w4", 0, 5)
    for name in ("ls_mean_difference", "ci_low", "p_value", "hodges_lehmann", "p_mann_whitney"):
        assert row[name] is None
    assert "no ANCOVA" in row["method"]
    single = continuous_comparisons(frame(("P",)), "P")
    assert single.height == 0 and single.columns == list(CONTINUOUS_SCHEMA)
