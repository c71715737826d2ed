"""Randomised arms: the per-arm rows of the result tables (pppflow/arms.py) and, on the fixed
two-arm cohort (tests/cohorts/two_arm), each arm's rates recounted here from its CSV files with
plain Python. The goldens are what the workflow writes (tests/test_golden.py checks that)."""

import csv
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from pppflow import response
from pppflow.arm_settings import design_from_config
from pppflow.arms import (
    arm_assignment,
    arms_in_order,
    nominal_week,
    per_arm_rows,
    pooled_rows,
    randomised_period,
)

ROOT = Path(__file__).resolve().parents[1]
COHORT = ROOT / "tests" / "cohorts" / "two_arm"
GOLDEN = ROOT / "tests" / "golden" / "two_arm"
ARMS = ("placebo", "active")


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _tenths(text: str) -> int:
    return int(Decimal(text) * 10)


def _arm_of() -> dict[str, str]:
    return {row["patient_id"]: row["arm"] for row in _rows(COHORT / "patients.csv")}


def _scores() -> dict[tuple[str, str], dict]:
    return {(row["patient_id"], row["visit"]): row for row in _rows(COHORT / "visits.csv")}


def _pppasi_counts(threshold: int, visit: str, arm: str | None) -> tuple[int, int, int]:
    """responders, evaluable, missing of PPPASI-threshold at the visit, `observed` rule: a
    patient of the arm (every patient for None) with a baseline above 0 and a PPPASI at the
    visit is evaluable; one without the visit is missing."""
    arm_of, scores = _arm_of(), _scores()
    responders = evaluable = missing = 0
    for patient, patient_arm in arm_of.items():
        if arm is not None and patient_arm != arm:
            continue
        base = _tenths(scores[(patient, "baseline")]["pppasi"])
        if base == 0:
            continue
        at = scores.get((patient, visit))
        if at is None or at["pppasi"] == "":
            missing += 1
            continue
        evaluable += 1
        responders += 100 * (base - _tenths(at["pppasi"])) >= threshold * base
    return responders, evaluable, missing


def _golden_rate(endpoint: str, visit: str, arm: str | None) -> dict:
    (row,) = [
        r
        for r in _rows(GOLDEN / "response_rates.csv")
        if r["endpoint"] == endpoint and r["visit"] == visit and r["arm"] == (arm or "")
    ]
    return row


@pytest.mark.parametrize("arm", [None, *ARMS])
@pytest.mark.parametrize("visit", ["week4", "week8", "week12", "week16", "week20"])
@pytest.mark.parametrize("threshold", [50, 75, 90])
def test_per_arm_pppasi_rates_are_the_counts_of_the_files(threshold, visit, arm):
    responders, evaluable, missing = _pppasi_counts(threshold, visit, arm)
    row = _golden_rate(f"PPPASI{threshold}", visit, arm)
    assert (int(row["responders"]), int(row["evaluable"]), int(row["missing"])) == (
        responders,
        evaluable,
        missing,
    )
    assert float(row["rate"]) == responders / evaluable


def test_the_effect_is_what_the_cohort_was_drawn_with():
    """At the endpoint the active arm responds, the placebo arm hardly: 9/11 against 0/10."""
    assert _pppasi_counts(50, "week16", "active") == (9, 11, 1)
    assert _pppasi_counts(50, "week16", "placebo") == (0, 10, 2)


@pytest.mark.parametrize("arm", [None, *ARMS])
def test_declared_responder_per_arm(arm):
    """dlqi 'improvement >= 4' at week 16: baseline DLQI - week-16 DLQI >= 4."""
    arm_of, scores = _arm_of(), _scores()
    responders = evaluable = 0
    for patient, patient_arm in arm_of.items():
        at = scores.get((patient, "week16"))
        if (arm is not None and patient_arm != arm) or at is None:
            continue
        evaluable += 1
        responders += int(scores[(patient, "baseline")]["dlqi"]) - int(at["dlqi"]) >= 4
    row = _golden_rate("dlqi:improvement >= 4", "week16", arm)
    assert (int(row["responders"]), int(row["evaluable"])) == (responders, evaluable)


def test_arm_rows_add_up_to_the_pooled_rows_and_come_reference_first():
    rows = _rows(GOLDEN / "response_rates.csv")
    arms_in_file = list(dict.fromkeys(r["arm"] for r in rows))
    assert arms_in_file == ["", "placebo", "active"]
    pooled = {(r["endpoint"], r["visit"]): r for r in rows if r["arm"] == ""}
    for (endpoint, visit), row in pooled.items():
        parts = [r for r in rows if r["arm"] and (r["endpoint"], r["visit"]) == (endpoint, visit)]
        for count in ("responders", "evaluable", "not_evaluable", "missing"):
            assert int(row[count]) == sum(int(p[count]) for p in parts), (endpoint, visit)
        # Every arm's visit is dated by the whole cohort's nominal week.
        assert {p["week"] for p in parts} == {row["week"]}


def test_outcome_tables_per_arm():
    safety = _rows(GOLDEN / "safety.csv")
    events = _rows(COHORT / "events.csv")
    arm_of = _arm_of()
    for arm in ARMS:
        (anyrow,) = [r for r in safety if r["arm"] == arm and r["term"] == "any"]
        patients = {e["patient_id"] for e in events if arm_of[e["patient_id"]] == arm}
        assert int(anyrow["patients"]) == len(patients)
        assert float(anyrow["percent"]) == pytest.approx(100 * len(patients) / 12)
    flow = _rows(GOLDEN / "flow.csv")
    for arm in ARMS:
        (first,) = [r for r in flow if r["arm"] == arm and r["step"] == "in the files"]
        assert int(first["patients"]) == 12
    # Each arm's time to response stops at the switch visit: no placebo response after week 16.
    ttr = {(r["endpoint"], r["arm"]): r for r in _rows(GOLDEN / "time_to_response.csv")}
    assert int(ttr[("PPPASI50", "placebo")]["events"]) == 0
    assert int(ttr[("PPPASI50", "active")]["events"]) == 9
    assert int(ttr[("PPPASI50", "")]["events"]) > 9  # the whole cohort keeps week 20
    percent = _rows(GOLDEN / "percent_change.csv")
    assert [r["arm"] for r in percent if r["visit"] == "week16"] == ["", "placebo", "active"]


def test_table1_is_split_by_arm():
    header = _rows(GOLDEN / "table1.csv")[0]
    # The reference arm first, as in every per-arm table
    assert [k for k in header if k.startswith("arm=")] == ["arm=placebo", "arm=active"]
    assert (header["arm=active"], header["arm=placebo"]) == ("12", "12")


def test_descriptives_and_subgroups_per_arm():
    descriptives = _rows(GOLDEN / "descriptives.csv")
    scores = _scores()
    arm_of = _arm_of()
    for arm in ARMS:
        (row,) = [
            r
            for r in descriptives
            if r["outcome"] == "PPPASI" and r["visit"] == "week16" and r["arm"] == arm
        ]
        values = [
            _tenths(s["pppasi"])
            for (p, v), s in scores.items()
            if v == "week16" and arm_of[p] == arm
        ]
        assert int(row["n"]) == len(values)
        assert float(row["mean"]) == pytest.approx(sum(values) / len(values) / 10, rel=1e-12)
    subgroups = _rows(GOLDEN / "subgroup_rates.csv")
    assert {r["arm"] for r in subgroups} == {"", *ARMS}


@pytest.mark.parametrize("arm", ARMS)
def test_baseline_versus_endpoint_tests_per_arm_against_scipy(arm):
    from scipy import stats

    scores = _scores()
    arm_of = _arm_of()
    pairs = [
        (_tenths(scores[(p, "baseline")]["pppasi"]), _tenths(s["pppasi"]))
        for (p, v), s in scores.items()
        if v == "week16" and arm_of[p] == arm and s["pppasi"] and (p, "baseline") in scores
    ]
    baseline = [b / 10 for b, _ in pairs]
    endpoint = [e / 10 for _, e in pairs]
    expected = stats.ttest_rel(baseline, endpoint)
    (row,) = [
        r
        for r in _rows(GOLDEN / "tests.csv")
        if r["outcome"] == "PPPASI" and r["test"] == "paired_t" and r["arm"] == arm
    ]
    assert int(row["n"]) == len(pairs)
    assert float(row["statistic"]) == pytest.approx(expected.statistic, rel=1e-9)
    assert float(row["p_value"]) == pytest.approx(expected.pvalue, rel=1e-9)
    # The whole cohort's rows come first, with the arm empty.
    rows = _rows(GOLDEN / "tests.csv")
    assert rows[0]["arm"] == "" and {r["arm"] for r in rows} == {"", *ARMS}


# pppflow.arms on small frames ----------------------------------------------------------------


def test_single_arm_tables_get_an_empty_arm_column():
    table = pl.DataFrame({"endpoint": ["a"], "visit": ["w4"], "n": [3]})
    out = per_arm_rows(lambda keep, arm: table, None, None, after="endpoint")
    assert out.columns == ["endpoint", "arm", "visit", "n"]
    assert out["arm"].to_list() == [None]
    assert pooled_rows(out).height == 1


def test_per_arm_rows_compute_on_each_arms_patients():
    patients = pl.DataFrame({"patient_id": ["a", "b", "c"], "group": [2.0, 1.0, 2.0]})
    design = design_from_config({"column": "group", "reference": "2"})
    assignment = arm_assignment(patients, design)
    assert arms_in_order(assignment, design.reference) == ["2", "1"]
    rows = pl.DataFrame({"patient_id": ["a", "b", "c", "c"], "x": [1, 10, 100, 1000]})
    out = per_arm_rows(
        lambda keep, arm: keep(rows).select(pl.col("x").sum()), assignment, "2", after="x"
    )
    assert out.rows() == [(1111, None), (1101, "2"), (10, "1")]


def test_randomised_period_ends_at_the_switch_visit():
    frame = pl.DataFrame(
        {"visit": ["w4", "w16", "w20", "w16"], "week": [4.0, 16.0, 20.0, 17.0], "id": [1, 2, 3, 4]}
    )
    assert randomised_period(frame, "w16")["id"].to_list() == [1, 2, 4]
    assert randomised_period(frame, None).height == 4


def test_nominal_week_is_the_response_steps():
    frame = pl.DataFrame({"week": [4, 5, 3, 12]})
    assert frame.select(nominal_week()).item() == frame.select(response.nominal_week()).item()


# Between-arm comparisons on the two-arm cohort (rules/comparisons.smk) --------------------------


def test_comparisons_use_the_randomised_period_and_the_arm_rates():
    comparisons = _rows(GOLDEN / "comparisons.csv")
    # week 20 comes after the switch visit: in no comparison.
    assert {r["visit"] for r in comparisons} == {"week4", "week8", "week12", "week16"}
    for threshold in (50, 75):
        for visit in ("week4", "week8", "week12", "week16"):
            (row,) = [
                r
                for r in comparisons
                if r["endpoint"] == f"PPPASI{threshold}" and r["visit"] == visit
            ]
            k1, n1, _ = _pppasi_counts(threshold, visit, "active")
            k0, n0, _ = _pppasi_counts(threshold, visit, "placebo")
            assert (row["arm"], row["reference_arm"], row["missing"]) == (
                "active",
                "placebo",
                "observed",
            )
            got = [int(row[k]) for k in ("responders", "evaluable")]
            got += [int(row[k]) for k in ("reference_responders", "reference_evaluable")]
            assert got == [k1, n1, k0, n0]
            assert float(row["rate_difference"]) == pytest.approx(k1 / n1 - k0 / n0)
            assert "strata region" in row["method"]
    # Declared responders are compared too.
    assert any(r["endpoint"] == "dlqi:improvement >= 4" for r in comparisons)
    repeated = _rows(GOLDEN / "repeated_measures.csv")
    assert {r["visit"] for r in repeated} == {"week4", "week8", "week12", "week16"}


def test_time_to_response_per_arm_has_the_log_rank_p():
    rows = [r for r in _rows(GOLDEN / "time_to_response.csv") if r["arm"]]
    for endpoint in ("PPPASI50", "PPPASI75"):
        ps = {r["p_logrank"] for r in rows if r["endpoint"] == endpoint}
        assert len(ps) == 1 and 0 < float(ps.pop()) < 0.05
    pooled = [r for r in _rows(GOLDEN / "time_to_response.csv") if not r["arm"]]
    assert all(r["p_logrank"] == "" for r in pooled)


# Last observation carried forward --------------------------------------------------------------


def _locf_cohort():
    """Three patients: p1 responds at week 4 and misses week 12; p2 misses week 4 and week 12
    (nothing to carry); p3 is seen throughout and does not respond."""
    scores = pl.DataFrame(
        {
            "patient_id": ["p1", "p1", "p2", "p3", "p3", "p3"],
            "visit": ["baseline", "week4", "baseline", "baseline", "week4", "week12"],
            "week": [0.0, 4.0, 0.0, 0.0, 4.0, 12.0],
            "pppasi_tenths": [100, 20, 80, 60, 60, 50],
            "pga": [3, 1, 3, 2, 2, 2],
        }
    )
    units = scores.select(
        "patient_id", "visit", "week", pl.Series("dlqi:units", [12, 4, 10, 8, 8, 8])
    )
    return scores, units


DLQI = {"dlqi": {"column": "dlqi", "scale": {"min": 0, "max": 30, "step": 1}, "better": "lower",
                 "responders": {"improvement >= 4": {"improves_by": 4}}}}  # fmt: skip


# DLQI improvement >= 4 by hand: p1 12 -> 4 at week 4 (yes), missed week 12; p2 missed both;
# p3 8 -> 8 -> 8 (no). (responders, evaluable, missing) at week 4 and week 12 per rule.
BY_HAND = {
    "observed": {"week4": (1, 2, 1), "week12": (0, 1, 2)},
    "nri": {"week4": (1, 3, 1), "week12": (0, 3, 2)},
    "locf": {"week4": (1, 2, 1), "week12": (1, 2, 2)},
}


@pytest.mark.parametrize("rule", ["observed", "nri", "locf"])
def test_declared_judgements_and_rates_by_hand(rule):
    from pppflow.outcomes import (
        declared_judgements,
        missing_column,
        outcome_wide,
        outcomes_from_config,
        responder_rates,
    )
    from pppflow.response import patient_visit_grid

    scores, units = _locf_cohort()
    declared = outcomes_from_config(DLQI)
    rates = responder_rates(units, scores, declared, "baseline", rule, 0.95)
    found = {
        r["visit"]: (r["responders"], r["evaluable"], r["missing"]) for r in rates.rows(named=True)
    }
    assert found == BY_HAND[rule]
    # On the responses' own grid (patient rank, then time), the judgements count the same
    grid = patient_visit_grid(scores.lazy(), "baseline").select("patient_id", "visit").collect()
    judged = declared_judgements(
        outcome_wide(scores, units, declared), grid, declared, "baseline", rule
    )
    endpoint = "dlqi:improvement >= 4"
    assert judged.select("patient_id", "visit").equals(grid)
    for visit, expected in BY_HAND[rule].items():
        at = judged.filter(pl.col("visit") == visit)
        assert (
            int(at[endpoint].sum()),
            at[endpoint].is_not_null().sum(),
            int(at[missing_column(endpoint)].sum()),
        ) == expected


def test_locf_carries_the_last_follow_up_visit_not_the_baseline():
    from pppflow.locf import carry_forward
    from pppflow.outcomes import (
        declared_judgements,
        outcome_wide,
        outcomes_from_config,
        responder_rates,
    )
    from pppflow.response import classify_responses, patient_visit_grid, response_rates

    scores, units = _locf_cohort()
    responses = carry_forward(classify_responses(scores.lazy(), "baseline", "observed").collect())
    rates = response_rates(responses.lazy(), "locf", 0.95)
    week12 = rates.filter((pl.col("endpoint") == "PPPASI75") & (pl.col("visit") == "week12"))
    # p1's week-4 PPPASI 75 carried to week 12; p2 has nothing to carry; p3 was seen.
    assert week12.select("responders", "evaluable", "missing", "missing_rule").row(0) == (
        1,
        2,
        2,
        "locf",
    )
    declared = outcomes_from_config(DLQI)
    dlqi = responder_rates(units, scores, declared, "baseline", "locf", 0.95)
    assert dlqi.filter(pl.col("visit") == "week12").select(
        "responders", "evaluable", "missing"
    ).row(0) == (1, 2, 2)
    grid = patient_visit_grid(scores.lazy(), "baseline").select("patient_id", "visit").collect()
    judged = declared_judgements(
        outcome_wide(scores, units, declared), grid, declared, "baseline", "locf"
    )
    assert judged.filter(pl.col("visit") == "week12").sort("patient_id")[
        "dlqi:improvement >= 4"
    ].to_list() == [True, None, False]


def test_a_registry_s_mixed_model_is_fitted_on_a_seeded_subsample_per_arm_and_says_so():
    import numpy as np

    from pppflow.between_arms import repeated_measures_within_reach
    from pppflow.repeated_measures import repeated_measures

    rng = np.random.default_rng(3)
    rows = []
    for i in range(16):
        arm = "active" if i % 2 else "placebo"
        baseline = int(rng.integers(60, 200))
        for visit, week in (("week4", 4.0), ("week8", 8.0)):
            drop = (40 if arm == "active" else 10) * week / 4 + rng.normal(0, 15)
            rows.append((f"p{i:02d}", arm, visit, week, True, baseline, int(baseline - drop)))
    frame = pl.DataFrame(
        rows,
        schema=[
            "patient_id",
            "arm",
            "visit",
            "week",
            "observed",
            "pppasi_baseline_tenths",
            "pppasi_visit_tenths",
        ],
        orient="row",
    )
    fitted = repeated_measures_within_reach(frame, "placebo", 0.95, max_patients=5)
    assert all(
        "fitted on a random subsample of 5 patients per arm (seed 0) of 16" in m
        for m in fitted["method"]
    )
    # The same fit as on the subsample drawn by hand with the seed, and the same every run.
    kept = [
        patient
        for arm in ("active", "placebo")
        for patient in frame.filter(pl.col("arm") == arm)
        .select("patient_id")
        .unique()
        .sort("patient_id")
        .sample(5, seed=0)["patient_id"]
    ]
    alone = repeated_measures(frame.filter(pl.col("patient_id").is_in(kept)), "placebo", 0.95)
    assert fitted.select("difference", "ci_low", "patients").equals(
        alone.select("difference", "ci_low", "patients")
    )
    assert fitted["patients"].to_list() == [10] * fitted.height
    assert fitted["difference"].null_count() == 0
    # At or under the limit: every patient, no note.
    whole = repeated_measures_within_reach(frame, "placebo", 0.95, max_patients=8)
    assert whole.equals(repeated_measures(frame, "placebo", 0.95))


def test_the_arm_settings_go_through_a_rule_param_as_lines_and_come_back():
    from pppflow.arm_settings import design_from_config, design_from_lines, design_lines

    design = design_from_config(
        {"column": "group", "reference": "placebo", "levels": ["placebo", "active"]},
        ["region", "site"],
        "week16",
    )
    lines = design_lines(design)
    assert lines == [
        "column: group",
        "reference: placebo",
        "level: placebo",
        "level: active",
        "stratum: region",
        "stratum: site",
        "switch_visit: week16",
    ]
    assert not any("{" in line for line in lines)  # the report lists them as they are
    assert design_from_lines(lines) == design
    assert design_lines(None) == [] and design_from_lines([]) is None
