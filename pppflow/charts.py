"""Charts of one cohort's results, built with altair from the stage outputs.

Pure: frames and plain values in, an altair chart out; nothing here reads config or files. Each
chart has a ``*_frame`` function that shapes (and, for the charts that summarise, aggregates) its
data in polars, so a chart carries one row per thing it draws: a patient where it draws patients,
an endpoint or a grade pair where it summarises. The size of the spec then follows what the chart
shows, not the number of patients behind it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import polars as pl

from pppflow.constants import (
    CHART_MAX_LABELLED_PATIENTS,
    CHART_MAX_PAIRED_LINES,
    CHART_MAX_PATIENT_MARKS,
    CHART_WATERFALL_GROUPS,
    PGA_CLEAR_ENDPOINT,
    PGA_IMPROVED_ENDPOINT,
    PGA_MIN,
    PPPASI_ENDPOINT_PREFIX,
    PPPASI_MAX_TENTHS,
    PPPASI_RESPONSE_THRESHOLDS,
    TENTHS_PER_POINT,
)

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
EMPTY_CELL = "#f3f3f3"
RECOMPUTED = "Recomputed from patient data"
REPORTED = "Reported in the paper"
BELOW_LOWEST = f"Below PPPASI {min(PPPASI_RESPONSE_THRESHOLDS)}"
# 100 % is the top of the waterfall's axis: a line there would sit on the frame.
WATERFALL_LINES_PCT: tuple[int, ...] = tuple(t for t in PPPASI_RESPONSE_THRESHOLDS if t < 100)

# Endpoint names as response_rates.csv spells them -> as a reader reads them.
ENDPOINT_LABELS: dict[str, str] = {
    **{f"{PPPASI_ENDPOINT_PREFIX}{t}": f"PPPASI {t}" for t in PPPASI_RESPONSE_THRESHOLDS},
    PGA_CLEAR_ENDPOINT: "PGA 0/1",
    PGA_IMPROVED_ENDPOINT: "PGA ≥2 grades better",
}

PPPASI_AXIS = "PPPASI (points, scale 0–72)"
# A Vega expression: an axis label drawn on several lines, at its line breaks.
MULTILINE_LABEL = "split(datum.label, '\\n')"
# Past this many characters an axis label breaks at its last space.
LABEL_LINE_CHARS = 12


@dataclass(frozen=True)
class ChartSize:
    """Width and height of the plotting area, in pixels (before the PNG scale)."""

    width: int
    height: int


def endpoint_label(endpoint: str) -> str:
    return ENDPOINT_LABELS.get(endpoint, endpoint)


def _week_text(week: float) -> str:
    return f"{week:g}"


def time_point_label(visit: str, weeks: Sequence[float | None]) -> str:
    """An axis label for a visit: its week, plus the visit's own label where that says more.

    ``week12`` at week 12 reads "Week 12"; ``baseline`` at week 0 reads "Week 0 (baseline)".
    Where patients were seen at different weeks for one visit, the range is given.
    """
    known = sorted({w for w in weeks if w is not None})
    if not known:
        return visit
    span = _week_text(known[0]) if len(known) == 1 else f"{known[0]:g}–{known[-1]:g}"
    plain = f"Week {span}"
    if visit.lower().replace(" ", "").replace("_", "") == f"week{span}":
        return plain
    return f"{plain} ({visit})"


def visit_phrase(visit: str, weeks: Sequence[float | None]) -> str:
    """A visit as a sentence names it: "week 12"; "baseline (week 0)"; "week12 (weeks 12–13)"
    where patients were seen at different weeks."""
    known = sorted({w for w in weeks if w is not None})
    if not known:
        return visit
    if len(known) > 1:
        return f"{visit} (weeks {known[0]:g}–{known[-1]:g})"
    plain = f"week {known[0]:g}"
    if visit.lower().replace(" ", "").replace("_", "") == plain.replace(" ", ""):
        return plain
    return f"{visit} ({plain})"


def patients_text(count: int) -> str:
    return f"{count:,} patient{'' if count == 1 else 's'}"


def dose_label(dose_mg: float | None) -> str:
    if dose_mg is None:
        return "not recorded"
    return f"{dose_mg:g} mg"


def _styled(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """A type scale that stays legible in the PNG at scale 1 and above."""
    return (
        chart.configure_title(fontSize=16, subtitleFontSize=12, subtitleColor="#444444", offset=10)
        .configure_axis(labelFontSize=12, titleFontSize=13, titleFontWeight="normal")
        .configure_legend(labelFontSize=12, titleFontSize=12, labelLimit=320)
        .configure_view(strokeWidth=0)
    )


def _titled(
    chart: alt.TopLevelMixin, title: str, subtitle: Sequence[str], size: ChartSize
) -> alt.TopLevelMixin:
    """Title, size and the shared style."""
    return _styled(
        chart.properties(
            title=alt.Title(title, subtitle=list(subtitle), anchor="start"),
            width=size.width,
            height=size.height,
        )
    )


# ---------------------------------------------------------------------------------------------
# Paired PPPASI, baseline to endpoint, one line per patient


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
    doses = patients.select("patient_id", "dose_mg")
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
    if aggregated:
        rounding = data.get_column("rounding_points").max()
        rounded = "whole points" if rounding == 1 else f"multiples of {rounding} points"
        subtitle = [
            f"{order[0]} to {order[1]}: {patients_text(drawn)} seen at both, one panel per dose",
            f"Each of the {per_line.height:,} lines joins a baseline and an endpoint PPPASI "
            f"rounded to {rounded};",
            "the darker a line, the more patients it carries",
        ]
    else:
        single = per_line.filter(pl.col("ends") == 1).height
        subtitle = [
            f"{order[0]} to {order[1]}: {patients_text(per_line.height)}, one line each, "
            "coloured by dose"
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
    drawn_columns = data.select("line_id", "patients", "time_point", "pppasi", "dose")
    x = alt.X(
        "time_point:N",
        sort=order,
        title=None,
        axis=alt.Axis(labelAngle=0, labelFontSize=13),
        scale=alt.Scale(padding=0.4),
    )
    y = alt.Y("pppasi:Q", title=PPPASI_AXIS, scale=alt.Scale(zero=True))
    if not aggregated:
        base = alt.Chart(drawn_columns).encode(
            x=x,
            y=y,
            color=alt.Color("dose:N", title="Dose", scale=dose_scale),
            detail="line_id:N",
            tooltip=tooltip,
        )
        # Stroke and fill opacity, not opacity: a rasteriser composites a group opacity path
        # by path, which makes the PNG of many lines take seconds instead of a fraction of one.
        lines = base.mark_line(strokeWidth=1.6, strokeOpacity=0.8)
        points = base.mark_circle(size=45, fillOpacity=0.85)
        return _titled(alt.layer(lines, points), f"PPPASI per patient — {cohort}", subtitle, size)
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
    return _styled(chart)


# ---------------------------------------------------------------------------------------------
# Waterfall of improvement per patient


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
    best = pl.lit(BELOW_LOWEST)
    for threshold in sorted(PPPASI_RESPONSE_THRESHOLDS):
        best = (
            pl.when(pl.col(f"pppasi{threshold}").fill_null(False))
            .then(pl.lit(f"PPPASI {threshold}"))
            .otherwise(best)
        )
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
    levels = _response_levels()
    colours = ["#009E73", "#0072B2", "#56B4E9", "#E69F00", "#999999"]
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
        legend=alt.Legend(orient="bottom", direction="horizontal"),
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
    return _titled(
        alt.layer(bars, lines, labels),
        f"Improvement in PPPASI per patient — {cohort}",
        subtitle,
        size,
    )


# ---------------------------------------------------------------------------------------------
# Response rates with their CI, and the paper's reported rates beside them


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
    rates: pl.DataFrame, reported: pl.DataFrame, *, visit: str
) -> pl.DataFrame:
    """One row per endpoint recomputed at ``visit`` and one per rate the paper reports there.

    Columns: endpoint, endpoint_label, axis_label (the label and, on a second line, the
    recomputed responders/evaluable), order, source (recomputed/reported), rate, ci_low,
    ci_high (null for reported), responders, evaluable (null for reported), rate_text.
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
    printed = reported.filter(pl.col("visit") == visit).select(
        "endpoint",
        pl.lit(REPORTED).alias("source"),
        pl.col("reported_rate").cast(pl.Float64).alias("rate"),
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
        )
    )


def response_rates_chart(
    rates: pl.DataFrame,
    reported: pl.DataFrame,
    *,
    visit: str,
    visit_label: str,
    confidence_level: float,
    cohort: str,
    size: ChartSize,
) -> alt.LayerChart:
    data = response_rates_frame(rates, reported, visit=visit)
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
    printed = (
        base.transform_filter(alt.datum.source == REPORTED)
        .mark_text(dy=-13, fontSize=12, fontWeight="bold", color=PALETTE[4])
        .encode(x=x, xOffset=x_offset, y=y, text="rate_text:N")
    )
    return _titled(
        alt.layer(interval, *caps, points, printed),
        f"Response rates at {visit_label} — {cohort}",
        subtitle,
        size,
    )


# ---------------------------------------------------------------------------------------------
# PGA shift: baseline grade x endpoint grade


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
        "Outlined diagonal: unchanged; left of it: improved; right of it: worse",
    ]
    if left_out:
        subtitle.append(f"{patients_text(left_out)} missing a grade not counted")
    side = min(size.width, size.height)
    x = alt.X(
        "pga_endpoint:O",
        title=f"PGA grade at {endpoint_label_text}",
        sort=grades,
        scale=alt.Scale(domain=grades),
        axis=alt.Axis(labelAngle=0, orient="top"),
    )
    y = alt.Y(
        "pga_baseline:O",
        title="PGA grade at baseline",
        sort=grades,
        scale=alt.Scale(domain=grades),
    )
    cells = (
        alt.Chart(data)
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
        alt.Chart(data)
        .transform_filter(alt.datum.grades_better == 0)
        .mark_rect(fill=None, stroke="#333333", strokeWidth=2)
        .encode(x=x, y=y)
    )
    text = (
        alt.Chart(data)
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
    return _titled(
        alt.layer(cells, diagonal, text),
        f"PGA shift — {cohort}",
        subtitle,
        ChartSize(side, side),
    )


# ---------------------------------------------------------------------------------------------
# Over the weeks (cohorts with more than two visits)


def rates_over_time_frame(rates: pl.DataFrame) -> pl.DataFrame:
    """The rates frame as the chart draws it: one row per endpoint and follow-up visit."""
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
            "visit",
            "week",
            "responders",
            "evaluable",
            "rate",
            "ci_low",
            "ci_high",
        )
        .sort("order", "week")
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
        x=alt.X(
            "week:Q",
            title="Weeks since baseline",
            scale=alt.Scale(zero=True, nice=False, padding=12),
            axis=alt.Axis(values=weeks, grid=False),
        ),
    )
    band = base.mark_area(opacity=0.2, color=PALETTE[0]).encode(y=alt.Y("ci_low:Q"), y2="ci_high:Q")
    line = base.mark_line(
        color=PALETTE[0], strokeWidth=2, point=alt.OverlayMarkDef(size=50, filled=True)
    ).encode(
        y=alt.Y(
            "rate:Q",
            title="Patients responding (%)",
            axis=alt.Axis(format=".0%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        tooltip=[
            alt.Tooltip("endpoint_label:N", title="Endpoint"),
            alt.Tooltip("visit:N", title="Visit"),
            alt.Tooltip("week:Q", title="Week"),
            alt.Tooltip("rate:Q", title="Rate", format=".1%"),
            alt.Tooltip("ci_low:Q", title=f"{level} % CI low", format=".1%"),
            alt.Tooltip("ci_high:Q", title=f"{level} % CI high", format=".1%"),
            alt.Tooltip("responders:Q", title="Responders"),
            alt.Tooltip("evaluable:Q", title="Evaluable"),
        ],
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
    return _styled(chart)


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
    return _titled(
        alt.layer(spread, line),
        f"Mean PPPASI over the weeks — {cohort}",
        ["Line: mean PPPASI of the patients seen at each visit; bars: ± 1 SD (n − 1), cut at 0"],
        size,
    )
