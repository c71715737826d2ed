"""The audit: every claim of claims.yaml recomputed from the cohort's data, with a verdict.

A printed number matches when the recomputed value rounds to it at the printed precision
(exact decimal arithmetic, half up or half down: see pppflow.consistency). Two tiers, as
statcheck has them: a mismatch, and a decisive one where a reader's conclusion about that number
changes (a P on the other side of alpha, a responder rate off by at least one patient). Means and SDs of integer-
valued data also get GRIM / GRIMMER (or DEBIT for a true/false variable), and an SD says which
convention, n - 1 or n, reproduces it.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import polars as pl

from pppflow import constants as c
from pppflow.claims import (
    COMPARISON_ESTIMATES,
    COMPARISON_TESTS,
    NOT_REACHED,
    SUMMARY_KINDS,
    Claim,
    Claims,
    estimate_and_interval,
    percent_value,
)
from pppflow.consistency import (
    SD_CONVENTIONS,
    Moments,
    Printed,
    debit,
    grim_informative,
    grim_percent,
    grim_totals,
    grimmer,
    parse_printed,
    quantile,
    round_half_up,
    rounds_to,
    sd_conventions_matching,
    sqrt_round_half_up,
)
from pppflow.outcomes import units_column
from pppflow.summary_audit import check_summary_claim
from pppflow.summary_checks import Check

AUDIT_SCHEMA = {
    "claim_id": pl.Utf8,
    "quote": pl.Utf8,
    "reported": pl.Utf8,
    "recomputed": pl.Utf8,
    "verdict": pl.Utf8,
    "decisive": pl.Boolean,
    "note": pl.Utf8,
}
VERDICTS = ("match", "mismatch", "not_checkable")
FOLLOW_UP = "follow_up_weeks"
SCORE_VARIABLES = {
    "pppasi": ("pppasi_tenths", Fraction(1, c.TENTHS_PER_POINT)),
    "pga": ("pga", Fraction(1)),
}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
P_CLAIM = re.compile(r"^\s*[Pp]\s*(<=|>=|<|>|=|≤|≥)\s*(\d*\.?\d+)\s*$")
NUMBER_WORDS = {
    word: i
    for i, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
}
NONE_WORDS = ("no", "none", "excluded")
ALL_WORDS = ("all", "these patients")
# Patient ids listed in a recomputed count up to this many.
MAX_LISTED_IDS = 10


@dataclass(frozen=True)
class AuditInputs:
    """Everything the claims are checked against, all computed from the cohort's resources."""

    patients: pl.DataFrame  # validated patients with their derived columns (pppflow.derive)
    scores: pl.DataFrame  # pppasi.parquet: patient_id, visit, week, pppasi_tenths, pga
    response_rates: pl.DataFrame  # response_rates.csv
    tests: pl.DataFrame  # tests.csv
    alpha: float
    # The between-arm results of a cohort with arms (None for the others: their claims about
    # arms are not checkable).
    comparisons: pl.DataFrame | None = None  # comparisons.csv
    continuous_comparisons: pl.DataFrame | None = None  # continuous_comparisons.csv
    time_to_response: pl.DataFrame | None = None  # time_to_response.csv
    # The cohort's declared outcomes' units per patient-visit (outcomes.outcome_units) and the value of one step of each: a mean, SD, median or range may name one.
    outcome_values: pl.DataFrame | None = None
    outcome_steps: Mapping[str, Fraction] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    recomputed: str
    verdict: str
    decisive: bool = False
    note: str = ""


class NotCheckable(Exception):
    """The data cannot answer this claim (a column or visit absent): the reason is the text."""


# Helpers -------------------------------------------------------------------------------------


def _id_key(pid: str):
    return (0, int(pid), "") if pid.isdigit() else (1, 0, pid)


def _ids(ids) -> str:
    ordered = sorted(ids, key=_id_key)
    return ", ".join(ordered) if ordered else "none"


def _count_text(ids: list[str]) -> str:
    if 0 < len(ids) <= MAX_LISTED_IDS:
        noun = "patient" if len(ids) == 1 else "patients"
        return f"{len(ids)} ({noun} {_ids(ids)})"
    return str(len(ids))


def term_pattern(terms) -> str:
    """Whole-word start, case-insensitive: 'rash' finds 'rashes', 'TCM' does not find 'xTCM'."""
    words = [terms] if isinstance(terms, str) else list(terms)
    return r"(?i)\b(?:" + "|".join(re.escape(w) for w in words) + ")"


def _require(frame: pl.DataFrame, column: str) -> pl.Expr:
    if column not in frame.columns:
        raise NotCheckable(f"column {column!r} is not in the cohort's patient data")
    return pl.col(column)


def condition_expr(frame: pl.DataFrame, condition: dict) -> pl.Expr:
    column = condition["column"]
    col = _require(frame, column)
    text = col.cast(pl.Utf8)
    if "equals" in condition:
        return (col == condition["equals"]).fill_null(False)
    if "in" in condition:
        return col.is_in(condition["in"]).fill_null(False)
    if "contains_any" in condition:
        return text.str.contains(term_pattern(condition["contains_any"])).fill_null(False)
    if "contains_none" in condition:
        return ~text.str.contains(term_pattern(condition["contains_none"])).fill_null(False)
    filled = text.is_not_null() & (text.str.strip_chars().str.len_chars() > 0)
    if condition.get("not_empty"):
        return filled
    return ~filled


def matching(patients: pl.DataFrame, where: list[dict] | None) -> pl.DataFrame:
    if not where:
        return patients
    expr = pl.lit(True)
    for condition in where:
        expr = expr & condition_expr(patients, condition)
    return patients.filter(expr)


def _patient_ids(frame: pl.DataFrame) -> list[str]:
    return [str(p) for p in frame["patient_id"].to_list()]


def _numbers(text: str) -> list[Printed]:
    return [parse_printed(m) for m in NUMBER.findall(text)]


@dataclass(frozen=True)
class Sample:
    values: list[Fraction]
    unit: Fraction | None  # every value a multiple of it (GRIM applies), or None
    binary: bool
    description: str


def _integer_unit(values: list[Fraction]) -> Fraction | None:
    return Fraction(1) if all(v.denominator == 1 for v in values) else None


def sample(inputs: AuditInputs, variable: str, visit: str | None) -> Sample:
    """The values a mean / SD / median / range claim is about."""
    if variable in SCORE_VARIABLES:
        column, unit = SCORE_VARIABLES[variable]
        if visit is None:
            raise NotCheckable(f"{variable} needs a visit in refers_to")
        rows = inputs.scores.filter(pl.col("visit") == visit)
        if rows.is_empty():
            raise NotCheckable(f"no {variable} scores at visit {visit!r}")
        units = rows[column].drop_nulls().to_list()
        return Sample([Fraction(u) * unit for u in units], unit, False, f"{variable} at {visit}")
    if variable in inputs.outcome_steps and inputs.outcome_values is not None:
        return declared_sample(inputs, variable, visit)
    if variable == FOLLOW_UP:
        scored = inputs.scores.filter(
            pl.col("pppasi_tenths").is_not_null() | pl.col("pga").is_not_null()
        )
        last = scored.group_by("patient_id").agg(pl.col("week").max())["week"].to_list()
        values = [Fraction(w) for w in last]
        return Sample(values, _integer_unit(values), False, "last scored week per patient")
    _require(inputs.patients, variable)
    series = inputs.patients[variable]
    if series.dtype == pl.Boolean:
        values = [Fraction(int(v)) for v in series.drop_nulls().to_list()]
        return Sample(values, Fraction(1), True, variable)
    if not series.dtype.is_numeric():
        raise NotCheckable(f"column {variable!r} is not numeric")
    values = [Fraction(v) for v in series.drop_nulls().to_list()]
    return Sample(values, _integer_unit(values), False, variable)


def declared_sample(inputs: AuditInputs, outcome: str, visit: str | None) -> Sample:
    """A declared outcome's values at a visit, exact (whole steps times the step): the values
    its descriptives.csv row summarises."""
    if visit is None:
        raise NotCheckable(f"{outcome} needs a visit in refers_to")
    step = inputs.outcome_steps[outcome]
    units = inputs.outcome_values.filter(pl.col("visit") == visit)[
        units_column(outcome)
    ].drop_nulls()
    if units.is_empty():
        raise NotCheckable(f"no {outcome} values at visit {visit!r}")
    return Sample([u * step for u in units.to_list()], step, False, f"{outcome} at {visit}")


# Verdicts per kind ---------------------------------------------------------------------------


def parse_count(reported: str, cohort_size: int) -> int:
    text = reported.strip().lower()
    if text.isdigit():
        return int(text)
    if text in NONE_WORDS:
        return 0
    if text in ALL_WORDS:
        return cohort_size
    if text in NUMBER_WORDS:
        return NUMBER_WORDS[text]
    raise ValueError(
        f"a count is a numeral, a number word, {'/'.join(NONE_WORDS)} or {'/'.join(ALL_WORDS)}: "
        f"{reported!r}"
    )


def check_count(claim: Claim, inputs: AuditInputs) -> Verdict:
    ids = _patient_ids(matching(inputs.patients, claim.refers_to.get("where")))
    expected = parse_count(claim.reported, inputs.patients.height)
    verdict = "match" if len(ids) == expected else "mismatch"
    note = f"reported as {expected}" if not claim.reported.strip().isdigit() else ""
    if verdict == "mismatch" and expected == inputs.patients.height:
        others = set(_patient_ids(inputs.patients)) - set(ids)
        if len(others) <= MAX_LISTED_IDS:
            note = _join(note, f"not so for patient(s) {_ids(others)}")
    return Verdict(_count_text(ids), verdict, False, note)


def check_exists(claim: Claim, inputs: AuditInputs) -> Verdict:
    ids = _patient_ids(matching(inputs.patients, claim.refers_to["where"]))
    noun = "patient" if len(ids) == 1 else "patients"
    recomputed = f"{noun} {_ids(ids)}" if ids else "no patient"
    return Verdict(recomputed, "match" if ids else "mismatch")


def check_mentions(claim: Claim, inputs: AuditInputs) -> Verdict:
    pool = matching(inputs.patients, claim.refers_to.get("where"))
    column = claim.refers_to["column"]
    _require(pool, column)
    parts, missing = [], []
    for term in claim.refers_to["terms"]:
        label = term if isinstance(term, str) else "/".join(term)
        found = _patient_ids(
            pool.filter(
                pl.col(column).cast(pl.Utf8).str.contains(term_pattern(term)).fill_null(False)
            )
        )
        parts.append(f"{label}: {_ids(found)}")
        if not found:
            missing.append(label)
    note = ""
    if missing:
        shown = [f"{pid}: {text!r}" for pid, text in pool.select("patient_id", column).rows()]
        note = f"not found: {', '.join(missing)}"
        if len(shown) <= 3:
            note = _join(note, f"{column} of patient(s) {'; '.join(shown)}")
    return Verdict("; ".join(parts), "mismatch" if missing else "match", False, note)


def check_patient_value(claim: Claim, inputs: AuditInputs) -> Verdict:
    pool = matching(inputs.patients, claim.refers_to["where"])
    column = claim.refers_to["column"]
    _require(pool, column)
    numbers = _numbers(claim.reported)
    if not numbers:
        raise ValueError(f"claim {claim.id}: no number in reported {claim.reported!r}")
    target = numbers[0]
    values = [(str(pid), v) for pid, v in pool.select("patient_id", column).rows()]
    if not values:
        return Verdict("no patient matches", "mismatch")
    ok = all(v is not None and rounds_to(Fraction(v), target) for _, v in values)
    recomputed = "; ".join(f"patient {pid}: {_plain(v)}" for pid, v in values)
    return Verdict(recomputed, "match" if ok else "mismatch")


def _plain(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_value_set(claim: Claim, inputs: AuditInputs) -> Verdict:
    column = claim.refers_to["column"]
    _require(inputs.patients, column)
    values = sorted({Fraction(v) for v in inputs.patients[column].drop_nulls().to_list()})
    printed = _numbers(claim.reported)
    every_value_printed = all(any(rounds_to(v, p) for p in printed) for v in values)
    every_printed_seen = all(any(rounds_to(v, p) for v in values) for p in printed)
    recomputed = ", ".join(_plain(float(v)) for v in values)
    ok = every_value_printed and every_printed_seen
    return Verdict(recomputed, "match" if ok else "mismatch")


def _grim_note(printed: Printed, s: Sample) -> str:
    if s.unit is None:
        return "GRIM not applicable: the values are not all multiples of one unit"
    n = len(s.values)
    unit_text = "integers" if s.unit == 1 else f"multiples of {float(s.unit):g}"
    if not grim_informative(printed, n, s.unit):
        return f"GRIM uninformative: every mean of {n} {unit_text} is printable at this precision"
    totals = grim_totals(printed, n, s.unit)
    if not totals:
        return f"GRIM-inconsistent: no {n} {unit_text} have a mean that rounds to {printed.text}"
    sums = ", ".join(_plain(float(t * s.unit)) for t in totals)
    return f"GRIM-consistent: {n} {unit_text} summing to {sums} give {printed.text}"


def check_mean(claim: Claim, inputs: AuditInputs) -> Verdict:
    s = sample(inputs, claim.refers_to["variable"], claim.refers_to.get("visit"))
    if not s.values:
        raise NotCheckable(f"no values of {s.description}")
    printed = parse_printed(claim.reported)
    moments = Moments.of(s.values)
    ok = rounds_to(moments.mean, printed)
    recomputed = round_half_up(moments.mean, printed.decimals)
    exact = _exact_text(moments.mean)
    note = _join(
        f"mean of {moments.n} values = {_plain(float(moments.total))} / {moments.n} = {exact}",
        _grim_note(printed, s),
    )
    return Verdict(recomputed, "match" if ok else "mismatch", False, note)


def _exact_text(value: Fraction) -> str:
    for decimals in range(7):
        if (value * 10**decimals).denominator == 1:
            return round_half_up(value, decimals)
    return round_half_up(value, 6) + "..."


def _grimmer_note(mean_printed: Printed, sd_printed: Printed, s: Sample) -> str:
    n = len(s.values)
    if s.binary:
        parts = []
        for convention in SD_CONVENTIONS:
            counts = debit(mean_printed, sd_printed, n, convention)
            parts.append(
                f"{convention}: consistent ({len(counts)} count(s) of ones)"
                if counts
                else f"{convention}: inconsistent"
            )
        return f"DEBIT with the printed mean {mean_printed.text}: " + "; ".join(parts)
    if s.unit is None:
        return "GRIMMER not applicable: the values are not all multiples of one unit"
    parts = []
    for convention in SD_CONVENTIONS:
        result = grimmer(mean_printed, sd_printed, n, s.unit, convention)
        parts.append(
            f"{convention}: consistent"
            if result.consistent
            else f"{convention}: inconsistent ({result.failed})"
        )
    return f"GRIMMER with the printed mean {mean_printed.text} and n = {n}: " + "; ".join(parts)


def check_sd(claim: Claim, inputs: AuditInputs, claims: Claims) -> Verdict:
    s = sample(inputs, claim.refers_to["variable"], claim.refers_to.get("visit"))
    if len(s.values) < 2:
        raise NotCheckable(f"an SD needs 2 values of {s.description}")
    printed = parse_printed(claim.reported)
    mean_printed = parse_printed(claims.by_id(claim.refers_to["mean_claim"]).reported)
    moments = Moments.of(s.values)
    reproduced = list(sd_conventions_matching(moments, printed))
    recomputed = "; ".join(
        f"{sqrt_round_half_up(moments.variance(conv), printed.decimals)} ({conv})"
        for conv in SD_CONVENTIONS
    )
    if reproduced:
        which = " and ".join(reproduced)
        first = f"reproduced with the {which} denominator" + (
            " (population SD)" if reproduced == ["n"] else ""
        )
    else:
        first = "neither the n - 1 nor the n denominator reproduces it"
    note = _join(first, _grimmer_note(mean_printed, printed, s))
    return Verdict(recomputed, "match" if reproduced else "mismatch", False, note)


def check_median(claim: Claim, inputs: AuditInputs) -> Verdict:
    s = sample(inputs, claim.refers_to["variable"], claim.refers_to.get("visit"))
    if not s.values:
        raise NotCheckable(f"no values of {s.description}")
    printed = _numbers(claim.reported)[0]
    median = quantile(s.values, Fraction(1, 2))
    ok = rounds_to(median, printed)
    note = f"median of {len(s.values)} values ({s.description})"
    return Verdict(
        round_half_up(median, printed.decimals), "match" if ok else "mismatch", False, note
    )


def check_range(claim: Claim, inputs: AuditInputs) -> Verdict:
    s = sample(inputs, claim.refers_to["variable"], claim.refers_to.get("visit"))
    if not s.values:
        raise NotCheckable(f"no values of {s.description}")
    printed = _numbers(claim.reported)
    if len(printed) != 2:
        raise ValueError(f"claim {claim.id}: a range prints two numbers, got {claim.reported!r}")
    low, high = min(s.values), max(s.values)
    ok_low, ok_high = rounds_to(low, printed[0]), rounds_to(high, printed[1])
    recomputed = (
        f"{round_half_up(low, printed[0].decimals)} to {round_half_up(high, printed[1].decimals)}"
    )
    note = f"over {len(s.values)} values ({s.description})"
    # Follow-up past the last tabulated visit is invisible in the data: a printed upper bound
    # beyond it can be neither confirmed nor contradicted.
    last_week = Fraction(inputs.scores["week"].max()) if not inputs.scores.is_empty() else None
    if (
        claim.refers_to["variable"] == FOLLOW_UP
        and last_week is not None
        and printed[1].low > last_week
    ):
        ok_high = True
        note = _join(
            note,
            f"the upper bound ({printed[1].text}) cannot be checked: no visit after week "
            f"{_plain(float(last_week))} is tabulated",
        )
        if not ok_low:
            note = _join(note, "the lower bound differs")
    else:
        wrong = [side for side, ok in (("lower", ok_low), ("upper", ok_high)) if not ok]
        if len(wrong) == 2:
            note = _join(note, "both bounds differ")
        elif wrong:
            note = _join(note, f"the {wrong[0]} bound differs")
    return Verdict(recomputed, "match" if ok_low and ok_high else "mismatch", False, note)


def check_response_rate(claim: Claim, inputs: AuditInputs) -> Verdict:
    endpoint, visit = claim.refers_to["endpoint"], claim.refers_to["visit"]
    rows = inputs.response_rates.filter(
        (pl.col("endpoint") == endpoint) & (pl.col("visit") == visit)
    )
    if rows.is_empty():
        raise NotCheckable(f"no {endpoint} rate at visit {visit!r} in response_rates.csv")
    responders, evaluable = int(rows["responders"][0]), int(rows["evaluable"][0])
    if evaluable == 0:
        raise NotCheckable(f"no evaluable patient for {endpoint} at {visit}")
    printed = parse_printed(percent_value(claim.reported))
    percent = Fraction(100 * responders, evaluable)
    ok = rounds_to(percent, printed)
    recomputed = f"{round_half_up(percent, printed.decimals)}% ({responders}/{evaluable})"
    implied = grim_percent(printed, evaluable)
    if implied:
        counts = ", ".join(str(k) for k in implied)
        note = f"{claim.reported} of {evaluable} means {counts} responder(s)"
    else:
        note = f"GRIM-inconsistent: no count out of {evaluable} gives {claim.reported}"
    decisive = False
    if not ok:
        gap = abs(Fraction(responders) - printed.value * evaluable / 100)
        decisive = gap >= 1
        note = _join(note, f"off by {_plain(float(gap))} patient(s)")
    return Verdict(recomputed, "match" if ok else "mismatch", decisive, note)


def _satisfies(p: float, operator: str, threshold: Printed) -> bool:
    value = Fraction(p)
    if operator in ("<",):
        return value < threshold.value
    if operator in ("<=", "≤"):
        return value <= threshold.value
    if operator in (">",):
        return value > threshold.value
    if operator in (">=", "≥"):
        return value >= threshold.value
    return rounds_to(value, threshold)


def _claimed_significant(operator: str, threshold: Printed, alpha: Fraction) -> bool | None:
    """What the printed P says about P < alpha; None when it says nothing."""
    if operator in ("<", "<=", "≤"):
        return True if threshold.value <= alpha else None
    if operator in (">", ">=", "≥"):
        return False if threshold.value >= alpha else None
    return threshold.value < alpha


def check_p_value(claim: Claim, inputs: AuditInputs) -> Verdict:
    match = P_CLAIM.match(claim.reported)
    if match is None:
        raise ValueError(
            f"claim {claim.id}: a P claim reads like 'P < 0.05', got {claim.reported!r}"
        )
    operator, threshold = match.group(1), parse_printed(match.group(2))
    outcome = claim.refers_to["outcome"]
    alpha = Fraction(inputs.alpha).limit_denominator(10**9)
    claimed = _claimed_significant(operator, threshold, alpha)
    parts, informational = [], []
    first, *others = claim.refers_to["tests"]
    for test in claim.refers_to["tests"]:
        row = inputs.tests.filter((pl.col("outcome") == outcome) & (pl.col("test") == test))
        if row.is_empty() or row["p_value"][0] is None:
            raise NotCheckable(f"no P for {test} on {outcome} in tests.csv")
        p = float(row["p_value"][0])
        parts.append(f"P = {p:.2g} ({test})")
        if test != first:
            holds = "holds" if _satisfies(p, operator, threshold) else "does not hold"
            informational.append(f"{test}: {claim.reported} {holds}")
            continue
        ok = _satisfies(p, operator, threshold)
        decisive = not ok and claimed is not None and claimed != (Fraction(p) < alpha)
    note = f"{outcome}, baseline vs endpoint; the verdict is {first}'s"
    if informational:
        note = _join(note, "for information only, " + ", ".join(informational))
    return Verdict("; ".join(parts), "match" if ok else "mismatch", decisive, note)


def _score_at(inputs: AuditInputs, variable: str, visit: str) -> dict[str, Fraction | None]:
    column, unit = SCORE_VARIABLES[variable]
    rows = inputs.scores.filter(pl.col("visit") == visit).select("patient_id", column)
    return {str(pid): None if v is None else Fraction(v) * unit for pid, v in rows.rows()}


def check_all_patients(claim: Claim, inputs: AuditInputs) -> Verdict:
    """A statement about every patient (among those meeting `where`): each one's score at the
    visit is at most a value, or improved from `from_visit` by at least a percentage."""
    r = claim.refers_to
    variable, visit = r["variable"], r["visit"]
    if variable not in SCORE_VARIABLES:
        raise NotCheckable(f"all_patients reads a score ({', '.join(SCORE_VARIABLES)})")
    ids = _patient_ids(matching(inputs.patients, r.get("where")))
    at_visit = _score_at(inputs, variable, visit)
    before = _score_at(inputs, variable, r.get("from_visit", "baseline"))
    failing, missing = [], []
    for pid in ids:
        value = at_visit.get(pid)
        if value is None:
            missing.append(pid)
        elif "at_most" in r:
            if value > Fraction(str(r["at_most"])):
                failing.append(f"{pid}: {_plain(float(value))}")
        else:
            base = before.get(pid)
            wanted = Fraction(str(r["improved_by_at_least"]))
            if base is None or base == 0 or 100 * (base - value) < wanted * base:
                shown = "-" if base is None else _plain(float(base))
                failing.append(f"{pid}: {shown} to {_plain(float(value))}")
    if not ids or len(missing) == len(ids):
        raise NotCheckable(f"no {variable} at {visit} for the patients meant")
    condition = (
        f"{variable} at most {r['at_most']} at {visit}"
        if "at_most" in r
        else f"{variable} improved by at least {r['improved_by_at_least']}% by {visit}"
    )
    scored = len(ids) - len(missing)
    recomputed = f"{scored - len(failing)} of {scored} patient{'s' if scored != 1 else ''}"
    note = f"{condition}: {recomputed}"
    if failing:
        note = _join(note, f"not so for patient(s) {'; '.join(failing)}")
    if missing:
        note = _join(note, f"no score for patient(s) {_ids(missing)}")
    return Verdict(recomputed, "mismatch" if failing else "match", False, note)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


# Claims about arms (issue 14) ------------------------------------------------------------------

# What each estimate kind reads: its file (an AuditInputs field), the key naming the endpoint or
# outcome, and the columns of the estimate and its CI; and a label for the notes.
ESTIMATE_COLUMNS: dict[str, tuple[str, str, tuple[str, str, str], str]] = {
    "rate_difference": (
        "comparisons",
        "endpoint",
        ("rate_difference", "difference_ci_low", "difference_ci_high"),
        "rate difference (percentage points)",
    ),
    "risk_ratio": (
        "comparisons",
        "endpoint",
        ("risk_ratio", "risk_ratio_ci_low", "risk_ratio_ci_high"),
        "risk ratio",
    ),
    "odds_ratio": (
        "comparisons",
        "endpoint",
        ("odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high"),
        "odds ratio",
    ),
    "ls_mean_difference": (
        "continuous_comparisons",
        "outcome",
        ("ls_mean_difference", "ci_low", "ci_high"),
        "LS-mean difference",
    ),
}
FILE_NAMES = {
    "comparisons": "comparisons.csv",
    "continuous_comparisons": "continuous_comparisons.csv",
    "time_to_response": "time_to_response.csv",
}


def _between_arms_file(inputs: AuditInputs, name: str) -> pl.DataFrame:
    frame = getattr(inputs, name)
    if frame is None:
        raise NotCheckable(f"no {FILE_NAMES[name]}: the cohort has no arms configured")
    return frame


def comparison_row(claim: Claim, inputs: AuditInputs, name: str, key: str) -> dict:
    """The one row of the between-arm file `name` the claim is about: its endpoint (or outcome),
    visit, arm, and reference arm and missing-data rule where it names them."""
    frame = _between_arms_file(inputs, name)
    r = claim.refers_to
    wanted = {key: r[key], "visit": r["visit"], "arm": r["arm"]}
    wanted |= {k: r[k] for k in ("reference_arm", "missing") if k in r}
    rows = frame
    for column, value in wanted.items():
        if column not in rows.columns:
            raise NotCheckable(f"{FILE_NAMES[name]} has no column {column!r}")
        rows = rows.filter(pl.col(column).cast(pl.Utf8) == str(value))
    described = ", ".join(f"{k} {v}" for k, v in wanted.items())
    if rows.is_empty():
        raise NotCheckable(f"no row of {FILE_NAMES[name]} for {described}")
    if rows.height > 1:
        raise NotCheckable(
            f"{rows.height} rows of {FILE_NAMES[name]} for {described}: name the reference_arm "
            "or the missing rule in refers_to"
        )
    return rows.row(0, named=True)


def _direction(value: Fraction, null: int) -> int:
    return (value > null) - (value < null)


def _excludes(low: Fraction, high: Fraction, null: int) -> bool:
    """Does the interval leave out the value of no difference?"""
    return low > null or high < null


def _fraction(value) -> Fraction | None:
    return None if value is None else Fraction(value)


def check_comparison_estimate(claim: Claim, inputs: AuditInputs) -> Verdict:
    """A rate difference, risk ratio, odds ratio or LS-mean difference, optionally with its CI.

    Match: the estimate (and each bound) rounds to the printed one. Decisive: the direction
    flips (the sign of a difference, or a ratio on the other side of 1), or the printed CI and
    the recomputed one disagree on whether they leave out the value of no difference (the P
    on the other side of alpha, at the run's confidence level)."""
    name, key, (estimate_col, low_col, high_col), what = ESTIMATE_COLUMNS[claim.kind]
    row = comparison_row(claim, inputs, name, key)
    null = COMPARISON_ESTIMATES[claim.kind]
    printed_text, printed_ci = estimate_and_interval(claim.reported)
    printed = parse_printed(printed_text)
    scale = 100 if claim.kind == "rate_difference" else 1
    if claim.kind == "rate_difference" and row["evaluable"] and row["reference_evaluable"]:
        # Exact, from the counts: the file's float is the same number rounded.
        value: Fraction | None = Fraction(row["responders"], row["evaluable"]) - Fraction(
            row["reference_responders"], row["reference_evaluable"]
        )
    else:
        value = _fraction(row[estimate_col])
    if value is None:
        reason = row.get("method") or row.get("note") or ""
        raise NotCheckable(_join(f"no {what} in {FILE_NAMES[name]} for this row", reason))
    value *= scale
    ok = rounds_to(value, printed)
    recomputed = round_half_up(value, printed.decimals)
    notes = [f"{what}, {row['arm']} vs {row['reference_arm']} at {row['visit']}"]
    if claim.kind == "rate_difference":
        notes.append(
            f"{row['responders']}/{row['evaluable']} vs "
            f"{row['reference_responders']}/{row['reference_evaluable']}"
        )
    decisive = _direction(value, null) * _direction(printed.value, null) < 0
    if decisive:
        notes.append("the direction differs")
    if printed_ci is not None:
        low_p, high_p = parse_printed(printed_ci[0]), parse_printed(printed_ci[1])
        low, high = _fraction(row[low_col]), _fraction(row[high_col])
        if low is None or high is None:
            ok = False
            notes.append(f"no CI in {FILE_NAMES[name]} for this row")
        else:
            low, high = low * scale, high * scale
            ci_ok = rounds_to(low, low_p) and rounds_to(high, high_p)
            ok = ok and ci_ok
            recomputed += (
                f" ({round_half_up(low, low_p.decimals)} to {round_half_up(high, high_p.decimals)})"
            )
            if not ci_ok:
                notes.append("the CI differs")
            if _excludes(low_p.value, high_p.value, null) != _excludes(low, high, null):
                decisive = True
                notes.append(f"one CI leaves out {null}, the other does not")
    return Verdict(recomputed, "match" if ok else "mismatch", decisive and not ok, _join(*notes))


def check_comparison_p_value(claim: Claim, inputs: AuditInputs) -> Verdict:
    """A P of a between-arm comparison (Fisher's exact or CMH test). Match: the recomputed P
    satisfies the printed one; decisive: it lies on the other side of alpha (P < alpha is
    significant: a P equal to alpha is not)."""
    match = P_CLAIM.match(claim.reported)
    if match is None:
        raise ValueError(
            f"claim {claim.id}: a P claim reads like 'P < 0.05', got {claim.reported!r}"
        )
    operator, threshold = match.group(1), parse_printed(match.group(2))
    row = comparison_row(claim, inputs, "comparisons", "endpoint")
    test = claim.refers_to["test"]
    p = row[COMPARISON_TESTS[test]]
    if p is None:
        raise NotCheckable(f"no {test} P in comparisons.csv for this row")
    alpha = Fraction(inputs.alpha).limit_denominator(10**9)
    ok = _satisfies(float(p), operator, threshold)
    claimed = _claimed_significant(operator, threshold, alpha)
    decisive = not ok and claimed is not None and claimed != (Fraction(float(p)) < alpha)
    note = (
        f"{test} test, {row['endpoint']} at {row['visit']}, {row['arm']} vs "
        f"{row['reference_arm']} ({row['responders']}/{row['evaluable']} vs "
        f"{row['reference_responders']}/{row['reference_evaluable']})"
    )
    if decisive:
        note = _join(note, f"on the other side of alpha = {float(alpha):g}")
    return Verdict(f"P = {float(p):.2g}", "match" if ok else "mismatch", decisive, note)


def check_median_time_to_response(claim: Claim, inputs: AuditInputs) -> Verdict:
    """The Kaplan-Meier median weeks to first response of an endpoint (in an arm), optionally
    with its CI, or "not reached". Decisive: reached where the paper says not, or the reverse."""
    frame = _between_arms_file(inputs, "time_to_response")
    endpoint, arm = claim.refers_to["endpoint"], claim.refers_to.get("arm")
    rows = frame.filter(pl.col("endpoint") == endpoint)
    if arm is not None:
        rows = rows.filter(pl.col("arm").cast(pl.Utf8) == str(arm))
    elif "arm" in rows.columns:
        rows = rows.filter(pl.col("arm").is_null() | (pl.col("arm").cast(pl.Utf8) == ""))
    whose = f"{endpoint}" + (f", arm {arm}" if arm is not None else "")
    if rows.height != 1:
        raise NotCheckable(f"{rows.height} rows of time_to_response.csv for {whose}")
    row = rows.row(0, named=True)
    median = _fraction(row["median_weeks"])
    note = f"Kaplan-Meier median weeks to {whose}, {row['events']} of {row['n']} responded"
    said_not_reached = claim.reported.strip().lower() == NOT_REACHED
    if said_not_reached or median is None:
        ok = said_not_reached and median is None
        recomputed = NOT_REACHED if median is None else f"{float(median):g} weeks"
        return Verdict(recomputed, "match" if ok else "mismatch", not ok, note)
    printed_text, printed_ci = estimate_and_interval(claim.reported)
    printed = parse_printed(printed_text)
    ok = rounds_to(median, printed)
    recomputed = round_half_up(median, printed.decimals)
    if printed_ci is not None:
        low_p, high_p = parse_printed(printed_ci[0]), parse_printed(printed_ci[1])
        low, high = _fraction(row["ci_low"]), _fraction(row["ci_high"])
        bounds = [
            (NOT_REACHED, False) if b is None else (round_half_up(b, p.decimals), rounds_to(b, p))
            for b, p in ((low, low_p), (high, high_p))
        ]
        ok = ok and all(fits for _, fits in bounds)
        recomputed += f" ({bounds[0][0]} to {bounds[1][0]})"
    return Verdict(recomputed, "match" if ok else "mismatch", False, note)


CHECKS: dict[str, Callable[[Claim, AuditInputs], Verdict]] = {
    "count": check_count,
    "exists": check_exists,
    "mentions": check_mentions,
    "patient_value": check_patient_value,
    "value_set": check_value_set,
    "mean": check_mean,
    "median": check_median,
    "range": check_range,
    "response_rate": check_response_rate,
    "p_value": check_p_value,
    "all_patients": check_all_patients,
    **{kind: check_comparison_estimate for kind in COMPARISON_ESTIMATES},
    "comparison_p_value": check_comparison_p_value,
    "median_time_to_response": check_median_time_to_response,
}


def _from_check(check: Check) -> Verdict:
    return Verdict(check.recomputed, check.verdict, check.decisive, check.note)


def check_claim(claim: Claim, inputs: AuditInputs, claims: Claims) -> Verdict:
    if claim.kind == "not_checkable":
        return Verdict("", "not_checkable", False, f"not checkable: {claim.reason}")
    if claim.kind in SUMMARY_KINDS:
        alpha = Fraction(inputs.alpha).limit_denominator(10**9)
        return _from_check(check_summary_claim(claim, claims, alpha))
    try:
        if claim.kind == "sd":
            return check_sd(claim, inputs, claims)
        return CHECKS[claim.kind](claim, inputs)
    except NotCheckable as reason:
        return Verdict("", "not_checkable", False, f"not checkable: {reason}")


def _audit_frame(claims: Claims, verdict_of: Callable[[Claim], Verdict]) -> pl.DataFrame:
    rows = []
    for claim in claims.claims:
        verdict = verdict_of(claim)
        rows.append(
            {
                "claim_id": claim.id,
                "quote": claim.quote,
                "reported": claim.reported,
                "recomputed": verdict.recomputed,
                "verdict": verdict.verdict,
                "decisive": verdict.decisive,
                "note": _join(verdict.note, claim.comment or ""),
            }
        )
    return pl.DataFrame(rows, schema=AUDIT_SCHEMA)


def audit_claims(claims: Claims, inputs: AuditInputs) -> pl.DataFrame:
    """audit.csv: one row per claim, in the file's order."""
    return _audit_frame(claims, lambda claim: check_claim(claim, inputs, claims))


def audit_summary_claims(claims: Claims, alpha: float) -> pl.DataFrame:
    """audit.csv of a cohort without patient data: every claim from its printed numbers alone
    (pppflow.summary_audit), same columns."""
    exact_alpha = Fraction(alpha).limit_denominator(10**9)
    return _audit_frame(
        claims, lambda claim: _from_check(check_summary_claim(claim, claims, exact_alpha))
    )


def audit_summary(audit: pl.DataFrame) -> dict[str, int]:
    counts = {v: int((audit["verdict"] == v).sum()) for v in VERDICTS}
    counts["claims"] = audit.height
    counts["decisive"] = int(audit["decisive"].sum())
    return counts


def audit_log_line(audit: pl.DataFrame, cohort: str) -> str:
    """The audit's counts on one line, for the log."""
    s = audit_summary(audit)
    return (
        f"cohort {cohort}: {s['claims']} claims, {s['match']} match, {s['mismatch']} mismatch "
        f"({s['decisive']} decisive), {s['not_checkable']} not checkable"
    )


DECISIVE = (
    "A mismatch is decisive when a reader's conclusion about that number changes: a P on the "
    "other side of alpha for every value the data or the printed inputs allow, a rate or count "
    "off by at least one patient, a mean or SD that no data on the scale can give, or a "
    "comparison between arms pointing the other way (a difference of the other sign, a ratio on "
    "the other side of 1, a CI on the other side of no difference)."
)


def audit_markdown(
    audit: pl.DataFrame, cohort: str, source: str | None, not_audited: list | None = None
) -> str:
    """A reader's summary: how many claims, how many match, every verdict on one line with its
    arithmetic; with the paper's text, its numbers no claim covers."""
    lines = [f"# Audit: {cohort}", ""]
    if source:
        lines += [f"Source: {source}", ""]
    if audit.is_empty():
        return "\n".join([*lines, "No claims were given for this cohort.", ""])
    s = audit_summary(audit)
    checkable = s["match"] + s["mismatch"]
    lines.append(
        f"{s['claims']} claims: {s['match']} of {checkable} checkable claims match, "
        f"{s['mismatch']} mismatch ({s['decisive']} decisive), "
        f"{s['not_checkable']} not checkable."
    )
    mismatches = audit.filter(pl.col("verdict") == "mismatch")
    if not mismatches.is_empty():
        lines += ["", "## Mismatches", ""]
        for row in mismatches.iter_rows(named=True):
            flag = " **decisive**" if row["decisive"] else ""
            lines.append(
                f"- `{row['claim_id']}`{flag}: reported {row['reported']}, "
                f"recomputed {row['recomputed']}" + (f" ({row['note']})" if row["note"] else "")
            )
    unchecked = audit.filter(pl.col("verdict") == "not_checkable")
    if not unchecked.is_empty():
        lines += ["", "## Not checkable", ""]
        for row in unchecked.iter_rows(named=True):
            reason = row["note"].removeprefix("not checkable: ")
            lines.append(f"- `{row['claim_id']}` ({row['reported']}): {reason}")
    matches = audit.filter(pl.col("verdict") == "match")
    if not matches.is_empty():
        lines += ["", "## Matches", ""]
        for row in matches.iter_rows(named=True):
            recomputed = f", recomputed {row['recomputed']}" if row["recomputed"] else ""
            note = f" ({row['note']})" if row["note"] else ""
            lines.append(f"- `{row['claim_id']}`: reported {row['reported']}{recomputed}{note}")
    if not_audited is not None:
        lines += ["", "## Not audited", ""]
        if not not_audited:
            lines.append("Every number of the paper's text is covered by a claim.")
        else:
            lines.append(f"{len(not_audited)} number(s) of the paper's text that no claim covers:")
            lines.append("")
            lines += [f'- {n.text}: "{n.sentence}"' for n in not_audited]
    lines += [
        "",
        "A printed value matches when the recomputed one rounds to it at the printed precision "
        "(exact decimal arithmetic, half up or half down). " + DECISIVE,
        "",
    ]
    return "\n".join(lines)
