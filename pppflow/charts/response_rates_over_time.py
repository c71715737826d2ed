"""Response rates over the weeks: one panel per endpoint, the rate at each follow-up visit with
its CI band."""

from collections.abc import Sequence

import altair as alt
import polars as pl

from pppflow.charts.common import (
    PALETTE,
    ChartSettings,
    ChartSize,
    Frames,
    endpoint_label,
    rate_tooltips,
    share_y,
    styled,
    weeks_axis,
)


def rates_over_time_frame(rates: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """The rates frame as the chart draws it: one row per endpoint (in the file's order), `by`
    (an arm) and follow-up visit."""
    order = rates.select("endpoint").unique(maintain_order=True).with_row_index("order")
    return (
        rates.join(order, on="endpoint", how="left")
        .with_columns(
            pl.col("endpoint")
            .map_elements(endpoint_label, return_dtype=pl.Utf8)
            .alias("endpoint_label"),
            pl.col("week").cast(pl.Float64),
            pl.col("rate").cast(pl.Float64),
            pl.col("ci_low").cast(pl.Float64),
            pl.col("ci_high").cast(pl.Float64),
        )
        .select(
            "endpoint",
            "endpoint_label",
            "order",
            *by,
            "visit",
            "week",
            "responders",
            "evaluable",
            "rate",
            "ci_low",
            "ci_high",
        )
        .sort("order", *by, "week")
    )


def response_rates_over_time_chart(
    rates: pl.DataFrame,
    *,
    confidence_level: float,
    cohort: str,
    size: ChartSize,
) -> alt.FacetChart:
    """One small panel per endpoint: the rate at each follow-up visit and its CI band."""
    data = rates_over_time_frame(rates)
    order = data.unique("order").sort("order").get_column("endpoint_label").to_list()
    level = f"{confidence_level * 100:g}"
    columns = 3 if len(order) > 4 else min(2, max(1, len(order)))
    rows = -(-len(order) // columns)
    panel = ChartSize(max(120, size.width // columns - 20), max(100, size.height // rows - 20))
    # Facet children carry no data of their own: the facet hands each panel its rows.
    weeks = sorted(set(data.get_column("week").drop_nulls().to_list()))
    base = alt.Chart().encode(
        x=weeks_axis(weeks),
    )
    band = base.mark_area(opacity=0.2, color=PALETTE[0]).encode(y=alt.Y("ci_low:Q"), y2="ci_high:Q")
    line = base.mark_line(
        color=PALETTE[0], strokeWidth=2, point=alt.OverlayMarkDef(size=50, filled=True)
    ).encode(
        y=share_y("rate", "Patients responding (%)"),
        tooltip=rate_tooltips(level),
    )
    layered = alt.layer(band, line).properties(width=panel.width, height=panel.height)
    chart = alt.FacetChart(
        data=data,
        spec=layered,
        facet=alt.Facet(
            "endpoint_label:N", sort=order, title=None, header=alt.Header(labelFontSize=13)
        ),
        columns=columns,
    ).properties(
        title=alt.Title(
            f"Response rates over the weeks — {cohort}",
            subtitle=[
                f"One panel per endpoint. Line: rate at each follow-up visit; band: exact "
                f"{level} % CI (Clopper–Pearson)"
            ],
            anchor="start",
        )
    )
    return styled(chart)


def build(frames: Frames, settings: ChartSettings) -> alt.FacetChart:
    return response_rates_over_time_chart(
        frames["rates"],
        confidence_level=settings.confidence_level,
        cohort=settings.cohort,
        size=settings.size,
    )
