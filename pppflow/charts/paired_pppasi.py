"""PPPASI per patient, baseline to endpoint: one line per patient, or for a large cohort one
line per group of patients sharing (rounded) values, one panel per dose."""

import altair as alt
import polars as pl

from pppflow.charts.common import (
    PALETTE,
    PPPASI_AXIS,
    ChartSettings,
    ChartSize,
    Frames,
    patients_text,
    styled,
    time_point_label,
    titled,
)
from pppflow.constants import (
    CHART_MAX_PAIRED_LINES,
    CHART_MAX_PATIENT_MARKS,
    PPPASI_MAX_TENTHS,
    TENTHS_PER_POINT,
)


def dose_label(dose_mg: float | None) -> str:
    if dose_mg is None:
        return "not recorded"
    return f"{dose_mg:g} mg"


def _with_dose_labels(frame: pl.DataFrame) -> pl.DataFrame:
    """A ``dose`` legend label beside ``dose_mg``, made once per distinct dose, not per row."""
    doses = frame.get_column("dose_mg").unique().drop_nulls().to_list()
    labels = {dose: dose_label(dose) for dose in doses}
    return frame.with_columns(
        pl.col("dose_mg")
        .replace_strict(labels, default=None, return_dtype=pl.Utf8)
        .fill_null(dose_label(None))
        .alias("dose")
    )


def _binned_pairs(both: pl.DataFrame, max_lines: int) -> pl.DataFrame:
    """Patients grouped by dose and by baseline and endpoint PPPASI rounded (half up) to a
    multiple of 1, 2, 4, ... points: the finest rounding that gives at most ``max_lines``
    groups. Columns: line_id, dose_mg, from_points, to_points, patients, rounding_points."""
    width = 1
    while True:
        step = width * TENTHS_PER_POINT

        def rounded(column: str, step: int = step, width: int = width) -> pl.Expr:
            return ((pl.col(column) + step // 2) // step * width).alias(
                column.replace("tenths", "points")
            )

        pairs = both.group_by("dose_mg", rounded("from_tenths"), rounded("to_tenths")).agg(
            pl.len().cast(pl.Int64).alias("patients")
        )
        if pairs.height <= max_lines or width * TENTHS_PER_POINT > PPPASI_MAX_TENTHS:
            break
        width *= 2
    return pairs.with_columns(
        pl.format("{}|{}|{}", pl.col("dose_mg").fill_null(-1), "from_points", "to_points").alias(
            "line_id"
        ),
        pl.lit(width, dtype=pl.Int64).alias("rounding_points"),
    ).sort("line_id")


def paired_pppasi_frame(
    pppasi: pl.DataFrame,
    patients: pl.DataFrame,
    *,
    baseline_visit: str,
    endpoint_visit: str,
    max_patients: int = CHART_MAX_PATIENT_MARKS,
    max_lines: int = CHART_MAX_PAIRED_LINES,
) -> pl.DataFrame:
    """The lines of the paired chart, one row per line and time point (baseline, endpoint).

    For a cohort of up to ``max_patients`` patients, a line is a patient (a patient seen at one
    of the two visits only is a lone point). Beyond, a line is every patient of one dose whose baseline and
    endpoint PPPASI round to the same points (whole points, or coarser where that would give
    more than ``max_lines`` lines), with their number; only patients seen at both visits.

    Columns: line_id, patients, grouped (whether lines are groups), rounding_points (the
    rounding of grouped lines, in points; null for patients), visit, time_point (axis label), position (0 baseline, 1 endpoint), pppasi (points, display only), dose_mg, dose
    (legend label).
    """
    visits = pppasi.filter(
        pl.col("visit").is_in([baseline_visit, endpoint_visit])
        & pl.col("pppasi_tenths").is_not_null()
    )
    labels = {
        visit: time_point_label(
            visit,
            visits.filter(pl.col("visit") == visit).get_column("week").unique().to_list(),
        )
        for visit in (baseline_visit, endpoint_visit)
    }
    # A patients file without doses: every dose unknown, and the chart draws no dose legend.
    doses = patients.select(
        "patient_id",
        pl.col("dose_mg")
        if "dose_mg" in patients.columns
        else pl.lit(None, pl.Float64).alias("dose_mg"),
    )
    position = (pl.col("visit") == endpoint_visit).cast(pl.Int8).alias("position")
    # Decided on the patients file, not on the visits: counting distinct patients among a
    # million visit rows costs more than the whole per-patient chart of a small cohort.
    grouped = patients.height > max_patients
    if not grouped:
        lines = visits.join(doses, on="patient_id", how="left").with_columns(
            pl.col("patient_id").cast(pl.Utf8).alias("line_id"),
            pl.lit(1, dtype=pl.Int64).alias("patients"),
            # Rounded to the tenth it is: the float division alone can print 3.8000000000000003.
            (pl.col("pppasi_tenths") / TENTHS_PER_POINT).round(1).alias("pppasi"),
            pl.lit(None, dtype=pl.Int64).alias("rounding_points"),
        )
    else:
        both = (
            visits.filter(pl.col("visit") == baseline_visit)
            .select("patient_id", pl.col("pppasi_tenths").alias("from_tenths"))
            .join(
                visits.filter(pl.col("visit") == endpoint_visit).select(
                    "patient_id", pl.col("pppasi_tenths").alias("to_tenths")
                ),
                on="patient_id",
            )
            .join(doses, on="patient_id", how="left")
        )
        pairs = _binned_pairs(both, max_lines)
        lines = (
            pairs.rename({"from_points": baseline_visit, "to_points": endpoint_visit})
            .unpivot(
                index=["line_id", "patients", "dose_mg", "rounding_points"],
                on=[baseline_visit, endpoint_visit],
                variable_name="visit",
                value_name="pppasi",
            )
            .with_columns(pl.col("pppasi").cast(pl.Float64))
        )
    return (
        _with_dose_labels(lines)
        .with_columns(
            pl.col("visit").replace_strict(labels, return_dtype=pl.Utf8).alias("time_point"),
            position,
            pl.lit(grouped).alias("grouped"),
        )
        .select(
            "line_id",
            "patients",
            "grouped",
            "rounding_points",
            "visit",
            "time_point",
            "position",
            "pppasi",
            "dose_mg",
            "dose",
        )
        .sort("line_id", "position")
    )


def pile_labels(data: pl.DataFrame, at_least: int = 2) -> pl.DataFrame:
    """Where at least ``at_least`` patients end at PPPASI 0 (cleared): their lines meet in one
    point, so the number is written beside it. Columns time_point, pppasi, label."""
    return (
        data.filter((pl.col("position") == 1) & (pl.col("pppasi") == 0))
        .group_by("time_point", "pppasi")
        .agg(pl.col("patients").sum())
        .filter(pl.col("patients") >= at_least)
        .with_columns(pl.format("{} patients at 0", "patients").alias("label"))
        .select("time_point", "pppasi", "label")
    )


def _dose_order(frame: pl.DataFrame) -> list[str]:
    doses = frame.select("dose_mg", "dose").unique().sort("dose_mg", nulls_last=True)
    return doses.get_column("dose").to_list()


def paired_pppasi_chart(
    pppasi: pl.DataFrame,
    patients: pl.DataFrame,
    *,
    baseline_visit: str,
    endpoint_visit: str,
    cohort: str,
    size: ChartSize,
) -> alt.LayerChart | alt.FacetChart:
    """One line per patient from baseline to endpoint PPPASI, coloured by dose; for a large
    cohort, one panel per dose of lines that each carry the patients sharing (rounded) values.
    """
    data = paired_pppasi_frame(
        pppasi, patients, baseline_visit=baseline_visit, endpoint_visit=endpoint_visit
    )
    order = [
        data.filter(pl.col("visit") == v).get_column("time_point").first() or v
        for v in (baseline_visit, endpoint_visit)
    ]
    aggregated = bool(data.get_column("grouped").any())
    per_line = data.group_by("line_id").agg(pl.len().alias("ends"), pl.col("patients").first())
    drawn = int(per_line.get_column("patients").sum())
    doses = _dose_order(data)
    # Colour (and panels) by dose only where the file records one: no lone "not recorded" key.
    by_dose = bool(data.get_column("dose_mg").is_not_null().any())
    if aggregated:
        rounding = data.get_column("rounding_points").max()
        rounded = "whole points" if rounding == 1 else f"multiples of {rounding} points"
        subtitle = [
            f"{order[0]} to {order[1]}: {patients_text(drawn)} seen at both"
            + (", one panel per dose" if by_dose else ""),
            f"Each of the {per_line.height:,} lines joins a baseline and an endpoint PPPASI "
            f"rounded to {rounded};",
            "the darker a line, the more patients it carries",
        ]
    else:
        single = per_line.filter(pl.col("ends") == 1).height
        subtitle = [
            f"{order[0]} to {order[1]}: {patients_text(per_line.height)}, one line each"
            + (", coloured by dose" if by_dose else "")
        ]
        if single:
            subtitle.append(
                f"{patients_text(single)} seen at one of the two visits only: a lone point"
            )
    dose_scale = alt.Scale(domain=doses, range=list(PALETTE))
    tooltip = [
        alt.Tooltip("time_point:N", title="Time point"),
        alt.Tooltip("pppasi:Q", title="PPPASI", format=".1f"),
        alt.Tooltip("dose:N", title="Dose"),
        alt.Tooltip("patients:Q", title="Patients")
        if aggregated
        else alt.Tooltip("line_id:N", title="Patient"),
    ]
    # Only the columns drawn: the spec carries every column handed to it, row by row.
    drawn_columns = data.select(
        "line_id", "patients", "time_point", "pppasi", *(["dose"] if by_dose else [])
    )
    x = alt.X(
        "time_point:N",
        sort=order,
        title=None,
        axis=alt.Axis(labelAngle=0, labelFontSize=13),
        scale=alt.Scale(padding=0.4),
    )
    y = alt.Y("pppasi:Q", title=PPPASI_AXIS, scale=alt.Scale(zero=True))
    if not aggregated:
        colour = (
            alt.Color("dose:N", title="Dose", scale=dose_scale)
            if by_dose
            else alt.value(PALETTE[0])
        )
        base = alt.Chart(drawn_columns).encode(
            x=x,
            y=y,
            color=colour,
            detail="line_id:N",
            tooltip=tooltip if by_dose else tooltip[:2] + tooltip[3:],
        )
        # Stroke and fill opacity, not opacity: a rasteriser composites a group opacity path
        # by path, which makes the PNG of many lines take seconds instead of a fraction of one.
        lines = base.mark_line(strokeWidth=1.6, strokeOpacity=0.8)
        points = base.mark_circle(size=45, fillOpacity=0.85)
        layers = [lines, points]
        # The patients cleared at the endpoint read as one point: their number beside it.
        piles = pile_labels(data)
        if piles.height:
            layers.append(
                alt.Chart(piles)
                .mark_text(align="left", dx=10, fontSize=12, fontWeight="bold", color="#333333")
                .encode(x=x, y=y, text="label:N")
            )
        return titled(alt.layer(*layers), f"PPPASI per patient — {cohort}", subtitle, size)
    if not by_dose:
        lines = (
            alt.Chart(drawn_columns)
            .mark_line(strokeWidth=1.4, color=PALETTE[0])
            .encode(
                x=x,
                y=y,
                detail="line_id:N",
                strokeOpacity=alt.StrokeOpacity(
                    "patients:Q", scale=alt.Scale(type="sqrt", range=[0.04, 0.9]), legend=None
                ),
                tooltip=tooltip[:2] + tooltip[3:],
            )
        )
        return titled(lines, f"PPPASI per patient — {cohort}", subtitle, size)
    panel = ChartSize(max(140, size.width // max(1, len(doses)) - 16), size.height)
    lines = (
        alt.Chart()
        .mark_line(strokeWidth=1.4)
        .encode(
            x=x,
            y=y,
            color=alt.Color("dose:N", scale=dose_scale, legend=None),
            detail="line_id:N",
            strokeOpacity=alt.StrokeOpacity(
                "patients:Q",
                title="Patients per line",
                scale=alt.Scale(type="sqrt", range=[0.04, 0.9]),
                legend=None,
            ),
            tooltip=tooltip,
        )
        .properties(width=panel.width, height=panel.height)
    )
    chart = alt.FacetChart(
        data=drawn_columns,
        spec=lines,
        facet=alt.Facet("dose:N", sort=doses, title="Dose", header=alt.Header(labelFontSize=13)),
        columns=max(1, len(doses)),
    ).properties(
        title=alt.Title(f"PPPASI per patient — {cohort}", subtitle=subtitle, anchor="start")
    )
    return styled(chart)


def build(frames: Frames, settings: ChartSettings) -> alt.LayerChart | alt.FacetChart:
    return paired_pppasi_chart(
        frames["pppasi"],
        frames["patients"],
        baseline_visit=settings.baseline_visit,
        endpoint_visit=settings.endpoint_visit,
        cohort=settings.cohort,
        size=settings.size,
    )
