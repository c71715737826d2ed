"""Last observation carried forward, the third missing-data rule (`missing: locf`): a missed
follow-up visit takes the patient's last observed follow-up values. Applied by the response
stage before the rates are counted, so every table under that rule sees the filled visits."""

from collections.abc import Sequence
from typing import TypeVar

import polars as pl

from pppflow.response import ENDPOINTS, PGA_CLEAR, PGA_IMPROVED, PPPASI_COLUMNS, nominal_week

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)

CARRIED_FROM = "carried_forward_from"


def carried_columns(names: Sequence[str]) -> list[str]:
    """The columns carry_forward fills by default, those of them the frame has: the visit's
    PPPASI (and PGA) score, improvement and every built-in responder column."""
    default = [
        "pppasi_visit_tenths",
        "pga_visit",
        "improvement_pct",
        *PPPASI_COLUMNS,
        PGA_CLEAR,
        PGA_IMPROVED,
        *(e.column for e in ENDPOINTS),
    ]
    return [col for col in dict.fromkeys(default) if col in names]


def carry_forward(responses: Frame, columns: Sequence[str] | None = None) -> Frame:
    """Last observation carried forward: each follow-up visit the patient missed (`observed`
    false) takes `columns` (default: carried_columns; pass a declared outcome's responder
    columns too) from the patient's last observed follow-up visit before it, in the order of
    the visits' nominal weeks (a missed visit has no week of its own). A missed visit with no
    observed follow-up visit before it stays missing (null), even in a frame judged under nri.

    The baseline is not carried forward: it is the untreated score, so carrying it would judge
    the patient an unchanged non-responder, which is non-responder imputation (or baseline
    observation carried forward) under another name and not LOCF's assumption that the last
    on-treatment state persists. `observed` stays false on the filled rows; `carried_forward_from`
    names the visit a row's values came from (null on every other row)."""
    lazy = responses.lazy()
    names = lazy.collect_schema().names()
    filled = list(columns) if columns is not None else carried_columns(names)
    weeks = lazy.group_by("visit").agg(nominal_week().alias("_nominal_week"))
    observed = pl.col("observed")
    source = (
        lazy.with_row_index("_row")
        .join(weeks, on="visit", how="left")
        .sort("patient_id", "_nominal_week", "visit", nulls_last=True)
        .with_columns(
            pl.when(observed)
            .then(pl.col("visit"))
            .forward_fill()
            .over("patient_id")
            .alias("_source")
        )
    )
    last_seen = lazy.filter(observed).select(
        "patient_id",
        pl.col("visit").alias("_source"),
        *(pl.col(col).alias(f"_carried:{col}") for col in filled),
    )
    carried = (
        source.join(last_seen, on=["patient_id", "_source"], how="left")
        .with_columns(
            *(
                pl.when(observed).then(pl.col(col)).otherwise(pl.col(f"_carried:{col}")).alias(col)
                for col in filled
            ),
            pl.when(observed).then(pl.lit(None, pl.Utf8)).otherwise("_source").alias(CARRIED_FROM),
        )
        .sort("_row")
        .select(*[n for n in names if n != CARRIED_FROM], CARRIED_FROM)
    )
    return carried.collect() if isinstance(responses, pl.DataFrame) else carried
