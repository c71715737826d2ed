"""Validation of one cohort: every failure in every file, collected into one table.

Errors are data until the end: each check returns rows of
(file, row, patient_id, column, check, value); the workflow script prints them all and exits
non-zero. On success the typed frames go downstream, PPPASI in integer tenths.
"""

from dataclasses import dataclass
from pathlib import Path

import pandera.errors
import pandera.polars as pa
import polars as pl

from pppflow import constants as c
from pppflow import schemas
from pppflow.fast_paths.validation import SCORE_COLUMNS, proven_valid
from pppflow.io import read_cohort_table

FAILURE_SCHEMA = {
    "file": pl.Utf8,
    "row": pl.Int64,  # 1-based data row (the header is row 0); null for file-level failures
    "patient_id": pl.Utf8,
    "column": pl.Utf8,
    "check": pl.Utf8,
    "value": pl.Utf8,
}

ROW = "__row"


@dataclass(frozen=True)
class CohortFiles:
    patients: str
    visits: str
    components: str | None
    baseline_visit: str
    endpoint_visit: str
    pga_max: int


@dataclass(frozen=True)
class ValidatedCohort:
    patients: pl.DataFrame
    visits: pl.DataFrame
    components: pl.DataFrame


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
    # Every patient needs a baseline: without one no change can be measured.
    no_baseline = (
        patients.filter(pl.col("patient_id").is_not_null())
        .unique("patient_id", maintain_order=True)
        .join(
            visits.filter(pl.col("visit") == files.baseline_visit).select("patient_id"),
            on="patient_id",
            how="anti",
        )
    )
    found.append(
        failures_frame(
            no_baseline.select(
                pl.lit(files.visits).alias("file"),
                pl.lit(None, pl.Int64).alias("row"),
                pl.col("patient_id"),
                pl.lit("visit").alias("column"),
                pl.lit("has_baseline_visit").alias("check"),
                pl.lit(files.baseline_visit).alias("value"),
            )
        )
    )
    if visits.filter(pl.col("visit") == files.endpoint_visit).is_empty():
        found.append(
            failures_frame(
                [
                    {
                        "file": files.visits,
                        "column": "visit",
                        "check": "endpoint_visit_present",
                        "value": files.endpoint_visit,
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
                        pl.lit(f"visit {''}")
                        + pl.col("visit")
                        + pl.lit(" lacks ")
                        + pl.col("missing").list.join(", ")
                    ).alias("value"),
                )
            )
        )
    unscored = visits.filter(pl.col("pppasi").is_null() & pl.col("patient_id").is_not_null()).join(
        scored_visits, on=["patient_id", "visit"], how="anti"
    )
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
    return frame.drop(ROW).with_columns(
        pl.col("patient_id"),
        *[
            pl.col(name).cast(pl.Float64)
            if name in frame.columns
            else pl.lit(None, pl.Float64).alias(name)
            for name in ("age_years", "dose_mg")
        ],
        *([] if "sex" in frame.columns else [pl.lit(None, pl.Utf8).alias("sex")]),
    )


def typed_visits(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(
        pl.col("patient_id"),
        pl.col("visit"),
        pl.col("week").cast(pl.Float64),
        to_tenths(pl.col("pppasi")).alias("pppasi_tenths"),
        pl.col("pga").cast(pl.Int64),
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
        *[pl.col(s).cast(pl.Int8) for s in scores],
    )


def validate_cohort(files: CohortFiles, *, fast_paths: bool = True) -> ValidatedCohort:
    """Read and check a cohort's files; raise CohortInvalid listing every failure. With
    fast_paths, a cohort fast_paths.proven_valid accepts skips the component and cross-file
    checks (they would find nothing)."""
    paths = {
        "patients": files.patients,
        "visits": files.visits,
        "components": files.components,
    }
    missing = missing_file_failures(paths)
    if not missing.is_empty():
        raise CohortInvalid(missing)

    patients = _with_row_numbers(read_cohort_table(files.patients, schemas.PATIENT_COLUMNS))
    visits = _with_row_numbers(read_cohort_table(files.visits, schemas.VISIT_COLUMNS))
    components = (
        read_cohort_table(files.components, schemas.COMPONENT_COLUMNS, stored_types=SCORE_COLUMNS)
        if files.components
        else None
    )
    found = [
        schema_failures(patients, schemas.PatientsFile, files.patients),
        schema_failures(visits, schemas.visits_model(files.pga_max), files.visits),
    ]
    if (
        fast_paths
        and pl.concat(found).is_empty()
        and proven_valid(patients, visits, components, files.baseline_visit, files.endpoint_visit)
    ):
        return _typed(patients, visits, components)

    if components is not None:
        components = _with_row_numbers(_as_text(components, schemas.COMPONENT_COLUMNS))
        found.append(schema_failures(components, schemas.ComponentsFile, files.components))
    structural = pl.concat(found)
    if structural.filter(pl.col("check") == "column_in_dataframe").is_empty():
        # Cross-file checks need the key columns; without them they would only add noise.
        found.append(cross_file_failures(patients, visits, components, files))
    failures = pl.concat(found)
    if not failures.is_empty():
        raise CohortInvalid(failures)
    return _typed(patients, visits, components)


def _typed(
    patients: pl.DataFrame, visits: pl.DataFrame, components: pl.DataFrame | None
) -> ValidatedCohort:
    return ValidatedCohort(
        patients=typed_patients(patients),
        visits=typed_visits(visits),
        components=typed_components(components),
    )


def format_failures(failures: pl.DataFrame) -> str:
    """One line per failure: file, row, patient_id, column, check, offending value."""
    ordered = failures.sort(["file", "row", "column", "check"], nulls_last=False)
    lines = [f"{len(ordered)} validation failure(s):"]
    for f in ordered.iter_rows(named=True):
        row = "-" if f["row"] is None else str(f["row"])
        pid = "-" if f["patient_id"] is None else f["patient_id"]
        value = "<empty>" if f["value"] is None else repr(f["value"])
        lines.append(
            f"  {f['file']} | row {row} | patient_id {pid} | column {f['column']} | "
            f"check {f['check']} | value {value}"
        )
    return "\n".join(lines)
