"""Response rates by subgroup (subgroup_rates.csv): responders over evaluable patients per
grouping column of the patients table, group, endpoint and follow-up visit, with exact
Clopper-Pearson intervals. Descriptive only. Counted in the response job from the responses it
has just judged: nothing here needs the statistics' libraries."""

from collections.abc import Sequence

import polars as pl

from pppflow import response
from pppflow.response import nominal_week

SUBGROUP_SCHEMA = {
    "grouping": pl.Utf8,
    "group": pl.Utf8,
    "endpoint": pl.Utf8,
    "visit": pl.Utf8,
    "week": pl.Float64,
    "responders": pl.Int64,
    "evaluable": pl.Int64,
    "rate": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
}


def endpoint_columns() -> dict[str, str]:
    """Endpoint label (as response_rates.csv spells it) -> its column in responses.parquet."""
    return {endpoint.label: endpoint.column for endpoint in response.ENDPOINTS}


def group_label(value) -> str:
    if value is None:
        return "missing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def subgroup_response_rates(
    responses: pl.DataFrame,
    patients: pl.DataFrame,
    group_columns: Sequence[str],
    confidence_level: float,
    more_endpoints: Sequence[str] = (),
) -> pl.DataFrame:
    """Responders over evaluable patients (a null response is not evaluable, as in
    response_rates.csv) per grouping column, group, endpoint and follow-up visit, with exact
    Clopper-Pearson intervals. Descriptive only: no test across groups. Grouping columns the
    patients table lacks are skipped (see `absent_group_columns`). `more_endpoints`: further
    Boolean columns of `responses` named as their endpoint (the declared responders,
    `dlqi:0/1`, judged by pppflow.outcomes.declared_judgements in the response job), after the built-in ones."""
    endpoints = {
        k: v
        for k, v in {**endpoint_columns(), **{e: e for e in more_endpoints}}.items()
        if v in responses.columns
    }
    groups = [g for g in group_columns if g in patients.columns]
    if not groups or not endpoints:
        return pl.DataFrame(schema=SUBGROUP_SCHEMA)
    joined = responses.join(
        patients.select(pl.col("patient_id").cast(pl.Utf8), *groups), on="patient_id", how="left"
    )
    # A visit is dated by the whole cohort's nominal week, in every group alike.
    weeks = responses.group_by("visit").agg(nominal_week().alias("week"))
    parts = []
    for grouping in groups:
        values = joined[grouping].unique().to_list()
        levels = sorted(v for v in values if v is not None) + ([None] if None in values else [])
        rank = {group_label(v): i for i, v in enumerate(levels)}
        labels = {v: group_label(v) for v in levels if v is not None}
        labelled = joined.with_columns(
            pl.col(grouping)
            .replace_strict(labels, default=None, return_dtype=pl.Utf8)
            .fill_null("missing")
            .alias("group")
        ).with_columns(pl.col("group").replace_strict(rank, return_dtype=pl.Int64).alias("_rank"))
        counts = (
            labelled.group_by("group", "_rank", "visit")
            .agg(
                *(
                    pl.col(col).sum().cast(pl.Int64).alias(f"{label}:responders")
                    for label, col in endpoints.items()
                ),
                *(
                    pl.col(col).is_not_null().sum().cast(pl.Int64).alias(f"{label}:evaluable")
                    for label, col in endpoints.items()
                ),
            )
            .join(weeks, on="visit", how="left")
        )
        for label in endpoints:
            parts.append(
                counts.select(
                    pl.lit(grouping).alias("grouping"),
                    "group",
                    "_rank",
                    pl.lit(label).alias("endpoint"),
                    "visit",
                    "week",
                    pl.col(f"{label}:responders").alias("responders"),
                    pl.col(f"{label}:evaluable").alias("evaluable"),
                )
            )
    counts = pl.concat(parts)
    responders = counts["responders"].to_numpy()
    evaluable = counts["evaluable"].to_numpy()
    low, high = response.clopper_pearson(responders, evaluable, confidence_level)
    group_order = {g: i for i, g in enumerate(groups)}
    endpoint_order = {e: i for i, e in enumerate(endpoints)}
    return (
        counts.with_columns(
            pl.Series("rate", response.exact_ratio(responders, evaluable)).fill_nan(None),
            # Rounded as response_rates.csv rounds them (beta quantiles' last digits vary).
            pl.Series("ci_low", low).fill_nan(None).round(6),
            pl.Series("ci_high", high).fill_nan(None).round(6),
            pl.col("grouping").replace_strict(group_order, return_dtype=pl.Int64).alias("_g"),
            pl.col("endpoint").replace_strict(endpoint_order, return_dtype=pl.Int64).alias("_e"),
        )
        .sort("_g", "_rank", "_e", "week", "visit")
        .select(list(SUBGROUP_SCHEMA))
        .cast(SUBGROUP_SCHEMA)
    )


def absent_group_columns(patients: pl.DataFrame, group_columns: Sequence[str]) -> list[str]:
    return [g for g in group_columns if g not in patients.columns]
