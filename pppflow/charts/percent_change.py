"""Mean percent change in PPPASI from baseline at each follow-up visit, with its CI; one series
per arm where the cohort has arms."""

import json

import altair as alt
import polars as pl

from pppflow.charts.common import PALETTE, ChartSettings, ChartSize, Frames, titled

ONE_ARM = "All patients"


def arm_labels(arm: pl.Expr) -> pl.Expr:
    """An arm's name, or ONE_ARM where the table's `arm` is empty (a single-arm cohort)."""
    return pl.coalesce(arm.cast(pl.Utf8), pl.lit(ONE_ARM))


def percent_change_frame(summary: pl.DataFrame) -> pl.DataFrame:
    """percent_change.csv as the chart draws it: per visit (in the table's order, which is time
    order) and arm, n and the mean with its interval; visits with no patient left out."""
    return (
        summary.with_row_index("order")
        .filter(pl.col("n") > 0)
        .select(
            "order",
            pl.col("visit").cast(pl.Utf8),
            arm_labels(pl.col("arm")).alias("arm"),
            pl.col("n").cast(pl.Int64),
            *(
                pl.col(name).cast(pl.Float64)
                for name in ("mean", "mean_ci_low", "mean_ci_high", "median")
            ),
        )
    )


def _counts_by_visit(data: pl.DataFrame, arms: list[str]) -> dict[str, str]:
    """Each visit's axis line under its label: "n = 7", or per arm "a 7 · b 8"."""
    counts: dict[str, str] = {}
    for (visit,), rows in data.group_by("visit", maintain_order=True):
        if len(arms) == 1:
            counts[visit] = f"n = {rows['n'].sum()}"
        else:
            counts[visit] = " · ".join(f"{a} {n}" for a, n in rows.select("arm", "n").iter_rows())
    return counts


def percent_change_chart(
    summary: pl.DataFrame, *, confidence_level: float, cohort: str, size: ChartSize
) -> alt.LayerChart:
    data = percent_change_frame(summary)
    visits = data.unique("visit", maintain_order=True).get_column("visit").to_list()
    arms = data.unique("arm", maintain_order=True).get_column("arm").to_list()
    counts = _counts_by_visit(data, arms)
    # A JavaScript object literal: JSON, whatever quotes a visit label holds.
    lookup = json.dumps(counts, ensure_ascii=False)
    level = f"{confidence_level * 100:g}"
    x = alt.X(
        "visit:N",
        sort=visits,
        title="Follow-up visit (n: patients with a baseline PPPASI above 0 seen there)",
        axis=alt.Axis(labelAngle=0, labelExpr=f"[datum.label, {lookup}[datum.label] || '']"),
    )
    colour = alt.Color(
        "arm:N",
        scale=alt.Scale(domain=arms, range=list(PALETTE[: len(arms)])),
        legend=alt.Legend(title="Arm") if len(arms) > 1 else None,
    )
    offset = alt.XOffset("arm:N", sort=arms) if len(arms) > 1 else alt.XOffset()
    base = alt.Chart(data).encode(x=x, xOffset=offset, color=colour)
    zero = (
        alt.Chart(pl.DataFrame({"zero": [0.0]}))
        .mark_rule(color="#777777", strokeDash=[4, 3])
        .encode(y="zero:Q")
    )
    bars = base.mark_errorbar(ticks=alt.MarkConfig(size=18), thickness=1.5).encode(
        y=alt.Y(
            "mean_ci_low:Q",
            title="Change in PPPASI from baseline (%)",
            scale=alt.Scale(zero=True),
        ),
        y2="mean_ci_high:Q",
    )
    points = base.mark_point(size=80, filled=True, opacity=1).encode(
        y="mean:Q",
        tooltip=[
            alt.Tooltip("visit:N", title="Visit"),
            alt.Tooltip("arm:N", title="Arm"),
            alt.Tooltip("n:Q", title="Patients"),
            alt.Tooltip("mean:Q", title="Mean change (%)", format=".1f"),
            alt.Tooltip("mean_ci_low:Q", title=f"{level} % CI low", format=".1f"),
            alt.Tooltip("mean_ci_high:Q", title=f"{level} % CI high", format=".1f"),
            alt.Tooltip("median:Q", title="Median change (%)", format=".1f"),
        ],
    )
    layers = [zero, bars, points]
    if len(arms) == 1:
        # One series: the points joined in time order (with arms, the offsets would zigzag).
        layers.insert(2, base.mark_line(strokeWidth=2).encode(y="mean:Q"))
    return titled(
        alt.layer(*layers),
        f"Percent change in PPPASI from baseline — {cohort}",
        [
            f"Point: mean percent change at each follow-up visit; bars: {level} % CI (Student's t)",
            "Below 0 is better; −100 % is clear",
        ],
        size,
    )


def build(frames: Frames, settings: ChartSettings) -> alt.LayerChart:
    return percent_change_chart(
        frames["percent_change_summary"],
        confidence_level=settings.confidence_level,
        cohort=settings.cohort,
        size=settings.size,
    )
