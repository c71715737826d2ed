"""Subgroup comparisons between arms (issue 14): for one responder endpoint at one visit, per
subgroup column (the config's, e.g. joint_pain, dose_mg, prior_biologic), level and arm other than
the reference, the two rates and their difference with Newcombe's hybrid score interval
(comparisons.newcombe_difference), and whether the arm's effect differs between the levels.

Levels are the column's values, labelled as subgroups.csv labels them (stats' group labels:
"true"/"false", integers without ".0", "missing" for no value). Every level keeps its row, even
when its difference cannot be estimated (an arm without an evaluable patient): `estimable` is
false and `note` says why. A rate difference needs no more than one evaluable patient per arm;
its interval stays valid at 0 or all responders, so separation does not make a row
non-estimable, only the interaction test.

Interaction: a likelihood-ratio test of the logistic models responded ~ arm + level against
responded ~ arm * level (statsmodels GLM, binomial, logit link), on the evaluable patients of the
arm and the reference with a non-missing level, over the levels where both arms have an
evaluable patient (elsewhere the interaction is not identified), chi-square on levels - 1
degrees of freedom. The same P on every row of the column and arm. It is null, with the reason in
`note`, with fewer than two such levels or when a level x arm cell has all or no responders:
then the interaction model's maximum likelihood lies at an infinite coefficient (perfect
separation) and the chi-square reference distribution of the statistic is not to be trusted.
It is a test of heterogeneity, of low power in subgroups of PPP trials' size: a reader should
read a P above alpha as "no evidence", not as homogeneity.
"""

import warnings
from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy import stats

from pppflow.comparisons import (
    collected,
    compared_arms,
    finite,
    newcombe_difference,
    require_columns,
)
from pppflow.subgroup_rates import group_label as subgroup_label  # subgroup_rates.csv's labels

MISSING_LEVEL = "missing"

SUBGROUP_COMPARISONS_SCHEMA = {
    "endpoint": pl.Utf8,
    "visit": pl.Utf8,
    "subgroup_column": pl.Utf8,
    "subgroup": pl.Utf8,
    "arm": pl.Utf8,
    "reference_arm": pl.Utf8,
    "patients": pl.Int64,
    "responders": pl.Int64,
    "evaluable": pl.Int64,
    "reference_responders": pl.Int64,
    "reference_evaluable": pl.Int64,
    "rate_difference": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "p_interaction": pl.Float64,
    "estimable": pl.Boolean,
    "note": pl.Utf8,
}


def interaction_p(
    counts: dict[tuple[str, bool], tuple[int, int]], tested: list[str]
) -> tuple[float | None, str]:
    """The likelihood-ratio P of the arm x level interaction over the `tested` levels (module
    doc), and a note. Fitted on the level x arm cells' counts as frequency weights: the same
    likelihood as one row per patient, on a few rows for a registry's million patients."""
    if len(tested) < 2:
        return None, "p_interaction not estimable: fewer than two subgroups with both arms"
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    # Per level x arm cell, a responders row and a non-responders row weighted by their counts:
    # the per-patient likelihood exactly, on a few rows however many patients there are.
    rows = [
        (level, side, outcome, weight)
        for level in tested
        for side in (True, False)
        for outcome, weight in (
            (1.0, counts[(level, side)][0]),
            (0.0, counts[(level, side)][1] - counts[(level, side)][0]),
        )
        if weight
    ]
    y = np.array([outcome for _, _, outcome, _ in rows])
    weights = np.array([float(weight) for *_, weight in rows])
    arm = np.array([float(side) for _, side, _, _ in rows])
    dummies = [np.array([float(level == name) for level, *_ in rows]) for name in tested[1:]]
    reduced = np.column_stack([np.ones(len(rows)), arm, *dummies])
    full = np.column_stack([reduced, *(arm * d for d in dummies)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        llf = [
            GLM(y, x, family=Binomial(), freq_weights=weights).fit().llf for x in (reduced, full)
        ]
    trouble = [
        w for w in caught if issubclass(w.category, ConvergenceWarning | PerfectSeparationWarning)
    ]
    if trouble:
        return None, f"p_interaction not estimable: statsmodels: {trouble[0].message}"
    statistic = max(0.0, 2 * (llf[1] - llf[0]))
    df = len(tested) - 1
    note = f"p_interaction: likelihood ratio, logistic arm x subgroup, df {df}, over {', '.join(tested)}"
    return finite(stats.chi2.sf(statistic, df)), note


def separated_cell(counts: dict[tuple[str, bool], tuple[int, int]], tested: list[str]) -> str:
    """The first level x arm cell with all or no responders among the tested levels, as text."""
    for level in tested:
        for is_arm in (True, False):
            k, n = counts[(level, is_arm)]
            if k in (0, n):
                which = "arm" if is_arm else "reference arm"
                kind = "no responder" if k == 0 else "all responders"
                return f"{kind} in the {which} at {level}"
    return ""


def subgroup_comparisons(
    responses: pl.DataFrame | pl.LazyFrame,
    endpoint: tuple[str, str],
    visit: str,
    subgroup_columns: Sequence[str],
    reference_arm: str,
    confidence_level: float = 0.95,
) -> pl.DataFrame:
    """Per subgroup column (in the given order), level (sorted, missing last) and arm other than
    the reference: the endpoint's ((label, column)) rates at `visit`, their Newcombe difference
    and the interaction P (module doc). Columns SUBGROUP_COMPARISONS_SCHEMA; no rows for a single
    arm. Raises ValueError for a subgroup column or visit the frame lacks."""
    label, column = endpoint
    frame = collected(responses).with_columns(pl.col("arm").cast(pl.Utf8))
    require_columns(frame, ["patient_id", "visit", "arm", column], "key or endpoint")
    require_columns(frame, subgroup_columns, "subgroup")
    if not (frame["visit"] == visit).any():
        raise ValueError(f"visit {visit!r} is not among the responses' visits")
    arms = compared_arms(frame, reference_arm)
    at_visit = frame.filter(pl.col("visit") == visit)
    rows = []
    for subgroup_column in subgroup_columns:
        values = at_visit[subgroup_column].unique().to_list()
        ordered = sorted(v for v in values if v is not None) + ([None] if None in values else [])
        names = [subgroup_label(v) for v in ordered]
        # Each distinct value labelled once, then mapped onto the rows.
        labels = {v: subgroup_label(v) for v in ordered}
        labelled = at_visit.with_columns(
            pl.col(subgroup_column)
            .replace_strict(
                list(labels),
                list(labels.values()),
                default=subgroup_label(None),
                return_dtype=pl.Utf8,
            )
            .alias("level")
        )
        for arm in arms:
            pair = labelled.filter(pl.col("arm").is_in([arm, reference_arm]))
            rows += _level_rows(
                pair,
                names,
                label,
                visit,
                subgroup_column,
                arm,
                reference_arm,
                column,
                confidence_level,
            )
    return pl.DataFrame(rows, schema=SUBGROUP_COMPARISONS_SCHEMA, orient="row")


def _level_rows(
    pair: pl.DataFrame,
    names: list[str],
    label: str,
    visit: str,
    subgroup_column: str,
    arm: str,
    reference_arm: str,
    column: str,
    confidence_level: float,
) -> list[tuple]:
    """The rows of one subgroup column and arm (the arm's and the reference's patients)."""
    # Responders and evaluable patients per level and side, counted by polars (comparing
    # numpy arrays of text row by row costs a second per endpoint at registry scale).
    judged = pl.col(column)
    counted = dict(
        ((level, side), (int(k), int(n)))
        for level, side, k, n in pair.group_by("level", (pl.col("arm") == arm).alias("side"))
        .agg(judged.fill_null(False).sum().alias("k"), judged.is_not_null().sum().alias("n"))
        .iter_rows()
    )
    counts = {
        (name, side): counted.get((name, side), (0, 0)) for name in names for side in (True, False)
    }
    patients = dict(pair.group_by("level").len().iter_rows())
    tested = [
        n for n in names if n != MISSING_LEVEL and counts[(n, True)][1] and counts[(n, False)][1]
    ]
    separation = separated_cell(counts, tested) if len(tested) >= 2 else ""
    if separation:
        p_value, test_note = None, f"p_interaction not estimable: perfect separation ({separation})"
    else:
        p_value, test_note = interaction_p(counts, tested)
    rows = []
    for name in names:
        k1, n1 = counts[(name, True)]
        k0, n0 = counts[(name, False)]
        reasons = [
            f"no evaluable patient in {a}" for a, n in ((arm, n1), (reference_arm, n0)) if not n
        ]
        if name not in tested:
            reasons.append("left out of the interaction test")
        rows.append(
            (
                label,
                visit,
                subgroup_column,
                name,
                arm,
                reference_arm,
                patients.get(name, 0),
                k1,
                n1,
                k0,
                n0,
                *newcombe_difference(k1, n1, k0, n0, confidence_level),
                p_value,
                bool(n1 and n0),
                "; ".join([*reasons, test_note]),
            )
        )
    return rows
