"""PGA shift: patients counted by baseline grade and endpoint grade."""

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
from pppflow.constants import PGA_MIN

EMPTY_CELL = "#f3f3f3"
# The margin row and column that carry the totals, beside the grades on each axis.
TOTAL = "Total"


def shift_totals(data: pl.DataFrame) -> list[dict]:
    """Row totals (patients per baseline grade), column totals (per endpoint grade) and the
    grand total, as cells of the margin row and column named TOTAL."""
    rows = data.group_by("pga_baseline").agg(pl.col("patients").sum()).sort("pga_baseline")
    cols = data.group_by("pga_endpoint").agg(pl.col("patients").sum()).sort("pga_endpoint")
    return (
        [
            {"pga_baseline": str(g), "pga_endpoint": TOTAL, "patients": n}
            for g, n in rows.iter_rows()
        ]
        + [
            {"pga_baseline": TOTAL, "pga_endpoint": str(g), "patients": n}
            for g, n in cols.iter_rows()
        ]
        + [{"pga_baseline": TOTAL, "pga_endpoint": TOTAL, "patients": int(data["patients"].sum())}]
    )


def _count_ticks(most: int) -> list[int]:
    """Legend ticks for counts up to ``most``: multiples of 1, 2, 5, 10, 20, ... at most five
    intervals apart, so that no two labels crowd each other."""
    step = 1
    while most / step > 5:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return list(range(0, most + 1, step))


def pga_shift_frame(per_patient: pl.DataFrame, *, pga_max: int) -> pl.DataFrame:
    """Every (baseline grade, endpoint grade) pair of the scale with its patient count.

    (pga_max + 1)^2 rows whatever the cohort's size; patients missing either grade are left out.
    """
    grades = pl.DataFrame(
        {"pga_baseline": range(PGA_MIN, pga_max + 1)}, schema={"pga_baseline": pl.Int64}
    )
    grid = grades.join(grades.rename({"pga_baseline": "pga_endpoint"}), how="cross")
    counts = (
        per_patient.filter(
            pl.col("pga_baseline").is_not_null() & pl.col("pga_endpoint").is_not_null()
        )
        .group_by(pl.col("pga_baseline").cast(pl.Int64), pl.col("pga_endpoint").cast(pl.Int64))
        .agg(pl.len().cast(pl.Int64).alias("patients"))
    )
    return (
        grid.join(counts, on=["pga_baseline", "pga_endpoint"], how="left")
        .with_columns(
            pl.col("patients").fill_null(0),
            (pl.col("pga_baseline") - pl.col("pga_endpoint")).alias("grades_better"),
        )
        .sort("pga_baseline", "pga_endpoint")
    )


def pga_shift_chart(
    per_patient: pl.DataFrame,
    *,
    pga_max: int,
    endpoint_label_text: str,
    cohort: str,
    size: ChartSize,
) -> alt.LayerChart:
    data = pga_shift_frame(per_patient, pga_max=pga_max)
    total = int(data.get_column("patients").sum())
    most = max(1, int(data.get_column("patients").max() or 0))
    grades = list(range(PGA_MIN, pga_max + 1))
    left_out = per_patient.height - total
    subtitle = [
        f"Baseline to {endpoint_label_text}: {patients_text(total)} graded at both",
        "Outlined diagonal: unchanged; left of it: improved; right of it: worse; "
        "Total: patients per grade",
    ]
    if left_out:
        subtitle.append(f"{patients_text(left_out)} missing a grade not counted")
    side = min(size.width, size.height)
    # Grades as text on the axes, so that the margin's TOTAL sits on the same ordinal scale.
    with_total = [*(str(g) for g in grades), TOTAL]
    x = alt.X(
        "pga_endpoint:O",
        title=f"PGA grade at {endpoint_label_text}",
        sort=with_total,
        scale=alt.Scale(domain=with_total),
        axis=alt.Axis(labelAngle=0, orient="top"),
    )
    y = alt.Y(
        "pga_baseline:O",
        title="PGA grade at baseline",
        sort=with_total,
        scale=alt.Scale(domain=with_total),
    )
    shown = data.with_columns(pl.col("pga_baseline", "pga_endpoint").cast(pl.Utf8))
    cells = (
        alt.Chart(shown)
        .mark_rect()
        .encode(
            x=x,
            y=y,
            color=alt.condition(
                alt.datum.patients > 0,
                alt.Color(
                    "patients:Q",
                    title="Patients",
                    scale=alt.Scale(scheme="blues", domain=[0, most]),
                    legend=alt.Legend(format="d", values=_count_ticks(most)),
                ),
                alt.value(EMPTY_CELL),
            ),
            stroke=alt.value("#ffffff"),
            strokeWidth=alt.value(1),
            tooltip=[
                alt.Tooltip("pga_baseline:O", title="PGA at baseline"),
                alt.Tooltip("pga_endpoint:O", title=f"PGA at {endpoint_label_text}"),
                alt.Tooltip("patients:Q", title="Patients"),
            ],
        )
    )
    diagonal = (
        alt.Chart(shown)
        .transform_filter(alt.datum.grades_better == 0)
        .mark_rect(fill=None, stroke="#333333", strokeWidth=2)
        .encode(x=x, y=y)
    )
    text = (
        alt.Chart(shown)
        .transform_filter(alt.datum.patients > 0)
        .mark_text(fontSize=14, fontWeight="bold")
        .encode(
            x=x,
            y=y,
            text="patients:Q",
            color=alt.condition(
                alt.datum.patients > most / 2, alt.value("#ffffff"), alt.value("#111111")
            ),
        )
    )
    totals = (
        alt.Chart(alt.Data(values=shift_totals(data)))
        .mark_text(fontSize=13, fontStyle="italic", color="#333333")
        .encode(
            x=alt.X("pga_endpoint:O", sort=with_total, scale=alt.Scale(domain=with_total)),
            y=alt.Y("pga_baseline:O", sort=with_total, scale=alt.Scale(domain=with_total)),
            text="patients:Q",
        )
    )
    return titled(
        alt.layer(cells, diagonal, text, totals),
        f"PGA shift — {cohort}",
        subtitle,
        ChartSize(side, side),
    )


def build(frames: Frames, settings: ChartSettings) -> alt.LayerChart:
    return pga_shift_chart(
        frames["per_patient"],
        pga_max=settings.pga_max,
        endpoint_label_text=endpoint_phrase(frames["pppasi"], settings.endpoint_visit),
        cohort=settings.cohort,
        size=settings.size,
    )
