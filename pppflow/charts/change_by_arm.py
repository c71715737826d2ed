"""The difference in PPPASI change from baseline between arms (arm - reference, points) at each
follow-up visit, with its CI, from two analyses side by side at each visit: the linear mixed
model over all visits (repeated_measures.csv; circles) and the ANCOVA LS-mean difference of that
visit alone (continuous_comparisons.csv; diamonds); one panel per arm compared. A visit where an
analysis has no estimate (a null row) has no mark of that analysis. A change is visit - baseline, so a
difference below 0 is a larger improvement on the arm."""

import altair as alt
import polars as pl

from pppflow import constants as c
from pppflow.charts.common import (
    PALETTE,
    ChartSettings,
    ChartSize,
    Frames,
    styled,
    time_point_label,
)

CHANGE_OUTCOME = f"{c.PPPASI_OUTCOME} change"  # continuous_comparisons.CHANGE_OUTCOME
MIXED_MODEL = "Mixed model, all visits"
ANCOVA = "ANCOVA at the visit"
METHODS = (MIXED_MODEL, ANCOVA)


def visit_weeks(pppasi: pl.DataFrame) -> pl.DataFrame:
    """visit, week (the median week it was held at), label (common.time_point_label)."""
    rows = []
    # The median and the distinct weeks in polars: the label needs no more, and a registry's
    # million weeks per visit never become Python floats.
    for visit, week, weeks in (
        pppasi.group_by("visit", maintain_order=True)
        .agg(pl.col("week").median(), pl.col("week").unique().alias("weeks"))
        .iter_rows()
    ):
        rows.append((visit, week, time_point_label(visit, weeks)))
    return pl.DataFrame(
        rows, schema={"visit": pl.Utf8, "week": pl.Float64, "label": pl.Utf8}, orient="row"
    )


def change_by_arm_frame(
    repeated: pl.DataFrame, continuous: pl.DataFrame, pppasi: pl.DataFrame
) -> pl.DataFrame:
    """One row per method, arm and follow-up visit with an estimate: method, arm, reference_arm,
    panel ("arm vs reference"), visit, week, label, difference, ci_low, ci_high, p_value, n
    (patients in the model, or at the visit in both arms)."""
    mixed = repeated.filter(pl.col("outcome") == CHANGE_OUTCOME).select(
        pl.lit(MIXED_MODEL).alias("method"),
        "arm",
        "reference_arm",
        "visit",
        pl.col("difference").cast(pl.Float64),
        pl.col("ci_low").cast(pl.Float64),
        pl.col("ci_high").cast(pl.Float64),
        pl.col("p_value").cast(pl.Float64),
        pl.col("patients").cast(pl.Int64).alias("n"),
    )
    ancova = continuous.filter(pl.col("outcome") == CHANGE_OUTCOME).select(
        pl.lit(ANCOVA).alias("method"),
        "arm",
        "reference_arm",
        "visit",
        pl.col("ls_mean_difference").cast(pl.Float64).alias("difference"),
        pl.col("ci_low").cast(pl.Float64),
        pl.col("ci_high").cast(pl.Float64),
        pl.col("p_value").cast(pl.Float64),
        (pl.col("n") + pl.col("reference_n")).cast(pl.Int64).alias("n"),
    )
    return (
        pl.concat([mixed, ancova])
        .filter(pl.col("difference").is_not_null())
        .join(visit_weeks(pppasi), on="visit", how="left")
        .with_columns(
            pl.format("{} vs {}", "arm", "reference_arm").alias("panel"),
            pl.col("label").fill_null(pl.col("visit")),
        )
        .select(
            "method",
            "arm",
            "reference_arm",
            "panel",
            "visit",
            "week",
            "label",
            "difference",
            "ci_low",
            "ci_high",
            "p_value",
            "n",
        )
        .sort("arm", "week", "method", nulls_last=True)
    )


def change_by_arm_chart(
    repeated: pl.DataFrame,
    continuous: pl.DataFrame,
    pppasi: pl.DataFrame,
    *,
    confidence_level: float,
    cohort: str,
    size: ChartSize,
) -> alt.FacetChart:
    data = change_by_arm_frame(repeated, continuous, pppasi)
    labels = data.unique("label").sort("week", "label", nulls_last=True)["label"].to_list()
    panels = data.unique("panel", maintain_order=True)["panel"].to_list()
    level = f"{confidence_level * 100:g}"
    colour = alt.Color(
        "method:N",
        title=None,
        scale=alt.Scale(domain=list(METHODS), range=[PALETTE[0], PALETTE[1]]),
        legend=alt.Legend(orient="bottom", direction="horizontal"),
    )
    x = alt.X("label:N", title=None, sort=labels, axis=alt.Axis(labelAngle=0))
    offset = alt.XOffset("method:N", sort=list(METHODS), scale=alt.Scale(paddingOuter=0.6))
    zero = alt.Chart().mark_rule(color="#444444", strokeDash=[4, 3]).encode(y=alt.datum(0))
    interval = (
        alt.Chart()
        .mark_rule(strokeWidth=2)
        .encode(x=x, xOffset=offset, y="ci_low:Q", y2="ci_high:Q", color=colour)
    )
    tooltip = [
        alt.Tooltip("panel:N", title="Arms"),
        alt.Tooltip("method:N", title="Method"),
        alt.Tooltip("visit:N", title="Visit"),
        alt.Tooltip("difference:Q", title="Difference (points)", format="+.2f"),
        alt.Tooltip("ci_low:Q", title=f"{level} % CI low", format="+.2f"),
        alt.Tooltip("ci_high:Q", title=f"{level} % CI high", format="+.2f"),
        alt.Tooltip("p_value:Q", title="P", format=".3g"),
        alt.Tooltip("n:Q", title="Patients"),
    ]
    point = (
        alt.Chart()
        .mark_point(filled=True, size=60, opacity=1)
        .encode(
            x=x,
            xOffset=offset,
            y=alt.Y("difference:Q", title="Difference in PPPASI change, arm − reference (points)"),
            color=colour,
            shape=alt.Shape(
                "method:N", scale=alt.Scale(domain=list(METHODS), range=["circle", "diamond"])
            ),
            tooltip=tooltip,
        )
    )
    layered = alt.layer(zero, interval, point).properties(
        width=max(200, size.width // max(1, len(panels)) - 20), height=size.height
    )
    chart = alt.FacetChart(
        data=data,
        spec=layered,
        facet=alt.Facet("panel:N", sort=panels, title=None, header=alt.Header(labelFontSize=13)),
        columns=min(2, max(1, len(panels))),
    ).properties(
        title=alt.Title(
            f"PPPASI change from baseline, difference between arms — {cohort}",
            subtitle=[
                f"Arm − reference at each follow-up visit, in PPPASI points, with its {level} % "
                "CI. Below the dashed line: a larger decrease (improvement) on the arm.",
                "Circles: linear mixed model over all visits (random intercept, baseline "
                "adjusted); diamonds: ANCOVA of that visit's change on arm and baseline.",
            ],
            anchor="start",
        )
    )
    return styled(chart)


def build(frames: Frames, settings: ChartSettings) -> alt.FacetChart:
    return change_by_arm_chart(
        frames["repeated_measures"],
        frames["continuous_comparisons"],
        frames["pppasi"],
        confidence_level=settings.confidence_level,
        cohort=settings.cohort,
        size=settings.size,
    )
