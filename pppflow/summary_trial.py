"""A randomised cohort's "Between arms" section of the summary page, read as the results section
of a trial paper reads, and its lines in the run's closing summary.

At the endpoint visit, per responder endpoint, each arm's responders / evaluable and rate (the
reference arm first), the difference from the reference with its interval, the risk and odds
ratios, Fisher's P and, with strata, the Cochran–Mantel–Haenszel P (comparisons.csv); the other
visits in a compact table; PPPASI change at the endpoint visit (continuous_comparisons.csv:
ANCOVA, Hodges–Lehmann, Mann–Whitney); the mixed model's arm difference per visit
(repeated_measures.csv); time to first response per arm (time_to_response.csv); and the
subgroups of the forest plot's endpoint (subgroup_comparisons.csv). Each result has its method
beside it: in its column's header, and the CSV's own method text under its table.

Pure: the result tables (as their CSVs hold them) in, text tables (pppflow.pages.TextTable) and
sentences out. Values from the data are plain text: the page's autoescaping keeps them text.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from pppflow import constants as c
from pppflow.formatting import (
    MISSING,
    decimal_text,
    level_text,
    p_text,
    percent_text,
    rate_ci_text,
)
from pppflow.pages import TextTable

NOT_ESTIMABLE = "not estimable"
NOT_FITTED = "not fitted"
NOT_REACHED = "not reached"
# Differences of rates in whole percentage points (as the rates are printed), ratios at two
# decimals, PPPASI (scored in tenths) and its percent change at one.
RATIO_DECIMALS = 2
CHANGE_DECIMALS = 1
# The endpoints whose comparison the run's closing summary prints, where the cohort has them.
SUMMARY_ENDPOINTS = (f"{c.PPPASI_ENDPOINT_PREFIX}50", f"{c.PPPASI_ENDPOINT_PREFIX}75")

MISSING_RULES = {
    "observed": "observed cases (a patient without the visit is left out of the arm's denominator)",
    "nri": "non-responder imputation (a patient without the visit counts as a non-responder)",
    "locf": "last observation carried forward (a patient without the visit is judged on their "
    "last observed follow-up visit before it; left out without one)",
}


def endpoint_label(endpoint: str) -> str:
    return c.ENDPOINT_LABELS.get(endpoint, endpoint)


def _interval(low: float | None, high: float | None, decimals: int, scale: float = 1.0) -> str:
    """ "12 to 72" (a range of signed numbers reads badly with a dash); "" without one."""
    if low is None or high is None:
        return ""
    return f"{decimal_text(scale * low, decimals)} to {decimal_text(scale * high, decimals)}"


def estimate_text(
    value: float | None,
    low: float | None,
    high: float | None,
    decimals: int,
    scale: float = 1.0,
    absent: str = NOT_ESTIMABLE,
) -> str:
    """ "45 (12 to 72)"; a value without an interval alone; `absent` without a value."""
    if value is None:
        return absent
    text = decimal_text(scale * value, decimals)
    interval = _interval(low, high, decimals, scale)
    return f"{text} ({interval})" if interval else text


def difference_text(difference: float | None, low: float | None, high: float | None) -> str:
    """A rate difference in whole percentage points with its interval: "45 (12 to 72)"."""
    return estimate_text(difference, low, high, c.DISPLAY_RATE_DECIMALS, scale=100.0)


def ratio_text(ratio: float | None, low: float | None, high: float | None) -> str:
    return estimate_text(ratio, low, high, RATIO_DECIMALS)


def counts_text(responders: int | None, evaluable: int | None) -> str:
    if responders is None or evaluable is None:
        return MISSING
    return f"{responders}/{evaluable}"


def _rate(responders: int | None, evaluable: int | None) -> float | None:
    if responders is None or not evaluable:
        return None
    return responders / evaluable


def arms_in_order(comparisons: pl.DataFrame) -> list[str]:
    """The reference arm, then the compared arms in the file's order."""
    references = comparisons.get_column("reference_arm").unique(maintain_order=True).to_list()
    compared = comparisons.get_column("arm").unique(maintain_order=True).to_list()
    return list(dict.fromkeys([*references, *compared]))


def method_notes(methods: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """The parts ("; "-separated) every method text shares, in order, and each text's own
    (a row's note, as "RR and OR with 0.5 added to every cell")."""
    split = [[part.strip() for part in (m or "").split("; ") if part.strip()] for m in methods]
    if not split:
        return [], []
    common = [part for part in split[0] if all(part in parts for parts in split[1:])]
    return common, [[part for part in parts if part not in common] for parts in split]


def p_phrase(p: float | None, alpha: float = 0.05) -> str:
    """ "P = 0.43", "P < 0.001": a P value in a sentence."""
    text = p_text(p, alpha)
    return f"P {text}" if text[:1] in "<>" else f"P = {text}"


def _sentence(parts: Sequence[str]) -> str:
    return f"{'; '.join(parts)}." if parts else ""


# Responder endpoints ---------------------------------------------------------------------------


def _arm_rate_text(
    arm_rates: pl.DataFrame, endpoint: str, visit: str, arm: str, responders, evaluable
) -> str:
    """The arm's rate with its exact interval from response_rates.csv, where its counts there
    are the comparison's; the rate alone otherwise."""
    row = arm_rates.filter(
        (pl.col("endpoint") == endpoint)
        & (pl.col("visit") == visit)
        & (pl.col("arm") == arm)
        & (pl.col("responders") == responders)
        & (pl.col("evaluable") == evaluable)
    )
    if row.height:
        r = row.row(0, named=True)
        return rate_ci_text(r["rate"], r["ci_low"], r["ci_high"])
    return percent_text(_rate(responders, evaluable))


@dataclass(frozen=True)
class ResponderComparisons:
    table: TextTable
    method: str
    missing_rule: str
    cmh: bool
    # "a: RR and OR with 0.5 added to every cell (a zero cell).": the Note column's letters.
    notes: tuple[str, ...] = ()


def has_cmh(comparisons: pl.DataFrame) -> bool:
    return "p_cmh" in comparisons.columns and comparisons["p_cmh"].drop_nulls().len() > 0


def responder_comparisons(
    comparisons: pl.DataFrame,
    arm_rates: pl.DataFrame,
    visit: str,
    *,
    confidence_level: float,
    alpha: float,
    strata: Sequence[str] = (),
) -> ResponderComparisons | None:
    """comparisons.csv at `visit`: per endpoint (the file's order), a row for the reference arm
    (its responders / evaluable and rate), then one per compared arm with its rate, the
    difference from the reference (percentage points), risk and odds ratios with intervals,
    Fisher's P, the CMH P (only where strata gave one) and the row's own method note. Rates take
    their exact interval from `arm_rates` (response_rates.csv's arm rows). None without rows."""
    at = comparisons.filter(pl.col("visit") == visit)
    if not at.height:
        return None
    level = level_text(confidence_level)
    cmh = has_cmh(at)
    common, notes = method_notes(at["method"].to_list())
    reference = at["reference_arm"][0]
    columns = [
        "Endpoint",
        "Arm",
        "Responders / evaluable",
        f"Rate (Clopper–Pearson {level} CI)",
        f"Difference vs {reference}, pp (Newcombe {level} CI)",
        f"Risk ratio (Katz {level} CI)",
        f"Odds ratio (Woolf {level} CI)",
        "P, Fisher exact",
        *([f"P, CMH by {', '.join(strata)}" if strata else "P, CMH"] if cmh else []),
        "Note",
    ]
    # A row's own method note (a zero cell, ratios not estimable) as a letter, spelt out below.
    letters: dict[str, str] = {}
    for note in notes:
        if note:
            letters.setdefault("; ".join(note), "abcdefghijklmnopqrstuvwxyz"[len(letters) % 26])
    rows: list[tuple[str, ...]] = []
    seen: set[str] = set()
    for r, note in zip(at.iter_rows(named=True), notes, strict=True):
        endpoint = r["endpoint"]
        if endpoint not in seen:
            seen.add(endpoint)
            ref_rate = _arm_rate_text(
                arm_rates,
                endpoint,
                visit,
                r["reference_arm"],
                r["reference_responders"],
                r["reference_evaluable"],
            )
            rows.append(
                (
                    endpoint_label(endpoint),
                    f"{r['reference_arm']} (reference)",
                    counts_text(r["reference_responders"], r["reference_evaluable"]),
                    ref_rate,
                    "",
                    "",
                    "",
                    "",
                    *([""] if cmh else []),
                    "",
                )
            )
        rate = _arm_rate_text(arm_rates, endpoint, visit, r["arm"], r["responders"], r["evaluable"])
        rows.append(
            (
                "",
                r["arm"],
                counts_text(r["responders"], r["evaluable"]),
                rate,
                difference_text(
                    r["rate_difference"], r["difference_ci_low"], r["difference_ci_high"]
                ),
                ratio_text(r["risk_ratio"], r["risk_ratio_ci_low"], r["risk_ratio_ci_high"]),
                ratio_text(r["odds_ratio"], r["odds_ratio_ci_low"], r["odds_ratio_ci_high"]),
                p_text(r["p_fisher"], alpha),
                *([p_text(r["p_cmh"], alpha)] if cmh else []),
                letters.get("; ".join(note), ""),
            )
        )
    rules = at["missing"].unique(maintain_order=True).to_list()
    missing = "; ".join(MISSING_RULES.get(rule, rule) for rule in rules)
    return ResponderComparisons(
        table=TextTable(columns, rows),
        method=_sentence(common),
        missing_rule=missing,
        cmh=cmh,
        notes=tuple(f"{letter}: {note}." for note, letter in letters.items()),
    )


def other_visits_table(
    comparisons: pl.DataFrame, endpoint_visit: str, confidence_level: float, alpha: float
) -> TextTable | None:
    """The responder comparisons at the other visits of the randomised period, compact: per
    endpoint, visit and compared arm, both arms' counts, the difference and Fisher's P. The
    file's order (endpoint, then visit) is kept: each endpoint's rows are consecutive."""
    other = comparisons.filter(pl.col("visit") != endpoint_visit)
    if not other.height:
        return None
    level = level_text(confidence_level)
    # An endpoint is named on its first row only: its visits read as one group.
    first = pl.col("endpoint").is_first_distinct()
    rows = [
        (
            endpoint_label(r["endpoint"]) if r["__first"] else "",
            r["visit"],
            f"{r['arm']} vs {r['reference_arm']}",
            f"{counts_text(r['responders'], r['evaluable'])} vs "
            f"{counts_text(r['reference_responders'], r['reference_evaluable'])}",
            difference_text(r["rate_difference"], r["difference_ci_low"], r["difference_ci_high"]),
            p_text(r["p_fisher"], alpha),
        )
        for r in other.with_columns(first.alias("__first")).iter_rows(named=True)
    ]
    return TextTable(
        [
            "Endpoint",
            "Visit",
            "Arms",
            "Responders / evaluable",
            f"Difference, pp (Newcombe {level} CI)",
            "P (Fisher exact)",
        ],
        rows,
    )


# PPPASI change ---------------------------------------------------------------------------------


def continuous_table(
    continuous: pl.DataFrame, visit: str, confidence_level: float, alpha: float
) -> tuple[TextTable, tuple[str, ...]] | None:
    """continuous_comparisons.csv at `visit`: per outcome and compared arm, the patients of both
    arms, the ANCOVA least-squares mean difference with its interval and P, the Hodges–Lehmann
    shift with its Moses interval and the Mann–Whitney P; and each row's method text."""
    at = continuous.filter(pl.col("visit") == visit)
    if not at.height:
        return None
    level = level_text(confidence_level)
    rows = [
        (
            r["outcome"],
            f"{r['arm']} vs {r['reference_arm']}",
            f"{r['n']} / {r['reference_n']}",
            estimate_text(r["ls_mean_difference"], r["ci_low"], r["ci_high"], CHANGE_DECIMALS),
            p_text(r["p_value"], alpha),
            estimate_text(r["hodges_lehmann"], r["hl_ci_low"], r["hl_ci_high"], CHANGE_DECIMALS),
            p_text(r["p_mann_whitney"], alpha),
        )
        for r in at.iter_rows(named=True)
    ]
    methods = tuple(
        f"{r['outcome']}, {r['arm']} vs {r['reference_arm']}: {r['method']}."
        for r in at.iter_rows(named=True)
    )
    return (
        TextTable(
            [
                "Outcome",
                "Arms",
                "Patients (arm / reference)",
                f"LS-mean difference, ANCOVA on baseline ({level} CI)",
                "P (ANCOVA)",
                f"Hodges–Lehmann shift (Moses {level} CI)",
                "P (Mann–Whitney)",
            ],
            rows,
        ),
        methods,
    )


def repeated_table(
    repeated: pl.DataFrame, confidence_level: float, alpha: float
) -> tuple[TextTable, str] | None:
    """repeated_measures.csv: the mixed model's arm difference per outcome, visit and compared
    arm with its Wald interval and P, and the patients and observations fitted; with the
    model's method (the reason where it was not fitted)."""
    if not repeated.height:
        return None
    level = level_text(confidence_level)
    rows = [
        (
            r["outcome"],
            r["visit"],
            f"{r['arm']} vs {r['reference_arm']}",
            estimate_text(
                r["difference"], r["ci_low"], r["ci_high"], CHANGE_DECIMALS, absent=NOT_FITTED
            ),
            p_text(r["p_value"], alpha),
            f"{r['patients']} / {MISSING if r['observations'] is None else r['observations']}",
        )
        for r in repeated.iter_rows(named=True)
    ]
    methods = repeated["method"].unique(maintain_order=True).to_list()
    return (
        TextTable(
            [
                "Outcome",
                "Visit",
                "Arms",
                f"Difference, mixed model (Wald {level} CI)",
                "P (Wald)",
                "Patients / observations",
            ],
            rows,
        ),
        " ".join(f"{m}." for m in methods if m),
    )


# Time to first response ------------------------------------------------------------------------


def _weeks(value: float | None) -> str:
    return NOT_REACHED if value is None else decimal_text(value, CHANGE_DECIMALS).removesuffix(".0")


def time_to_response_by_arm(
    table: pl.DataFrame, confidence_level: float, alpha: float
) -> TextTable | None:
    """time_to_response.csv's arm rows: per endpoint, each arm's patients, first responses and
    median weeks to response with its interval; the log-rank P on the endpoint's first row."""
    arms = table.filter(pl.col("arm").is_not_null() & (pl.col("arm").cast(pl.Utf8) != ""))
    if not arms.height:
        return None
    level = level_text(confidence_level)
    rows = []
    seen: set[str] = set()
    for r in arms.iter_rows(named=True):
        first = r["endpoint"] not in seen
        seen.add(r["endpoint"])
        median = _weeks(r["median_weeks"])
        if r["ci_low"] is not None or r["ci_high"] is not None:
            low = MISSING if r["ci_low"] is None else _weeks(r["ci_low"])
            median += f" ({low} to {_weeks(r['ci_high'])})"
        rows.append(
            (
                endpoint_label(r["endpoint"]) if first else "",
                str(r["arm"]),
                str(r["n"]),
                str(r["events"]),
                median,
                p_text(r.get("p_logrank"), alpha) if first else "",
            )
        )
    return TextTable(
        [
            "Endpoint",
            "Arm",
            "Patients",
            "Responded",
            f"Median weeks to response, Kaplan–Meier ({level} CI)",
            "P (log-rank)",
        ],
        rows,
    )


# Subgroups -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubgroupView:
    endpoint: str
    visit: str
    sentences: tuple[str, ...]
    table: TextTable


def _interaction_sentence(r: dict, label: str) -> str:
    about = (
        f"Arm × {r['subgroup_column']} interaction for {label} ({r['arm']} vs {r['reference_arm']})"
    )
    if r["p_interaction"] is not None:
        return f"{about}: {p_phrase(r['p_interaction'])} (likelihood-ratio test)."
    note = r["note"] or ""
    reason = note.split(f"{NOT_ESTIMABLE}: ", 1)[1] if f"{NOT_ESTIMABLE}: " in note else note
    return f"{about}: {NOT_ESTIMABLE}" + (f"; {reason}." if reason else ".")


def subgroup_view(
    subgroups: pl.DataFrame, endpoint_visit: str, confidence_level: float
) -> SubgroupView | None:
    """The forest plot's endpoint (subgroup_comparisons.csv's first at the endpoint visit, else
    its first): a sentence per subgroup column and compared arm on the interaction P, and per
    level both arms' counts and the difference. None without rows."""
    if not subgroups.height:
        return None
    at_visit = subgroups.filter(pl.col("visit") == endpoint_visit)
    rows_of = at_visit if at_visit.height else subgroups
    endpoint, visit = rows_of["endpoint"][0], rows_of["visit"][0]
    shown = subgroups.filter((pl.col("endpoint") == endpoint) & (pl.col("visit") == visit))
    label = f"{endpoint_label(endpoint)} at {visit}"
    firsts = shown.unique(["subgroup_column", "arm"], keep="first", maintain_order=True)
    sentences = tuple(_interaction_sentence(r, label) for r in firsts.iter_rows(named=True))
    level = level_text(confidence_level)
    rows = [
        (
            str(r["subgroup_column"]),
            str(r["subgroup"]),
            f"{r['arm']} vs {r['reference_arm']}",
            f"{counts_text(r['responders'], r['evaluable'])} vs "
            f"{counts_text(r['reference_responders'], r['reference_evaluable'])}",
            difference_text(r["rate_difference"], r["ci_low"], r["ci_high"])
            if r["estimable"]
            else NOT_ESTIMABLE,
        )
        for r in shown.iter_rows(named=True)
    ]
    return SubgroupView(
        endpoint=endpoint,
        visit=visit,
        sentences=sentences,
        table=TextTable(
            [
                "Subgroup",
                "Level",
                "Arms",
                "Responders / evaluable",
                f"Difference, pp (Newcombe {level} CI)",
            ],
            rows,
        ),
    )


# The section -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrialSection:
    reference_arm: str
    arms: tuple[str, ...]
    endpoint_visit: str
    strata: tuple[str, ...]
    switch_visit: str | None
    responders: ResponderComparisons | None
    other_visits: TextTable | None
    continuous: TextTable | None
    continuous_methods: tuple[str, ...]
    repeated: TextTable | None
    repeated_method: str
    time_to_response: TextTable | None
    subgroups: SubgroupView | None

    @property
    def design(self) -> str:
        """One sentence on what is compared with what, and over which visits."""
        compared = ", ".join(a for a in self.arms if a != self.reference_arm)
        strata = f"; randomisation stratified by {', '.join(self.strata)}" if self.strata else ""
        period = (
            f"; visits after {self.switch_visit} (the switch visit) are left out of every "
            "comparison"
            if self.switch_visit
            else ""
        )
        return (
            f"Each arm ({compared}) against the reference arm {self.reference_arm}, by "
            f"randomised arm{strata}{period}. The primary comparison is at the endpoint visit, "
            f"{self.endpoint_visit}."
        )


def trial_section(
    *,
    comparisons: pl.DataFrame,
    arm_rates: pl.DataFrame,
    continuous: pl.DataFrame,
    repeated: pl.DataFrame,
    subgroups: pl.DataFrame,
    time_to_response: pl.DataFrame,
    endpoint_visit: str,
    confidence_level: float,
    alpha: float,
    strata: Sequence[str] = (),
    switch_visit: str | None = None,
) -> TrialSection | None:
    """The "Between arms" section from the comparison CSVs; None without comparisons (a cohort
    without arms)."""
    if not comparisons.height:
        return None
    arms = arms_in_order(comparisons)
    continuous_view = continuous_table(continuous, endpoint_visit, confidence_level, alpha)
    repeated_view = repeated_table(repeated, confidence_level, alpha)
    return TrialSection(
        reference_arm=arms[0],
        arms=tuple(arms),
        endpoint_visit=endpoint_visit,
        strata=tuple(strata),
        switch_visit=switch_visit,
        responders=responder_comparisons(
            comparisons,
            arm_rates,
            endpoint_visit,
            confidence_level=confidence_level,
            alpha=alpha,
            strata=strata,
        ),
        other_visits=other_visits_table(comparisons, endpoint_visit, confidence_level, alpha),
        continuous=continuous_view[0] if continuous_view else None,
        continuous_methods=continuous_view[1] if continuous_view else (),
        repeated=repeated_view[0] if repeated_view else None,
        repeated_method=repeated_view[1] if repeated_view else "",
        time_to_response=time_to_response_by_arm(time_to_response, confidence_level, alpha),
        subgroups=subgroup_view(subgroups, endpoint_visit, confidence_level),
    )


# The run's closing lines -----------------------------------------------------------------------


def trial_lines(
    comparisons: pl.DataFrame,
    endpoint_visit: str,
    confidence_level: float,
    alpha: float,
    endpoints: Sequence[str] = SUMMARY_ENDPOINTS,
) -> list[str]:
    """The closing summary's lines of a trial: each endpoint's responders and rate per arm at
    the endpoint visit (reference arm first, one line per endpoint), then the comparison of
    `endpoints` (PPPASI 50 and 75), one line per compared arm, as
    "PPPASI 75 at week16: active 5/11 45 % vs placebo 0/10 0 %, difference 45 pp (95 % CI 12
    to 72), Fisher P 0.035"."""
    at = comparisons.filter(pl.col("visit") == endpoint_visit)
    if not at.height:
        return []
    arms = arms_in_order(at)
    counts: dict[tuple[str, str], str] = {}
    for r in at.iter_rows(named=True):
        counts[(r["endpoint"], r["reference_arm"])] = _count_rate(
            r["reference_responders"], r["reference_evaluable"]
        )
        counts[(r["endpoint"], r["arm"])] = _count_rate(r["responders"], r["evaluable"])
    endpoint_names = at["endpoint"].unique(maintain_order=True).to_list()
    labels = {e: endpoint_label(e) for e in endpoint_names}
    width = max(len(label) for label in labels.values())
    cell = max(len(text) for text in counts.values())
    lines = [f"Response at {endpoint_visit} by arm (responders/evaluable, rate):"]
    lines.append(f"  {'':<{width}}  " + "  ".join(f"{a:<{cell}}" for a in arms).rstrip())
    for e in endpoint_names:
        cells = "  ".join(f"{counts.get((e, a), MISSING):<{cell}}" for a in arms)
        lines.append(f"  {labels[e]:<{width}}  {cells}".rstrip())
    level = level_text(confidence_level)
    for r in at.filter(pl.col("endpoint").is_in(list(endpoints))).iter_rows(named=True):
        interval = _interval(r["difference_ci_low"], r["difference_ci_high"], 0, 100.0)
        difference = (
            NOT_ESTIMABLE
            if r["rate_difference"] is None
            else f"{decimal_text(100 * r['rate_difference'], c.DISPLAY_RATE_DECIMALS)} pp"
            + (f" ({level} CI {interval})" if interval else "")
        )
        lines.append(
            f"{labels[r['endpoint']]} at {endpoint_visit}: {r['arm']} "
            f"{_count_rate(r['responders'], r['evaluable'])} vs {r['reference_arm']} "
            f"{_count_rate(r['reference_responders'], r['reference_evaluable'])}, difference "
            f"{difference}, Fisher P {p_text(r['p_fisher'], alpha)}"
        )
    return lines


def _count_rate(responders: int | None, evaluable: int | None) -> str:
    return f"{counts_text(responders, evaluable)} {percent_text(_rate(responders, evaluable))}"
