"""The fast path of validation: a quick proof that a cohort is valid (see pppflow.fast_paths).

At registry scale the component checks cost more than the rest of the pipeline: pandera's text
checks on every score, and hash grouping on (patient_id, visit, region) strings. The proof uses
integer ranges on the file's own types, and keys encoded as integers.
"""

from collections.abc import Iterable

import polars as pl

from pppflow import constants as c
from pppflow import schemas

SCORE_COLUMNS = (*c.SEVERITY_ITEMS, "area")
SCORE_RANGE = {
    **{item: (c.SEVERITY_MIN, c.SEVERITY_MAX) for item in c.SEVERITY_ITEMS},
    "area": (c.AREA_MIN, c.AREA_MAX),
}
KEY_COLUMNS = ("patient_id", "visit", "region")


def _score_passes(frame: pl.DataFrame, name: str) -> pl.Expr | None:
    """True where a score passes ComponentsFile's checks (is_integer, number_in_range), or None
    if the column's type allows no quick proof. Integers (parquet): the range. Text (a CSV): the
    canonical digits min..max only; any other spelling ('04', '-0') is left to the full checks."""
    dtype = frame.schema[name]
    low, high = SCORE_RANGE[name]
    if dtype.is_integer():
        return pl.col(name).is_between(low, high)
    if dtype == pl.Utf8:
        return pl.col(name).is_in([str(v) for v in range(low, high + 1)])
    return None


def _has_nulls(frame: pl.DataFrame, columns: Iterable[str]) -> bool:
    return frame.select(columns).null_count().sum_horizontal().item() > 0


def proven_valid(
    patients: pl.DataFrame,
    visits: pl.DataFrame,
    components: pl.DataFrame | None,
    baseline_visit: str,
    endpoint_visit: str,
) -> bool:
    """True only if, with patients and visits already free of failures under their models,
    schemas.ComponentsFile and validate.cross_file_failures would report nothing either.

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
    if (visits["visit"] == baseline_visit).sum() != patients.height:
        return False  # keys are unique and known, so this counts the patients with a baseline
    if not (visits["visit"] == endpoint_visit).any():
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
