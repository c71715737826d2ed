"""Response rates at the endpoint with their CI, and the rates the paper reports beside them."""

import altair as alt
import polars as pl

from pppflow.charts.common import (
    PALETTE,
    ChartSettings,
    ChartSize,
    Frames,
    endpoint_label,
    endpoint_phrase,
    titled,
)
from pppflow.constants import PGA_ENDPOINTS

RECOMPUTED = "Recomputed from patient data"
REPORTED = "Reported in the paper"

# A Vega expression: an axis label drawn on several lines, at its line breaks.
MULTILINE_LABEL = "split(datum.label, '\\n')"
# Past this many characters an axis label breaks at its last space.
LABEL_LINE_CHARS = 12


def wrapped(text: str, width: int = LABEL_LINE_CHARS) -> str:
    """``text`` with a line break at its last space if it is longer than ``width``."""
    if len(text) <= width or " " not in text:
        return text
    head, _, tail = text.rpartition(" ")
    return f"{head}\n{tail}"


def percent_text(fraction: float) -> str:
    """0.5 -> "50%", 0.355 -> "35.5%": as a paper prints a rate, no trailing zeros."""
    return f"{round(fraction * 100, 6):g}%"


def response_rates_frame(
    rates: pl.DataFrame,
    reported: pl.DataFrame,
    *,
    visit: str,
    audit: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per endpoint recomputed at ``visit`` and one per rate the paper reports there.

    Columns: endpoint, endpoint_label, axis_label (the label and, on a second line, the
    recomputed responders/evaluable), order, source (recomputed/reported), rate, ci_low,
    ci_high (null for reported), responders, evaluable (null for reported), rate_text,
    decisive (a reported rate the audit finds decisively wrong; ``reported`` then carries each
    rate's claim_id and ``audit`` is audit.csv).
    """
    recomputed = rates.filter(pl.col("visit") == visit).select(
        "endpoint",
        pl.lit(RECOMPUTED).alias("source"),
        pl.col("rate").cast(pl.Float64),
        pl.col("ci_low").cast(pl.Float64),
        pl.col("ci_high").cast(pl.Float64),
        pl.col("responders").cast(pl.Int64),
        pl.col("evaluable").cast(pl.Int64),
    )
    # A cohort without PGA grades has no PGA endpoint (response_rates.csv leaves them out): a
    # rate the paper prints for one has nothing to stand beside, and is not drawn.
    pga_recorded = rates.filter(pl.col("endpoint").is_in(PGA_ENDPOINTS)).height > 0
    printed = reported.filter(
        (pl.col("visit") == visit) & (pga_recorded | ~pl.col("endpoint").is_in(PGA_ENDPOINTS))
    )
    printed = printed.with_columns(_decisive(printed, audit)).select(
        "endpoint",
        pl.lit(REPORTED).alias("source"),
        pl.col("reported_rate").cast(pl.Float64).alias("rate"),
        "decisive",
    )
    endpoints = pl.concat([recomputed.select("endpoint"), printed.select("endpoint")])
    order = endpoints.unique(maintain_order=True).with_row_index("order")
    counts = recomputed.select(
        "endpoint", pl.format("{}/{}", "responders", "evaluable").alias("counts")
    )
    labels = order.join(counts, on="endpoint", how="left").with_columns(
        pl.col("endpoint")
        .map_elements(endpoint_label, return_dtype=pl.Utf8)
        .alias("endpoint_label"),
    )
    labels = labels.with_columns(
        pl.col("endpoint_label").map_elements(wrapped, return_dtype=pl.Utf8).alias("axis_label")
    ).with_columns(
        pl.when(pl.col("counts").is_not_null())
        .then(pl.col("axis_label") + pl.lit("\n") + pl.col("counts"))
        .otherwise(pl.col("axis_label"))
        .alias("axis_label")
    )
    return (
        pl.concat([recomputed, printed], how="diagonal")
        .join(labels.drop("counts"), on="endpoint", how="left")
        .with_columns(
            pl.when(pl.col("evaluable").is_not_null())
            .then(
                pl.format(
                    "{}/{}",
                    pl.col("responders"),
                    pl.col("evaluable"),
                )
            )
            .otherwise(
                pl.col("rate").map_elements(percent_text, return_dtype=pl.Utf8, skip_nulls=True)
            )
            .alias("rate_text"),
        )
        .sort("order", pl.col("source") != RECOMPUTED)
        .select(
            "endpoint",
            "endpoint_label",
            "axis_label",
            "order",
            "source",
            "rate",
            "ci_low",
            "ci_high",
            "responders",
            "evaluable",
            "rate_text",
            pl.col("decisive").fill_null(False),
        )
    )


def _decisive(printed: pl.DataFrame, audit: pl.DataFrame | None) -> pl.Expr:
    """Whether the audit judged each printed rate a decisive mismatch (by its claim_id)."""
    if audit is None or audit.is_empty() or "claim_id" not in printed.columns:
        return pl.lit(False).alias("decisive")
    flagged = audit.filter(
        (pl.col("verdict") == "mismatch") & (pl.col("decisive").cast(pl.Utf8) == "true")
    ).get_column("claim_id")
    return pl.col("claim_id").is_in(flagged.implode()).alias("decisive")


def response_rates_chart(
    rates: pl.DataFrame,
    reported: pl.DataFrame,
    *,
    visit: str,
    visit_label: str,
    confidence_level: float,
    cohort: str,
    size: ChartSize,
    audit: pl.DataFrame | None = None,
) -> alt.LayerChart:
    data = response_rates_frame(rates, reported, visit=visit, audit=audit)
    order = data.unique("order").sort("order").get_column("axis_label").to_list()
    level = f"{confidence_level * 100:g}"
    sources = [RECOMPUTED] + (
        [REPORTED] if data.filter(pl.col("source") == REPORTED).height else []
    )
    subtitle = [
        f"Circles: rate recomputed from the patient data, with its exact {level} % CI "
        "(Clopper–Pearson)",
        "Under each endpoint: responders/evaluable patients",
    ]
    if REPORTED in sources:
        subtitle.append("Diamonds: the rate the paper reports for the same endpoint and visit")
    if data.get_column("decisive").any():
        subtitle.append(
            "Ringed in red, “decisive”: a printed rate off by at least one patient (the audit)"
        )
    x = alt.X(
        "axis_label:N",
        sort=order,
        title=None,
        axis=alt.Axis(labelAngle=0, labelFontSize=12, labelExpr=MULTILINE_LABEL),
    )
    y = alt.Y(
        "rate:Q",
        title="Patients responding (%)",
        axis=alt.Axis(format=".0%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    x_offset = alt.XOffset("source:N", sort=sources, scale=alt.Scale(domain=sources))
    colour = alt.Color(
        "source:N",
        title=None,
        sort=sources,
        scale=alt.Scale(domain=sources, range=[PALETTE[0], PALETTE[4]][: len(sources)]),
        # One source only: the subtitle says what the circles are, a legend would repeat it.
        legend=alt.Legend(orient="bottom", direction="horizontal", labelLimit=300)
        if len(sources) > 1
        else None,
    )
    shape = alt.Shape(
        "source:N",
        sort=sources,
        scale=alt.Scale(domain=sources, range=["circle", "diamond"][: len(sources)]),
        legend=alt.Legend(orient="bottom", direction="horizontal", labelLimit=300)
        if len(sources) > 1
        else None,
    )
    tooltip = [
        alt.Tooltip("endpoint_label:N", title="Endpoint"),
        alt.Tooltip("source:N", title="Source"),
        alt.Tooltip("rate:Q", title="Rate", format=".1%"),
        alt.Tooltip("ci_low:Q", title=f"{level} % CI low", format=".1%"),
        alt.Tooltip("ci_high:Q", title=f"{level} % CI high", format=".1%"),
        alt.Tooltip("rate_text:N", title="Responders/evaluable or as printed"),
    ]
    base = alt.Chart(data)
    recomputed = base.transform_filter(alt.datum.source == RECOMPUTED)
    interval = recomputed.mark_rule(strokeWidth=2).encode(
        x=x, xOffset=x_offset, y=alt.Y("ci_low:Q"), y2="ci_high:Q", color=colour
    )
    caps = [
        recomputed.mark_tick(thickness=2, size=12).encode(
            x=x, xOffset=x_offset, y=alt.Y(f"{end}:Q"), color=colour
        )
        for end in ("ci_low", "ci_high")
    ]
    points = base.mark_point(filled=True, size=110, opacity=1).encode(
        x=x, xOffset=x_offset, y=y, color=colour, shape=shape, tooltip=tooltip
    )
    # Each recomputed rate written left of its point (the printed rate is right of it), so the
    # figure reads without the axis.
    recomputed_labels = (
        recomputed.transform_calculate(rate_label="format(datum.rate, '.0%')")
        .mark_text(align="right", dx=-9, fontSize=11, color=PALETTE[0])
        .encode(x=x, xOffset=x_offset, y=y, text="rate_label:N")
    )
    printed = (
        base.transform_filter(alt.datum.source == REPORTED)
        .mark_text(dy=-13, fontSize=12, fontWeight="bold", color=PALETTE[4])
        .encode(x=x, xOffset=x_offset, y=y, text="rate_text:N")
    )
    decisive = base.transform_filter(alt.datum.decisive)
    ring = decisive.mark_point(
        shape="circle", size=360, filled=False, strokeWidth=2, color="#B00020"
    ).encode(x=x, xOffset=x_offset, y=y)
    ring_label = (
        decisive.transform_calculate(note="'decisive'")
        .mark_text(dy=22, fontSize=11, fontWeight="bold", color="#B00020")
        .encode(x=x, xOffset=x_offset, y=y, text="note:N")
    )
    return titled(
        alt.layer(interval, *caps, points, recomputed_labels, printed, ring, ring_label),
        f"Response rates at {visit_label} — {cohort}",
        subtitle,
        size,
    )


def build(frames: Frames, settings: ChartSettings) -> alt.LayerChart:
    return response_rates_chart(
        frames["rates"],
        frames["claims"],
        visit=settings.endpoint_visit,
        visit_label=endpoint_phrase(frames["pppasi"], settings.endpoint_visit),
        confidence_level=settings.confidence_level,
        cohort=settings.cohort,
        size=settings.size,
        audit=frames["audit"],
    )
