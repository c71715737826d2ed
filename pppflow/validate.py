"""Validation of one cohort: every failure in every file, collected into one table.

Errors are data until the end: each check returns rows of
(file, row, patient_id, column, check, value); the workflow script prints them all and exits
non-zero. On success the typed frames go downstream, PPPASI in integer tenths.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandera.errors
import pandera.polars as pa
import polars as pl

from pppflow import constants as c
from pppflow import schemas
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


# --- Fast acceptance ------------------------------------------------------------------------
# At registry scale (millions of component rows) the component checks cost more than the rest of
# the pipeline: pandera's text checks on every score, and hash grouping on (patient_id, visit,
# region) strings. `proven_valid` is a quick proof that they would find nothing: integer ranges
# on the file's own types, and keys encoded as integers. It answers True only when the full
# checks would report no failure; False means "not proven", and the full checks then run and
# alone word the failures. So the report of a bad cohort is unchanged, and a valid cohort skips
# the expensive part.

SCORE_COLUMNS = (*c.SEVERITY_ITEMS, "area")
SCORE_MAX = {**{item: c.SEVERITY_MAX for item in c.SEVERITY_ITEMS}, "area": c.AREA_MAX}
KEY_COLUMNS = ("patient_id", "visit", "region")


def _score_passes(frame: pl.DataFrame, name: str) -> pl.Expr | None:
    """True where a score passes ComponentsFile's checks (is_integer, number_in_range), or None
    if the column's type allows no quick proof. Integers: the range. Text (a CSV): the canonical
    digits 0..max only; any other spelling ('04', '-0') is left to the full checks."""
    dtype = frame.schema[name]
    if dtype.is_integer():
        return pl.col(name).is_between(0, SCORE_MAX[name])
    if dtype == pl.Utf8:
        return pl.col(name).is_in([str(v) for v in range(SCORE_MAX[name] + 1)])
    return None


def _has_nulls(frame: pl.DataFrame, columns: Iterable[str]) -> bool:
    return frame.select(columns).null_count().sum_horizontal().item() > 0


def proven_valid(
    patients: pl.DataFrame,
    visits: pl.DataFrame,
    components: pl.DataFrame | None,
    files: CohortFiles,
) -> bool:
    """True only if, with patients and visits already free of failures under their models,
    schemas.ComponentsFile and cross_file_failures would report nothing either.

    `components` is as read with its scores in their stored types. Keys become integers: the
    patient's position in the patients file times the number of visit labels, plus the label's
    position among the visits file's labels. Every test below requires at least what the full
    check does.
    """
    if _has_nulls(patients, ["patient_id"]) or _has_nulls(visits, ["patient_id", "visit"]):
        return False
    if patients["patient_id"].n_unique() != patients.height:
        return False
    patient_index = patients.select(
        "patient_id", pl.int_range(pl.len(), dtype=pl.Int64).alias("patient_index")
    )
    labels = pl.Enum(visits["visit"].unique(maintain_order=True))
    n_labels = len(labels.categories)

    def visit_keys(frame: pl.DataFrame | pl.LazyFrame, *extra: pl.Expr) -> pl.DataFrame:
        # An unknown patient or visit label gives a null key.
        label = pl.col("visit").cast(labels, strict=False).to_physical().cast(pl.Int64)
        return (
            frame.lazy()
            .join(patient_index.lazy(), on="patient_id", how="left", maintain_order="left")
            .select((pl.col("patient_index") * n_labels + label).alias("key"), *extra)
            .collect()
        )

    keyed_visits = visit_keys(visits, pl.col("pppasi").is_null().alias("unscored"))
    if keyed_visits.height != visits.height or keyed_visits["key"].null_count() > 0:
        return False  # a visit of a patient the patients file lacks
    if keyed_visits["key"].n_unique() != keyed_visits.height:
        return False  # a (patient_id, visit) twice
    if (visits["visit"] == files.baseline_visit).sum() != patients.height:
        return False  # keys are unique and known, so this counts the patients with a baseline
    if not (visits["visit"] == files.endpoint_visit).any():
        return False
    unscored = keyed_visits.filter("unscored").select("key")
    if components is None:
        return unscored.is_empty()

    # ComponentsFile: every contract column present, no nulls, scores in range, known regions.
    # patient_id and visit are not blank because they match the patients' and visits' own,
    # which passed not_blank (checked below through the keys).
    if any(name not in components.columns for name in schemas.COMPONENT_COLUMNS):
        return False
    if any(components.schema[k] != pl.Utf8 for k in KEY_COLUMNS):
        return False
    scores = [_score_passes(components, name) for name in SCORE_COLUMNS]
    if any(s is None for s in scores) or _has_nulls(components, schemas.COMPONENT_COLUMNS):
        return False
    known_region = pl.col("region").is_in(list(c.REGIONS))
    if not components.select(pl.all_horizontal(*scores, known_region).all()).item():
        return False
    # Each region a distinct power of two: four rows of one visit sum to 15 exactly when they
    # are the four regions once each (four powers of two from {1, 2, 4, 8} make 15 only so).
    per_visit = len(c.REGIONS)
    all_regions = (1 << per_visit) - 1
    region_code = pl.col("region").cast(pl.Enum(list(c.REGIONS))).to_physical()
    bit = pl.lit(2, pl.Int64).pow(region_code.cast(pl.Int64)).alias("bit")
    new_visit = (
        (pl.col("patient_id") != pl.col("patient_id").shift())
        | (pl.col("visit") != pl.col("visit").shift())
    ).fill_null(True)
    block_start = pl.int_range(pl.len()) % per_visit == 0
    in_blocks = components.height % per_visit == 0 and (
        components.select((new_visit == block_start).all()).item()
    )
    if in_blocks:
        # The usual export: each visit's rows together, so the rows fall into blocks of four
        # and only one row per block needs a key.
        blocks = components.select(
            pl.col("patient_id", "visit").gather_every(per_visit),
            bit.reshape((-1, per_visit)).arr.sum().alias("bits"),
        )
        if blocks.height == visits.height and (
            blocks.select(
                (
                    (pl.col("patient_id") == visits["patient_id"])
                    & (pl.col("visit") == visits["visit"])
                ).all()
            ).item()
        ):
            # Block i is visit i, for every visit: the keys are the visits' (known, unique,
            # every visit scored), and only the regions of each block remain to check.
            return bool((blocks["bits"] == all_regions).all())
        groups = visit_keys(blocks, pl.col("bits"))
        if groups["key"].n_unique() != groups.height:
            return False  # a visit's regions split over two places
    else:
        rows = visit_keys(components, bit)
        groups = rows.group_by("key").agg(pl.col("bit").sum().alias("bits"), pl.len())
        if (groups["len"] != per_visit).any():
            return False
    if groups["key"].null_count() > 0:
        return False  # an unknown patient or visit label
    if (groups["bits"] != all_regions).any():
        return False  # a region twice or missing in some visit
    if not groups.join(keyed_visits, on="key", how="anti").is_empty():
        return False  # a scored visit the visits file does not have
    return unscored.join(groups, on="key", how="anti").is_empty()


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


def validate_cohort(files: CohortFiles) -> ValidatedCohort:
    """Read and check a cohort's files; raise CohortInvalid listing every failure."""
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
    if pl.concat(found).is_empty() and proven_valid(patients, visits, components, files):
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
