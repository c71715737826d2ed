"""Response classification and rates, against Fraction arithmetic and textbook intervals."""

import math
from fractions import Fraction

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from pppflow.fast_paths.response import grid_by_position, responses_table
from pppflow.response import (
    classify_responses,
    clopper_pearson,
    patient_visit_grid,
    per_patient,
    response_rates,
)

# Each example runs polars queries, whose time varies on a loaded machine: no deadline.
QUERIES = settings(deadline=None)
THRESHOLDS = (50, 75, 90, 100)
PPPASI_SCHEMA = {
    "patient_id": pl.Utf8,
    "visit": pl.Utf8,
    "week": pl.Float64,
    "pppasi_tenths": pl.Int64,
    "pga": pl.Int64,
}


def pppasi_frame(rows: list[tuple]) -> pl.LazyFrame:
    return pl.DataFrame(rows, schema=PPPASI_SCHEMA, orient="row").lazy()


def classify(rows: list[tuple], missing: str = "observed") -> pl.DataFrame:
    """Every way, which must agree: the lazy query, and the loaded table's with the fast paths
    off and on (on: by position where each patient's rows are together, as in most cases here)."""
    lazy = classify_responses(pppasi_frame(rows), "baseline", missing).collect()
    for fast_paths in (False, True):
        loaded = responses_table(
            pppasi_frame(rows).collect(), "baseline", missing, fast_paths=fast_paths
        )
        assert loaded.equals(lazy)
    return lazy


def reference_responder(baseline: int, at_visit: int, threshold: int) -> bool:
    return Fraction(100 * (baseline - at_visit), baseline) >= threshold


def classify_pair(baseline: int, at_visit: int) -> dict:
    rows = [("p", "baseline", 0.0, baseline, None), ("p", "week12", 12.0, at_visit, None)]
    return classify(rows).row(0, named=True)


@QUERIES
@given(st.integers(1, 720), st.integers(0, 720))
def test_pppasi_responses_match_fraction_arithmetic(baseline, at_visit):
    row = classify_pair(baseline, at_visit)
    for x in THRESHOLDS:
        assert row[f"pppasi{x}"] == reference_responder(baseline, at_visit, x)
    assert row["evaluable"] is True
    assert row["improvement_pct"] == pytest.approx(100 * (baseline - at_visit) / baseline)


@QUERIES
@given(st.integers(1, 720), st.sampled_from(THRESHOLDS), st.integers(-2, 2))
def test_pppasi_responses_at_and_around_each_threshold(baseline, threshold, offset):
    # The highest visit value that still meets the threshold exactly is
    # floor(b (100 - X) / 100); step around it by a tenth or two.
    boundary = baseline * (100 - threshold) // 100
    at_visit = boundary + offset
    if not 0 <= at_visit <= 720:
        return
    row = classify_pair(baseline, at_visit)
    assert row[f"pppasi{threshold}"] == reference_responder(baseline, at_visit, threshold)
    assert row[f"pppasi{threshold}"] == (offset <= 0)


def test_exact_threshold_cases_that_floats_get_wrong():
    # 2.8 -> 0.7 is 75 % exactly; in floats (2.8 - 0.7) / 2.8 * 100 is 74.99999999999999.
    assert (2.8 - 0.7) / 2.8 * 100 < 75
    row = classify_pair(28, 7)
    assert (row["pppasi50"], row["pppasi75"], row["pppasi90"]) == (True, True, False)
    # 12.0 -> 1.2 is 90 % exactly.
    row = classify_pair(120, 12)
    assert (row["pppasi90"], row["pppasi100"]) == (True, False)
    # 0.1 short of each boundary is not a response.
    assert classify_pair(28, 8)["pppasi75"] is False
    assert classify_pair(120, 13)["pppasi90"] is False


def test_worsening_is_no_response():
    row = classify_pair(60, 90)
    assert [row[f"pppasi{x}"] for x in THRESHOLDS] == [False] * 4
    assert row["improvement_pct"] == -50.0


@pytest.mark.parametrize("missing", ["observed", "nri"])
def test_baseline_zero_is_not_evaluable_under_either_rule(missing):
    rows = [
        ("z", "baseline", 0.0, 0, 2),
        ("z", "week12", 12.0, 0, 0),
        ("y", "baseline", 0.0, 0, 2),  # baseline 0 and no visit: still not evaluable
    ]
    out = classify(rows, missing)
    assert out["status"].to_list() == ["baseline_zero", "baseline_zero"]
    assert out["evaluable"].to_list() == [False, False]
    for x in THRESHOLDS:
        assert out[f"pppasi{x}"].to_list() == [None, None]
    assert out["improvement_pct"].to_list() == [None, None]
    # PGA endpoints need no PPPASI baseline.
    assert out["pga_clear_or_almost_clear"].to_list()[0] is True
    assert out["pga_improved_2_grades"].to_list()[0] is True


def test_missing_visit_observed_leaves_out_and_nri_counts_as_non_responder():
    rows = [("d", "baseline", 0.0, 100, 3), ("d", "week4", 4.0, 40, 2)]  # no week12
    rows += [("e", "baseline", 0.0, 100, 3), ("e", "week12", 12.0, 0, 0)]
    observed = classify(rows, "observed").filter(pl.col("patient_id") == "d")
    nri = classify(rows, "nri").filter(pl.col("patient_id") == "d")
    assert observed["visit"].to_list() == nri["visit"].to_list() == ["week4", "week12"]
    dropout_obs, dropout_nri = observed.row(1, named=True), nri.row(1, named=True)
    assert dropout_obs["observed"] is False and dropout_obs["status"] == "missing"
    assert dropout_obs["evaluable"] is False
    assert dropout_nri["evaluable"] is True
    for x in THRESHOLDS:
        assert dropout_obs[f"pppasi{x}"] is None
        assert dropout_nri[f"pppasi{x}"] is False
    assert dropout_obs["pga_clear_or_almost_clear"] is None
    assert dropout_nri["pga_clear_or_almost_clear"] is False
    assert dropout_nri["pga_improved_2_grades"] is False
    # The visit the patient had is judged the same under both rules: 60 % better.
    assert observed.row(0) == nri.row(0)
    assert observed.row(0, named=True)["pppasi50"] is True


@QUERIES
@given(st.integers(0, 5), st.integers(0, 5))
def test_pga_endpoints(baseline, at_visit):
    rows = [("p", "baseline", 0.0, 50, baseline), ("p", "week12", 12.0, 10, at_visit)]
    row = classify(rows).row(0, named=True)
    assert row["pga_clear_or_almost_clear"] == (at_visit in (0, 1))
    assert row["pga_improved_2_grades"] == (baseline - at_visit >= 2)


def test_pga_not_recorded_is_not_evaluable():
    rows = [("p", "baseline", 0.0, 50, None), ("p", "week12", 12.0, 10, 1)]
    rows += [("q", "baseline", 0.0, 50, 3), ("q", "week12", 12.0, 10, None)]
    out = classify(rows, "nri")
    assert out["pga_clear_or_almost_clear"].to_list() == [True, None]
    assert out["pga_improved_2_grades"].to_list() == [None, None]


def test_visits_in_time_order_and_patients_in_input_order():
    rows = [
        ("10", "baseline", 0.0, 100, None),
        ("10", "week24", 24.0, 10, None),
        ("10", "week4", 4.0, 50, None),
        ("2", "baseline", 0.0, 100, None),
        ("2", "week4", 5.0, 70, None),
        ("2", "week12", 12.0, 30, None),
    ]
    out = classify(rows)
    assert out.select("patient_id", "visit", "week", "observed").rows() == [
        ("10", "week4", 4.0, True),
        ("10", "week12", None, False),
        ("10", "week24", 24.0, True),
        ("2", "week4", 5.0, True),
        ("2", "week12", 12.0, True),
        ("2", "week24", None, False),
    ]
    rates = response_rates(out.lazy(), "observed", 0.95).filter(pl.col("endpoint") == "PPPASI50")
    # Nominal week of a visit: the median of the weeks recorded for it (4 and 5 -> 4.5).
    assert rates.select("visit", "week").rows() == [
        ("week4", 4.5),
        ("week12", 12.0),
        ("week24", 24.0),
    ]


def test_unknown_missing_rule_is_refused():
    with pytest.raises(ValueError, match="missing rule 'locf'"):
        classify_responses(pppasi_frame([]), "baseline", "locf")


# --- per patient ---------------------------------------------------------------------------


def test_per_patient_has_the_contract_columns_and_one_decimal_points():
    rows = [("a", "baseline", 0.0, 28, 2), ("a", "week12", 12.0, 7, 1)]
    rows += [("b", "baseline", 0.0, 486, 5), ("b", "week12", 12.0, 38, 1)]
    table = per_patient(classify(rows).lazy(), "week12").collect()
    assert table.columns[:12] == [
        "patient_id",
        "pppasi_baseline",
        "pppasi_endpoint",
        "improvement_pct",
        "pppasi50",
        "pppasi75",
        "pppasi90",
        "pppasi100",
        "pga_baseline",
        "pga_endpoint",
        "pga_clear_or_almost_clear",
        "pga_improved_2_grades",
    ]
    assert table["pppasi_baseline"].to_list() == [2.8, 48.6]
    assert table["pppasi_endpoint"].to_list() == [0.7, 3.8]
    # 100 x 448 / 486 = 92.181..., shown to 2 decimals.
    assert table["improvement_pct"].to_list() == [75.0, 92.18]


# --- rates ---------------------------------------------------------------------------------


def test_clopper_pearson_matches_scipy_exact_interval_and_its_definition():
    for n in (1, 2, 5, 20, 57):
        for k in range(n + 1):
            low, high = clopper_pearson([k], [n], 0.95)
            ci = stats.binomtest(k, n).proportion_ci(0.95, method="exact")
            assert low[0] == pytest.approx(ci.low, abs=1e-12)
            assert high[0] == pytest.approx(ci.high, abs=1e-12)
            # Definition: at the lower bound P(X >= k) = 2.5 %, at the upper P(X <= k) = 2.5 %.
            if k > 0:
                assert stats.binom.sf(k - 1, n, low[0]) == pytest.approx(0.025)
            if k < n:
                assert stats.binom.cdf(k, n, high[0]) == pytest.approx(0.025)
    # Closed forms: k = n gives low = (alpha/2)^(1/n); k = 0 gives high = 1 - (alpha/2)^(1/n).
    low, high = clopper_pearson([5, 0], [5, 5], 0.95)
    assert (low[0], high[0]) == (pytest.approx(0.025 ** (1 / 5)), 1.0)
    assert (low[1], high[1]) == (0.0, pytest.approx(1 - 0.025 ** (1 / 5)))
    low, high = clopper_pearson([3], [0], 0.95)
    assert math.isnan(low[0]) and math.isnan(high[0])


def test_confidence_level_is_honoured():
    low95, high95 = clopper_pearson([4], [10], 0.95)
    low90, high90 = clopper_pearson([4], [10], 0.90)
    ci = stats.binomtest(4, 10).proportion_ci(0.90, method="exact")
    assert (low90[0], high90[0]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert low95[0] < low90[0] < 0.4 < high90[0] < high95[0]


patient_case = st.tuples(
    st.integers(0, 60),  # baseline tenths (0 included)
    st.one_of(st.none(), st.integers(0, 80)),  # week12 tenths, None = no visit
    st.one_of(st.none(), st.integers(0, 4)),  # baseline PGA
    st.one_of(st.none(), st.integers(0, 4)),  # week12 PGA
)


@settings(QUERIES, max_examples=60)
@given(st.lists(patient_case, min_size=1, max_size=25))
def test_rates_are_counts_over_counts_and_every_patient_is_accounted_for(cases):
    rows = []
    for i, (b, v, pga_b, pga_v) in enumerate(cases):
        rows.append((f"p{i}", "baseline", 0.0, b, pga_b))
        if v is not None:
            rows.append((f"p{i}", "week12", 12.0, v, pga_v))
    rows.append(("anchor", "baseline", 0.0, 10, 1))  # so week12 exists in every draw
    rows.append(("anchor", "week12", 12.0, 5, 1))
    cases.append((10, 5, 1, 1))
    n = len(cases)
    for missing in ("observed", "nri"):
        rates = response_rates(classify(rows, missing).lazy(), missing, 0.95)
        by_endpoint = {r["endpoint"]: r for r in rates.to_dicts()}
        for x in THRESHOLDS:
            row = by_endpoint[f"PPPASI{x}"]
            judged = [(b, v) for b, v, _, _ in cases if b > 0 and v is not None]
            no_visit = sum(1 for b, v, _, _ in cases if b > 0 and v is None)
            assert row["responders"] == sum(reference_responder(b, v, x) for b, v in judged)
            assert row["not_evaluable"] == sum(1 for b, _, _, _ in cases if b == 0)
            assert row["missing"] == no_visit
            imputed = no_visit if missing == "nri" else 0
            assert row["evaluable"] == len(judged) + imputed
            if missing == "observed":
                assert row["evaluable"] + row["not_evaluable"] + row["missing"] == n
            else:
                assert row["evaluable"] + row["not_evaluable"] == n
            expected_rate = row["responders"] / row["evaluable"] if row["evaluable"] else None
            assert row["rate"] == expected_rate
        clear = by_endpoint["PGA0/1"]
        seen = [pv for _, v, _, pv in cases if v is not None]
        assert clear["responders"] == sum(1 for pv in seen if pv is not None and pv <= 1)
        assert clear["not_evaluable"] == sum(1 for pv in seen if pv is None)
        improved = by_endpoint["PGA≥2"]
        assert improved["responders"] == sum(
            1
            for _, v, pb, pv in cases
            if v is not None and pb is not None and pv is not None and pb - pv >= 2
        )
        assert improved["missing"] == sum(
            1 for _, v, pb, _ in cases if v is None and pb is not None
        )


# --- the grid by position ------------------------------------------------------------------


def _synthetic_pppasi(tmp_path) -> pl.DataFrame:
    from pppflow.fast_paths.pppasi import pppasi_table
    from pppflow.synth import SynthSpec, generate_cohort
    from pppflow.validate import CohortFiles, validate_cohort

    cohort = generate_cohort(SynthSpec(n_patients=400, seed=5))
    paths = {}
    for role in ("patients", "visits", "components"):
        paths[role] = str(tmp_path / f"{role}.parquet")
        getattr(cohort, role).write_parquet(paths[role])
    valid = validate_cohort(
        CohortFiles(**paths, baseline_visit="baseline", endpoint_visit="week12", pga_max=4)
    )
    return pppasi_table(valid.visits, valid.components, fast_paths=True)


@pytest.mark.parametrize("missing", ["observed", "nri"])
def test_positional_grid_equals_the_joined_one(tmp_path, missing):
    pppasi = _synthetic_pppasi(tmp_path)
    joined = patient_visit_grid(pppasi.lazy(), "baseline").collect()
    # Some patients lack a follow-up visit: their cells are the nulls of the left join.
    assert 0 < joined["observed"].not_().sum() < joined.height
    positional = grid_by_position(pppasi, "baseline")
    assert positional is not None
    assert positional.collect().equals(joined)
    expected = classify_responses(pppasi.lazy(), "baseline", missing).collect()
    assert responses_table(pppasi, "baseline", missing, fast_paths=True).equals(expected)
    # Visits of a patient in another order: still one run per patient, the same grid.
    # (baseline last, the rest kept in their order).
    patient_run = pl.col("patient_id").ne_missing(pl.col("patient_id").shift(1)).cum_sum()
    reordered = pppasi.sort(patient_run, pl.col("visit") == "baseline", maintain_order=True)
    assert not reordered["visit"].equals(pppasi["visit"])
    assert grid_by_position(reordered, "baseline").collect().equals(joined)


def test_positional_grid_refuses_what_it_cannot_prove(tmp_path):
    pppasi = _synthetic_pppasi(tmp_path)
    # Rows shuffled: a patient's rows are apart. The loaded table's path gives the same table.
    shuffled = pppasi.sample(fraction=1.0, shuffle=True, seed=2)
    assert grid_by_position(shuffled, "baseline") is None
    expected = classify_responses(shuffled.lazy(), "baseline", "observed").collect()
    assert responses_table(shuffled, "baseline", "observed", fast_paths=True).equals(expected)
    first = pppasi["patient_id"][0]
    follow_up = pppasi.filter((pl.col("patient_id") == first) & (pl.col("visit") != "baseline"))
    first_follow_up = follow_up["visit"][0]
    # A patient's rows split in two runs (its first row moved to the end).
    split = pl.concat([pppasi.slice(1), pppasi.slice(0, 1)])
    assert grid_by_position(split, "baseline") is None
    # A patient without a baseline row, and one with two.
    no_baseline = pppasi.filter((pl.col("patient_id") != first) | (pl.col("visit") != "baseline"))
    assert grid_by_position(no_baseline, "baseline") is None
    twice = pppasi.with_columns(
        pl.when((pl.col("patient_id") == first) & (pl.col("visit") == first_follow_up))
        .then(pl.lit("baseline"))
        .otherwise(pl.col("visit"))
        .alias("visit")
    )
    assert grid_by_position(twice, "baseline") is None
    # A follow-up visit twice for one patient.
    duplicated = pl.concat([follow_up.head(1), pppasi])
    assert grid_by_position(duplicated, "baseline") is None
    # A missing patient id or visit label.
    for key in ("patient_id", "visit"):
        first_missing = pl.when(pl.int_range(pl.len()) == 0).then(None).otherwise(pl.col(key))
        assert grid_by_position(pppasi.with_columns(first_missing.alias(key)), "baseline") is None


def test_positional_grid_of_baselines_only():
    rows = [("a", "baseline", 0.0, 50, 2), ("b", "baseline", 0.0, 40, 1)]
    pppasi = pppasi_frame(rows).collect()
    grid = grid_by_position(pppasi, "baseline")
    assert grid is not None
    assert grid.collect().equals(patient_visit_grid(pppasi.lazy(), "baseline").collect())
    assert grid.collect().height == 0
