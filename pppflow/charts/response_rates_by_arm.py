"""Response rates per arm over the weeks: one panel per PPPASI endpoint, one line per arm (the
rate at each follow-up visit) with its CI band. Drawn from response_rates.csv's rows that name
an arm; the reference arm (comparisons.csv's) first and in grey."""

import altair as alt
import polars as pl

from pppflow import constants as c
from pppflow.charts.common import (
    PALETTE,
    ChartSettings,
    ChartSize,
    Frames,
    rate_tooltips,
    share_y,
    styled,
    weeks_axis,
)
from pppflow.charts.response_rates_over_time import rates_over_time_frame

REFERENCE_COLOUR = "#7F7F7F"


def reference_arm(comparisons: pl.DataFrame) -> str | None:
    if comparisons.is_empty() or "reference_arm" not in comparisons.columns:
        return None
    return comparisons["reference_arm"][0]


def arms_in_order(rates: pl.DataFrame, reference: str | None) -> list[str]:
    """The arms of the frame: the reference first (when it has rows), the others sorted."""
    arms = sorted(set(rates["arm"].drop_nulls().to_list()))
    if reference in arms:
        arms.remove(reference)
        arms.insert(0, reference)
    return arms


def rates_by_arm_frame(rates: pl.DataFrame) -> pl.DataFrame:
    """The rows the chart draws: PPPASI endpoints, rows with an arm, in endpoint order then by
    arm and week."""
    if "arm" not in rates.columns:
        rates = rates.with_columns(pl.lit(None, pl.Utf8).alias("arm"))
    with_arm = rates.with_columns(pl.col("arm").cast(pl.Utf8)).filter(
        pl.col("arm").is_not_null()
        & (pl.col("arm").str.strip_chars() != "")
        & pl.col("endpoint").str.starts_with(c.PPPASI_ENDPOINT_PREFIX)
    )
    return rates_over_time_frame(with_arm, by=["arm"])


def response_rates_by_arm_chart(
    rates: pl.DataFrame,
    comparisons: pl.DataFrame,
    *,
    confidence_level: float,
    cohort: str,
    size: ChartSize,
) -> alt.FacetChart:
    data = rates_by_arm_frame(rates)
    order = data.unique("order").sort("order").get_column("endpoint_label").to_list()
    reference = reference_arm(comparisons)
    arms = arms_in_order(data, reference)
    others = iter(PALETTE)
    colours = [REFERENCE_COLOUR if arm == reference else next(others) for arm in arms]
    level = f"{confidence_level * 100:g}"
    columns = 2 if len(order) > 1 else 1
    rows = -(-len(order) // columns) if order else 1
    panel = ChartSize(max(160, size.width // columns - 20), max(110, size.height // rows - 20))
    weeks = sorted(set(data.get_column("week").drop_nulls().to_list()))
    colour = alt.Color(
        "arm:N",
        title="Arm",
        scale=alt.Scale(domain=arms, range=colours),
        sort=arms,
        # Opaque symbols: the bands' opacity would make them faint.
        legend=alt.Legend(
            orient="bottom", direction="horizontal", symbolOpacity=1, symbolType="circle"
        ),
    )
    base = alt.Chart().encode(
        x=weeks_axis(weeks),
    )
    band = base.mark_area(opacity=0.15).encode(y=alt.Y("ci_low:Q"), y2="ci_high:Q", color=colour)
    line = base.mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=45, filled=True)).encode(
        color=colour,
        y=share_y("rate", "Patients responding (%)"),
        tooltip=rate_tooltips(level, alt.Tooltip("arm:N", title="Arm")),
    )
    layered = alt.layer(band, line).properties(width=panel.width, height=panel.height)
    versus = f"; grey: the reference arm ({reference})" if reference else ""
    chart = alt.FacetChart(
        data=data,
        spec=layered,
        facet=alt.Facet(
            "endpoint_label:N", sort=order, title=None, header=alt.Header(labelFontSize=13)
        ),
        columns=columns,
    ).properties(
        title=alt.Title(
            f"PPPASI response per arm over the weeks — {cohort}",
            subtitle=[
                f"One panel per endpoint, one line per arm{versus}. Band: exact {level} % CI "
                "(Clopper–Pearson) of each arm's rate"
            ],
            anchor="start",
        )
    )
    return styled(chart)


def build(frames: Frames, settings: ChartSettings) -> alt.FacetChart:
    return response_rates_by_arm_chart(
        frames["rates"],
        frames["comparisons"],
        confidence_level=settings.confidence_level,
        cohort=settings.cohort,
        size=settings.size,
    )
