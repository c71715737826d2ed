"""The patient flow of a cohort, CONSORT-style: flow.csv.

In order: the patients of the files; those with a baseline PPPASI; those scored at each
follow-up visit (in time order); and, per endpoint at the endpoint visit, those analysed under
the cohort's missing-data rule. Each step's `reason` says who is not counted and why, as far as
the data tell.
"""

import polars as pl

from pppflow.response import nominal_week

FLOW_SCHEMA = {"arm": pl.Utf8, "step": pl.Utf8, "patients": pl.Int64, "reason": pl.Utf8}
# What the missing-data rule does with a patient without the endpoint visit (else: left out).
MISSING_HANDLING = {
    "nri": "counted as non-responders",
    "locf": "judged on their last observed follow-up visit where they have one, else left out",
}
IN_FILES = "in the files"
WITH_BASELINE = "with a baseline PPPASI"


def seen_at(visit: str) -> str:
    return f"scored at {visit}"


def analysed_for(endpoint: str, visit: str) -> str:
    return f"analysed for {endpoint} at {visit}"


def _lost(count: int, why: str) -> str | None:
    return f"{count} {why}" if count else None


def patient_flow(
    patients: pl.DataFrame,
    scores: pl.DataFrame,
    responses: pl.DataFrame,
    rates: pl.DataFrame,
    baseline_visit: str,
    endpoint_visit: str,
    missing_rule: str,
) -> pl.DataFrame:
    """flow.csv (see module doc); `arm` empty: one arm. `scores` is pppasi.parquet,
    `responses` responses.parquet, `rates` response_rates.csv."""
    total = patients["patient_id"].n_unique()
    with_baseline = (
        scores.filter((pl.col("visit") == baseline_visit) & pl.col("pppasi_tenths").is_not_null())
        .select("patient_id")
        .n_unique()
    )
    rows = [
        (IN_FILES, total, None),
        (WITH_BASELINE, with_baseline, _lost(total - with_baseline, "without a baseline PPPASI")),
    ]
    per_visit = (
        responses.group_by("visit")
        .agg(
            nominal_week().alias("week"),
            pl.col("observed").sum().cast(pl.Int64).alias("seen"),
            pl.len().alias("patients"),
        )
        .sort("week", "visit")
    )
    for visit, _, seen, everyone in per_visit.iter_rows():
        rows.append((seen_at(visit), seen, _lost(everyone - seen, f"without a score at {visit}")))
    at_endpoint = rates.filter(pl.col("visit") == endpoint_visit)
    for row in at_endpoint.iter_rows(named=True):
        why = [
            _lost(
                row["missing"],
                f"without the visit, {missing_rule}: "
                + MISSING_HANDLING.get(missing_rule, "left out"),
            ),
            _lost(
                row["not_evaluable"],
                "not evaluable (a baseline of 0, or the score not recorded at baseline or at the visit)",
            ),
        ]
        reason = "; ".join(w for w in why if w) or None
        rows.append((analysed_for(row["endpoint"], endpoint_visit), row["evaluable"], reason))
    return pl.DataFrame(
        [{"arm": None, "step": s, "patients": n, "reason": r} for s, n, r in rows],
        schema=FLOW_SCHEMA,
    )
