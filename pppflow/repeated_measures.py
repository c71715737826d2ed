"""Repeated measures between arms (issue 14): PPPASI change (and percent change) from baseline
over every follow-up visit in one linear mixed model, and from it the arm's difference from the
reference at each visit.

Model: value ~ arm * visit + baseline PPPASI (points), fixed effects; a random intercept per
patient; REML (statsmodels MixedLM). The arm's effect at a visit is the contrast L'beta with L
picking the arm's main effect (its effect at the first visit) plus its interaction with the
visit; its variance is L' Cov(beta) L from the fixed-effects covariance. Intervals and P are
Wald (normal), as statsmodels' MixedLM reports them: statsmodels has no Kenward-Roger or
Satterthwaite degrees of freedom, so with small arms they are a little narrow.

Why this model: it uses every observed visit of every patient, including those who drop out,
and is unbiased when the missed visits are missing at random given the observed ones (what
complete-case analyses at one visit and LOCF are not), which is why trial papers report
MMRM-type analyses. A true MMRM leaves the within-patient covariance unstructured; statsmodels'
MixedLM cannot (its residuals are independent given the random effects), so the random
intercept, i.e. compound symmetry, is the closest it fits: the same correlation between any
two visits of a patient. The `method` says so.

Which visits and arms enter: visits where the reference arm has at least one value (elsewhere
no arm can be compared), arms with at least one value at them. An arm without a value at a visit
has no interaction column there (the design would be singular) and a null row; an arm without a
value at the first visit has no main-effect column, its effects are then its interactions alone.

Fallback: a null row with the reason in `method`, never an exception, when there are too few
patients (fewer than 3, nobody seen twice, no residual degrees of freedom), the design is
singular, or the fit fails or does not converge; statsmodels' warnings (ConvergenceWarning: the
random-intercept variance on the boundary at 0, a singular Hessian) are caught and written into
`method` instead of the log. `patients` and `observations` count what the model was fitted on,
over every arm. Only observed visits enter: values locf.carry_forward filled in are left
out (the model is the alternative to imputing them).
"""

import math
import warnings
from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy import stats

from pppflow.comparisons import collected, compared_arms, finite, level_text, visits_in_order
from pppflow.continuous_comparisons import CONTINUOUS_OUTCOMES, changes_from_baseline

REPEATED_MEASURES_SCHEMA = {
    "outcome": pl.Utf8,
    "visit": pl.Utf8,
    "arm": pl.Utf8,
    "reference_arm": pl.Utf8,
    "difference": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_value": pl.Float64,
    "patients": pl.Int64,
    "observations": pl.Int64,
    "method": pl.Utf8,
}
MIN_PATIENTS = 3


class NoFit(Exception):
    """The model cannot be fitted or its fit is not usable; the message says why."""


def design(
    data: pl.DataFrame, visits: list[str], arms: list[str]
) -> tuple[np.ndarray, dict[tuple[str, str], np.ndarray]]:
    """The fixed-effects design (intercept, visit, arm, arm x visit, baseline) and, per arm and
    visit where the arm's effect is estimable, its contrast vector L."""
    arm, visit = data["arm"].to_numpy(), data["visit"].to_numpy()
    seen = set(zip(arm.tolist(), visit.tolist(), strict=True))
    first = visits[0]
    columns = [np.ones(data.height), *((visit == v).astype(float) for v in visits[1:])]
    positions: dict[tuple[str, str], list[int]] = {}
    for a in arms:
        main = None
        if (a, first) in seen:
            main = len(columns)
            columns.append((arm == a).astype(float))
        for v in visits:
            if (a, v) not in seen:
                continue
            terms = [] if main is None else [main]
            if v != first:
                terms.append(len(columns))
                columns.append(((arm == a) & (visit == v)).astype(float))
            positions[(a, v)] = terms
    columns.append(data["baseline"].to_numpy().astype(float))
    exog = np.column_stack(columns)
    contrasts = {}
    for key, terms in positions.items():
        contrast = np.zeros(exog.shape[1])
        contrast[terms] = 1.0
        contrasts[key] = contrast
    return exog, contrasts


def fit_mixed_model(data: pl.DataFrame, exog: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Fixed effects, their covariance and the caught warnings' text of the REML fit with a
    random intercept per patient. Raises NoFit."""
    from statsmodels.regression.mixed_linear_model import MixedLM

    patients = data["patient_id"].to_numpy()
    per_patient = data["patient_id"].value_counts()["count"]
    if per_patient.len() < MIN_PATIENTS:
        raise NoFit(f"fewer than {MIN_PATIENTS} patients")
    if per_patient.max() < 2:
        raise NoFit("no patient with two visits: nothing repeated")
    if data.height - exog.shape[1] < 2:
        raise NoFit("too few observations for the fixed effects and two variances")
    if np.linalg.matrix_rank(exog) < exog.shape[1]:
        raise NoFit("singular design (an arm or visit confounded with another)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = MixedLM(data["value"].to_numpy(), exog, groups=patients).fit(reml=True)
        except (np.linalg.LinAlgError, ValueError) as error:
            raise NoFit(f"the fit failed: {error}") from error
    notes = "; ".join(dict.fromkeys(f"statsmodels: {w.message}" for w in caught))
    if not result.converged:
        raise NoFit("the fit did not converge" + (f" ({notes})" if notes else ""))
    k = exog.shape[1]
    covariance = np.asarray(result.cov_params())[:k, :k]
    return np.asarray(result.fe_params), covariance, notes


def repeated_measures(
    responses: pl.DataFrame | pl.LazyFrame,
    reference_arm: str,
    confidence_level: float = 0.95,
    outcomes: Sequence[str] = CONTINUOUS_OUTCOMES,
) -> pl.DataFrame:
    """Per outcome (continuous_comparisons.CONTINUOUS_OUTCOMES), follow-up visit (by nominal
    week) and arm other than the reference: the arm's difference from the reference at the
    visit from the mixed model of the module doc, its Wald interval and P. Columns
    REPEATED_MEASURES_SCHEMA; no rows for a single arm."""
    frame = collected(responses).with_columns(pl.col("arm").cast(pl.Utf8))
    arms = compared_arms(frame, reference_arm)
    if not arms:
        return pl.DataFrame(schema=REPEATED_MEASURES_SCHEMA)
    visits = visits_in_order(frame)
    # Only what was seen: values carry_forward filled in would be imputations, which this model
    # exists to do without.
    changes = changes_from_baseline(frame.filter(pl.col("observed")))
    z = float(stats.norm.ppf(1 - (1 - confidence_level) / 2))
    rows = []
    for outcome in outcomes:
        data = changes.filter(pl.col("outcome") == outcome)
        reference_visits = set(data.filter(pl.col("arm") == reference_arm)["visit"].to_list())
        model_visits = [v for v in visits if v in reference_visits]
        data = data.filter(pl.col("visit").is_in(model_visits))
        method = (
            f"linear mixed model (statsmodels MixedLM, REML): {outcome} ~ arm * visit + baseline "
            f"PPPASI, random intercept per patient (compound symmetry: statsmodels fits no "
            f"unstructured MMRM); difference = arm effect at the visit (main effect + "
            f"interaction), Wald {level_text(confidence_level)} CI and z P"
        )
        contrasts: dict[tuple[str, str], np.ndarray] = {}
        try:
            if not model_visits:
                raise NoFit("the reference arm has no value at any visit")
            exog, contrasts = design(data, model_visits, arms)
            beta, covariance, notes = fit_mixed_model(data, exog)
            if notes:
                method += f"; {notes}"
        except NoFit as reason:
            method = f"{method}; not estimated: {reason}"
            beta = covariance = None
        patients, observations = data["patient_id"].n_unique(), data.height
        for visit in visits:
            for arm in arms:
                estimate: tuple[float | None, ...] = (None, None, None, None)
                note = method
                if beta is not None and (arm, visit) in contrasts:
                    estimate = wald(contrasts[(arm, visit)], beta, covariance, z)
                elif beta is not None:
                    note = f"{method}; no {arm} or {reference_arm} value at this visit"
                rows.append(
                    (outcome, visit, arm, reference_arm, *estimate, patients, observations, note)
                )
    return pl.DataFrame(rows, schema=REPEATED_MEASURES_SCHEMA, orient="row")


def wald(
    contrast: np.ndarray, beta: np.ndarray, covariance: np.ndarray, z: float
) -> tuple[float | None, ...]:
    """L'beta, its interval and two-sided P from Var = L' Cov L (nulls where not finite)."""
    difference = float(contrast @ beta)
    variance = float(contrast @ covariance @ contrast)
    if not (math.isfinite(variance) and variance > 0):
        return finite(difference), None, None, None
    se = math.sqrt(variance)
    p_value = 2 * float(stats.norm.sf(abs(difference) / se))
    return finite(difference), finite(difference - z * se), finite(difference + z * se), p_value
