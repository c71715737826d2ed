"""Randomised arms (issue 14): a cohort's `arms:`, `strata:` and `switch_visit:` settings, their
validation against the patients and visits files, and the per-arm rows of the result tables.

A cohort with arms names the patients file's column holding each patient's randomised arm and
the reference arm (placebo); optionally the arms the design has (`levels`), the patient columns
randomisation was stratified by (`strata`), and the visit at which patients may switch arm
(`switch_visit`, as placebo -> active at week 16 in apremilast or spesolimab trials): the visits
up to it are the randomised period, analysed by randomised arm; the visits after it are left
out of every between-arm comparison (each arm's descriptive rows keep them, by randomised arm).

Per-arm tables: every table with an `arm` column has the cohort's pooled rows first (`arm`
empty, the only rows of a single-arm cohort and what the summary page, the audit and the charts
read), then one block of rows per arm, the reference arm first, each computed by the same
function on that arm's patients alone. A visit is dated by the whole cohort's nominal week in
every block alike.
"""

from collections.abc import Callable, Sequence

import polars as pl

from pppflow.arm_settings import ArmDesign
from pppflow.io import excerpt

ARM = "arm"


def nominal_week() -> pl.Expr:
    """response.nominal_week (the median week of a visit label's records), not imported: the
    jobs that read only the pooled rows (audit, charts, summary) need no scipy."""
    return pl.col("week").cast(pl.Float64).median()


# The `file` of a failure in the cohort's config entry (pppflow.validate.CONFIG_FILE).
CONFIG_FILE = "config"


def arm_label(value) -> str | None:
    """An arm value as text: 1.0 -> '1' (a numeric column read as floats), None stays None."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def arm_text(column: str) -> pl.Expr:
    """The arm column as text, empty and blank cells null."""
    text = pl.col(column).cast(pl.Utf8).str.strip_chars()
    # A float column's whole numbers without their '.0' (arm_label's rule, vectorised).
    text = text.str.replace(r"^(-?[0-9]+)\.0+$", "${1}")
    return pl.when(text == "").then(None).otherwise(text)


# Validation -------------------------------------------------------------------------------------


def _phrase(labels: Sequence[str]) -> str:
    return excerpt(", ".join(repr(label) for label in labels), 200) if labels else "none"


def arm_failures(
    patients: pl.DataFrame,
    visits: pl.DataFrame,
    design: ArmDesign,
    files_patients: str,
    files_visits: str,
    baseline_visit: str,
    endpoint_visit: str,
    row_column: str,
) -> list[dict]:
    """Failure rows (file, row, patient_id, column, check, value) of the arm settings against the
    files: the arm column absent, a patient without an arm, an arm outside `levels`, a level or
    the reference arm with no patient, fewer than two arms, a stratum column absent or empty for
    a patient, a switch visit that is no visit of the files or not after the baseline, and an
    endpoint after the switch visit (the endpoint must lie in the randomised period)."""
    failures: list[dict] = []
    column = design.column
    if column not in patients.columns:
        failures.append(
            {
                "file": files_patients,
                "column": column,
                "check": "column_in_dataframe",
                "value": "arms are declared in the config on this column",
            }
        )
    else:
        labelled = patients.with_columns(arm_text(column).alias("__arm"))
        for row in labelled.filter(pl.col("__arm").is_null()).iter_rows(named=True):
            failures.append(
                {
                    "file": files_patients,
                    "row": row[row_column],
                    "patient_id": row.get("patient_id"),
                    "column": column,
                    "check": "has_arm",
                    "value": None,
                }
            )
        found = sorted(labelled["__arm"].drop_nulls().unique().to_list())
        if design.levels:
            check = f"isin({list(design.levels)!r})"
            outside = labelled.filter(
                pl.col("__arm").is_not_null() & ~pl.col("__arm").is_in(list(design.levels))
            )
            failures += [
                {
                    "file": files_patients,
                    "row": row[row_column],
                    "patient_id": row.get("patient_id"),
                    "column": column,
                    "check": check,
                    "value": row["__arm"],
                }
                for row in outside.iter_rows(named=True)
            ]
            failures += [
                {
                    "file": CONFIG_FILE,
                    "column": "arms.levels",
                    "check": "arm_has_patients",
                    "value": f"arm {level!r} has no patient in {files_patients}",
                }
                for level in design.levels
                if level not in found
            ]
        if design.reference not in found:
            failures.append(
                {
                    "file": CONFIG_FILE,
                    "column": "arms.reference",
                    "check": "reference_arm_present",
                    "value": f"{design.reference!r} is no arm of {files_patients}; "
                    f"its arms: {_phrase(found)}",
                }
            )
        if len(found) == 1:
            failures.append(
                {
                    "file": files_patients,
                    "column": column,
                    "check": "at_least_two_arms",
                    "value": f"every patient is in arm {found[0]!r}",
                }
            )
    for stratum in design.strata:
        if stratum not in patients.columns:
            failures.append(
                {
                    "file": files_patients,
                    "column": stratum,
                    "check": "column_in_dataframe",
                    "value": "a stratum is declared in the config on this column",
                }
            )
            continue
        empty = patients.filter(arm_text(stratum).is_null())
        failures += [
            {
                "file": files_patients,
                "row": row[row_column],
                "patient_id": row.get("patient_id"),
                "column": stratum,
                "check": "has_stratum",
                "value": None,
            }
            for row in empty.iter_rows(named=True)
        ]
    if design.switch_visit is not None:
        failures += switch_visit_failures(
            visits, design.switch_visit, files_visits, baseline_visit, endpoint_visit
        )
    return failures


def _week_text(week: float | None) -> str:
    if week is None:
        return "no week"
    return f"week {arm_label(float(week))}"


def switch_visit_failures(
    visits: pl.DataFrame,
    switch_visit: str,
    file: str,
    baseline_visit: str,
    endpoint_visit: str,
) -> list[dict]:
    """The switch visit must be a visit label of the files, after the baseline (by nominal
    week), and not before the endpoint visit."""
    if switch_visit == baseline_visit:
        return [
            {
                "file": CONFIG_FILE,
                "column": "switch_visit",
                "check": "after_baseline_visit",
                "value": f"{switch_visit!r} is the baseline_visit",
            }
        ]
    if "visit" not in visits.columns or "week" not in visits.columns:
        return []
    weeks = dict(
        visits.filter(pl.col("visit").is_not_null())
        .with_columns(pl.col("week").cast(pl.Utf8).cast(pl.Float64, strict=False))
        .group_by("visit")
        .agg(nominal_week())
        .iter_rows()
    )
    if switch_visit not in weeks:
        labels = visits["visit"].drop_nulls().unique(maintain_order=True).to_list()
        return [
            {
                "file": file,
                "column": "visit",
                "check": "switch_visit_present",
                "value": f"no row has switch_visit {switch_visit!r}; the file's visits: "
                + _phrase(labels),
            }
        ]
    switch_week, baseline_week = weeks[switch_visit], weeks.get(baseline_visit)
    endpoint_week = weeks.get(endpoint_visit)
    failures = []
    if switch_week is not None and baseline_week is not None and switch_week <= baseline_week:
        failures.append(
            {
                "file": CONFIG_FILE,
                "column": "switch_visit",
                "check": "after_baseline_visit",
                "value": f"{switch_visit!r} ({_week_text(switch_week)}) is not after "
                f"baseline_visit {baseline_visit!r} ({_week_text(baseline_week)})",
            }
        )
    if switch_week is not None and endpoint_week is not None and endpoint_week > switch_week:
        failures.append(
            {
                "file": CONFIG_FILE,
                "column": "endpoint_visit",
                "check": "not_after_switch_visit",
                "value": f"{endpoint_visit!r} ({_week_text(endpoint_week)}) is after "
                f"switch_visit {switch_visit!r} ({_week_text(switch_week)}): the endpoint "
                "must lie in the randomised period",
            }
        )
    return failures


# Per-arm tables ---------------------------------------------------------------------------------


def arm_assignment(patients: pl.DataFrame, design: ArmDesign | None) -> pl.DataFrame | None:
    """patient_id, arm (text) of a cohort with arms; None for a single-arm cohort."""
    if design is None:
        return None
    return patients.select(
        pl.col("patient_id").cast(pl.Utf8), arm_text(design.column).alias(ARM)
    ).filter(pl.col(ARM).is_not_null())


def arms_in_order(assignment: pl.DataFrame, reference: str) -> list[str]:
    """Every arm, the reference first, the others sorted."""
    found = sorted(assignment[ARM].unique().to_list())
    return [reference, *(a for a in found if a != reference)] if reference in found else found


Keep = Callable[[pl.DataFrame], pl.DataFrame]


def keep_patients(ids: pl.Series) -> Keep:
    """A filter of any frame with a patient_id column (eager or lazy) to these patients."""

    def keep(frame):
        return frame.filter(pl.col("patient_id").cast(pl.Utf8).is_in(ids.implode()))

    return keep


def _with_arm(table: pl.DataFrame, arm: str | None, after: str) -> pl.DataFrame:
    value = pl.lit(arm, pl.Utf8).alias(ARM)
    if ARM in table.columns:
        return table.with_columns(value)
    columns = table.columns
    at = columns.index(after) + 1
    return table.with_columns(value).select([*columns[:at], ARM, *columns[at:]])


def _dated_as(table: pl.DataFrame, overall: pl.DataFrame) -> pl.DataFrame:
    """The table's `week` replaced by the pooled table's week of each visit."""
    if "week" not in table.columns or "visit" not in table.columns or table.is_empty():
        return table
    weeks = overall.select("visit", pl.col("week").alias("__week")).unique("visit")
    return (
        table.join(weeks, on="visit", how="left", maintain_order="left")
        .with_columns(pl.coalesce("__week", "week").alias("week"))
        .select(table.columns)
    )


# arm_responses.parquet: what the Kaplan-Meier curves per arm are drawn from.
ARM_RESPONSE_COLUMNS = ["patient_id", "visit", "week", ARM, "observed", "pppasi50", "pppasi75"]


def per_arm_rows(
    compute: Callable[[Keep, str | None], pl.DataFrame],
    assignment: pl.DataFrame | None,
    reference: str | None,
    after: str,
) -> pl.DataFrame:
    """compute(keep, arm) on every patient (arm None), then on each arm's patients, reference
    first; stacked, with an `arm` column after column `after` (or the table's own, filled in).
    A single-arm cohort (assignment None) gets the pooled rows with `arm` empty."""
    overall = _with_arm(compute(lambda frame: frame, None), None, after)
    if assignment is None:
        return overall
    blocks = [overall]
    for arm in arms_in_order(assignment, reference):
        ids = assignment.filter(pl.col(ARM) == arm)["patient_id"]
        block = _with_arm(compute(keep_patients(ids), arm), arm, after)
        blocks.append(_dated_as(block, overall))
    return pl.concat(blocks, how="vertical_relaxed")


def pooled_rows(table: pl.DataFrame) -> pl.DataFrame:
    """The pooled rows of a per-arm table (`arm` empty): what a single-arm reader expects."""
    return table.filter(pl.col(ARM).is_null()) if ARM in table.columns else table


def randomised_period(frame: pl.DataFrame, switch_visit: str | None) -> pl.DataFrame:
    """The rows (patient-visits with `visit` and `week`) up to the switch visit: the visits whose
    nominal week is at most the switch visit's; every row without a switch visit."""
    if switch_visit is None:
        return frame
    weeks = frame.group_by("visit").agg(nominal_week().alias("__week"))
    limit = weeks.filter(pl.col("visit") == switch_visit)["__week"]
    if limit.is_empty() or limit[0] is None:
        return frame
    kept = weeks.filter(pl.col("__week") <= limit[0])["visit"]
    return frame.filter(pl.col("visit").is_in(kept.implode()))


# Between-arm inputs ------------------------------------------------------------------------------


def comparison_frame(
    responses: pl.DataFrame,
    patients: pl.DataFrame,
    design: ArmDesign,
    patient_columns: Sequence[str] = (),
) -> pl.DataFrame:
    """responses.parquet's rows of the randomised period (to the switch visit), each with its
    patient's randomised `arm`, strata columns (text, empty cells null) and the further patient
    columns asked for (subgroups), as pppflow.comparisons and its siblings take them. Patients
    without an arm (none in a valid cohort) are left out."""
    strata = [s for s in design.strata if s in patients.columns]
    others = [
        name
        for name in dict.fromkeys(patient_columns)
        if name in patients.columns and name not in strata and name not in (ARM, design.column)
    ]
    columns = patients.select(
        pl.col("patient_id").cast(pl.Utf8),
        arm_text(design.column).alias(ARM),
        *(arm_text(s).alias(s) for s in strata),
        *others,
    ).filter(pl.col(ARM).is_not_null())
    # The period first and one join: the rows after the switch visit are never joined.
    return (
        randomised_period(responses, design.switch_visit)
        .with_columns(pl.col("patient_id").cast(pl.Utf8))
        .join(columns, on="patient_id", how="inner", maintain_order="left")
    )
