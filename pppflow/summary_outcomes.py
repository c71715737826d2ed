"""The outcome tables on the summary page, in the order a trial paper's results read them: the
patient flow, percent change in PPPASI, time to first response, the declared outcomes, safety
and time on drug; and their few lines in the run's closing summary.

Pure: the result tables (as their CSVs hold them) in, text tables (pppflow.pages.TextTable) and
sentences out. An `arm` column that is empty throughout (a single-arm cohort) is left out of a
table; with arms, it is the table's first column, "All" on the whole cohort's rows.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from pppflow import constants as c
from pppflow.formatting import MISSING, decimal_text, level_text, number_text, p_text, rate_ci_text
from pppflow.pages import TextTable
from pppflow.summary import MAIN_TESTS

# Percent changes and weeks: one decimal says all a reader needs.
ONE_DECIMAL = 1
NOT_REACHED = "not reached"


def _has_arms(frame: pl.DataFrame) -> bool:
    return "arm" in frame.columns and frame.get_column("arm").drop_nulls().len() > 0


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]], arms: Sequence[str] | None):
    """A TextTable, with the arm first where the cohort has arms."""
    if arms is None:
        return TextTable(list(columns), [tuple(row) for row in rows])
    return TextTable(["Arm", *columns], [(arm, *row) for arm, row in zip(arms, rows, strict=True)])


# The arm cell of a trial's whole-cohort rows (`arm` empty in the CSVs).
ALL_ARMS = "All"


def _arms_of(frame: pl.DataFrame) -> list[str] | None:
    if not _has_arms(frame):
        return None
    return [a or ALL_ARMS for a in frame.get_column("arm").cast(pl.Utf8).to_list()]


def _interval(low: float | None, high: float | None, decimals: int = ONE_DECIMAL) -> str:
    """ "-59.0 to -26.0" (a range of signed numbers reads badly with a dash)."""
    if low is None and high is None:
        return ""
    return f"{decimal_text(low, decimals)} to {decimal_text(high, decimals)}"


NO_INTERVAL = "too few patients for an interval"


def _with_interval(value: float | None, low: float | None, high: float | None) -> str:
    """ "-42.5 (-59.0 to -26.0)"; a value without an interval (a mean of one patient, a
    median of too few for the sign test to reach the level) says so."""
    if value is None:
        return MISSING
    return f"{decimal_text(value, ONE_DECIMAL)} ({_interval(low, high) or NO_INTERVAL})"


def endpoint_label(endpoint: str) -> str:
    return c.ENDPOINT_LABELS.get(endpoint, endpoint)


# Patient flow ----------------------------------------------------------------------------------


def flow_table(flow: pl.DataFrame) -> TextTable:
    """flow.csv as read: step, patients, and who is not counted and why."""
    rows = [
        (f"{step[0].upper()}{step[1:]}", str(patients), reason or "")
        for step, patients, reason in flow.select("step", "patients", "reason").iter_rows()
    ]
    return _table(["Step", "Patients", "Not counted"], rows, _arms_of(flow))


# Percent change --------------------------------------------------------------------------------


def percent_change_table(summary: pl.DataFrame, confidence_level: float) -> TextTable:
    """percent_change.csv per follow-up visit: n, mean (t interval), median (sign-test
    interval), in percent at one decimal."""
    level = level_text(confidence_level)
    rows = [
        (
            r["visit"],
            str(r["n"]),
            _with_interval(r["mean"], r["mean_ci_low"], r["mean_ci_high"]),
            _with_interval(r["median"], r["median_ci_low"], r["median_ci_high"]),
        )
        for r in summary.iter_rows(named=True)
    ]
    return _table(
        ["Visit", "n", f"Mean change, % ({level} CI)", f"Median change, % ({level} CI)"],
        rows,
        _arms_of(summary),
    )


# Time to first response ------------------------------------------------------------------------


def _weeks(value: float | None) -> str:
    return NOT_REACHED if value is None else number_text(value, ONE_DECIMAL)


def time_to_response_table(table: pl.DataFrame, confidence_level: float, alpha: float) -> TextTable:
    """time_to_response.csv per endpoint: patients entering, first responses, the median weeks
    with its interval ("not reached" where the curve or its band never reaches half); the
    log-rank P where arms are compared."""
    level = level_text(confidence_level)
    logrank = "p_logrank" in table.columns and table["p_logrank"].drop_nulls().len() > 0
    rows = []
    for r in table.iter_rows(named=True):
        median = _weeks(r["median_weeks"])
        if r["ci_low"] is not None or r["ci_high"] is not None:
            low = MISSING if r["ci_low"] is None else _weeks(r["ci_low"])
            median += f" ({low} to {_weeks(r['ci_high'])})"
        row = [endpoint_label(r["endpoint"]), str(r["n"]), str(r["events"]), median]
        if logrank:
            row.append(p_text(r["p_logrank"], alpha))
        rows.append(row)
    columns = ["Endpoint", "Patients", "Responded", f"Median weeks to response ({level} CI)"]
    return _table([*columns, *(["P (log-rank)"] if logrank else [])], rows, _arms_of(table))


# Declared outcomes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclaredOutcomes:
    names: tuple[str, ...]
    descriptives: TextTable
    tests: TextTable
    responders: TextTable


def _endpoint_outcome(endpoint: pl.Expr) -> pl.Expr:
    return endpoint.str.split_exact(":", 1).struct.field("field_0")


def declared_outcomes(
    names: Sequence[str],
    descriptives: pl.DataFrame,
    tests: pl.DataFrame,
    rates: pl.DataFrame,
    alpha: float,
) -> DeclaredOutcomes | None:
    """The rows of descriptives.csv, tests.csv (the paired t and Wilcoxon tests) and
    response_rates.csv (endpoints `<outcome>:<responder>`) of the declared outcomes `names`;
    None where the cohort declares none or none has a row."""
    names = tuple(names)
    shown = descriptives.filter(pl.col("outcome").is_in(names))
    if not names or not shown.height:
        return None
    summary_rows = [
        (
            r["outcome"],
            r["visit"],
            number_text(r["week"]),
            str(r["n"]),
            f"{number_text(r['mean'])} ({number_text(r['sd'])})",
            f"{number_text(r['median'])} [{number_text(r['q1'])}, {number_text(r['q3'])}]",
        )
        for r in shown.iter_rows(named=True)
    ]
    test_rows = [
        (
            r["outcome"],
            r["test"].replace("_", " "),
            str(r["n"]),
            number_text(r["estimate"]),
            _interval(r["ci_low"], r["ci_high"], 2),
            p_text(r["p_value"], alpha),
        )
        for r in tests.filter(
            pl.col("outcome").is_in(names) & pl.col("test").is_in(MAIN_TESTS)
        ).iter_rows(named=True)
    ]
    own = rates.filter(_endpoint_outcome(pl.col("endpoint")).is_in(names))
    rate_rows = [
        (
            r["endpoint"],
            r["visit"],
            f"{r['responders']}/{r['evaluable']}",
            rate_ci_text(r["rate"], r["ci_low"], r["ci_high"]),
        )
        for r in own.iter_rows(named=True)
    ]
    return DeclaredOutcomes(
        names=names,
        descriptives=_table(
            ["Outcome", "Visit", "Week", "n", "Mean (SD)", "Median [Q1, Q3]"],
            summary_rows,
            _arms_of(shown),
        ),
        tests=TextTable(
            ["Outcome", "Test", "n", "Estimate (baseline − endpoint)", "CI", "P"], test_rows
        ),
        responders=_table(
            ["Responder endpoint", "Visit", "Responders / evaluable", "Rate (CI)"],
            rate_rows,
            _arms_of(own),
        ),
    )


# Safety ----------------------------------------------------------------------------------------

NO_EVENTS_FILE = (
    "No events file was given for this cohort, so no adverse events are reported: an absent file "
    "says nothing about whether there were any."
)


@dataclass(frozen=True)
class SafetyView:
    headline: str
    table: TextTable
    rate_note: str


def _patients_percent(patients: int, percent: float | None) -> str:
    return f"{patients} ({decimal_text(percent, ONE_DECIMAL)} %)"


def safety_view(safety: pl.DataFrame) -> SafetyView | None:
    """safety.csv as the page shows it, None where it has no rows (no events file): a sentence
    from its `any` row (per arm where there are arms), then per term the patients n (%), the
    events, the patients with a serious one and with one leading to discontinuation, and the
    events per 100 patient-years."""
    if not safety.height:
        return None
    any_rows = safety.filter(pl.col("term") == "any")
    headline = []
    for r in any_rows.iter_rows(named=True):
        arm = f"{r['arm']}: " if r.get("arm") else ""
        headline.append(
            f"{arm}{r['patients']} patient{'s' if r['patients'] != 1 else ''} "
            f"({decimal_text(r['percent'], ONE_DECIMAL)} %) had at least one adverse event ({r['events']} event{'s' if r['events'] != 1 else ''}); "
            f"{r['serious_patients'] or 'none'} had a serious one; "
            f"{r['discontinued_patients'] or 'none'} had one leading to discontinuation."
        )
    rows = [
        (
            "Any adverse event" if r["term"] == "any" else r["term"],
            _patients_percent(r["patients"], r["percent"]),
            str(r["events"]),
            str(r["serious_patients"]),
            str(r["discontinued_patients"]),
            decimal_text(r["events_per_100py"], ONE_DECIMAL),
        )
        for r in safety.iter_rows(named=True)
    ]
    rated = safety["events_per_100py"].drop_nulls().len() > 0
    return SafetyView(
        headline=" ".join(headline),
        table=_table(
            [
                "Adverse event",
                "Patients, n (%)",
                "Events",
                "Serious (patients)",
                "Led to discontinuation (patients)",
                "Events per 100 patient-years",
            ],
            rows,
            _arms_of(safety),
        ),
        rate_note=(
            "Exposure runs from week 0 to the patient's stop week, or without one to the last "
            "visit; percentages are of every patient of the cohort."
            + (
                ""
                if rated
                else " Every patient has the same exposure, so no rate per patient-year is given."
            )
        ),
    )


# Time on drug ----------------------------------------------------------------------------------

TIME_ON_DRUG_COLUMNS = (
    "arm",
    "reason",
    "week",
    "n",
    "stops",
    "median_weeks",
    "ci_low",
    "ci_high",
    "cumulative_incidence",
    "ci_low_incidence",
    "ci_high_incidence",
)


@dataclass(frozen=True)
class TimeOnDrugView:
    medians: TextTable
    incidence: TextTable


def time_on_drug_view(frame: pl.DataFrame, confidence_level: float) -> TimeOnDrugView | None:
    """time_on_drug.csv (TIME_ON_DRUG_COLUMNS) for reading: its `any` rows (week empty), the
    patients, stops and Kaplan-Meier median weeks on drug with its interval, per arm; then per
    reason for stopping and week, the stops by then and their cumulative incidence with its
    interval. None for a cohort without stop weeks (the file has no rows)."""
    if frame.is_empty():
        return None
    level = level_text(confidence_level)
    arms = _has_arms(frame)
    overall = frame.filter(pl.col("week").is_null())
    median_rows = []
    for r in overall.iter_rows(named=True):
        median = _weeks(r["median_weeks"])
        if r["ci_low"] is not None or r["ci_high"] is not None:
            low = MISSING if r["ci_low"] is None else _weeks(r["ci_low"])
            median += f" ({low} to {_weeks(r['ci_high'])})"
        median_rows.append((str(r["n"]), str(r["stops"]), median))
    by_reason = frame.filter(pl.col("week").is_not_null())
    incidence_rows = [
        (
            (r["reason"] or "").replace("_", " "),
            number_text(r["week"]),
            str(r["n"]),
            str(r["stops"]),
            rate_ci_text(r["cumulative_incidence"], r["ci_low_incidence"], r["ci_high_incidence"]),
        )
        for r in by_reason.iter_rows(named=True)
    ]
    return TimeOnDrugView(
        medians=_table(
            ["Patients", "Stopped", f"Median weeks on drug, Kaplan–Meier ({level} CI)"],
            median_rows,
            _arms_of(overall) if arms else None,
        ),
        incidence=_table(
            [
                "Reason for stopping",
                "Week",
                "Patients",
                "Stopped for it by then",
                f"Cumulative incidence, others competing ({level} CI)",
            ],
            incidence_rows,
            _arms_of(by_reason) if arms else None,
        ),
    )


def arm_safety_line(safety: pl.DataFrame) -> str:
    """A trial's safety in one short line, from safety.csv's `any` rows: the patients with an
    adverse event per arm (the whole cohort first), and with a serious one or one leading to
    discontinuation, where any."""
    any_rows = list(safety.filter(pl.col("term") == "any").iter_rows(named=True))
    by_arm = ", ".join(
        f"{r['arm'] or ALL_ARMS.lower()} {_patients_percent(r['patients'], r['percent'])}"
        for r in any_rows
    )

    def worst(column: str) -> str:
        counts = [f"{r['arm'] or ALL_ARMS.lower()} {r[column]}" for r in any_rows if r[column]]
        return ", ".join(counts) if counts else "none"

    return (
        f"Safety: patients with an adverse event: {by_arm}; serious: {worst('serious_patients')}; "
        f"leading to discontinuation: {worst('discontinued_patients')}."
    )


# PGA -------------------------------------------------------------------------------------------


def pga_absent_sentence(rates: pl.DataFrame) -> str | None:
    """Why the page has no PGA endpoint, where it has none (None where it has)."""
    if rates.filter(pl.col("endpoint").is_in(c.PGA_ENDPOINTS)).height:
        return None
    return (
        "This cohort's visits record no PGA grade (no pga column, or one empty throughout), so "
        "the PGA endpoints (PGA 0/1, PGA ≥2 grades better), the PGA tests and the PGA shift "
        "chart are left out."
    )


# The run's closing lines -----------------------------------------------------------------------


def outcome_lines(
    *,
    flow: pl.DataFrame,
    percent_change: pl.DataFrame,
    time_to_response: pl.DataFrame,
    safety: pl.DataFrame,
    endpoint_visit: str,
    confidence_level: float,
    pga_sentence: str | None,
) -> list[str]:
    """The outcome tables' lines of the closing summary (pppflow.summary.terminal_summary),
    one each: the flow up to the analyses, percent change at the endpoint, the median weeks to
    response, the safety headline or its absence, and why there is no PGA, if there is none."""
    lines = []
    steps = [
        f"{patients} {step}"
        for step, patients in flow.select("step", "patients").iter_rows()
        if not step.startswith("analysed for ")
    ]
    if steps and not _has_arms(flow):
        lines.append(f"Flow: {'; '.join(steps)}.")
    at_end = percent_change.filter(pl.col("visit") == endpoint_visit)
    if not _has_arms(at_end):
        for r in at_end.iter_rows(named=True):
            lines.append(
                f"Percent change in PPPASI at {endpoint_visit}: mean "
                f"{decimal_text(r['mean'], ONE_DECIMAL)} % ({level_text(confidence_level)} CI "
                f"{_interval(r['mean_ci_low'], r['mean_ci_high'])}), n = {r['n']}."
            )
    if time_to_response.height and not _has_arms(time_to_response):
        medians = "; ".join(
            f"{endpoint_label(r['endpoint'])} {_weeks(r['median_weeks'])}"
            for r in time_to_response.iter_rows(named=True)
        )
        lines.append(f"Median weeks to first response: {medians}.")
    if _has_arms(safety):
        lines.append(arm_safety_line(safety))
    else:
        view = safety_view(safety)
        lines.append(f"Safety: {view.headline}" if view else "Safety: no events file given.")
    if pga_sentence:
        lines.append(pga_sentence)
    return lines
