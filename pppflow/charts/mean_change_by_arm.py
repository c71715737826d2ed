"""Each arm's mean PPPASI change from baseline over the weeks: one line per arm from 0 at
baseline through its mean change at each follow-up visit of the randomised period, with the t
interval of each mean as an error bar. Drawn from mean_change.csv (the reference arm first at
each visit, as that table writes it; grey here), which already ends at the switch visit. A
change is visit - baseline, so a line below 0 is a fall in PPPASI, an improvement."""

import altair as alt
import polars as pl

from pppflow.charts.change_by_arm import CHANGE_OUTCOME
from pppflow.charts.common import PALETTE, ChartSettings, ChartSize, Frames, styled
from pppflow.charts.response_rates_by_arm import REFERENCE_COLOUR

# The arms' marks at one visit are set this share of the weeks' span apart, so that two error
# bars at the same week do not hide each other (the tooltip gives the visit's own week).
DODGE_SHARE = 0.012


def arms_of(mean_change: pl.DataFrame) -> list[str]:
    """The arms in the table's order: the reference first (mean_change.mean_change_by_arm)."""
    return mean_change["arm"].cast(pl.Utf8).unique(maintain_order=True).to_list()


def mean_change_by_arm_frame(mean_change: pl.DataFrame, baseline_visit: str) -> pl.DataFrame:
    """The rows the chart draws: per arm (reference first) a baseline row at week 0 with change
    0 (no interval), then each visit of the PPPASI change rows where the arm has a mean, by
    week: arm, visit, week, x (the week, dodged per arm), n, mean, ci_low, ci_high."""
    rows = mean_change.filter(
        (pl.col("outcome") == CHANGE_OUTCOME) & pl.col("mean").is_not_null()
    ).select(
        pl.col("arm").cast(pl.Utf8),
        pl.col("visit").cast(pl.Utf8),
        pl.col("week").cast(pl.Float64),
        pl.col("n").cast(pl.Int64),
        *(pl.col(name).cast(pl.Float64) for name in ("mean", "ci_low", "ci_high")),
    )
    arms = arms_of(rows)
    baseline = pl.DataFrame(
        {
            "arm": arms,
            "visit": [baseline_visit] * len(arms),
            "week": [0.0] * len(arms),
            "n": [None] * len(arms),
            "mean": [0.0] * len(arms),
            "ci_low": [None] * len(arms),
            "ci_high": [None] * len(arms),
        },
        schema=rows.schema,
    )
    rank = pl.DataFrame(
        {"arm": arms, "rank": list(range(len(arms)))}, schema_overrides={"rank": pl.Float64}
    )
    span = max([1.0, *rows["week"].drop_nulls().to_list()])
    shift = DODGE_SHARE * span
    middle = (len(arms) - 1) / 2
    return (
        pl.concat([baseline, rows])
        .join(rank, on="arm", how="left")
        .with_columns((pl.col("week") + (pl.col("rank") - middle) * shift).alias("x"))
        .sort("rank", "week", nulls_last=True)
        .select("arm", "visit", "week", "x", "n", "mean", "ci_low", "ci_high")
    )


def mean_change_by_arm_chart(
    mean_change: pl.DataFrame,
    *,
    baseline_visit: str,
    confidence_level: float,
    cohort: str,
    size: ChartSize,
) -> alt.LayerChart:
    data = mean_change_by_arm_frame(mean_change, baseline_visit)
    arms = arms_of(data)
    reference = arms[0] if arms else None
    others = iter(PALETTE)
    colours = [REFERENCE_COLOUR if arm == reference else next(others) for arm in arms]
    level = f"{confidence_level * 100:g}"
    weeks = sorted(set(data["week"].drop_nulls().to_list()))
    colour = alt.Color(
        "arm:N",
        title="Arm",
        scale=alt.Scale(domain=arms, range=colours),
        sort=arms,
        legend=alt.Legend(orient="bottom", direction="horizontal", symbolType="circle"),
    )
    x = alt.X(
        "x:Q",
        title="Weeks since baseline",
        scale=alt.Scale(zero=True, nice=False, padding=12),
        axis=alt.Axis(values=weeks, grid=False, format="~g"),
    )
    zero = alt.Chart().mark_rule(color="#444444", strokeDash=[4, 3]).encode(y=alt.datum(0))
    bars = (
        alt.Chart()
        .mark_rule(strokeWidth=1.5)
        .encode(x=x, y="ci_low:Q", y2="ci_high:Q", color=colour)
    )
    tooltip = [
        alt.Tooltip("arm:N", title="Arm"),
        alt.Tooltip("visit:N", title="Visit"),
        alt.Tooltip("week:Q", title="Week"),
        alt.Tooltip("mean:Q", title="Mean change (points)", format="+.2f"),
        alt.Tooltip("ci_low:Q", title=f"{level} % CI low", format="+.2f"),
        alt.Tooltip("ci_high:Q", title=f"{level} % CI high", format="+.2f"),
        alt.Tooltip("n:Q", title="Patients"),
    ]
    line = (
        alt.Chart()
        .mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=45, filled=True))
        .encode(
            x=x,
            y=alt.Y("mean:Q", title="Mean change in PPPASI from baseline (points)"),
            color=colour,
            order="week:Q",
            tooltip=tooltip,
        )
    )
    versus = f" (grey: the reference arm, {reference})" if reference else ""
    chart = alt.layer(zero, bars, line, data=data).properties(
        width=size.width,
        height=size.height,
        title=alt.Title(
            f"Mean PPPASI change from baseline per arm — {cohort}",
            subtitle=[
                f"One line per arm{versus}; bars: {level} % t CI of the arm's mean. Below the "
                "dashed line: PPPASI fell (improvement).",
                "Patients seen at each visit, by randomised arm, over the randomised period (to "
                "the switch visit, where there is one).",
            ],
            anchor="start",
        ),
    )
    return styled(chart)


def build(frames: Frames, settings: ChartSettings) -> alt.LayerChart:
    return mean_change_by_arm_chart(
        frames["mean_change"],
        baseline_visit=settings.baseline_visit,
        confidence_level=settings.confidence_level,
        cohort=settings.cohort,
        size=settings.size,
    )
