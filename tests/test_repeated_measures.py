"""Repeated measures: the arm's difference at each visit (main effect + interaction through the
fixed-effects covariance) against refitting statsmodels' formula model with that visit as the
reference level and reading the arm's coefficient; the fallbacks."""

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest
import statsmodels.formula.api as smf
from statsmodels.regression.mixed_linear_model import MixedLM
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from pppflow.continuous_comparisons import CHANGE_OUTCOME, PERCENT_CHANGE_OUTCOME
from pppflow.locf import carry_forward
from pppflow.repeated_measures import REPEATED_MEASURES_SCHEMA, repeated_measures

WEEKS = {"w4": 4.0, "w8": 8.0, "w12": 12.0}
# Arm effects on the change in tenths, per visit: growing over time, different per arm.
EFFECTS = {"P": (0, 0, 0), "T": (-15, -30, -45), "H": (-25, -40, -70)}


def simulated(arms=("P", "T"), per_arm=14, seed=7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for arm in arms:
        for i in range(per_arm):
            baseline = int(rng.integers(60, 200))
            patient = rng.normal(0, 12)
            for (visit, week), effect in zip(WEEKS.items(), EFFECTS[arm], strict=True):
                change = -0.1 * baseline + effect + patient + rng.normal(0, 10)
                value = int(min(max(round(baseline + change), 0), 720))
                seen = rng.random() > 0.15  # about one visit in seven missed
                rows.append(
                    (
                        f"{arm}{i}",
                        arm,
                        visit,
                        week if seen else None,
                        seen,
                        baseline,
                        value if seen else None,
                    )
                )
    return pl.DataFrame(
        rows,
        schema=["patient_id", "arm", "visit", "week", "observed", "pppasi_baseline_tenths", "pppasi_visit_tenths"],
        orient="row",
    )  # fmt: skip


def long_by_hand(frame: pl.DataFrame) -> pd.DataFrame:
    rows = [
        {
            "patient_id": r["patient_id"],
            "arm": r["arm"],
            "visit": r["visit"],
            "baseline": r["pppasi_baseline_tenths"] / 10,
            "change": (r["pppasi_visit_tenths"] - r["pppasi_baseline_tenths"]) / 10,
            "percent": 100 * (r["pppasi_visit_tenths"] - r["pppasi_baseline_tenths"]) / r["pppasi_baseline_tenths"],
        }
        for r in frame.iter_rows(named=True)
        if r["pppasi_visit_tenths"] is not None
    ]  # fmt: skip
    return pd.DataFrame(rows)


def refit(data: pd.DataFrame, column: str, visit: str, arms: list[str]):
    """The formula model with `visit` as the visit's reference level: the arm coefficients are
    then the arm effects at that visit."""
    formula = f"{column} ~ C(arm, Treatment('P')) * C(visit, Treatment('{visit}')) + baseline"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = smf.mixedlm(formula, data, groups=data["patient_id"]).fit(reml=True)
    out = {}
    for arm in arms:
        name = f"C(arm, Treatment('P'))[T.{arm}]"
        low, high = fit.conf_int().loc[name]
        out[arm] = (fit.params[name], low, high, fit.pvalues[name])
    return out


@pytest.mark.parametrize("arms", [("P", "T"), ("P", "T", "H")])
def test_difference_at_each_visit_equals_the_refit_with_that_visit_as_reference(arms):
    frame = simulated(arms)
    got = repeated_measures(frame, "P")
    assert got.columns == list(REPEATED_MEASURES_SCHEMA)
    others = sorted(set(arms) - {"P"})
    assert got.height == 2 * 3 * len(others)
    assert got.filter(pl.col("outcome") == CHANGE_OUTCOME).select("visit", "arm").rows() == [
        (v, a) for v in WEEKS for a in others
    ]
    data = long_by_hand(frame)
    for outcome, column in ((CHANGE_OUTCOME, "change"), (PERCENT_CHANGE_OUTCOME, "percent")):
        for visit in WEEKS:
            expected = refit(data, column, visit, others)
            for arm in others:
                row = got.filter(
                    (pl.col("outcome") == outcome) & (pl.col("visit") == visit) & (pl.col("arm") == arm)
                ).row(0, named=True)  # fmt: skip
                got_values = (row["difference"], row["ci_low"], row["ci_high"])
                assert got_values == pytest.approx(expected[arm][:3], rel=1e-4, abs=1e-4)
                assert row["p_value"] == pytest.approx(expected[arm][3], rel=1e-3, abs=1e-8)
                assert row["observations"] == len(data)
                assert row["patients"] == data["patient_id"].nunique()
    # The simulated effect grows from week 4 to 12: the model sees it.
    t = got.filter((pl.col("outcome") == CHANGE_OUTCOME) & (pl.col("arm") == "T"))["difference"]
    assert t[0] > t[2]


def test_an_arm_without_values_at_a_visit_gets_a_null_row_the_rest_is_estimated():
    frame = simulated().with_columns(
        pl.when((pl.col("arm") == "T") & (pl.col("visit") == "w8"))
        .then(None)
        .otherwise(pl.col("pppasi_visit_tenths"))
        .alias("pppasi_visit_tenths")
    )
    got = repeated_measures(frame, "P", outcomes=[CHANGE_OUTCOME])
    assert got["visit"].to_list() == ["w4", "w8", "w12"]
    assert got["difference"].is_null().to_list() == [False, True, False]
    assert "no T or P value at this visit" in got["method"][1]
    # The same model with one indicator per (T, visit) cell: their coefficients are T's effects.
    data = long_by_hand(frame)
    for visit in ("w4", "w12"):
        data[f"t_{visit}"] = ((data["arm"] == "T") & (data["visit"] == visit)).astype(float)
    fit = smf.mixedlm(
        "change ~ C(visit) + t_w4 + t_w12 + baseline", data, groups=data["patient_id"]
    ).fit(reml=True)
    assert got["difference"][0] == pytest.approx(fit.params["t_w4"], rel=1e-4)
    assert got["difference"][2] == pytest.approx(fit.params["t_w12"], rel=1e-4)
    assert got["ci_high"][2] == pytest.approx(fit.conf_int().loc["t_w12", 1], rel=1e-4)


def test_too_few_patients_fall_back_to_null_rows():
    frame = simulated(per_arm=1)
    got = repeated_measures(frame, "P")
    assert got.height == 6
    assert got["difference"].null_count() == 6
    assert all("not estimated: fewer than 3 patients" in m for m in got["method"])
    assert got["patients"].to_list() == [2] * 6


def test_single_arm_gives_no_rows():
    got = repeated_measures(simulated(("P",)), "P")
    assert got.height == 0 and got.columns == list(REPEATED_MEASURES_SCHEMA)


def test_non_convergence_becomes_a_note(monkeypatch):
    original = MixedLM.fit

    def unconverged(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        warnings.warn("Gradient optimization failed", ConvergenceWarning, stacklevel=1)
        result.converged = False
        return result

    monkeypatch.setattr(MixedLM, "fit", unconverged)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # none may escape
        got = repeated_measures(simulated(), "P", outcomes=[CHANGE_OUTCOME])
    assert got["difference"].null_count() == 3
    assert "did not converge (statsmodels: Gradient optimization failed)" in got["method"][0]


def test_carried_forward_values_are_not_used():
    frame = simulated()
    filled = carry_forward(frame)
    assert filled["pppasi_visit_tenths"].null_count() < frame["pppasi_visit_tenths"].null_count()
    assert repeated_measures(filled, "P").equals(repeated_measures(frame, "P"))
