"""Forest plot of a trial: the between-arm response difference (arm - reference) with its CI,
overall (comparisons.csv) and per subgroup level (subgroup_comparisons.csv), at one endpoint and
visit, with the patients per row and the interaction P per subgroup column as text.

Every subgroup level keeps its row: one whose difference cannot be estimated (an arm without an
evaluable patient there) is drawn without a point or interval and labelled "not estimable".
Rows are keyed by their position (`row`), not their label: "true" can be a level of two columns.
"""

import altair as alt
import polars as pl

from pppflow.charts.common import PALETTE, ChartSettings, ChartSize, Frames, endpoint_label, styled

NOT_ESTIMABLE = "not estimable"
OVERALL = "Overall"
# A level's label is indented under its column's heading by this many pixels (leading spaces
# in the text would be trimmed by the renderer).
INDENT_PX = 14
# Kinds of row: the overall difference, a subgroup column's heading, one of its levels.
ROW_KINDS = ("overall", "heading", "level")

FOREST_SCHEMA = {
    "row": pl.Int64,
    "kind": pl.Utf8,
    "arm": pl.Utf8,
    "subgroup_column": pl.Utf8,
    "label": pl.Utf8,
    "patients": pl.Int64,
    "rate_difference": pl.Float64,
    "ci_low": pl.Float64,
    "ci_high": pl.Float64,
    "estimable": pl.Boolean,
    "difference_text": pl.Utf8,
    "patients_text": pl.Utf8,
    "p_text": pl.Utf8,
}


def p_text(p: float | None) -> str:
    """An interaction P as the chart prints it: "P = 0.43", "P < 0.001", "P not estimable"."""
    if p is None:
        return f"P {NOT_ESTIMABLE}"
    if p < 0.001:
        return "P < 0.001"
    return f"P = {p:.2f}" if p >= 0.01 else f"P = {p:.3f}"


def difference_text(difference: float | None, low: float | None, high: float | None) -> str:
    """ "+25.0 (-5.1 to 51.3)" in percentage points; "not estimable" without a difference."""
    if difference is None:
        return NOT_ESTIMABLE
    text = f"{100 * difference:+.1f}"
    if low is None or high is None:
        return text
    return f"{text} ({100 * low:+.1f} to {100 * high:+.1f})"


def chosen_endpoint_visit(subgroups: pl.DataFrame, endpoint_visit: str) -> tuple[str, str] | None:
    """The endpoint and visit the plot shows: the subgroup file's (at the cohort's endpoint
    visit when it has rows there), its first endpoint in file order; None without rows."""
    if subgroups.is_empty():
        return None
    at_endpoint = subgroups.filter(pl.col("visit") == endpoint_visit)
    rows = at_endpoint if not at_endpoint.is_empty() else subgroups
    return rows["endpoint"][0], rows["visit"][0]


def forest_frame(
    comparisons: pl.DataFrame, subgroups: pl.DataFrame, endpoint: str, visit: str
) -> pl.DataFrame:
    """One row per drawn line, top to bottom (`row` 0 first), per arm compared: the overall
    difference, then per subgroup column (in file order) a heading carrying the interaction P and
    one row per level (in file order) with its patients and difference."""
    rows = []
    subgroups = subgroups.filter((pl.col("endpoint") == endpoint) & (pl.col("visit") == visit))
    overall = comparisons.filter((pl.col("endpoint") == endpoint) & (pl.col("visit") == visit))
    arms = list(dict.fromkeys([*overall["arm"].to_list(), *subgroups["arm"].to_list()]))
    several = len(arms) > 1

    def add(kind, arm, column, label, patients, difference, low, high, estimable, p) -> None:
        rows.append(
            {
                "row": len(rows),
                "kind": kind,
                "arm": arm,
                "subgroup_column": column,
                "label": label,
                "patients": patients,
                "rate_difference": difference if estimable else None,
                "ci_low": low if estimable else None,
                "ci_high": high if estimable else None,
                "estimable": estimable,
                "difference_text": (
                    "" if kind == "heading" else difference_text(difference, low, high)
                ),
                "patients_text": "" if patients is None else f"{patients:,}",
                "p_text": p,
            }
        )

    for arm in arms:
        for row in overall.filter(pl.col("arm") == arm).iter_rows(named=True):
            reference = row["reference_arm"]
            evaluable = (row["evaluable"] or 0) + (row["reference_evaluable"] or 0)
            label = f"{OVERALL}: {arm} vs {reference}" if several else OVERALL
            add(
                "overall",
                arm,
                None,
                label,
                evaluable,
                row["rate_difference"],
                row["difference_ci_low"],
                row["difference_ci_high"],
                row["rate_difference"] is not None,
                "",
            )
        of_arm = subgroups.filter(pl.col("arm") == arm)
        for column in dict.fromkeys(of_arm["subgroup_column"].to_list()):
            levels = of_arm.filter(pl.col("subgroup_column") == column)
            heading = f"{column} ({arm})" if several else column
            add(
                "heading",
                arm,
                column,
                heading,
                None,
                None,
                None,
                None,
                False,
                p_text(levels["p_interaction"][0]),
            )
            for level in levels.iter_rows(named=True):
                estimable = bool(level["estimable"]) and level["rate_difference"] is not None
                add(
                    "level",
                    arm,
                    column,
                    level["subgroup"],
                    # Evaluable in both arms, as the overall row counts them.
                    (level["evaluable"] or 0) + (level["reference_evaluable"] or 0),
                    level["rate_difference"],
                    level["ci_low"],
                    level["ci_high"],
                    estimable,
                    "",
                )
    return pl.DataFrame(rows, schema=FOREST_SCHEMA)


def _text_column(
    data: alt.Data, y: alt.Y, field: str, title: str, width: int, align: str
) -> alt.LayerChart:
    """A column of text beside the plot, one line per row: headings and the overall row bold."""
    x = 0 if align == "left" else width
    anchor = "start" if align == "left" else "end"
    base = alt.Chart(data).encode(y=y, text=alt.Text(f"{field}:N"), x=alt.value(x))
    levels = base.transform_filter(alt.datum.kind == "level").mark_text(
        align=align, baseline="middle", fontSize=12, dx=INDENT_PX if field == "label" else 0
    )
    others = base.transform_filter(alt.datum.kind != "level").mark_text(
        align=align, baseline="middle", fontSize=12, fontWeight="bold"
    )
    return alt.layer(levels, others).properties(
        width=width, title=alt.Title(title, fontSize=12, fontWeight="bold", anchor=anchor)
    )


def forest_plot_chart(
    comparisons: pl.DataFrame,
    subgroups: pl.DataFrame,
    *,
    endpoint_visit: str,
    confidence_level: float,
    cohort: str,
    size: ChartSize,
) -> alt.HConcatChart:
    """Labels | the differences with their CIs and a line at 0 | patients | difference | P."""
    chosen = chosen_endpoint_visit(subgroups, endpoint_visit)
    if chosen is None and not comparisons.is_empty():
        chosen = (comparisons["endpoint"][0], endpoint_visit)
    endpoint, visit = chosen if chosen else ("", endpoint_visit)
    frame = forest_frame(comparisons, subgroups, endpoint, visit)
    level = f"{confidence_level * 100:g}"
    reference = (
        comparisons["reference_arm"][0]
        if not comparisons.is_empty()
        else (subgroups["reference_arm"][0] if not subgroups.is_empty() else "reference")
    )
    data = alt.Data(values=frame.to_dicts())
    row_height = 22
    height = max(size.height, row_height * max(frame.height, 1))
    # Every row on every part, in order: the plot draws no mark on a heading's row, and would
    # otherwise leave it out of its scale and fall out of line with the text beside it.
    y = alt.Y("row:O", axis=None, scale=alt.Scale(domain=frame["row"].to_list()))
    drawn = alt.Chart(data).transform_filter(alt.datum.estimable)
    low, high = frame["ci_low"].drop_nulls(), frame["ci_high"].drop_nulls()
    extent = [
        min(-0.1, float(low.min()) if low.len() else 0.0),
        max(0.1, float(high.max()) if high.len() else 0.0),
    ]
    scale = alt.Scale(domain=extent, nice=True)
    # The data are fractions; the axis reads in percentage points, signed.
    axis = alt.Axis(
        grid=False, labelExpr="datum.value == 0 ? '0' : format(datum.value * 100, '+.0f')"
    )
    x_title = f"Difference in response rate, arm − {reference} (percentage points)"
    x = alt.X("rate_difference:Q", title=x_title, axis=axis, scale=scale)
    zero = (
        alt.Chart(alt.Data(values=[{"zero": 0}]))
        .mark_rule(color="#444444", strokeDash=[4, 3])
        .encode(x=alt.X("zero:Q", title=x_title, axis=axis, scale=scale))
    )
    interval = drawn.mark_rule(strokeWidth=2, color=PALETTE[0]).encode(
        y=y, x=alt.X("ci_low:Q", title=x_title, axis=axis, scale=scale), x2="ci_high:Q"
    )
    tooltip = [
        alt.Tooltip("label:N", title="Row"),
        alt.Tooltip("patients:Q", title="Patients"),
        alt.Tooltip("difference_text:N", title="Difference, points (CI)"),
    ]
    point = drawn.mark_point(filled=True, opacity=1).encode(
        y=y,
        x=x,
        shape=alt.condition(alt.datum.kind == "overall", alt.value("diamond"), alt.value("square")),
        size=alt.condition(alt.datum.kind == "overall", alt.value(180), alt.value(70)),
        color=alt.condition(
            alt.datum.kind == "overall", alt.value(PALETTE[4]), alt.value(PALETTE[0])
        ),
        tooltip=tooltip,
    )
    missing = (
        alt.Chart(data)
        .transform_filter((alt.datum.kind != "heading") & ~alt.datum.estimable)
        .mark_text(align="center", baseline="middle", fontStyle="italic", color="#666666")
        # At the plot's centre, in pixels: the row has no value to place it at.
        .encode(y=y, x=alt.value(size.width // 2), text=alt.value(NOT_ESTIMABLE))
    )
    # The same title height as the text columns', so that the rows line up.
    plot = alt.layer(zero, interval, point, missing).properties(
        width=size.width, height=height, title=alt.Title(" ", fontSize=12, fontWeight="bold")
    )
    label_width = max(120, 7 * int(frame["label"].str.len_chars().max() or 10))
    chart = alt.hconcat(
        _text_column(data, y, "label", "Subgroup", label_width, "left").properties(height=height),
        plot,
        _text_column(data, y, "patients_text", "Evaluable", 70, "right").properties(height=height),
        _text_column(data, y, "difference_text", "Points (CI)", 170, "right").properties(
            height=height
        ),
        _text_column(data, y, "p_text", "Interaction", 110, "left").properties(height=height),
        spacing=8,
    ).properties(
        title=alt.Title(
            f"{endpoint_label(endpoint)} at {visit}: difference between arms — {cohort}",
            subtitle=[
                f"Arm − {reference}, in percentage points, with Newcombe's {level} % CI; "
                "diamond: all patients; squares: one subgroup level each.",
                "Right of the dashed line: more responders on the arm. Interaction P: "
                "likelihood-ratio test that the difference varies between the levels.",
            ],
            anchor="start",
        )
    )
    return styled(chart)


def build(frames: Frames, settings: ChartSettings) -> alt.HConcatChart:
    return forest_plot_chart(
        frames["comparisons"],
        frames["subgroup_comparisons"],
        endpoint_visit=settings.endpoint_visit,
        confidence_level=settings.confidence_level,
        cohort=settings.cohort,
        size=settings.size,
    )
