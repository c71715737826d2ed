"""The recomputation (pppasi) and classification (response) stages written the plain pandas
way: the yardstick the polars stages are timed against, and a second implementation their
results are tested against (tests/test_pandas_reference.py).

Straightforward idiomatic pandas: merges, groupby sums, nullable dtypes (Int64, boolean) for
the missing values the contract has. No vectorisation tricks beyond what a pandas user writes
by default. Nothing is imported from the package: the weights, scales and thresholds are
written out here from the PPPASI definition, so that a wrong constant in pppflow.constants
makes the two disagree instead of both being wrong alike.
"""

import itertools

import numpy as np
import pandas as pd
from scipy import stats

KEYS = ["patient_id", "visit"]
# PPPASI: (erythema + pustules + desquamation, each 0-4) x area (0-6) x 0.2 per palm and
# 0.3 per sole, summed over the four regions; here in tenths of a point.
SEVERITY_ITEMS = ["erythema", "pustules", "desquamation"]
SEVERITY_MAX = 4
AREA_MAX = 6
REGION_WEIGHT_TENTHS = {"right_palm": 2, "left_palm": 2, "right_sole": 3, "left_sole": 3}
TENTHS_PER_POINT = 10
# PPPASI-X: at least X % better than baseline; PGA 0/1: grade at most 1; PGA>=2: at least two
# grades better than baseline.
THRESHOLDS = (50, 75, 90, 100)
PGA_CLEAR_MAX_GRADE = 1
PGA_MIN_IMPROVEMENT_GRADES = 2
MISSING_RULES = ("observed", "nri")
PPPASI_COLUMNS = [f"pppasi{x}" for x in THRESHOLDS]
PGA_CLEAR = "pga_clear_or_almost_clear"
PGA_IMPROVED = "pga_improved_2_grades"


# --- recomputation ------------------------------------------------------------------------


def recompute_pppasi(components: pd.DataFrame) -> pd.DataFrame:
    """Sum over regions of (erythema + pustules + desquamation) x area x weight, in tenths."""
    severity = components[SEVERITY_ITEMS].astype("int64").sum(axis=1)
    weight = components["region"].map(REGION_WEIGHT_TENTHS).astype("int64")
    terms = components[KEYS].assign(term=severity * components["area"].astype("int64") * weight)
    summed = terms.groupby(KEYS, sort=False, as_index=False)["term"].sum()
    return summed.rename(columns={"term": "pppasi_recomputed_tenths"})


def combine_pppasi(visits: pd.DataFrame, components: pd.DataFrame) -> pd.DataFrame:
    """pppasi.parquet: one row per visit, recorded, recomputed and used totals."""
    merged = visits.merge(recompute_pppasi(components), on=KEYS, how="left")
    recomputed = merged["pppasi_recomputed_tenths"].astype("Int64")
    recorded = merged["pppasi_tenths"].astype("Int64")
    return pd.DataFrame(
        {
            "patient_id": merged["patient_id"],
            "visit": merged["visit"],
            "week": merged["week"],
            "pppasi_recorded_tenths": recorded,
            "pppasi_recomputed_tenths": recomputed,
            "pppasi_tenths": recomputed.fillna(recorded),
            "pppasi_source": np.where(recomputed.notna(), "recomputed", "recorded"),
            "pga": merged["pga"].astype("Int64"),
        }
    )


def attainable_totals_tenths() -> set[int]:
    """Every total some scores give: the possible region terms added region by region."""
    totals = {0}
    for weight in REGION_WEIGHT_TENTHS.values():
        terms = {
            (e + p + d) * area * weight
            for e, p, d in itertools.product(range(SEVERITY_MAX + 1), repeat=3)
            for area in range(AREA_MAX + 1)
        }
        totals = {t + x for t in totals for x in terms}
    return totals


def _points(tenths: pd.Series) -> pd.Series:
    return tenths.astype("Float64") / TENTHS_PER_POINT


def pppasi_check(pppasi: pd.DataFrame) -> pd.DataFrame:
    recorded = pppasi["pppasi_recorded_tenths"]
    recomputed = pppasi["pppasi_recomputed_tenths"]
    attainable = recorded.isin(attainable_totals_tenths()).astype("boolean")
    return pd.DataFrame(
        {
            "patient_id": pppasi["patient_id"],
            "visit": pppasi["visit"],
            "pppasi_recorded": _points(recorded),
            "pppasi_recomputed": _points(recomputed),
            "agrees": recorded == recomputed,
            "difference": _points(recorded - recomputed),
            "attainable": attainable.where(recorded.notna(), pd.NA),
        }
    )


# --- classification -----------------------------------------------------------------------


def _judged(test: pd.Series, observed: pd.Series, defined: pd.Series, missing_rule: str):
    """The endpoint where it can be judged; False under nri for a missing visit; else NA."""
    judged = pd.Series(pd.NA, index=test.index, dtype="boolean")
    can = observed & defined.fillna(False)
    judged[can] = test[can]
    if missing_rule == "nri":
        judged[~observed & defined.fillna(False)] = False
    return judged


def classify_responses(pppasi: pd.DataFrame, baseline_visit: str, missing_rule: str):
    """responses.parquet: every patient x every follow-up visit label."""
    if missing_rule not in MISSING_RULES:
        raise ValueError(f"missing rule {missing_rule!r} is not one of {MISSING_RULES}")
    is_baseline = pppasi["visit"] == baseline_visit
    baseline = pppasi.loc[is_baseline, ["patient_id", "pppasi_tenths", "pga"]].rename(
        columns={"pppasi_tenths": "pppasi_baseline_tenths", "pga": "pga_baseline"}
    )
    follow_up = (
        pppasi.loc[~is_baseline]
        .groupby("visit", as_index=False)["week"]
        .median()
        .rename(columns={"week": "nominal_week"})
        .sort_values(["nominal_week", "visit"])
    )
    at_visit = pppasi.loc[:, ["patient_id", "visit", "week", "pppasi_tenths", "pga"]].rename(
        columns={"pppasi_tenths": "pppasi_visit_tenths", "pga": "pga_visit"}
    )
    at_visit["observed"] = True
    grid = baseline.merge(follow_up[["visit"]], how="cross").merge(
        at_visit, on=["patient_id", "visit"], how="left"
    )
    grid["observed"] = grid["observed"].fillna(False).astype(bool)

    b = grid["pppasi_baseline_tenths"].astype("Int64")
    v = grid["pppasi_visit_tenths"].astype("Int64")
    pga_b = grid["pga_baseline"].astype("Int64")
    pga_v = grid["pga_visit"].astype("Int64")
    observed = grid["observed"]
    defined = (b > 0).astype("boolean")
    out = grid[["patient_id", "visit", "week", "observed"]].copy()
    out["status"] = np.select(
        [(b == 0).fillna(False), ~observed], ["baseline_zero", "missing"], default="observed"
    )
    out["pppasi_baseline_tenths"] = b
    out["pppasi_visit_tenths"] = v
    improvement = 100 * (b - v).astype("float64") / b.astype("float64")
    out["improvement_pct"] = improvement.where(observed & defined.fillna(False))
    for x in THRESHOLDS:
        meets = (100 * (b - v) >= x * b).astype("boolean")
        out[f"pppasi{x}"] = _judged(meets, observed, defined, missing_rule)
    out.insert(out.columns.get_loc("pppasi50"), "evaluable", out["pppasi50"].notna())
    out["pga_baseline"] = pga_b
    out["pga_visit"] = pga_v
    always = pd.Series(True, index=grid.index, dtype="boolean")
    out[PGA_CLEAR] = _judged((pga_v <= PGA_CLEAR_MAX_GRADE), observed, always, missing_rule)
    out[PGA_IMPROVED] = _judged(
        (pga_b - pga_v >= PGA_MIN_IMPROVEMENT_GRADES),
        observed,
        pga_b.notna().astype("boolean"),
        missing_rule,
    )
    return out.reset_index(drop=True)


def per_patient(responses: pd.DataFrame, endpoint_visit: str) -> pd.DataFrame:
    at_end = responses[responses["visit"] == endpoint_visit]
    return pd.DataFrame(
        {
            "patient_id": at_end["patient_id"],
            "pppasi_baseline": _points(at_end["pppasi_baseline_tenths"]),
            "pppasi_endpoint": _points(at_end["pppasi_visit_tenths"]),
            "improvement_pct": at_end["improvement_pct"].round(2),
            **{name: at_end[name] for name in PPPASI_COLUMNS},
            "pga_baseline": at_end["pga_baseline"],
            "pga_endpoint": at_end["pga_visit"],
            PGA_CLEAR: at_end[PGA_CLEAR],
            PGA_IMPROVED: at_end[PGA_IMPROVED],
            "status": at_end["status"],
            "pppasi_baseline_tenths": at_end["pppasi_baseline_tenths"],
            "pppasi_endpoint_tenths": at_end["pppasi_visit_tenths"],
        }
    ).reset_index(drop=True)


def _endpoints(responses: pd.DataFrame) -> list[tuple[str, str, pd.Series]]:
    """(label, column, whether the baseline lets the endpoint be judged)."""
    pppasi_defined = (responses["pppasi_baseline_tenths"] > 0).fillna(False)
    return [
        *((f"PPPASI{x}", f"pppasi{x}", pppasi_defined) for x in THRESHOLDS),
        ("PGA0/1", PGA_CLEAR, pd.Series(True, index=responses.index)),
        ("PGA≥2", PGA_IMPROVED, responses["pga_baseline"].notna()),
    ]


def response_rates(
    responses: pd.DataFrame, missing_rule: str, confidence_level: float
) -> pd.DataFrame:
    weeks = responses.groupby("visit")["week"].median()
    tables = []
    for label, column, defined in _endpoints(responses):
        judged = responses[column]
        missing = ~responses["observed"] & defined
        counts = pd.DataFrame(
            {
                "visit": responses["visit"],
                "responders": judged.fillna(False).astype("int64"),
                "evaluable": judged.notna().astype("int64"),
                "not_evaluable": (judged.isna() & ~missing).astype("int64"),
                "missing": missing.astype("int64"),
            }
        )
        per_visit = counts.groupby("visit", as_index=False).sum()
        per_visit.insert(0, "endpoint", label)
        per_visit.insert(2, "week", per_visit["visit"].map(weeks).astype("float64"))
        tables.append(per_visit.sort_values(["week", "visit"]))
    rates = pd.concat(tables, ignore_index=True)
    k = rates["responders"].to_numpy(dtype=float)
    n = rates["evaluable"].to_numpy(dtype=float)
    tail = (1 - confidence_level) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, k / np.where(n > 0, n, 1), np.nan)
        low = np.where(k > 0, stats.beta.ppf(tail, k, n - k + 1), 0.0)
        high = np.where(k < n, stats.beta.ppf(1 - tail, k + 1, n - k), 1.0)
    empty = n == 0
    return pd.DataFrame(
        {
            "endpoint": rates["endpoint"],
            "visit": rates["visit"],
            "week": rates["week"],
            "responders": rates["responders"],
            "evaluable": rates["evaluable"],
            "rate": rate,
            "ci_low": np.round(np.where(empty, np.nan, low), 6),
            "ci_high": np.round(np.where(empty, np.nan, high), 6),
            "not_evaluable": rates["not_evaluable"],
            "missing": rates["missing"],
            "missing_rule": missing_rule,
            "confidence_level": confidence_level,
        }
    )


def run_stages(
    visits_path: str,
    components_path: str,
    baseline_visit: str,
    endpoint_visit: str,
    missing_rule: str,
    confidence_level: float,
) -> dict[str, pd.DataFrame]:
    """Both stages from the validated parquet files, as the workflow runs them."""
    visits = pd.read_parquet(visits_path)
    components = pd.read_parquet(components_path)
    pppasi = combine_pppasi(visits, components)
    responses = classify_responses(pppasi, baseline_visit, missing_rule)
    return {
        "pppasi": pppasi,
        "pppasi_check": pppasi_check(pppasi),
        "responses": responses,
        "per_patient": per_patient(responses, endpoint_visit),
        "response_rates": response_rates(responses, missing_rule, confidence_level),
    }
