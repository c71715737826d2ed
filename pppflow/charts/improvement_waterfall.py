"""Improvement in PPPASI per patient at the endpoint, best first, coloured by the best response
reached: a bar per patient, or for a large cohort a bar per run of patients of equal size."""

import altair as alt
import polars as pl

from pppflow.charts.common import (
    ChartSettings,
    ChartSize,
    Frames,
    endpoint_phrase,
    patients_text,
    titled,
)
from pppflow.constants import (
    CHART_MAX_LABELLED_PATIENTS,
    CHART_MAX_PATIENT_MARKS,
    CHART_WATERFALL_GROUPS,
    PPPASI_RESPONSE_THRESHOLDS,
)

BELOW_LOWEST = f"Below PPPASI {min(PPPASI_RESPONSE_THRESHOLDS)}"
# Best response first: greens and blues for the responses, grey below the lowest.
RESPONSE_COLOURS: tuple[str, ...] = ("#009E73", "#0072B2", "#56B4E9", "#E69F00", "#999999")
# 100 % is the top of the waterfall's axis: a line there would sit on the frame.
WATERFALL_LINES_PCT: tuple[int, ...] = tuple(t for t in PPPASI_RESPONSE_THRESHOLDS if t < 100)


def best_response() -> pl.Expr:
    """The highest PPPASI response a patient reached, from the exact response flags."""
    best = pl.lit(BELOW_LOWEST)
    for threshold in sorted(PPPASI_RESPONSE_THRESHOLDS):
        best = (
            pl.when(pl.col(f"pppasi{threshold}").fill_null(False))
            .then(pl.lit(f"PPPASI {threshold}"))
            .otherwise(best)
        )
    return best


def legend_counts(per_patient: pl.DataFrame) -> dict[str, int]:
    """Patients per best response reached, among those with an improvement, best first; only
    the responses some patient reached."""
    counts = dict(
        per_patient.filter(pl.col("improvement_pct").is_not_null())
        .group_by(best_response().alias("best"))
        .len()
        .iter_rows()
    )
    return {level: counts[level] for level in _response_levels() if counts.get(level)}


def waterfall_frame(
    per_patient: pl.DataFrame,
    *,
    max_bars: int = CHART_MAX_PATIENT_MARKS,
    groups: int = CHART_WATERFALL_GROUPS,
) -> pl.DataFrame:
    """The bars of the waterfall, best improvement first.

    Up to ``max_bars`` patients with an improvement, a bar is a patient. Beyond, the patients,
    sorted, are cut into ``groups`` runs of (nearly) equal size and a bar is the middle patient
    of its run: at pixel width a waterfall of many patients is a curve, and this is that curve
    with a fixed number of points.

    Columns: patient_id, improvement_pct, rank (1 = best), best_response (the highest PPPASI
    response reached, from the exact response flags, not from the float percentage), share_from
    and share_to (the bar's span of the sorted patients, in % of them).
    """
    best = best_response()
    with_improvement = per_patient.filter(pl.col("improvement_pct").is_not_null()).with_columns(
        pl.col("patient_id").cast(pl.Utf8)
    )
    if with_improvement.height <= max_bars:
        # Ties in natural order: patient 2 before patient 12.
        ranked = with_improvement.with_columns(
            pl.col("patient_id").cast(pl.Int64, strict=False).alias("_numeric_id")
        ).sort(
            ["improvement_pct", "_numeric_id", "patient_id"],
            descending=[True, False, False],
            nulls_last=True,
        )
    else:
        # The bars show values, not IDs: ties keep the input's order (a stable sort).
        ranked = with_improvement.sort("improvement_pct", descending=True, maintain_order=True)
    ranked = ranked.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"))
    n = ranked.height
    if n <= max_bars:
        bars = ranked.with_columns(
            ((pl.col("rank") - 1) * 100 / n).alias("share_from"),
            (pl.col("rank") * 100 / n).alias("share_to"),
        )
    else:
        # Run k holds ranks floor(k n / groups) + 1 .. floor((k + 1) n / groups), in integers.
        bounds = pl.DataFrame({"run": range(groups)}, schema={"run": pl.Int64}).with_columns(
            (pl.col("run") * n // groups).alias("first_rank_0"),
            ((pl.col("run") + 1) * n // groups).alias("last_rank"),
        )
        middles = bounds.with_columns(
            ((pl.col("first_rank_0") + 1 + pl.col("last_rank")) // 2).alias("rank"),
            (pl.col("first_rank_0") * 100 / n).alias("share_from"),
            (pl.col("last_rank") * 100 / n).alias("share_to"),
        ).select("rank", "share_from", "share_to")
        bars = middles.join(ranked, on="rank", how="left")
    return (
        bars.with_columns(best.alias("best_response"))
        .select("patient_id", "improvement_pct", "rank", "best_response", "share_from", "share_to")
        .sort("rank")
    )


def _response_levels() -> list[str]:
    return [f"PPPASI {t}" for t in sorted(PPPASI_RESPONSE_THRESHOLDS, reverse=True)] + [
        BELOW_LOWEST
    ]


def improvement_waterfall_chart(
    per_patient: pl.DataFrame,
    *,
    endpoint_label_text: str,
    cohort: str,
    size: ChartSize,
) -> alt.LayerChart:
    data = waterfall_frame(per_patient)
    shown = int(per_patient.get_column("improvement_pct").is_not_null().sum())
    left_out = per_patient.height - shown
    grouped = data.height < shown
    lowest = data.get_column("improvement_pct").min()
    floor = 0.0 if lowest is None or lowest >= 0 else -25.0 * (-(lowest // 25))
    colour_of = dict(zip(_response_levels(), RESPONSE_COLOURS, strict=True))
    counts = legend_counts(per_patient)
    levels = list(counts)
    colours = [colour_of[level] for level in levels]
    # The key names each response with its number of patients: "PPPASI 100 (8)".
    label_expr = (
        "".join(f"datum.label == '{level}' ? '{level} ({n:,})' : " for level, n in counts.items())
        + "datum.label"
    )
    thresholds = "/".join(str(t) for t in WATERFALL_LINES_PCT)
    if grouped:
        subtitle = [
            f"Baseline to {endpoint_label_text}: {patients_text(shown)}, best first, in "
            f"{data.height} runs of equal size; each bar is the middle patient of its run",
            f"Dashed lines: the PPPASI {thresholds} thresholds",
        ]
    else:
        subtitle = [
            f"Baseline to {endpoint_label_text}: {patients_text(shown)}, one bar each, best "
            f"first; dashed lines: the PPPASI {thresholds} thresholds"
        ]
    if left_out:
        subtitle.append(
            f"{patients_text(left_out)} without an improvement (PPPASI 0 at baseline, or no "
            "endpoint visit) not shown"
        )
    y = alt.Y(
        "improvement_pct:Q",
        title="Improvement in PPPASI from baseline (%)",
        scale=alt.Scale(domain=[floor, 100], nice=False),
    )
    colour = alt.Color(
        "best_response:N",
        title="Best response reached",
        scale=alt.Scale(domain=levels, range=colours),
        legend=alt.Legend(orient="bottom", direction="horizontal", labelExpr=label_expr),
    )
    tooltip = [
        alt.Tooltip("patient_id:N", title="Patient"),
        alt.Tooltip("improvement_pct:Q", title="Improvement (%)", format=".1f"),
        alt.Tooltip("best_response:N", title="Best response"),
    ]
    if grouped:
        bars = (
            alt.Chart(data.drop("rank"))
            .mark_rect()
            .encode(
                x=alt.X(
                    "share_from:Q",
                    title="Share of the patients, best improvement first (%)",
                    scale=alt.Scale(domain=[0, 100], nice=False),
                ),
                x2="share_to:Q",
                y=y,
                y2=alt.datum(0),
                color=colour,
                tooltip=[
                    alt.Tooltip("share_from:Q", title="From (% of patients)", format=".1f"),
                    alt.Tooltip("share_to:Q", title="To (% of patients)", format=".1f"),
                    *tooltip,
                ],
            )
        )
    else:
        labelled = data.height <= CHART_MAX_LABELLED_PATIENTS
        bars = (
            alt.Chart(data.drop("share_from", "share_to"))
            .mark_bar()
            .encode(
                x=alt.X(
                    "patient_id:N",
                    sort=alt.EncodingSortField("rank", order="ascending"),
                    title="Patient ID, best improvement first"
                    if labelled
                    else "Patients, best improvement first",
                    axis=alt.Axis(labels=labelled, ticks=labelled, labelAngle=0),
                ),
                y=y,
                color=colour,
                tooltip=tooltip,
            )
        )
    lines_data = pl.DataFrame(
        {
            "threshold_pct": list(WATERFALL_LINES_PCT),
            "label": [f"PPPASI {t}" for t in WATERFALL_LINES_PCT],
        },
        schema={"threshold_pct": pl.Int64, "label": pl.Utf8},
    )
    lines = alt.Chart(lines_data).mark_rule(strokeDash=[5, 4], color="#333333", strokeWidth=1.2)
    lines = lines.encode(y="threshold_pct:Q")
    labels = (
        alt.Chart(lines_data)
        .mark_text(align="left", baseline="middle", dx=4, fontSize=11, color="#333333")
        .encode(y="threshold_pct:Q", x=alt.value(size.width), text="label:N")
    )
    return titled(
        alt.layer(bars, lines, labels),
        f"Improvement in PPPASI per patient — {cohort}",
        subtitle,
        size,
    )


def build(frames: Frames, settings: ChartSettings) -> alt.LayerChart:
    return improvement_waterfall_chart(
        frames["per_patient"],
        endpoint_label_text=endpoint_phrase(frames["pppasi"], settings.endpoint_visit),
        cohort=settings.cohort,
        size=settings.size,
    )
