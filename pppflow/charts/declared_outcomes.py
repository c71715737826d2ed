"""The declared outcomes (config `outcomes:`) over the weeks: per outcome a small panel of the
median at each visit with its quartiles (descriptives.csv), on the outcome's own scale."""

import altair as alt
import polars as pl

from pppflow.charts.common import PALETTE, ChartSettings, ChartSize, Frames, styled, weeks_axis
from pppflow.constants import PGA_OUTCOME, PPPASI_OUTCOME

BUILT_IN = (PPPASI_OUTCOME, PGA_OUTCOME)


def declared_frame(descriptives: pl.DataFrame) -> pl.DataFrame:
    """descriptives.csv's rows of the declared outcomes (every outcome but PPPASI and PGA), in
    the table's order: outcome, arm (where the table has one), visit, week, n, median, q1, q3,
    and an `order` of the outcomes."""
    rows = descriptives.filter(~pl.col("outcome").is_in(BUILT_IN))
    order = rows.select("outcome").unique(maintain_order=True).with_row_index("order")
    arm = pl.col("arm").cast(pl.Utf8) if "arm" in rows.columns else pl.lit(None, pl.Utf8)
    return rows.join(order, on="outcome", how="left").select(
        "order",
        pl.col("outcome").cast(pl.Utf8),
        arm.alias("arm"),
        pl.col("visit").cast(pl.Utf8),
        pl.col("week").cast(pl.Float64),
        pl.col("n").cast(pl.Int64),
        *(pl.col(name).cast(pl.Float64) for name in ("median", "q1", "q3", "mean")),
    )


def declared_outcomes_chart(
    descriptives: pl.DataFrame, *, cohort: str, size: ChartSize
) -> alt.FacetChart:
    data = declared_frame(descriptives)
    outcomes = data.unique("order").sort("order").get_column("outcome").to_list()
    arms = data.get_column("arm").drop_nulls().unique(maintain_order=True).to_list()
    weeks = sorted(set(data.get_column("week").drop_nulls().to_list()))
    columns = 3 if len(outcomes) > 4 else min(2, max(1, len(outcomes)))
    rows = -(-len(outcomes) // columns)
    panel = ChartSize(max(140, size.width // columns - 30), max(110, size.height // rows - 30))
    encodings = {}
    if arms:
        encodings["color"] = alt.Color(
            "arm:N",
            scale=alt.Scale(domain=arms, range=list(PALETTE[: len(arms)])),
            legend=alt.Legend(title="Arm"),
        )
    base = alt.Chart().encode(
        x=weeks_axis(weeks),
        **encodings,
    )
    mark_colour = {} if arms else {"color": PALETTE[0]}
    spread = base.mark_errorbar(ticks=True, thickness=1.5, **mark_colour).encode(
        y=alt.Y("q1:Q", title="Median [Q1, Q3]", scale=alt.Scale(zero=True)), y2="q3:Q"
    )
    line = base.mark_line(
        strokeWidth=2, point=alt.OverlayMarkDef(size=50, filled=True), **mark_colour
    ).encode(
        y="median:Q",
        tooltip=[
            alt.Tooltip("outcome:N", title="Outcome"),
            alt.Tooltip("visit:N", title="Visit"),
            alt.Tooltip("week:Q", title="Week"),
            alt.Tooltip("n:Q", title="Patients"),
            alt.Tooltip("median:Q", title="Median"),
            alt.Tooltip("q1:Q", title="Q1"),
            alt.Tooltip("q3:Q", title="Q3"),
            alt.Tooltip("mean:Q", title="Mean", format=".2f"),
        ],
    )
    chart = (
        alt.FacetChart(
            data=data,
            spec=alt.layer(spread, line).properties(width=panel.width, height=panel.height),
            facet=alt.Facet(
                "outcome:N", sort=outcomes, title=None, header=alt.Header(labelFontSize=13)
            ),
            columns=columns,
        )
        .resolve_scale(y="independent")
        .properties(
            title=alt.Title(
                f"Declared outcomes over the weeks — {cohort}",
                subtitle=[
                    "One panel per outcome, on its own scale",
                    "Line: median of the patients with a value at each visit; bars: Q1 to Q3",
                ],
                anchor="start",
            )
        )
    )
    return styled(chart)


def build(frames: Frames, settings: ChartSettings) -> alt.FacetChart:
    return declared_outcomes_chart(
        frames["descriptives"], cohort=settings.cohort, size=settings.size
    )
