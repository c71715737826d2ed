"""Drug survival: left, the Kaplan-Meier share of patients still on drug over the weeks, with
censoring marks and the numbers at risk under the axis; right, the cumulative incidence of
stopping per reason (inefficacy, adverse event, other; Aalen-Johansen, the other reasons
competing), one colour per reason. With arms, one curve per arm in each panel, told apart by
the line's dash. The curves are pppflow.time_on_drug's (on_drug_curve, incidence_curves,
at_risk_by_week), from the validated patients and visits."""

import math

import altair as alt
import polars as pl

from pppflow.charts.common import PALETTE, ChartSettings, ChartSize, Frames, share_y, styled
from pppflow.constants import STOP_REASONS
from pppflow.time_on_drug import (
    at_risk_by_week,
    at_risk_weeks,
    incidence_curves,
    on_drug_curve,
    time_on_drug_by_arm,
)

ALL_PATIENTS = "All patients"
REASON_LABELS = {"inefficacy": "Inefficacy", "adverse_event": "Adverse event", "other": "Other"}
REASON_COLOURS = (PALETTE[0], PALETTE[4], PALETTE[2])
ON_DRUG_COLOUR = "#333333"
# One dash per arm, the reference arm's solid.
DASHES = ([1, 0], [7, 4], [2, 3], [9, 3, 2, 3], [4, 2])


def _with_series(frame: pl.DataFrame) -> pl.DataFrame:
    """A `series` column: the arm, or ALL_PATIENTS for a cohort without arms."""
    return frame.with_columns(pl.col("arm").fill_null(ALL_PATIENTS).alias("series"))


def time_on_drug_chart(
    patients: pl.DataFrame,
    visits: pl.DataFrame,
    settings: ChartSettings,
) -> alt.HConcatChart | alt.VConcatChart:
    data = time_on_drug_by_arm(patients, visits, settings.arms)
    curve = _with_series(on_drug_curve(data))
    incidence = _with_series(incidence_curves(data, settings.confidence_level)).with_columns(
        pl.col("reason").replace_strict(REASON_LABELS, return_dtype=pl.Utf8).alias("reason_label"),
        pl.col("reason")
        .replace_strict({r: i for i, r in enumerate(STOP_REASONS)}, return_dtype=pl.Int64)
        .alias("reason_order"),
    )
    last_week = float(data["weeks"].max() or 0.0)
    weeks = at_risk_weeks(last_week)
    at_risk = _with_series(at_risk_by_week(data, weeks))
    series = curve.get_column("series").unique(maintain_order=True).to_list()
    arms = settings.arms is not None
    size: ChartSize = settings.size
    dash = alt.StrokeDash(
        "series:N",
        sort=series,
        scale=alt.Scale(domain=series, range=list(DASHES[: len(series)])),
        legend=alt.Legend(title="Arm", orient="right", symbolStrokeColor=ON_DRUG_COLOUR)
        if arms
        else None,
    )
    # Padded, so that the counts at week 0 stand clear of the table's row labels.
    x_scale = alt.Scale(domain=[0, max(weeks[-1], last_week)], nice=False, padding=16)
    x_axis = alt.Axis(values=weeks, grid=False)

    on_drug_base = alt.Chart(curve).encode(
        x=alt.X("week:Q", title=None, scale=x_scale, axis=x_axis), strokeDash=dash
    )
    steps = on_drug_base.mark_line(
        interpolate="step-after", strokeWidth=2.5, color=ON_DRUG_COLOUR
    ).encode(
        y=share_y("on_drug", "Patients still on drug (%)"),
        tooltip=[
            alt.Tooltip("series:N", title="Arm"),
            alt.Tooltip("week:Q", title="Week"),
            alt.Tooltip("on_drug:Q", title="Still on drug", format=".1%"),
            alt.Tooltip("at_risk:Q", title="At risk"),
            alt.Tooltip("stops:Q", title="Stops"),
            alt.Tooltip("censored:Q", title="Censored"),
        ],
    )
    censored = (
        alt.Chart(curve)
        .transform_filter("datum.censored > 0")
        .mark_point(shape="cross", size=70, filled=True, opacity=1, color=ON_DRUG_COLOUR)
        .encode(x=alt.X("week:Q", scale=x_scale, title=None), y="on_drug:Q")
    )
    on_drug = alt.layer(steps, censored).properties(
        width=size.width,
        height=size.height,
        title=alt.Title("Kaplan–Meier: still on drug", anchor="start", fontSize=13),
    )
    table = (
        alt.Chart(at_risk)
        .mark_text(fontSize=12, color=ON_DRUG_COLOUR)
        .encode(
            x=alt.X(
                "week:Q",
                title="Weeks since baseline",
                scale=x_scale,
                axis=alt.Axis(values=weeks, grid=False, domain=False, ticks=False),
            ),
            y=alt.Y("series:N", sort=series, title=None, axis=alt.Axis(domain=False, ticks=False)),
            text="at_risk:Q",
        )
        .properties(
            width=size.width,
            height=22 * len(series),
            title=alt.Title("Number at risk", anchor="start", fontSize=12, fontWeight="normal"),
        )
    )
    left = alt.vconcat(on_drug, table, spacing=8)
    subtitle = [
        "Left: Kaplan–Meier share still on drug; a patient not stopping is censored (+) at the "
        "last week known on drug",
    ]
    if incidence.is_empty():
        chart = left
        subtitle = [subtitle[0].removeprefix("Left: ")]
        subtitle.append("No stop reasons recorded (no stop_reason column): no incidence per reason")
    else:
        reasons = [REASON_LABELS[r] for r in STOP_REASONS]
        colour = alt.Color(
            "reason_label:N",
            sort=reasons,
            scale=alt.Scale(domain=reasons, range=list(REASON_COLOURS)),
            legend=alt.Legend(title="Reason for stopping", orient="right"),
        )
        # Stacked: the reasons' incidences add up to 1 - S, the left curve's fall.
        top = incidence.group_by("series", "week").agg(pl.col("cumulative_incidence").sum())
        # Up to the next 10 % above the highest stack, the same for every arm.
        highest = float(top["cumulative_incidence"].max())
        y_scale = alt.Scale(domain=[0, min(1.0, math.floor(highest * 10 + 1e-9) / 10 + 0.1)])
        panels = [
            alt.Chart(incidence.filter(pl.col("series") == name))
            .mark_area(interpolate="step-after", opacity=0.9)
            .encode(
                x=alt.X("week:Q", title="Weeks since baseline", scale=x_scale, axis=x_axis),
                y=alt.Y(
                    "cumulative_incidence:Q",
                    title="Stopped, by reason (cumulative %)",
                    axis=alt.Axis(format=".0%"),
                    scale=y_scale,
                    stack="zero",
                ),
                color=colour,
                order=alt.Order("reason_order:Q"),
                tooltip=[
                    alt.Tooltip("series:N", title="Arm"),
                    alt.Tooltip("reason_label:N", title="Reason"),
                    alt.Tooltip("week:Q", title="Week"),
                    alt.Tooltip(
                        "cumulative_incidence:Q", title="Cumulative incidence", format=".1%"
                    ),
                    alt.Tooltip("stops:Q", title="Stops for the reason"),
                ],
            )
            .properties(
                width=size.width // len(series) if arms else size.width,
                height=size.height,
                title=alt.Title(
                    name if arms else "Cumulative incidence of stopping, per reason",
                    anchor="start",
                    fontSize=13,
                ),
            )
            for name in series
        ]
        right = alt.hconcat(*panels, spacing=16) if arms else panels[0]
        chart = alt.hconcat(left, right, spacing=32)
        subtitle.append(
            "Right: cumulative incidence of stopping per reason, stacked (Aalen–Johansen, the "
            "other reasons competing)" + (", per arm" if arms else "")
        )
    return styled(
        chart.properties(
            title=alt.Title(
                f"Time on drug — {settings.cohort}" + (", per arm" if arms else ""),
                subtitle=subtitle,
                anchor="start",
            )
        )
    )


def build(frames: Frames, settings: ChartSettings) -> alt.HConcatChart | alt.VConcatChart:
    return time_on_drug_chart(frames["patients"], frames["visits"], settings)
