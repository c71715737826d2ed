"""Mean PPPASI over the weeks, with the spread of the patients seen at each visit."""

import altair as alt
import polars as pl

from pppflow.charts.common import PALETTE, PPPASI_AXIS, ChartSettings, ChartSize, Frames, titled
from pppflow.constants import TENTHS_PER_POINT


def pppasi_by_visit_frame(pppasi: pl.DataFrame) -> pl.DataFrame:
    """Per visit: its week (median over patients), n, mean and SD (n-1) of PPPASI in points.

    The sums are taken over integer tenths, so the mean is exact before the one division.
    """
    return (
        pppasi.filter(pl.col("pppasi_tenths").is_not_null())
        .group_by("visit")
        .agg(
            pl.col("week").median().alias("week"),
            pl.len().cast(pl.Int64).alias("n"),
            (pl.col("pppasi_tenths").sum() / pl.len() / TENTHS_PER_POINT).alias("mean_pppasi"),
            (pl.col("pppasi_tenths").std(ddof=1) / TENTHS_PER_POINT).alias("sd_pppasi"),
        )
        .with_columns(
            (pl.col("mean_pppasi") - pl.col("sd_pppasi").fill_null(0)).alias("sd_low"),
            (pl.col("mean_pppasi") + pl.col("sd_pppasi").fill_null(0)).alias("sd_high"),
            pl.format("n = {}", pl.col("n")).alias("n_text"),
        )
        .sort("week", "visit")
    )


def _visit_week_axis(weeks_and_counts: pl.DataFrame, title: str) -> alt.X:
    """A week axis ticked at the visits only, each tick labelled with its week and, on a second
    line, the number of patients behind the value drawn there."""
    counts = {
        f"{week:g}": f"n = {n}"
        for week, n in weeks_and_counts.select("week", "n").iter_rows()
        if week is not None
    }
    lookup = "{" + ", ".join(f"'{week}': '{text}'" for week, text in counts.items()) + "}"
    return alt.X(
        "week:Q",
        title=title,
        scale=alt.Scale(zero=True, nice=False, padding=24),
        axis=alt.Axis(
            values=[float(w) for w in counts],
            labelExpr=f"[datum.label, {lookup}[datum.label] || '']",
            grid=False,
        ),
    )


def pppasi_over_time_chart(pppasi: pl.DataFrame, *, cohort: str, size: ChartSize) -> alt.LayerChart:
    """Mean PPPASI at each visit with ± 1 SD bars (cut at 0, the floor of the scale)."""
    data = pppasi_by_visit_frame(pppasi).with_columns(pl.col("sd_low").clip(lower_bound=0))
    base = alt.Chart(data).encode(
        x=_visit_week_axis(data, "Weeks since baseline (n: patients seen at the visit)")
    )
    spread = base.mark_errorbar(ticks=True, color=PALETTE[0], thickness=1.5).encode(
        y=alt.Y("sd_low:Q", title=PPPASI_AXIS, scale=alt.Scale(zero=True)), y2="sd_high:Q"
    )
    line = base.mark_line(
        color=PALETTE[0], strokeWidth=2.5, point=alt.OverlayMarkDef(size=70, filled=True)
    ).encode(
        y=alt.Y("mean_pppasi:Q"),
        tooltip=[
            alt.Tooltip("visit:N", title="Visit"),
            alt.Tooltip("week:Q", title="Week"),
            alt.Tooltip("n:Q", title="Patients"),
            alt.Tooltip("mean_pppasi:Q", title="Mean PPPASI", format=".2f"),
            alt.Tooltip("sd_pppasi:Q", title="SD", format=".2f"),
        ],
    )
    return titled(
        alt.layer(spread, line),
        f"Mean PPPASI over the weeks — {cohort}",
        ["Line: mean PPPASI of the patients seen at each visit; bars: ± 1 SD (n − 1), cut at 0"],
        size,
    )


def build(frames: Frames, settings: ChartSettings) -> alt.LayerChart:
    return pppasi_over_time_chart(frames["pppasi"], cohort=settings.cohort, size=settings.size)
