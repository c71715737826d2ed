"""Time to first PPPASI 50 and 75 response: the Kaplan-Meier cumulative response (1 - S) as
step curves over the weeks, with the numbers at risk under the axis at each visit week. The
curve is pppflow.time_to_response's (cumulative_response_curve, at_risk_by_week)."""

import altair as alt
import polars as pl

from pppflow.charts.common import (
    PALETTE,
    ChartSettings,
    ChartSize,
    Frames,
    endpoint_label,
    share_y,
    styled,
)
from pppflow.time_to_response import (
    at_risk_by_week,
    cumulative_response_curve,
    first_responses_by_arm,
)


def _series(frame: pl.DataFrame) -> pl.DataFrame:
    """A `series` column: the endpoint's label, and the arm's where the cohort has arms."""
    label = pl.col("endpoint").map_elements(endpoint_label, return_dtype=pl.Utf8)
    with_arm = pl.when(pl.col("arm").is_not_null()).then(pl.format("{} — {}", label, pl.col("arm")))
    return frame.with_columns(with_arm.otherwise(label).alias("series"))


def time_to_response_chart(
    responses: pl.LazyFrame, *, cohort: str, size: ChartSize, period: str | None = None
) -> alt.VConcatChart:
    """The curves of every endpoint (and arm, where `responses` has an `arm` column); `period`
    says which visits they cover, where not all."""
    patients = first_responses_by_arm(responses)
    curve = _series(cumulative_response_curve(responses, patients=patients))
    at_risk = _series(at_risk_by_week(responses, patients=patients))
    series = curve.unique("series", maintain_order=True).get_column("series").to_list()
    weeks = sorted(set(at_risk.get_column("week").to_list()))
    palette = alt.Scale(domain=series, range=list(PALETTE[: len(series)]))
    colour = alt.Color(
        "series:N",
        sort=series,
        scale=palette,
        legend=alt.Legend(title=None, orient="top-left"),
    )
    # Padded, so that the counts at week 0 stand clear of the table's row labels.
    x_scale = alt.Scale(
        domain=[0, max(weeks + curve.get_column("week").to_list())], nice=False, padding=16
    )
    base = alt.Chart(curve).encode(
        x=alt.X("week:Q", title=None, scale=x_scale, axis=alt.Axis(values=weeks, grid=False)),
        color=colour,
    )
    steps = base.mark_line(interpolate="step-after", strokeWidth=2.5).encode(
        y=share_y("cumulative", "Patients with a first response (%)"),
        tooltip=[
            alt.Tooltip("series:N", title="Endpoint"),
            alt.Tooltip("week:Q", title="Week"),
            alt.Tooltip("cumulative:Q", title="Cumulative response", format=".1%"),
            alt.Tooltip("at_risk:Q", title="At risk"),
            alt.Tooltip("events:Q", title="Responses"),
            alt.Tooltip("censored:Q", title="Censored"),
        ],
    )
    censored = (
        base.transform_filter("datum.censored > 0")
        .mark_point(shape="cross", size=70, filled=True, opacity=1)
        .encode(y="cumulative:Q")
    )
    curves = alt.layer(steps, censored).properties(width=size.width, height=size.height)
    table = (
        alt.Chart(at_risk)
        .mark_text(fontSize=12)
        .encode(
            x=alt.X(
                "week:Q",
                title="Weeks since baseline",
                scale=x_scale,
                axis=alt.Axis(values=weeks, grid=False, domain=False, ticks=False),
            ),
            y=alt.Y("series:N", sort=series, title=None, axis=alt.Axis(domain=False, ticks=False)),
            text="at_risk:Q",
            color=alt.Color("series:N", sort=series, scale=palette, legend=None),
        )
        .properties(
            width=size.width,
            height=22 * len(series),
            title=alt.Title("Number at risk", anchor="start", fontSize=12, fontWeight="normal"),
        )
    )
    chart = alt.vconcat(curves, table, spacing=8).properties(
        title=alt.Title(
            f"Time to first response — {cohort}",
            subtitle=[
                "Kaplan–Meier cumulative response (1 − S)" + (f", {period}" if period else ""),
                "A patient never responding is censored (+) at the last scored visit",
            ],
            anchor="start",
        )
    )
    return styled(chart)


def build(frames: Frames, settings: ChartSettings) -> alt.VConcatChart:
    return time_to_response_chart(
        frames["responses"].lazy(), cohort=settings.cohort, size=settings.size
    )
