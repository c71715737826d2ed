"""Validation of one cohort: every failure in every file, collected into one table.

Errors are data until the end: each check returns rows of
(file, row, patient_id, column, check, value); the workflow script prints them all and exits
non-zero. On success the typed frames go downstream, PPPASI in integer tenths.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandera.errors
import pandera.polars as pa
import polars as pl

from pppflow import constants as c
from pppflow import schemas
from pppflow.arm_settings import design_from_config
from pppflow.arms import arm_failures
from pppflow.claims import Claims, ClaimsInvalid, name_problems, read_claims_file
from pppflow.fast_paths.validation import SCORE_COLUMNS, proven_valid
from pppflow.io import UnreadableFile, excerpt, read_cohort_table
from pppflow.outcomes import outcome_failures, outcome_units, outcomes_from_config
from pppflow.subscores import DERIVED_OUTCOMES

FAILURE_SCHEMA = {
    "file": pl.Utf8,
    "row": pl.Int64,  # 1-based data row (the header is row 0); null for file-level failures
    "patient_id": pl.Utf8,
    "column": pl.Utf8,
    "check": pl.Utf8,
    "value": pl.Utf8,
}

ROW = "__row"
# The `file` of a failure in the cohort's config entry rather than in one of its files.
CONFIG_FILE = "config"


@dataclass(frozen=True)
class CohortFiles:
    patients: str
    visits: str
    components: str | None
    baseline_visit: str
    endpoint_visit: str
    pga_max: int
    # Patient columns the config names (subgroups, Table 1 groups): a header that is one of
    # them but for case or spaces is reported like a misspelt contract column.
    configured_columns: tuple[str, ...] = ()
    # The paper's claims about the cohort (claims.yaml), checked with the files.
    claims: str | None = None
    # The cohort's `outcomes:` config: further scores of the visits file and their scales.
    outcomes: Mapping | None = None
    # Optional adverse events file.
    events: str | None = None
    # Randomised arms (pppflow.arms): the cohort's `arms:` entry, `strata:` and `switch_visit:`.
    arms: Mapping | None = None
    strata: Sequence[str] = ()
    switch_visit: str | None = None


@dataclass(frozen=True)
class ValidatedCohort:
    patients: pl.DataFrame
    visits: pl.DataFrame
    components: pl.DataFrame
    # What validation changed or let through on purpose, each a line for the log.
    notes: tuple[str, ...] = field(default=())
    claims: Claims | None = None
    # The declared outcomes' units beside the visits, row for row (pppflow.outcomes.outcome_units).
    outcomes: pl.DataFrame | None = None
    events: pl.DataFrame | None = None


class CohortInvalid(Exception):
    def __init__(self, failures: pl.DataFrame):
        self.failures = failures
        super().__init__(format_failures(failures))


def failures_frame(rows: list[dict] | pl.DataFrame) -> pl.DataFrame:
    if isinstance(rows, pl.DataFrame):
        return rows.select(
            [
                pl.col(k).cast(t) if k in rows.columns else pl.lit(None, t).alias(k)
                for k, t in FAILURE_SCHEMA.items()
            ]
        )
    return pl.DataFrame(rows, schema=FAILURE_SCHEMA)


def _with_row_numbers(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))


def _as_text(frame: pl.DataFrame, contract_columns: tuple[str, ...]) -> pl.DataFrame:
    """The contract's columns as text, as read_cohort_table gives them without stored_types."""
    present = [name for name in contract_columns if name in frame.columns]
    return frame.with_columns(pl.col(present).cast(pl.Utf8))


def schema_failures(frame: pl.DataFrame, model: type[pa.DataFrameModel], file: str) -> pl.DataFrame:
    """Run a DataFrameModel lazily and turn pandera's failure cases into failure rows."""
    try:
        model.validate(frame.drop(ROW), lazy=True)
        return failures_frame([])
    except pandera.errors.SchemaErrors as err:
        cases = err.failure_cases
    # A missing column is reported by pandera with the column name as the failure case.
    missing_column = pl.col("check") == "column_in_dataframe"
    cases = cases.with_columns(
        pl.when(missing_column)
        .then(pl.col("failure_case"))
        .otherwise(pl.col("column"))
        .alias("column"),
        pl.when(missing_column).then(None).otherwise(pl.col("failure_case")).alias("failure_case"),
        (pl.col("index").cast(pl.Int64) + 1).alias("row"),
    )
    ids = frame.select(
        pl.col(ROW).alias("row"),
        pl.col("patient_id").cast(pl.Utf8)
        if "patient_id" in frame.columns
        else pl.lit(None, pl.Utf8).alias("patient_id"),
    )
    return failures_frame(
        cases.join(ids, on="row", how="left").with_columns(
            pl.lit(file).alias("file"), pl.col("failure_case").alias("value")
        )
    )


def _duplicates(frame: pl.DataFrame, keys: list[str], file: str) -> pl.DataFrame:
    dup = frame.filter(
        pl.struct(keys).is_duplicated() & pl.all_horizontal(pl.col(keys).is_not_null())
    )
    return failures_frame(
        dup.select(
            pl.lit(file).alias("file"),
            pl.col(ROW).alias("row"),
            pl.col("patient_id"),
            pl.lit(keys[-1]).alias("column"),
            pl.lit(f"unique({', '.join(keys)})").alias("check"),
            pl.concat_str(pl.col(keys), separator=", ").alias("value"),
        )
    )


def _not_in(
    frame: pl.DataFrame, keys: list[str], reference: pl.DataFrame, file: str, check: str
) -> pl.DataFrame:
    orphans = frame.filter(pl.all_horizontal(pl.col(keys).is_not_null())).join(
        reference.select(keys).unique(), on=keys, how="anti"
    )
    return failures_frame(
        orphans.select(
            pl.lit(file).alias("file"),
            pl.col(ROW).alias("row"),
            pl.col("patient_id"),
            pl.lit(keys[-1]).alias("column"),
            pl.lit(check).alias("check"),
            pl.col(keys[-1]).alias("value"),
        )
    )


def missing_file_failures(paths: dict[str, str | None]) -> pl.DataFrame:
    rows = [
        {"file": path, "column": role, "check": "file_exists", "value": path}
        for role, path in paths.items()
        if path is not None and not Path(path).is_file()
    ]
    return failures_frame(rows)


SCORE_COLUMNS_OF_VISITS = ("pppasi", "pga")
# Columns of the patients file the analysis reads by name beyond the contract's: a header that
# is one of them but for case or spaces would otherwise be read as an absent column.
ANALYSED_PATIENT_COLUMNS = (c.PREVIOUS_TREATMENTS_COLUMN, "joint_pain")


def labels_phrase(what: str, labels: Sequence[str]) -> str:
    """ "the file's visits: 'Baseline', 'Week12'", cut short for a long list."""
    if not labels:
        return f"{what}: none"
    return excerpt(f"{what}: " + ", ".join(repr(label) for label in labels), 200)


def no_baseline_value(baseline_visit: str, labels: Sequence[str]) -> str:
    return f"no {baseline_visit!r}; " + labels_phrase("this patient's visits", labels)


def spelling_key(name: str) -> str:
    """A name with case, surrounding spaces and separators folded away: 'Age years ' and
    'age_years' meet here."""
    return re.sub(r"[\s_\-]+", "", name.strip().casefold())


def header_failures(
    columns: Sequence[str], known: Sequence[str], derived: Sequence[str], file: str
) -> pl.DataFrame:
    """Headers that look like a known column but are not spelt as it (read as they are, the
    known column would be absent and its values ignored), and user columns named as a column
    the pipeline derives (the two would replace each other unseen)."""
    by_key = {spelling_key(name): name for name in known}
    rows = []
    for name in columns:
        if name in derived:
            rows.append(
                {
                    "file": file,
                    "column": name,
                    "check": "not_a_derived_column",
                    "value": f"{name!r} is computed by the pipeline: rename or drop the column",
                }
            )
        elif name not in known and (target := by_key.get(spelling_key(name))) is not None:
            rows.append(
                {
                    "file": file,
                    "column": target,
                    "check": "header_spelling",
                    "value": f"header {excerpt(name)!r} looks like {target!r}: rename it",
                }
            )
    return failures_frame(rows)


def visit_label_failures(visits: pl.DataFrame, files: CohortFiles) -> pl.DataFrame:
    """Visit labels that are the baseline or endpoint label but for case, spaces or
    separators: read as they are, those visits would silently count as missing."""
    labels = visits["visit"].drop_nulls().unique().to_list()
    rows = []
    for setting, label in (
        ("baseline_visit", files.baseline_visit),
        ("endpoint_visit", files.endpoint_visit),
    ):
        near = [v for v in labels if v != label and spelling_key(v) == spelling_key(label)]
        if not near:
            continue
        for row in visits.filter(pl.col("visit").is_in(near)).iter_rows(named=True):
            rows.append(
                {
                    "file": files.visits,
                    "row": row[ROW],
                    "patient_id": row["patient_id"],
                    "column": "visit",
                    "check": "visit_label_spelling",
                    "value": f"{row['visit']!r} looks like {setting} {label!r}: spell it exactly",
                }
            )
    return failures_frame(rows)


def stop_reason_failures(patients: pl.DataFrame, file: str) -> pl.DataFrame:
    """A stop_reason is given exactly where a stop_week is: a stop without its reason, or a
    reason without a stop, is a failure (time_on_drug.csv could not count it). A file without
    a stop_reason column has no reasons at all, which is not a failure."""
    if "stop_reason" not in patients.columns:
        return failures_frame([])
    stop = pl.col("stop_week").is_not_null() if "stop_week" in patients.columns else pl.lit(False)
    reason = pl.col("stop_reason").is_not_null()
    rows = [
        {
            "file": file,
            "row": row[ROW],
            "patient_id": row.get("patient_id"),
            "column": "stop_reason",
            "check": "stop_reason_with_stop_week",
            "value": f"stop_week {excerpt(str(row['stop_week']))} needs a reason: "
            + ", ".join(c.STOP_REASONS),
        }
        for row in patients.filter(stop & ~reason).iter_rows(named=True)
    ]
    rows += [
        {
            "file": file,
            "row": row[ROW],
            "patient_id": row.get("patient_id"),
            "column": "stop_reason",
            "check": "stop_reason_without_stop_week",
            "value": excerpt(str(row["stop_reason"])),
        }
        for row in patients.filter(reason & ~stop).iter_rows(named=True)
    ]
    return failures_frame(rows)


def config_failures(files: CohortFiles) -> pl.DataFrame:
    rows = []
    if files.baseline_visit == files.endpoint_visit:
        rows.append(
            {
                "file": CONFIG_FILE,
                "column": "endpoint_visit",
                "check": "differs_from_baseline_visit",
                "value": f"{files.endpoint_visit!r} is also the baseline_visit",
            }
        )
    return failures_frame(rows)


def unreadable_failures(err: UnreadableFile, file: str) -> pl.DataFrame:
    return failures_frame(
        [
            {
                "file": file,
                "row": problem.row,
                "patient_id": problem.patient_id,
                "column": problem.column,
                "check": problem.check,
                "value": problem.value,
            }
            for problem in err.problems
        ]
    )


def claims_failures(err: ClaimsInvalid) -> pl.DataFrame:
    """The claims file's problems as failure lines: 'claim <id> | field <name> | what'."""
    rows = []
    for problem in err.problems:
        parts = problem.split(" | ", 2)
        where = ": ".join(parts[:-1]) if len(parts) > 1 else "claims"
        rows.append(
            {"file": err.source, "column": where, "check": "claims_file", "value": parts[-1]}
        )
    return failures_frame(rows)


def claim_name_failures(claims: Claims, declared: Sequence, files: CohortFiles) -> pl.DataFrame:
    """The endpoints and outcomes the claims name that this cohort's results cannot have
    (claims.name_problems): its declared outcomes' responders count, and with a components
    file the outcomes derived from it."""
    derived = [o.name for o in DERIVED_OUTCOMES] if files.components else []
    problems = name_problems(
        claims, {o.name: [r.name for r in o.responders] for o in declared}, derived
    )
    if not problems:
        return failures_frame([])
    return claims_failures(ClaimsInvalid(str(files.claims), problems))


def read_claims(path: str | None) -> tuple[Claims | None, pl.DataFrame]:
    if path is None:
        return None, failures_frame([])
    try:
        return read_claims_file(Path(path).read_bytes(), path), failures_frame([])
    except ClaimsInvalid as err:
        return None, claims_failures(err)


def nfc_keys(frame: pl.DataFrame, file: str) -> tuple[pl.DataFrame, list[str]]:
    """Patient ids and visit labels in Unicode NFC, so that 'José' typed on two systems (one
    code point, or 'e' and a combining accent) is one id; a note says how many were changed."""
    notes = []
    for name in ("patient_id", "visit"):
        if name not in frame.columns or frame.schema[name] != pl.Utf8:
            continue
        text = pl.col(name)
        if not frame.select((text.str.len_bytes() != text.str.len_chars()).any()).item():
            continue  # ASCII only: nothing to normalise, and no cost at registry scale
        normalised = frame.select(text.str.normalize("NFC")).to_series()
        changed = int((normalised != frame[name]).sum())
        if changed:
            frame = frame.with_columns(normalised)
            notes.append(f"{file}: {changed} {name} value(s) normalised to Unicode NFC")
    return frame, notes


def cross_file_failures(
    patients: pl.DataFrame,
    visits: pl.DataFrame,
    components: pl.DataFrame | None,
    files: CohortFiles,
) -> pl.DataFrame:
    """The checks no single file can make: keys, references and completeness."""
    found = [
        _duplicates(patients, ["patient_id"], files.patients),
        _duplicates(visits, ["patient_id", "visit"], files.visits),
        _not_in(visits, ["patient_id"], patients, files.visits, "patient_in_patients_file"),
    ]
    # Every patient needs a baseline: without one no change can be measured. The failure shows
    # the labels the patient does have, so a label spelt otherwise is seen at once.
    labels_of = visits.group_by("patient_id").agg(
        pl.col("visit").drop_nulls().unique(maintain_order=True).alias("labels")
    )
    no_baseline = (
        patients.filter(pl.col("patient_id").is_not_null())
        .unique("patient_id", maintain_order=True)
        .join(
            visits.filter(pl.col("visit") == files.baseline_visit).select("patient_id"),
            on="patient_id",
            how="anti",
        )
        .join(labels_of, on="patient_id", how="left")
    )
    found.append(
        failures_frame(
            [
                {
                    "file": files.visits,
                    "patient_id": row["patient_id"],
                    "column": "visit",
                    "check": "has_baseline_visit",
                    "value": no_baseline_value(files.baseline_visit, row["labels"] or []),
                }
                for row in no_baseline.select("patient_id", "labels").iter_rows(named=True)
            ]
        )
    )
    if visits.filter(pl.col("visit") == files.endpoint_visit).is_empty():
        labels = visits["visit"].drop_nulls().unique(maintain_order=True).to_list()
        found.append(
            failures_frame(
                [
                    {
                        "file": files.visits,
                        "column": "visit",
                        "check": "endpoint_visit_present",
                        "value": f"no row has {files.endpoint_visit!r}; "
                        + labels_phrase("the file's visits", labels),
                    }
                ]
            )
        )
    scored_visits = pl.DataFrame(schema={"patient_id": pl.Utf8, "visit": pl.Utf8})
    if components is not None:
        found += [
            _duplicates(components, ["patient_id", "visit", "region"], files.components),
            _not_in(
                components,
                ["patient_id", "visit"],
                visits,
                files.components,
                "visit_in_visits_file",
            ),
        ]
        scored_visits = components.select("patient_id", "visit").unique()
        present = (
            components.filter(pl.col("region").is_in(list(c.REGIONS)))
            .group_by("patient_id", "visit")
            .agg(pl.col("region").unique(), pl.col(ROW).min())
        )
        incomplete = present.with_columns(
            pl.lit(list(c.REGIONS))
            .list.set_difference(pl.col("region"))
            .list.sort()
            .alias("missing")
        ).filter(pl.col("missing").list.len() > 0)
        found.append(
            failures_frame(
                incomplete.select(
                    pl.lit(files.components).alias("file"),
                    pl.col(ROW).alias("row"),
                    pl.col("patient_id"),
                    pl.lit("region").alias("column"),
                    pl.lit("all_regions_present").alias("check"),
                    (
                        pl.lit("visit ")
                        + pl.col("visit")
                        + pl.lit(" lacks ")
                        + pl.col("missing").list.join(", ")
                    ).alias("value"),
                )
            )
        )
    # A visit needs a PPPASI, recorded or from components. A row whose scores are all empty is
    # a missed visit (many exports keep the row): no failure, it counts as missing downstream.
    scores_empty = pl.all_horizontal(
        pl.col(name).is_null() for name in SCORE_COLUMNS_OF_VISITS if name in visits.columns
    )
    unscored = visits.filter(
        pl.col("pppasi").is_null() & pl.col("patient_id").is_not_null() & ~scores_empty
    ).join(scored_visits, on=["patient_id", "visit"], how="anti")
    found.append(
        failures_frame(
            unscored.select(
                pl.lit(files.visits).alias("file"),
                pl.col(ROW).alias("row"),
                pl.col("patient_id"),
                pl.lit("pppasi").alias("column"),
                pl.lit("pppasi_or_components").alias("check"),
                pl.lit(None, pl.Utf8).alias("value"),
            )
        )
    )
    return pl.concat(found)


def to_tenths(text: pl.Expr) -> pl.Expr:
    """'10.8' -> 108 exactly: the digits are read as integers, never through a float."""
    parts = text.str.split_exact(".", 1)
    whole = parts.struct.field("field_0").cast(pl.Int64)
    tenth = parts.struct.field("field_1").fill_null("0").cast(pl.Int64)
    return whole * c.TENTHS_PER_POINT + tenth


def typed_patients(frame: pl.DataFrame) -> pl.DataFrame:
    """The patients' columns as the file has them, numbers typed: a column the file lacks
    stays absent, so that no later table reports it as recorded and all missing."""
    return frame.drop(ROW).with_columns(
        pl.col(name).cast(pl.Float64)
        for name in ("age_years", "dose_mg", "stop_week", "last_seen_week")
        if name in frame.columns
    )


def integral(text: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """An integer field's value as `dtype`; '3.0' (a float column's spelling of 3, as pandas
    writes integers with gaps) is 3, and a stored integer stays itself."""
    return text.cast(pl.Float64).cast(dtype)


def typed_visits(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("patient_id"),
        pl.col("visit"),
        pl.col("week").cast(pl.Float64),
        to_tenths(pl.col("pppasi")).alias("pppasi_tenths"),
        integral(pl.col("pga"), pl.Int64).alias("pga"),
    )


def typed_components(frame: pl.DataFrame | None) -> pl.DataFrame:
    scores = [*c.SEVERITY_ITEMS, "area"]
    if frame is None:
        return pl.DataFrame(
            schema={
                "patient_id": pl.Utf8,
                "visit": pl.Utf8,
                "region": pl.Utf8,
                **{s: pl.Int8 for s in scores},
            }
        )
    return frame.select(
        pl.col("patient_id"),
        pl.col("visit"),
        pl.col("region"),
        *[integral(pl.col(s), pl.Int8) for s in scores],
    )


def with_optional_scores(visits: pl.DataFrame) -> pl.DataFrame:
    """The visits with an empty column for each optional score the file lacks."""
    return visits.with_columns(
        pl.lit(None, pl.Utf8).alias(name)
        for name in SCORE_COLUMNS_OF_VISITS
        if name not in visits.columns
    )


def _read(
    path: str, contract: Sequence[str], stored_types: Sequence[str] = ()
) -> tuple[pl.DataFrame | None, pl.DataFrame]:
    try:
        return read_cohort_table(path, contract, stored_types), failures_frame([])
    except UnreadableFile as err:
        return None, unreadable_failures(err, path)


def absent_score_notes(visits: pl.DataFrame, files: CohortFiles) -> list[str]:
    notes = []
    if "pga" not in visits.columns:
        notes.append(f"{files.visits}: no pga column; the PGA endpoints and tests are left out")
    if "pppasi" not in visits.columns:
        notes.append(f"{files.visits}: no pppasi column; PPPASI comes from the components alone")
    return notes


def missed_visit_notes(
    visits: pl.DataFrame, components: pl.DataFrame | None, files: CohortFiles
) -> list[str]:
    """Visit rows with no score at all and no components: kept as visits without scores."""
    empty = visits.filter(
        pl.all_horizontal(pl.col(name).is_null() for name in SCORE_COLUMNS_OF_VISITS)
    )
    if components is not None:
        empty = empty.join(
            components.select("patient_id", "visit").unique(),
            on=["patient_id", "visit"],
            how="anti",
        )
    if empty.is_empty():
        return []
    rows = ", ".join(str(r) for r in empty[ROW].head(10).to_list())
    more = "" if empty.height <= 10 else ", ..."
    return [
        f"{files.visits}: {empty.height} visit row(s) with every score empty (rows {rows}{more}): "
        "kept as visits without scores, missing for every endpoint"
    ]


def validate_cohort(
    files: CohortFiles,
    derived_columns: Sequence[str] = c.RESERVED_PATIENT_COLUMNS,
    *,
    fast_paths: bool = True,
) -> ValidatedCohort:
    """Read and check a cohort's files; raise CohortInvalid listing every failure. With
    fast_paths, a cohort fast_paths.proven_valid accepts skips the component and cross-file
    checks (they would find nothing)."""
    paths = {
        "patients": files.patients,
        "visits": files.visits,
        "components": files.components,
        "claims": files.claims,
        "events": files.events,
    }
    found = [config_failures(files), missing_file_failures(paths)]
    if not pl.concat(found).is_empty():
        raise CohortInvalid(pl.concat(found))
    claims, claims_problems = read_claims(files.claims)
    found.append(claims_problems)

    patients, unreadable_patients = _read(files.patients, schemas.PATIENT_COLUMNS)
    declared = outcomes_from_config(files.outcomes)
    if claims is not None:
        found.append(claim_name_failures(claims, declared, files))
    # Declared outcomes are read as text too, so a failure quotes the value as written.
    outcome_columns = tuple(o.column for o in declared)
    visits, unreadable_visits = _read(
        files.visits, (*schemas.VISIT_COLUMNS, *outcome_columns), stored_types=outcome_columns
    )
    components, unreadable_components = (
        _read(files.components, schemas.COMPONENT_COLUMNS, stored_types=SCORE_COLUMNS)
        if files.components
        else (None, failures_frame([]))
    )
    events, unreadable_events = (
        _read(files.events, schemas.EVENT_COLUMNS) if files.events else (None, failures_frame([]))
    )
    found += [unreadable_patients, unreadable_visits, unreadable_components, unreadable_events]
    if (
        patients is None
        or visits is None
        or (files.components and components is None)
        or (files.events and events is None)
    ):
        raise CohortInvalid(pl.concat(found))

    notes: list[str] = []
    patients, changed = nfc_keys(patients, files.patients)
    notes += changed
    visits, changed = nfc_keys(visits, files.visits)
    notes += changed
    if components is not None:
        components, changed = nfc_keys(components, files.components)
        notes += changed
    patients = _with_row_numbers(patients)
    visits = _with_row_numbers(visits)
    design = design_from_config(files.arms, files.strata, files.switch_visit)
    known_patient_columns = (
        *schemas.PATIENT_COLUMNS,
        *ANALYSED_PATIENT_COLUMNS,
        *files.configured_columns,
        *((design.column, *design.strata) if design else ()),
    )
    found += [
        header_failures(patients.columns, known_patient_columns, derived_columns, files.patients),
        header_failures(
            visits.columns,
            (*schemas.VISIT_COLUMNS, *(o.column for o in declared)),
            (),
            files.visits,
        ),
        failures_frame(outcome_failures(visits, declared, files.visits, ROW)),
        schema_failures(patients, schemas.PatientsFile, files.patients),
        stop_reason_failures(patients, files.patients),
        schema_failures(visits, schemas.visits_model(files.pga_max), files.visits),
    ]
    if components is not None:
        found.append(
            header_failures(components.columns, schemas.COMPONENT_COLUMNS, (), files.components)
        )
    elif "pppasi" not in visits.columns:
        found.append(
            failures_frame(
                [
                    {
                        "file": files.visits,
                        "column": "pppasi",
                        "check": "pppasi_or_components",
                        "value": "no pppasi column and no components file: no PPPASI at all",
                    }
                ]
            )
        )
    if design is not None:
        found.append(
            failures_frame(
                arm_failures(
                    patients,
                    visits,
                    design,
                    files.patients,
                    files.visits,
                    files.baseline_visit,
                    files.endpoint_visit,
                    ROW,
                )
            )
        )
    notes += absent_score_notes(visits, files)
    if events is not None:
        events, changed = nfc_keys(events, files.events)
        notes += changed
        events = _with_row_numbers(events)
        found.append(event_failures(events, patients, files.events))
    visits = with_optional_scores(visits)
    if "visit" in visits.columns and "patient_id" in visits.columns:
        found.append(visit_label_failures(visits, files))
    if (
        fast_paths
        and pl.concat(found).is_empty()
        and proven_valid(patients, visits, components, files.baseline_visit, files.endpoint_visit)
    ):
        return _typed(patients, visits, components, notes, claims, declared, events)

    if components is not None:
        components = _with_row_numbers(_as_text(components, schemas.COMPONENT_COLUMNS))
        found.append(schema_failures(components, schemas.ComponentsFile, files.components))
    structural = pl.concat(found)
    if structural.filter(
        pl.col("check").is_in(["column_in_dataframe", "header_spelling", "pppasi_or_components"])
    ).is_empty():
        # Cross-file checks need the key columns; without them they would only add noise.
        found.append(cross_file_failures(patients, visits, components, files))
    failures = pl.concat(found)
    if not failures.is_empty():
        raise CohortInvalid(failures)
    notes += missed_visit_notes(visits, components, files)
    return _typed(patients, visits, components, notes, claims, declared, events)


def _typed(
    patients: pl.DataFrame,
    visits: pl.DataFrame,
    components: pl.DataFrame | None,
    notes: Sequence[str],
    claims: Claims | None,
    declared: Sequence = (),
    events: pl.DataFrame | None = None,
) -> ValidatedCohort:
    return ValidatedCohort(
        patients=typed_patients(patients),
        visits=typed_visits(visits),
        components=typed_components(components),
        notes=tuple(notes),
        claims=claims,
        outcomes=outcome_units(visits, declared),
        events=typed_events(events),
    )


def event_failures(events: pl.DataFrame, patients: pl.DataFrame, file: str) -> pl.DataFrame:
    """The events file's headers and values, and its patients (each must be in patients)."""
    found = [
        header_failures(events.columns, schemas.EVENT_COLUMNS, (), file),
        schema_failures(events, schemas.EventsFile, file),
    ]
    if "patient_id" in events.columns and "patient_id" in patients.columns:
        found.append(_not_in(events, ["patient_id"], patients, file, "patient_in_patients_file"))
    return pl.concat(found)


EVENTS_SCHEMA = {
    "patient_id": pl.Utf8,
    "term": pl.Utf8,
    "onset_week": pl.Float64,
    "serious": pl.Boolean,
    "severity": pl.Utf8,
    "related": pl.Utf8,
    "led_to_discontinuation": pl.Boolean,
    "resolved": pl.Boolean,
}


def typed_events(events: pl.DataFrame | None) -> pl.DataFrame:
    """The events typed (yes/no as booleans); every column present, empty where the file lacks
    it; an empty table when the cohort has no events file."""
    if events is None:
        return pl.DataFrame(schema=EVENTS_SCHEMA)
    present = events.columns

    def column(name: str, dtype) -> pl.Expr:
        if name not in present:
            return pl.lit(None, dtype).alias(name)
        text = pl.col(name).cast(pl.Utf8)
        if dtype == pl.Boolean:
            return (text == "yes").alias(name)
        return text.cast(dtype).alias(name)

    return events.select(column(name, dtype) for name, dtype in EVENTS_SCHEMA.items())


def format_failures(failures: pl.DataFrame) -> str:
    """One line per failure: file, row, patient_id, column, check, offending value."""
    ordered = failures.sort(["file", "row", "column", "check"], nulls_last=False)
    lines = [f"{len(ordered)} validation failure(s):"]
    for f in ordered.iter_rows(named=True):
        row = "-" if f["row"] is None else str(f["row"])
        pid = "-" if f["patient_id"] is None else f["patient_id"]
        column = "-" if f["column"] is None else f["column"]
        value = "<empty>" if f["value"] is None else repr(f["value"])
        lines.append(
            f"  {f['file']} | row {row} | patient_id {pid} | column {column} | "
            f"check {f['check']} | value {value}"
        )
    return "\n".join(lines)
