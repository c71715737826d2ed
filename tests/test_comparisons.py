"""Between-arm comparisons of responder endpoints, LOCF and time to response by arm: every number
against an independent computation (hand-worked Wilson/Newcombe, Katz, Woolf and CMH formulas,
scipy's hypergeometric distribution, lifelines and statsmodels on the raw arrays)."""

import math

import numpy as np
import polars as pl
import pytest
from lifelines.statistics import logrank_test
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff
from statsmodels.stats.contingency_tables import StratifiedTable

from pppflow.comparisons import (
    COMPARISONS_SCHEMA,
    comparisons,
    time_to_response_by_arm,
)
from pppflow.locf import carry_forward

Z95 = stats.norm.ppf(0.975)
ENDPOINT = [("PPPASI50", "pppasi50")]


def two_arm_frame(cells: dict[tuple[str, str], tuple[int, int]], weeks=None) -> pl.DataFrame:
    """One row per patient and visit from (arm, visit) -> (responders, evaluable); each cell has
    one extra non-evaluable patient (null), who must count nowhere."""
    weeks = weeks or {"week4": 4.0, "week12": 12.0}
    rows = []
    for (arm, visit), (k, n) in cells.items():
        values = [True] * k + [False] * (n - k) + [None]
        for i, value in enumerate(values):
            rows.append((f"{arm}-{visit}-{i}", arm, visit, weeks[visit], value is not None, value))
    return pl.DataFrame(
        rows,
        schema={
            "patient_id": pl.Utf8,
            "arm": pl.Utf8,
            "visit": pl.Utf8,
            "week": pl.Float64,
            "observed": pl.Boolean,
            "pppasi50": pl.Boolean,
        },
        orient="row",
    )


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_columns_are_the_contract_and_visits_follow_nominal_week():
    frame = two_arm_frame(
        {
            ("B", "week12"): (5, 8),
            ("A", "week12"): (2, 8),
            ("B", "week4"): (3, 8),
            ("A", "week4"): (1, 8),
        }
    )
    got = comparisons(frame, ENDPOINT, "A")
    assert got.columns == [
        "endpoint", "visit", "arm", "reference_arm", "responders", "evaluable",
        "reference_responders", "reference_evaluable", "rate_difference", "difference_ci_low",
        "difference_ci_high", "risk_ratio", "risk_ratio_ci_low", "risk_ratio_ci_high",
        "odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high", "p_fisher", "p_cmh", "missing",
        "method",
    ]  # fmt: skip
    assert got.schema == pl.Schema(COMPARISONS_SCHEMA)
    # "week12" sorts before "week4" as text: the order is the nominal week's.
    assert got.select("visit", "arm", "responders", "evaluable").rows() == [
        ("week4", "B", 3, 8),
        ("week12", "B", 5, 8),
    ]
    assert got["reference_responders"].to_list() == [1, 2]
    assert got["missing"].to_list() == ["observed", "observed"]
    assert got["p_cmh"].to_list() == [None, None]


def test_seven_of_ten_against_three_of_ten_by_hand():
    frame = two_arm_frame({("T", "week12"): (7, 10), ("P", "week12"): (3, 10)})
    row = comparisons(frame, ENDPOINT, "P", missing="nri").row(0, named=True)
    # Newcombe's hybrid score interval from the two Wilson intervals.
    l1, u1 = wilson(7, 10)
    l0, u0 = wilson(3, 10)
    assert row["rate_difference"] == pytest.approx(0.4, abs=1e-12)
    assert row["difference_ci_low"] == pytest.approx(
        0.4 - math.sqrt((0.7 - l1) ** 2 + (u0 - 0.3) ** 2), abs=1e-12
    )
    assert row["difference_ci_high"] == pytest.approx(
        0.4 + math.sqrt((u1 - 0.7) ** 2 + (0.3 - l0) ** 2), abs=1e-12
    )
    # Katz: RR 7/3 with SE^2 = 1/7 - 1/10 + 1/3 - 1/10.
    se_rr = math.sqrt(1 / 7 - 1 / 10 + 1 / 3 - 1 / 10)
    assert row["risk_ratio"] == pytest.approx(7 / 3)
    assert row["risk_ratio_ci_low"] == pytest.approx(7 / 3 * math.exp(-Z95 * se_rr))
    assert row["risk_ratio_ci_high"] == pytest.approx(7 / 3 * math.exp(Z95 * se_rr))
    # Woolf: OR 49/9 with SE^2 = 1/7 + 1/3 + 1/3 + 1/7.
    se_or = math.sqrt(2 / 7 + 2 / 3)
    assert row["odds_ratio"] == pytest.approx(49 / 9)
    assert row["odds_ratio_ci_low"] == pytest.approx(49 / 9 * math.exp(-Z95 * se_or))
    assert row["odds_ratio_ci_high"] == pytest.approx(49 / 9 * math.exp(Z95 * se_or))
    # Fisher two-sided: the hypergeometric tables no more likely than the observed one.
    pmf = stats.hypergeom(20, 10, 10).pmf(np.arange(11))
    assert row["p_fisher"] == pytest.approx(pmf[pmf <= pmf[7] * (1 + 1e-7)].sum())
    assert row["missing"] == "nri"
    assert "Newcombe" in row["method"] and "added" not in row["method"]


def test_confidence_level_reaches_every_interval():
    frame = two_arm_frame({("T", "week12"): (7, 10), ("P", "week12"): (3, 10)})
    row = comparisons(frame, ENDPOINT, "P", confidence_level=0.9).row(0, named=True)
    z = stats.norm.ppf(0.95)
    l1, _ = wilson(7, 10, z)
    _, u0 = wilson(3, 10, z)
    assert row["difference_ci_low"] == pytest.approx(
        0.4 - math.sqrt((0.7 - l1) ** 2 + (u0 - 0.3) ** 2), abs=1e-12
    )
    se_or = math.sqrt(2 / 7 + 2 / 3)
    assert row["odds_ratio_ci_high"] == pytest.approx(49 / 9 * math.exp(z * se_or))
    assert "90% CI" in row["method"]


def test_zero_cell_adds_one_half_to_every_cell():
    frame = two_arm_frame({("T", "week12"): (4, 8), ("P", "week12"): (0, 6)})
    row = comparisons(frame, ENDPOINT, "P").row(0, named=True)
    a, b, c, d = 4.5, 4.5, 0.5, 6.5
    rr = (a / 9) / (c / 7)
    se_rr = math.sqrt(1 / a - 1 / 9 + 1 / c - 1 / 7)
    odds = a * d / (b * c)
    se_or = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert row["risk_ratio"] == pytest.approx(rr)
    assert row["risk_ratio_ci_low"] == pytest.approx(rr * math.exp(-Z95 * se_rr))
    assert row["odds_ratio"] == pytest.approx(odds)
    assert row["odds_ratio_ci_high"] == pytest.approx(odds * math.exp(Z95 * se_or))
    assert "0.5 added to every cell" in row["method"]
    # The difference needs no correction: 0.5 - 0, Wilson's interval of 0/6 starts at 0.
    l1, _ = wilson(4, 8)
    _, u0 = wilson(0, 6)
    assert row["rate_difference"] == 0.5
    assert row["difference_ci_low"] == pytest.approx(
        0.5 - math.sqrt((0.5 - l1) ** 2 + u0**2), abs=1e-12
    )


def test_no_responder_in_either_arm_has_no_ratio():
    frame = two_arm_frame({("T", "week12"): (0, 5), ("P", "week12"): (0, 7)})
    row = comparisons(frame, ENDPOINT, "P").row(0, named=True)
    for name in ("risk_ratio", "risk_ratio_ci_low", "odds_ratio", "odds_ratio_ci_high"):
        assert row[name] is None
    assert row["rate_difference"] == 0.0
    assert row["p_fisher"] == 1.0
    assert "not estimable: no responder in either arm" in row["method"]


def test_no_evaluable_patient_gives_nulls_not_nan():
    frame = two_arm_frame(
        {
            ("T", "week12"): (3, 5),
            ("P", "week12"): (2, 5),
            ("T", "week4"): (2, 4),
            ("P", "week4"): (0, 0),
        }
    )
    row = comparisons(frame, ENDPOINT, "P").row(0, named=True)
    assert row["visit"] == "week4"
    assert (row["responders"], row["evaluable"], row["reference_evaluable"]) == (2, 4, 0)
    stat_columns = [k for k in COMPARISONS_SCHEMA if COMPARISONS_SCHEMA[k] == pl.Float64]
    assert all(row[k] is None for k in stat_columns)


def test_single_arm_gives_no_rows_and_unknown_reference_is_an_error():
    frame = two_arm_frame({("P", "week12"): (3, 5)})
    got = comparisons(frame, ENDPOINT, "P")
    assert got.height == 0 and got.columns == list(COMPARISONS_SCHEMA)
    with pytest.raises(ValueError, match="reference arm 'X'"):
        comparisons(frame, ENDPOINT, "X")
    with pytest.raises(ValueError, match="missing rule"):
        comparisons(frame, ENDPOINT, "P", missing="bocf")
    with pytest.raises(ValueError, match=r"endpoint column\(s\) \['pga_improved_2_grades'\]"):
        comparisons(frame, [*ENDPOINT, ("PGA≥2", "pga_improved_2_grades")], "P")
    with pytest.raises(ValueError, match=r"strata column\(s\) \['site'\]"):
        comparisons(frame, ENDPOINT, "P", strata=["site"])


def test_three_arms_each_against_the_reference():
    frame = two_arm_frame(
        {("P", "week12"): (1, 6), ("low", "week12"): (3, 6), ("high", "week12"): (5, 6)}
    )
    got = comparisons(frame.lazy(), ENDPOINT, "P")
    assert got.select("arm", "responders", "reference_responders").rows() == [
        ("high", 5, 1),
        ("low", 3, 1),
    ]
    assert got["rate_difference"].to_list() == pytest.approx([4 / 6, 2 / 6])


def stratified_frame() -> pl.DataFrame:
    # (arm, site, responded) counts: per site a 2x2 table, plus a patient without a site.
    spec = {
        ("T", "north", True): 4,
        ("T", "north", False): 2,
        ("P", "north", True): 1,
        ("P", "north", False): 5,
        ("T", "south", True): 3,
        ("T", "south", False): 3,
        ("P", "south", True): 2,
        ("P", "south", False): 4,
        # All one arm: no information, dropped from the CMH.
        ("T", "east", True): 2,
        ("T", None, True): 1,
    }
    rows = []
    for (arm, site, value), count in spec.items():
        for i in range(count):
            rows.append((f"{arm}{site}{value}{i}", arm, site, "week12", 12.0, True, value))
    return pl.DataFrame(
        rows,
        schema=["patient_id", "arm", "site", "visit", "week", "observed", "pppasi50"],
        orient="row",
    )


def test_cmh_against_statsmodels_and_the_formula():
    row = comparisons(stratified_frame(), ENDPOINT, "P", strata=["site"]).row(0, named=True)
    tables = [np.array([[4, 2], [1, 5]]), np.array([[3, 3], [2, 4]])]
    expected = StratifiedTable(tables).test_null_odds(correction=False).pvalue
    assert row["p_cmh"] == pytest.approx(expected, rel=1e-12)
    # The Mantel-Haenszel statistic by hand.
    num = sum(t[0, 0] - t[0].sum() * t[:, 0].sum() / t.sum() for t in tables)
    var = sum(
        t[0].sum() * t[1].sum() * t[:, 0].sum() * t[:, 1].sum() / (t.sum() ** 2 * (t.sum() - 1))
        for t in tables
    )
    assert row["p_cmh"] == pytest.approx(stats.chi2.sf(num**2 / var, 1), rel=1e-12)
    # The unstratified counts keep every patient: T 10/15 (north, south, east, no site).
    assert (row["responders"], row["evaluable"]) == (10, 15)
    assert "strata site" in row["method"]


def test_cmh_is_null_without_an_informative_stratum():
    frame = stratified_frame().filter(pl.col("site") != "south")
    frame = frame.with_columns(
        pl.when(pl.col("arm") == "P").then(pl.lit("west")).otherwise("site").alias("site")
    )
    row = comparisons(frame, ENDPOINT, "P", strata=["site"]).row(0, named=True)
    assert row["p_cmh"] is None
    assert row["p_fisher"] is not None


# LOCF -------------------------------------------------------------------------------------------


def locf_frame(missed_value=None) -> pl.DataFrame:
    # Visit labels sort differently as text than in time; rows deliberately out of order.
    rows = [
        ("a", "wk12", 12.0, True, 20, True),
        ("a", "wk2", None, False, None, missed_value),  # first follow-up missed: stays missing
        ("a", "wk4", 4.0, True, 30, False),
        ("a", "wk8", None, False, None, missed_value),  # carried from wk4
        ("a", "wk16", None, False, None, missed_value),  # carried from wk12
        ("b", "wk2", 2.0, True, 50, False),
        ("b", "wk4", None, False, None, missed_value),
        ("b", "wk8", 8.0, True, None, None),  # seen, PPPASI not scored: carried as null
        ("b", "wk12", None, False, None, missed_value),
        ("b", "wk16", 16.0, True, 5, True),
    ]
    return pl.DataFrame(
        rows,
        schema={
            "patient_id": pl.Utf8,
            "visit": pl.Utf8,
            "week": pl.Float64,
            "observed": pl.Boolean,
            "pppasi_visit_tenths": pl.Int64,
            "pppasi50": pl.Boolean,
        },
        orient="row",
    ).with_columns(pl.lit(60).alias("pppasi_baseline_tenths"), pl.lit("T").alias("arm"))


@pytest.mark.parametrize("missed_value", [None, False])
def test_carry_forward_fills_exactly_the_missed_visits(missed_value):
    frame = locf_frame(missed_value)
    got = carry_forward(frame)
    assert got.columns == [*frame.columns, "carried_forward_from"]
    # The observed rows and every other column untouched, the row order kept.
    assert got.drop("pppasi_visit_tenths", "pppasi50", "carried_forward_from").equals(
        frame.drop("pppasi_visit_tenths", "pppasi50")
    )
    assert got.select("patient_id", "visit", "pppasi_visit_tenths", "pppasi50", "carried_forward_from").rows() == [
        ("a", "wk12", 20, True, None),
        ("a", "wk2", None, None, None),
        ("a", "wk4", 30, False, None),
        ("a", "wk8", 30, False, "wk4"),
        ("a", "wk16", 20, True, "wk12"),
        ("b", "wk2", 50, False, None),
        ("b", "wk4", 50, False, "wk2"),
        ("b", "wk8", None, None, None),
        ("b", "wk12", None, None, "wk8"),
        ("b", "wk16", 5, True, None),
    ]  # fmt: skip


def test_carry_forward_keeps_laziness_and_takes_named_columns():
    frame = locf_frame().with_columns(pl.col("pppasi50").alias("dlqi:remission"))
    got = carry_forward(frame.lazy(), columns=["dlqi:remission"])
    assert isinstance(got, pl.LazyFrame)
    got = got.collect()
    assert got["dlqi:remission"].to_list() == [
        True,
        None,
        False,
        False,
        True,
        False,
        False,
        None,
        None,
        True,
    ]
    # Only the named column is filled.
    assert got["pppasi50"].to_list() == frame["pppasi50"].to_list()


def test_comparisons_after_carry_forward_count_the_filled_visits():
    frame = locf_frame().vstack(
        locf_frame().with_columns(
            pl.lit("P").alias("arm"), ("p" + pl.col("patient_id")).alias("patient_id")
        )
    )
    got = comparisons(carry_forward(frame), ENDPOINT, "P", missing="locf")
    week8 = got.filter(pl.col("visit") == "wk8").row(0, named=True)
    assert (week8["responders"], week8["evaluable"]) == (0, 1)
    assert got["missing"].unique().to_list() == ["locf"]


# Time to response ---------------------------------------------------------------------------------

# (patient, arm, week, observed, pppasi50)
TTR_ROWS = [
    ("a1", "A", 4.0, True, False), ("a1", "A", 8.0, True, True),
    ("a2", "A", 4.0, True, True),
    ("a3", "A", 4.0, True, False), ("a3", "A", 8.0, True, False), ("a3", "A", 12.0, True, False),
    ("a4", "A", 4.0, True, False), ("a4", "A", None, False, None),
    ("a5", "A", 4.0, True, False), ("a5", "A", 12.0, True, True),
    ("b1", "B", 4.0, True, False), ("b1", "B", 8.0, True, False), ("b1", "B", 12.0, True, True),
    ("b2", "B", 4.0, True, False), ("b2", "B", 8.0, True, False), ("b2", "B", 12.0, True, False),
    ("b3", "B", 4.0, True, False), ("b3", "B", 8.0, True, True),
    ("b4", "B", 4.0, True, False), ("b4", "B", 12.0, True, False),
    ("c1", "C", 4.0, True, True), ("c2", "C", 4.0, True, True), ("c3", "C", 8.0, True, True),
]  # fmt: skip
# Per patient: weeks to first response or censoring, and whether it is a response.
TTR_A = ([8, 4, 12, 4, 12], [1, 1, 0, 0, 1])
TTR_B = ([12, 12, 8, 12], [1, 0, 1, 0])
TTR_C = ([4, 4, 8], [1, 1, 1])


def ttr_frame(arms=("A", "B")) -> pl.DataFrame:
    frame = pl.DataFrame(
        TTR_ROWS, schema=["patient_id", "arm", "week", "observed", "pppasi50"], orient="row"
    ).with_columns(pl.col("pppasi50").alias("pppasi75"), pl.lit("v").alias("visit"))
    return frame.filter(pl.col("arm").is_in(arms))


def test_time_to_response_by_arm_two_arms_against_lifelines_and_statsmodels():
    got = time_to_response_by_arm(ttr_frame(), "B", thresholds=[50])
    assert got.columns == [
        "endpoint",
        "arm",
        "n",
        "events",
        "median_weeks",
        "ci_low",
        "ci_high",
        "p_logrank",
    ]
    assert got.select("endpoint", "arm", "n", "events").rows() == [
        ("PPPASI50", "B", 4, 2),
        ("PPPASI50", "A", 5, 3),
    ]
    expected = logrank_test(
        *TTR_B[:1], *TTR_A[:1], event_observed_A=TTR_B[1], event_observed_B=TTR_A[1]
    )
    assert got["p_logrank"].to_list() == pytest.approx([expected.p_value] * 2, rel=1e-10)
    # A: S = 4/5, 8/15, 4/15 at weeks 4, 8, 12 (statsmodels agrees); B: S = 3/4 at 8 and exactly
    # 1/2 at 12, the median (lifelines' convention S <= 1/2; statsmodels' wants S < 1/2).
    weeks, events = TTR_A
    fit = SurvfuncRight(np.array(weeks, float), np.array(events, float))
    assert fit.quantile(0.5) == 12
    assert got["median_weeks"].to_list() == [12.0, 12.0]


def test_time_to_response_three_arms_logrank_against_statsmodels():
    got = time_to_response_by_arm(ttr_frame(("A", "B", "C")), "A", thresholds=[50, 75])
    assert got["arm"].to_list() == ["A", "B", "C"] * 2
    times = np.array(TTR_A[0] + TTR_B[0] + TTR_C[0], float)
    events = np.array(TTR_A[1] + TTR_B[1] + TTR_C[1], float)
    groups = np.array(["A"] * 5 + ["B"] * 4 + ["C"] * 3)
    _, p_value = survdiff(times, events, groups)
    assert got["p_logrank"].to_list() == pytest.approx([p_value] * 6, rel=1e-8)
    assert got.filter(pl.col("arm") == "C")["median_weeks"].to_list() == [4.0, 4.0]


def test_time_to_response_single_arm_has_no_logrank():
    got = time_to_response_by_arm(ttr_frame(("A",)), "A", thresholds=[50])
    assert got.select("arm", "n", "events", "p_logrank").rows() == [("A", 5, 3, None)]
