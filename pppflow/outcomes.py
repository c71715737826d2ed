"""Declared outcomes: further scores of the visits file (DLQI, itch NRS, PPSI, a pustule count)
named in the cohort's `outcomes:` config, each with its scale, its better direction and its
responder definitions.

A value is kept as an integer count of the scale's step ("units": DLQI 7 is 7 units of 1, an NRS
of 6.5 on a step of 0.5 is 13 units), so every responder threshold is decided on integers and
the descriptives are exact, as PPPASI's tenths are.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import polars as pl

from pppflow.constants import OUTCOME_UNITS_SUFFIX
from pppflow.response import RATE_SCHEMA, follow_up_visits, rates_from_counts

# The rule keys of a responder definition; a definition of several keys needs all of them.
AT_MOST = "at_most"
AT_LEAST = "at_least"
IMPROVES_BY = "improves_by"
RULE_KEYS = (AT_MOST, AT_LEAST, IMPROVES_BY)
LOWER, HIGHER = "lower", "higher"
# A value is on the step when value / step is within this of an integer: the text's decimal
# digits reach a double's precision long before this tolerance matters.
ON_STEP_TOLERANCE = 1e-9
ENDPOINT_SEPARATOR = ":"
# Last observation carried forward, the third missing-data rule (comparisons.LOCF).
LOCF = "locf"

UNITS_KEY_SCHEMA = {"patient_id": pl.Utf8, "visit": pl.Utf8, "week": pl.Float64}


def exact(number: float | int | str) -> Fraction:
    """A config number as the decimal it is written as (0.1 is 1/10, not the double)."""
    return Fraction(Decimal(str(number)))


@dataclass(frozen=True)
class Responder:
    name: str
    at_most: Fraction | None = None
    at_least: Fraction | None = None
    improves_by: Fraction | None = None


@dataclass(frozen=True)
class Outcome:
    name: str
    column: str
    low: Fraction
    high: Fraction | None  # None: no top (a count)
    step: Fraction
    better: str
    responders: tuple[Responder, ...] = ()

    def endpoint(self, responder: Responder) -> str:
        return f"{self.name}{ENDPOINT_SEPARATOR}{responder.name}"


def outcomes_from_config(section: Mapping | None) -> tuple[Outcome, ...]:
    """The `outcomes:` entry of a cohort (already checked by config/schema.yaml)."""
    found = []
    for name, entry in (section or {}).items():
        scale = entry["scale"]
        found.append(
            Outcome(
                name=name,
                column=entry["column"],
                low=exact(scale["min"]),
                high=exact(scale["max"]) if scale.get("max") is not None else None,
                step=exact(scale["step"]),
                better=entry["better"],
                responders=tuple(
                    Responder(label, **{k: exact(v) for k, v in rule.items()})
                    for label, rule in (entry.get("responders") or {}).items()
                ),
            )
        )
    return tuple(found)


def declared_endpoints(outcomes: Sequence[Outcome]) -> list[str]:
    """Every declared responder endpoint (`<outcome>:<responder>`), in the config's order: the
    columns responses.parquet carries them in, and their names in the results."""
    return [o.endpoint(r) for o in outcomes for r in o.responders]


def units_of(outcomes: Sequence[Outcome]) -> dict[str, Fraction]:
    return {o.name: o.step for o in outcomes}


# Validation ------------------------------------------------------------------------------------

NUMBER = r"^-?[0-9]+(\.[0-9]+)?$"


def _number(value: Fraction) -> str:
    return format(float(value), "g")


def _range_check(outcome: Outcome) -> str:
    high = "inf" if outcome.high is None else _number(outcome.high)
    return f"number_in_range(low={_number(outcome.low)}, high={high})"


def _as_number(visits: pl.DataFrame, column: str) -> tuple[pl.Expr, pl.Expr | None]:
    """The column as Float64, and its text (None where the file stored numbers: a parquet
    column of a numeric type needs no text check, which at registry scale is most of the
    cost)."""
    if visits.schema[column].is_numeric():
        return pl.col(column).cast(pl.Float64), None
    text = pl.col(column).cast(pl.Utf8).str.strip_chars()
    return text.cast(pl.Float64, strict=False), text


def outcome_failures(
    visits: pl.DataFrame, outcomes: Sequence[Outcome], file: str, row_column: str
) -> list[dict]:
    """Failure rows (file, row, patient_id, column, check, value) of the declared outcomes'
    columns of the visits file (as text, or as stored numbers): absent, not a number, off the
    scale, off its step. One bad value is reported once, under the first rule it breaks."""
    failures: list[dict] = []
    for outcome in outcomes:
        if outcome.column not in visits.columns:
            failures.append(
                {
                    "file": file,
                    "column": outcome.column,
                    "check": "column_in_dataframe",
                    "value": f"outcome {outcome.name!r} is declared in the config on this column",
                }
            )
            continue
        number, text = _as_number(visits, outcome.column)
        high = math.inf if outcome.high is None else float(outcome.high)
        ratio = number / float(outcome.step)
        checks = [
            (_range_check(outcome), (number < float(outcome.low)) | (number > high)),
            (
                f"on_step(step={_number(outcome.step)})",
                (ratio - ratio.round(0)).abs() > ON_STEP_TOLERANCE,
            ),
        ]
        if text is not None:
            checks.insert(0, ("is_number", ~text.str.contains(NUMBER)))
        present = pl.col(outcome.column).is_not_null()
        # One pass to find that nothing is wrong, the usual case.
        if not visits.select(
            (present & pl.any_horizontal(b.fill_null(False) for _, b in checks)).any()
        ).item():
            continue
        seen = pl.lit(False)
        for check, broken in checks:
            bad = visits.filter(present & ~seen & broken)
            failures += [
                {
                    "file": file,
                    "row": row[row_column],
                    "patient_id": row.get("patient_id"),
                    "column": outcome.column,
                    "check": check,
                    "value": str(row[outcome.column]),
                }
                for row in bad.iter_rows(named=True)
            ]
            seen = seen | broken.fill_null(False)
    return failures


def outcome_units(visits: pl.DataFrame, outcomes: Sequence[Outcome]) -> pl.DataFrame:
    """The declared outcomes of a valid visits table in whole steps: patient_id, visit, week and
    each outcome's units (Int64; null where the visit has no value) in its units_column, one
    row per visit in the visits' order (none without a declared outcome). What validation
    writes (validated/outcomes.parquet): row for row beside the validated visits, so a later
    stage takes the values by row or by column (outcome_wide, responder_rates)."""
    if not outcomes:
        return pl.DataFrame(schema=UNITS_KEY_SCHEMA)
    return visits.select(
        pl.col("patient_id").cast(pl.Utf8),
        pl.col("visit").cast(pl.Utf8),
        pl.col("week").cast(pl.Float64),
        *(
            (_as_number(visits, o.column)[0] / float(o.step))
            .round(0)
            .cast(pl.Int64)
            .alias(units_column(o.name))
            for o in outcomes
        ),
    )


# Analysis --------------------------------------------------------------------------------------


def units_column(outcome: str) -> str:
    """The column of an outcome's units in a wide frame."""
    return f"{outcome}{OUTCOME_UNITS_SUFFIX}"


def outcome_wide(
    keys: pl.DataFrame, units: pl.DataFrame, outcomes: Sequence[Outcome]
) -> pl.DataFrame:
    """`keys` (patient_id, visit: the scores table's patient-visits, in its order) with each
    outcome's units in its units_column, from outcome_units' table: taken as they are where
    that table's rows are the keys' rows in order (validation writes the visits and the
    outcomes row for row, and the pppasi table keeps the visits' order), else joined on
    patient and visit (null where a visit has no value). One row per patient-visit instead of
    one per outcome too: what the descriptives, the tests and the responder judgements read."""
    frame = keys.select(pl.col("patient_id").cast(pl.Utf8), pl.col("visit").cast(pl.Utf8))
    names = [units_column(o.name) for o in outcomes]
    if not names:
        return frame
    if units.height == frame.height and units.select("patient_id", "visit").equals(frame):
        return frame.with_columns(units.select(names))
    return frame.join(
        units.select("patient_id", "visit", *names),
        on=["patient_id", "visit"],
        how="left",
        maintain_order="left",
    )


def threshold_units(value: Fraction, step: Fraction, rounding) -> int:
    """A threshold in whole steps: floor for 'at most', ceil for 'at least' (exact)."""
    return int(rounding(value / step))


def responder_test(
    outcome: Outcome,
    responder: Responder,
    at: pl.Expr | None = None,
    base: pl.Expr | None = None,
) -> tuple[pl.Expr, bool]:
    """The responder test on the value at the visit and at baseline (units; the columns `at`
    and `base` unless given), and whether it needs the baseline."""
    at = pl.col("at") if at is None else at
    base = pl.col("base") if base is None else base
    # improvement in units, positive when better
    improvement = base - at if outcome.better == LOWER else at - base
    parts = []
    if responder.at_most is not None:
        parts.append(at <= threshold_units(responder.at_most, outcome.step, math.floor))
    if responder.at_least is not None:
        parts.append(at >= threshold_units(responder.at_least, outcome.step, math.ceil))
    if responder.improves_by is not None:
        parts.append(improvement >= threshold_units(responder.improves_by, outcome.step, math.ceil))
    return pl.all_horizontal(parts), responder.improves_by is not None


def missing_column(endpoint: str) -> str:
    """declared_judgements' column of whether a patient counts as missing for an endpoint."""
    return f"{endpoint} missing"


def declared_judgements(
    wide: pl.DataFrame,
    grid: pl.DataFrame,
    outcomes: Sequence[Outcome],
    baseline_visit: str,
    missing_rule: str,
) -> pl.DataFrame:
    """patient_id, visit and, per declared responder endpoint (`<outcome>:<responder>`), its
    judgement (Boolean, in a column of the endpoint's name) and whether the patient counts as
    missing there (missing_column), on each row of `grid` (patient_id, visit: every patient with
    a baseline visit x every follow-up visit, each patient's rows in time order, as
    responses.parquet has them), in its order. A patient without the outcome at the visit is
    missing: not judged (null) under `observed`, a non-responder under `nri`, judged on the
    last observed follow-up value under `locf` (none before: null), still counted missing; a
    rule that needs the baseline is not evaluable (null, not missing) for a patient without the
    outcome at baseline. `wide`: the outcomes' units per patient-visit (outcome_wide)."""
    judging = [o for o in outcomes if o.responders]
    grid = grid.select(pl.col("patient_id").cast(pl.Utf8), pl.col("visit").cast(pl.Utf8))
    if not judging:
        return grid
    # Every outcome's value at the visit and at baseline, in two joins for all of them.
    at_columns = [units_column(o.name) for o in judging]
    base = wide.filter(pl.col("visit") == baseline_visit).select(
        "patient_id", *(pl.col(name).alias(f"base {name}") for name in at_columns)
    )
    judged_grid = (
        grid.join(
            wide.select("patient_id", "visit", *at_columns),
            on=["patient_id", "visit"],
            how="left",
            maintain_order="left",
        )
        .join(base, on="patient_id", how="left", maintain_order="left")
        .with_columns(pl.col(name).is_not_null().alias(f"seen {name}") for name in at_columns)
    )
    if missing_rule == LOCF:
        # A missed follow-up visit takes the patient's last observed follow-up value (never
        # the baseline's); the patient still counts as missing at the visit.
        judged_grid = judged_grid.with_columns(pl.col(at_columns).forward_fill().over("patient_id"))
    columns = []
    for outcome in judging:
        name = units_column(outcome.name)
        one = judged_grid.select(
            pl.col(name).alias("at"), pl.col(f"base {name}").alias("base"), f"seen {name}"
        )
        seen = pl.col(f"seen {name}")
        for responder in outcome.responders:
            test, needs_baseline = responder_test(outcome, responder)
            defined = pl.col("base").is_not_null() if needs_baseline else pl.lit(True)
            judged = pl.when(pl.col("at").is_not_null() & defined).then(test)
            if missing_rule == "nri":
                judged = judged.when(~seen & defined).then(pl.lit(False))
            endpoint = outcome.endpoint(responder)
            columns.append(
                one.select(
                    judged.otherwise(pl.lit(None, pl.Boolean)).alias(endpoint),
                    (~seen & defined).alias(missing_column(endpoint)),
                )
            )
    return pl.concat([grid, *columns], how="horizontal")


def declared_rates(
    judgements: pl.DataFrame,
    visits: pl.DataFrame,
    outcomes: Sequence[Outcome],
    missing_rule: str,
    confidence_level: float,
) -> pl.DataFrame:
    """response_rates.csv's rows of every declared responder endpoint, per follow-up visit
    (`visits`: response.follow_up_visits', dating each by its nominal week), counted from
    declared_judgements' rows: responders, evaluable (judged), missing, and not evaluable
    (neither)."""
    endpoints = declared_endpoints(outcomes)
    if not endpoints:
        return rates_from_counts(pl.DataFrame(schema=RATE_SCHEMA), missing_rule, confidence_level)
    counts = (
        judgements.group_by("visit")
        .agg(
            *(
                aggregation
                for endpoint in endpoints
                for aggregation in (
                    pl.col(endpoint).sum().cast(pl.Int64).alias(f"{endpoint}\tresponders"),
                    pl.col(endpoint)
                    .is_not_null()
                    .sum()
                    .cast(pl.Int64)
                    .alias(f"{endpoint}\tevaluable"),
                    (pl.col(endpoint).is_null() & ~pl.col(missing_column(endpoint)))
                    .sum()
                    .cast(pl.Int64)
                    .alias(f"{endpoint}\tnot_evaluable"),
                    pl.col(missing_column(endpoint))
                    .sum()
                    .cast(pl.Int64)
                    .alias(f"{endpoint}\tmissing"),
                )
            )
        )
        .join(visits.select("visit", pl.col("nominal_week").alias("week")), on="visit")
        .sort("week", "visit")
    )
    frames = [
        counts.select(
            pl.lit(endpoint).alias("endpoint"),
            "visit",
            "week",
            *(
                pl.col(f"{endpoint}\t{name}").alias(name)
                for name in ("responders", "evaluable", "not_evaluable", "missing")
            ),
        )
        for endpoint in endpoints
    ]
    return rates_from_counts(pl.concat(frames).cast(RATE_SCHEMA), missing_rule, confidence_level)


def responder_rates(
    units: pl.DataFrame,
    visits: pl.DataFrame,
    outcomes: Sequence[Outcome],
    baseline_visit: str,
    missing_rule: str,
    confidence_level: float,
) -> pl.DataFrame:
    """response_rates.csv's rows of every declared responder endpoint, per follow-up visit of
    `visits` (patient_id, visit, week), over every patient with a baseline visit (see
    declared_judgements for who is missing, evaluable, a responder). The response job, which
    has its grid of patients and visits already, judges once (declared_judgements) and counts
    per arm (declared_rates)."""
    follow_up = follow_up_visits(visits.lazy(), baseline_visit).collect()
    grid = (
        visits.filter(pl.col("visit") == baseline_visit)
        .select(pl.col("patient_id").cast(pl.Utf8))
        .unique(maintain_order=True)
        .join(follow_up.select("visit", "nominal_week"), how="cross")
        .sort("patient_id", "nominal_week", "visit")
    )
    judging = [o for o in outcomes if o.responders]
    judgements = declared_judgements(
        outcome_wide(visits, units, judging), grid, judging, baseline_visit, missing_rule
    )
    return declared_rates(judgements, follow_up, judging, missing_rule, confidence_level)


def declared_descriptives(
    wide: pl.DataFrame, outcomes: Sequence[Outcome], weeks: Mapping[str, float]
) -> pl.DataFrame:
    """descriptives.csv's rows of the declared (or derived) outcomes, from their units in a wide
    frame (outcome_wide), exactly as PPPASI's and PGA's are made (stats.descriptives_of);
    visits dated by `weeks` (response.visit_weeks of the scores table), as theirs are."""
    from pppflow.stats import descriptives_of

    return descriptives_of(wide, weeks, units_of(outcomes))


def declared_tests(
    wide: pl.DataFrame,
    outcomes: Sequence[Outcome],
    baseline_visit: str,
    endpoint_visit: str,
    confidence_level: float,
) -> pl.DataFrame:
    """tests.csv's rows of the declared (or derived) outcomes, from their units in a wide frame
    (outcome_wide), exactly as PPPASI's and PGA's are made (stats.outcome_tests)."""
    from pppflow.stats import outcome_tests, pair_visits

    steps = units_of(outcomes)
    return outcome_tests(
        pair_visits(wide, steps, baseline_visit, endpoint_visit), confidence_level, steps
    )
