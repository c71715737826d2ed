"""Time on drug (time_on_drug.csv): the Aalen-Johansen cumulative incidence worked by hand on six
patients with a tie of two causes and against lifelines' AalenJohansenFitter where it needs no
jitter, the Kaplan-Meier median against lifelines called directly, and the outcomes demo's table
against the numbers its README works out by hand."""

import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import yaml
from lifelines import AalenJohansenFitter, KaplanMeierFitter

from pppflow.arm_settings import ArmDesign
from pppflow.time_on_drug import (
    INCIDENCE_CURVE_SCHEMA,
    ON_DRUG_CURVE_SCHEMA,
    TIME_ON_DRUG_SCHEMA,
    aalen_johansen,
    at_risk_by_week,
    at_risk_weeks,
    incidence_curves,
    on_drug_curve,
    time_on_drug,
    time_on_drug_by_arm,
    time_on_drug_data,
)
from pppflow.validate import CohortFiles, validate_cohort

DEMO = Path(__file__).parent / "cohorts" / "outcomes_demo"

# Six patients: at week 2 one stops for cause 1 and one for cause 2 (a tie), one is censored
# at 3, one stops for cause 1 at 5, one for cause 2 at 6, one is censored at 8.
SIX_WEEKS = [2, 2, 3, 5, 6, 8]
SIX_CAUSES = [1, 2, 0, 1, 2, 0]


def test_aalen_johansen_by_hand_on_six_patients():
    # t=2: 6 at risk, 2 stop: F1 = 1 x 1/6; S = 4/6. t=5: 3 at risk (5, 6, 8), one cause-1
    # stop: F1 = 1/6 + 4/6 x 1/3 = 7/18; S = 4/9. t=6: 2 at risk, one cause-2 stop:
    # F2 = 1/6 + 4/9 x 1/2 = 7/18; S = 2/9. F1 + F2 + S = 1 at the end.
    at = [1, 2, 4, 5, 10]
    cause1 = aalen_johansen(SIX_WEEKS, SIX_CAUSES, 1, at, 0.95)
    cause2 = aalen_johansen(SIX_WEEKS, SIX_CAUSES, 2, at, 0.95)
    f = Fraction
    assert [x.estimate for x in cause1] == pytest.approx(
        [0, f(1, 6), f(1, 6), f(7, 18), f(7, 18)], abs=1e-15
    )
    assert [x.estimate for x in cause2] == pytest.approx(
        [0, f(1, 6), f(1, 6), f(1, 6), f(7, 18)], abs=1e-15
    )
    assert [x.events for x in cause1] == [0, 1, 1, 2, 2]
    assert [x.events for x in cause2] == [0, 1, 1, 1, 2]
    assert cause1[0].low is None and cause1[0].high is None  # F = 0: no interval
    # At week 2 only the second (binomial) term of the variance is not 0:
    # S(t-)^2 d1 (n - d1) / n^3 = 1 x 1 x 5 / 216; the log(-log) interval by hand.
    variance = 5 / 216
    f2 = 1 / 6
    se = np.sqrt(variance) / (f2 * abs(np.log(f2)))
    z = 1.959963984540054
    assert cause1[1].low == pytest.approx(np.exp(-np.exp(np.log(-np.log(f2)) + z * se)), rel=1e-12)
    assert cause1[1].high == pytest.approx(np.exp(-np.exp(np.log(-np.log(f2)) - z * se)), rel=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_aalen_johansen_is_lifelines_without_ties(seed):
    rng = np.random.default_rng(seed)
    weeks = np.round(rng.uniform(0.5, 30, 40), 3)
    causes = rng.integers(0, 4, 40)
    at = [4.0, 8.0, 12.0, 20.0, 29.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # lifelines warns when it jitters: it must not here
        fitter = AalenJohansenFitter(alpha=0.10).fit(weeks, causes, event_of_interest=2)
    curve = fitter.cumulative_density_.iloc[:, 0]
    band = fitter.confidence_interval_
    for week, found in zip(at, aalen_johansen(weeks, causes, 2, at, 0.90), strict=True):
        index = curve.index[curve.index <= week].max()
        assert found.estimate == pytest.approx(curve.loc[index], rel=1e-12)
        if found.estimate > 0:
            assert found.low == pytest.approx(band.loc[index].min(), rel=1e-9)
            assert found.high == pytest.approx(band.loc[index].max(), rel=1e-9)


def demo_validated():
    return validate_cohort(
        CohortFiles(
            patients=str(DEMO / "patients.csv"),
            visits=str(DEMO / "visits.csv"),
            components=None,
            baseline_visit="baseline",
            endpoint_visit="week12",
            pga_max=4,
            events=str(DEMO / "events.csv"),
        )
    )


def test_demo_time_on_drug_by_hand_and_lifelines():
    cohort = demo_validated()
    table = time_on_drug(cohort.patients, cohort.visits, "baseline", 0.95)
    assert table.columns == list(TIME_ON_DRUG_SCHEMA)
    data = time_on_drug_data(cohort.patients, cohort.visits)
    # stop_week, else last_seen_week, else the last visit week
    assert dict(data.select("patient_id", "weeks").iter_rows()) == {
        "o01": 12.0,
        "o02": 12.0,
        "o03": 24.0,
        "o04": 16.0,
        "o05": 4.5,
        "o06": 13.0,
        "o07": 20.0,
        "o08": 12.0,
    }
    any_row = table.row(0, named=True)
    kaplan_meier = KaplanMeierFitter().fit(data["weeks"].to_numpy(), data["stopped"].to_numpy())
    assert any_row["reason"] == "any" and any_row["week"] is None
    assert (any_row["n"], any_row["stops"]) == (8, 4)
    # S: 7/8 at 4.5, 5/8 at 12, 15/32 at 13: the median is 13
    assert any_row["median_weeks"] == 13.0 == kaplan_meier.median_survival_time_
    assert any_row["cumulative_incidence"] is None
    per_reason = table.filter(pl.col("reason") != "any")
    assert per_reason.select("reason", "week", "stops").rows() == [
        ("inefficacy", 4.0, 0),
        ("inefficacy", 12.0, 1),
        ("adverse_event", 4.0, 0),
        ("adverse_event", 12.0, 1),
        ("other", 4.0, 0),
        ("other", 12.0, 1),
    ]
    assert per_reason["cumulative_incidence"].to_list() == pytest.approx(
        [0, 1 / 8, 0, 1 / 8, 0, 1 / 8], abs=1e-15
    )
    assert per_reason.filter(pl.col("week") == 12.0)["ci_low_incidence"].is_not_null().all()


def test_no_stop_week_column_gives_the_header_alone():
    patients = pl.DataFrame({"patient_id": ["a", "b"]})
    visits = pl.DataFrame({"patient_id": ["a", "b"], "visit": ["baseline"] * 2, "week": [0.0] * 2})
    table = time_on_drug(patients, visits, "baseline", 0.95)
    assert table.is_empty() and table.columns == list(TIME_ON_DRUG_SCHEMA)


def test_without_reasons_only_the_any_row():
    patients = pl.DataFrame({"patient_id": ["a", "b", "c"], "stop_week": [2.0, None, 6.0]})
    visits = pl.DataFrame(
        {
            "patient_id": ["a", "b", "c", "b"],
            "visit": ["baseline", "baseline", "baseline", "week8"],
            "week": [0.0, 0.0, 0.0, 8.0],
        }
    )
    table = time_on_drug(patients, visits, "baseline", 0.95)
    # a stops at 2, c at 6, b censored at 8: S = 2/3, 1/3: the median is 6
    assert table.select("reason", "n", "stops", "median_weeks").rows() == [("any", 3, 2, 6.0)]


def test_time_to_first_declared_response_by_hand_and_lifelines():
    from pppflow.outcomes import outcomes_from_config
    from pppflow.time_to_response import first_declared_responses, time_to_response

    config = yaml.safe_load((DEMO / "config.yaml").read_text())["cohorts"]["outcomes_demo"]
    declared = outcomes_from_config(config["outcomes"])
    validated = validate_cohort(
        CohortFiles(
            patients=str(DEMO / "patients.csv"),
            visits=str(DEMO / "visits.csv"),
            components=None,
            baseline_visit="baseline",
            endpoint_visit="week12",
            pga_max=4,
            outcomes=config["outcomes"],
        )
    )
    dlqi = declared[0]
    # DLQI 0/1 (no baseline needed): o03 reaches 0 and o07 1 at week 12; the others are
    # censored at their last DLQI (o05 at week 5, o06 at week 13).
    firsts = first_declared_responses(validated.outcomes, declared, "baseline")
    at_most = firsts[dlqi.endpoint(dlqi.responders[0])]
    assert at_most.rows() == [
        ("o01", 12.0, False),
        ("o02", 12.0, False),
        ("o03", 12.0, True),
        ("o04", 12.0, False),
        ("o05", 5.0, False),
        ("o06", 13.0, False),
        ("o07", 12.0, True),
        ("o08", 12.0, False),
    ]
    # DLQI improvement >= 4 needs a baseline: o04 is left out. Events at 4 (o01 14->8, o02
    # 22->18, o03 9->3), 5 (o05), 12 (o07), 3 (o08); o06 (6, 6, 3) censored at 13.
    improves = firsts[dlqi.endpoint(dlqi.responders[1])]
    assert improves.rows() == [
        ("o01", 4.0, True),
        ("o02", 4.0, True),
        ("o03", 4.0, True),
        ("o05", 5.0, True),
        ("o06", 13.0, False),
        ("o07", 12.0, True),
        ("o08", 3.0, True),
    ]
    responses = pl.LazyFrame(
        schema={"patient_id": pl.Utf8, "week": pl.Float64, "observed": pl.Boolean}
        | {f"pppasi{t}": pl.Boolean for t in (50, 75)}
    )
    table = time_to_response(responses, 0.95, declared, validated.outcomes, "baseline")
    rows = {r["endpoint"]: r for r in table.iter_rows(named=True)}
    assert list(rows) == [
        "PPPASI50",
        "PPPASI75",
        "dlqi:0/1",
        "dlqi:improvement >= 4",
        "itch:improvement >= 4",
        "itch:0/1 and improvement >= 4",
    ]
    for endpoint, frame in (("dlqi:0/1", at_most), ("dlqi:improvement >= 4", improves)):
        fitter = KaplanMeierFitter().fit(frame["weeks"].to_numpy(), frame["responded"].to_numpy())
        row = rows[endpoint]
        assert (row["n"], row["events"]) == (frame.height, int(frame["responded"].sum()))
        expected = fitter.median_survival_time_
        assert row["median_weeks"] == (None if np.isinf(expected) else expected)
    # S = 6/7 after week 3, 3/7 after week 4: the median is 4; 0/1 never reaches 0.5 (5/7)
    assert rows["dlqi:improvement >= 4"]["median_weeks"] == 4.0
    assert rows["dlqi:0/1"]["median_weeks"] is None


# The chart's curves ------------------------------------------------------------------------------


def random_cohort(seed: int, n: int = 60, tied: bool = True) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Patients of two arms (`group`: placebo, active) with stop weeks and reasons or a last
    seen week, and a baseline visit each: whole weeks (ties) or tie-free times."""
    rng = np.random.default_rng(seed)
    times = rng.integers(1, 40, n).astype(float) if tied else np.round(rng.uniform(0.5, 40, n), 4)
    stopped = rng.random(n) < 0.6
    reasons = rng.choice(["inefficacy", "adverse_event", "other"], n)
    patients = pl.DataFrame(
        {
            "patient_id": [f"p{i:03d}" for i in range(n)],
            "group": rng.choice(["placebo", "active"], n),
            "stop_week": [t if s else None for t, s in zip(times, stopped, strict=True)],
            "last_seen_week": [None if s else t for t, s in zip(times, stopped, strict=True)],
            "stop_reason": [r if s else None for r, s in zip(reasons, stopped, strict=True)],
        }
    )
    visits = patients.select("patient_id", visit=pl.lit("baseline"), week=pl.lit(0.0))
    return patients, visits


@pytest.mark.parametrize("seed", [4, 5])
def test_on_drug_curve_is_lifelines_kaplan_meier_per_arm(seed):
    patients, visits = random_cohort(seed)
    data = time_on_drug_by_arm(patients, visits, ArmDesign("group", "placebo"))
    curve = on_drug_curve(data)
    assert curve.columns == list(ON_DRUG_CURVE_SCHEMA)
    # The reference arm first.
    assert curve["arm"].unique(maintain_order=True).to_list() == ["placebo", "active"]
    for arm in ("placebo", "active"):
        mine = patients.filter(pl.col("group") == arm)
        weeks = mine.select(pl.coalesce("stop_week", "last_seen_week"))[:, 0].to_numpy()
        fitter = KaplanMeierFitter().fit(weeks, mine["stop_week"].is_not_null().to_numpy())
        table = fitter.event_table.drop(index=0.0, errors="ignore")
        steps = curve.filter(pl.col("arm") == arm)
        assert steps.row(0) == (arm, 0.0, mine.height, 0, 0, 1.0)
        steps = steps.slice(1)
        assert steps["week"].to_list() == table.index.to_list()
        assert steps["at_risk"].to_list() == table["at_risk"].to_list()
        assert steps["stops"].to_list() == table["observed"].to_list()
        assert steps["censored"].to_list() == table["censored"].to_list()
        survival = fitter.survival_function_.iloc[:, 0].loc[table.index]
        assert steps["on_drug"].to_list() == pytest.approx(survival.to_list(), rel=1e-12)


def test_on_drug_curve_of_the_demo_by_hand():
    cohort = demo_validated()
    curve = on_drug_curve(time_on_drug_by_arm(cohort.patients, cohort.visits, None))
    # Stops at 4.5 (o05), 12 (o02, o08; o01 censored there), 13 (o06); censored at 16, 20, 24.
    assert curve.select("week", "at_risk", "stops", "censored").rows() == [
        (0.0, 8, 0, 0),
        (4.5, 8, 1, 0),
        (12.0, 7, 2, 1),
        (13.0, 4, 1, 0),
        (16.0, 3, 0, 1),
        (20.0, 2, 0, 1),
        (24.0, 1, 0, 1),
    ]
    assert curve["on_drug"].to_list() == pytest.approx([1, 7 / 8, 5 / 8, 15 / 32, *[15 / 32] * 3])
    assert curve["arm"].is_null().all()


@pytest.mark.parametrize("seed", [6, 7])
def test_incidence_curves_are_lifelines_aalen_johansen_without_ties(seed):
    patients, visits = random_cohort(seed, tied=False)
    data = time_on_drug_by_arm(patients, visits, ArmDesign("group", "placebo"))
    curves = incidence_curves(data)
    assert curves.columns == list(INCIDENCE_CURVE_SCHEMA)
    codes = {"inefficacy": 1, "adverse_event": 2, "other": 3}
    for arm in ("placebo", "active"):
        mine = patients.filter(pl.col("group") == arm)
        weeks = mine.select(pl.coalesce("stop_week", "last_seen_week"))[:, 0].to_numpy()
        causes = mine["stop_reason"].replace_strict(codes, default=0).to_numpy()
        stop_weeks = sorted(mine["stop_week"].drop_nulls().to_list())
        for reason, code in codes.items():
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # no jitter: no ties
                fitter = AalenJohansenFitter().fit(weeks, causes, event_of_interest=code)
            expected = fitter.cumulative_density_.iloc[:, 0]
            steps = curves.filter((pl.col("arm") == arm) & (pl.col("reason") == reason))
            # Week 0, every stop week of the arm, its last time.
            assert steps["week"].to_list() == sorted({0.0, *stop_weeks, weeks.max()})
            for week, found in steps.select("week", "cumulative_incidence").rows():
                assert found == pytest.approx(expected.loc[:week].iloc[-1], abs=1e-12)
            last = steps.row(-1, named=True)
            assert last["stops"] == int((causes == code).sum())


def test_incidence_curves_need_a_reason():
    patients = pl.DataFrame({"patient_id": ["a", "b"], "stop_week": [2.0, None]})
    visits = pl.DataFrame(
        {"patient_id": ["a", "b", "b"], "visit": ["baseline", "baseline", "w8"], "week": [0, 0, 8]}
    )
    data = time_on_drug_by_arm(patients, visits, None)
    assert incidence_curves(data).is_empty()
    # a stops at 2; b, seen last at week 8, is censored there.
    assert on_drug_curve(data).select("week", "on_drug").rows() == [(0, 1), (2, 0.5), (8, 0.5)]


def test_at_risk_weeks_and_counts():
    assert at_risk_weeks(24.0) == [0.0, 4.0, 8.0, 12.0, 16.0, 20.0, 24.0]
    assert at_risk_weeks(7.0) == [float(w) for w in range(8)]
    assert at_risk_weeks(250.0) == [0.0, 52.0, 104.0, 156.0, 208.0]
    assert at_risk_weeks(0.0) == [0.0]
    cohort = demo_validated()
    data = time_on_drug_by_arm(cohort.patients, cohort.visits, None)
    # times 12, 12, 24, 16, 4.5, 13, 20, 12
    assert at_risk_by_week(data, [0.0, 4.0, 8.0, 12.0, 16.0, 24.0])["at_risk"].to_list() == [
        8,
        8,
        7,
        7,
        3,
        1,
    ]


def test_arms_are_the_config_column_reference_first_without_armless_patients():
    patients = pl.DataFrame(
        {
            "patient_id": ["a", "b", "c", "d"],
            "trt": ["z", "placebo", "y", None],
            "stop_week": [1.0, None, 2.0, 3.0],
        }
    )
    visits = patients.select("patient_id", visit=pl.lit("baseline"), week=pl.lit(0.0))
    data = time_on_drug_by_arm(patients, visits, ArmDesign("trt", "placebo"))
    assert data.select("patient_id", "arm").rows() == [("b", "placebo"), ("c", "y"), ("a", "z")]
    assert on_drug_curve(data)["arm"].unique(maintain_order=True).to_list() == [
        "placebo",
        "y",
        "z",
    ]
