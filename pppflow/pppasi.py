"""PPPASI recomputed from region scores, in exact integer tenths, and checked against the totals
a cohort records.

The formula lives in `region_term_tenths` only: every total here (recomputed, attainable) is a
sum of its terms. Functions take and return polars LazyFrames so that a registry-sized cohort
(millions of component rows) runs as one vectorised query.
"""

import operator
from dataclasses import dataclass
from functools import cache, reduce

import polars as pl

from pppflow import constants as c

KEYS = ["patient_id", "visit"]


def region_term_tenths() -> pl.Expr:
    """One region's PPPASI term in tenths: (erythema + pustules + desquamation) x area x weight.

    The weights are integers (tenths), so the term is an exact integer. Scores arrive as Int8;
    they are widened first because a term reaches 12 x 6 x 3 = 216, beyond Int8 (Int16 holds
    it, and is the narrowest type that does: the less memory, the faster on millions of rows).
    The weight is one when-chain of string comparisons (~10x faster than a string replace, and
    faster than four separate when-expressions merged by coalesce); an unknown region is null.
    """
    severity = reduce(operator.add, [pl.col(item).cast(pl.Int16) for item in c.SEVERITY_ITEMS])
    return severity * pl.col("area").cast(pl.Int16) * region_weight_tenths()


def region_weight_tenths() -> pl.Expr:
    """The region's PPPASI weight in tenths (Int16; null for an unknown region)."""
    (first_region, first_weight), *other = c.REGION_WEIGHT_TENTHS.items()
    weight = pl.when(pl.col("region") == first_region).then(pl.lit(first_weight, pl.Int16))
    for region, weight_tenths in other:
        weight = weight.when(pl.col("region") == region).then(pl.lit(weight_tenths, pl.Int16))
    return weight


def recompute_pppasi(components: pl.LazyFrame) -> pl.LazyFrame:
    """Per patient and visit, the sum of the four region terms (validation guarantees four).

    The terms are computed as a column before grouping: an expression evaluated inside the
    aggregation runs per group and is several times slower on millions of groups."""
    return (
        components.with_columns(region_term_tenths().alias("term_tenths"))
        .group_by(KEYS)
        .agg(pl.col("term_tenths").sum().cast(pl.Int64).alias("pppasi_recomputed_tenths"))
    )


def with_pppasi_used(visits: pl.LazyFrame) -> pl.LazyFrame:
    """The pppasi table's columns from visits that carry pppasi_recomputed_tenths."""
    return visits.select(
        "patient_id",
        "visit",
        "week",
        pl.col("pppasi_tenths").alias("pppasi_recorded_tenths"),
        "pppasi_recomputed_tenths",
        pl.coalesce("pppasi_recomputed_tenths", "pppasi_tenths").alias("pppasi_tenths"),
        pl.when(pl.col("pppasi_recomputed_tenths").is_not_null())
        .then(pl.lit("recomputed"))
        .otherwise(pl.lit("recorded"))
        .alias("pppasi_source"),
        "pga",
    )


def combine_pppasi(visits: pl.LazyFrame, components: pl.LazyFrame) -> pl.LazyFrame:
    """One row per patient and visit, in the visits' order: the recorded total, the
    recomputed one, and the value used downstream (recomputed where components exist)."""
    recomputed = recompute_pppasi(components)
    # The visits' order is restored by their row number: on millions of rows a hash join and
    # a sort on one integer cost less than a join that keeps the left order.
    row = "__visit_row"
    return with_pppasi_used(
        visits.with_row_index(row).join(recomputed, on=KEYS, how="left").sort(row)
    )


def _all_component_scores(severity_max: int, area_max: int) -> pl.LazyFrame:
    """Every (erythema, pustules, desquamation, area) the scales allow, for every region."""
    severity = pl.LazyFrame({"s": pl.int_range(c.SEVERITY_MIN, severity_max + 1, eager=True)})
    area = pl.LazyFrame({"area": pl.int_range(c.AREA_MIN, area_max + 1, eager=True)})
    regions = pl.LazyFrame({"region": list(c.REGIONS)})
    return (
        severity.select(pl.col("s").alias("erythema"))
        .join(severity.select(pl.col("s").alias("pustules")), how="cross")
        .join(severity.select(pl.col("s").alias("desquamation")), how="cross")
        .join(area, how="cross")
        .join(regions, how="cross")
    )


@cache
def attainable_totals_tenths(
    severity_max: int = c.SEVERITY_MAX, area_max: int = c.AREA_MAX
) -> pl.Series:
    """Every PPPASI total (tenths) some scores on the scales give, sorted.

    Each region's possible terms come from the formula applied to every score it allows; the
    totals are then built region by region, keeping only distinct partial sums, so the work
    stays at (distinct sums) x (distinct terms) rather than the 875^4 score combinations.
    """
    terms = (
        _all_component_scores(severity_max, area_max)
        .select("region", region_term_tenths().alias("term"))
        .unique()
        .collect()
    )
    totals = pl.LazyFrame({"total": [0]}, schema={"total": pl.Int64})
    for region in c.REGIONS:
        region_terms = terms.lazy().filter(pl.col("region") == region).select("term")
        totals = (
            totals.join(region_terms, how="cross")
            .select((pl.col("total") + pl.col("term")).alias("total"))
            .unique()
        )
    return totals.collect().get_column("total").sort().alias("pppasi_tenths")


def _divide_tenths(tenths: pl.Series) -> pl.Series:
    with_nan = tenths.cast(pl.Float64).to_numpy()  # null -> NaN, which divides to NaN
    return pl.Series(tenths.name, with_nan / c.TENTHS_PER_POINT).fill_nan(None)


def points_from_tenths(tenths: pl.Expr) -> pl.Expr:
    """Tenths as a one-decimal number for people: 28 -> 2.8, the double nearest to it.

    Not `tenths / 10` in polars: it turns a division by a literal into a multiplication by
    0.1, which gives 2.8000000000000003. numpy divides as IEEE 754 says, correctly rounded, and
    an integer of tenths and 10 are exact doubles, so the quotient is the double nearest to the
    true one (a decimal division gives the same, four times slower on millions of rows)."""
    return tenths.map_batches(_divide_tenths, return_dtype=pl.Float64, is_elementwise=True)


def pppasi_check(pppasi: pl.LazyFrame) -> pl.LazyFrame:
    """One row per patient and visit: does the recorded total agree with its components, and
    could any scores on the scales give it at all? (Every attainable total is in 0..72, so
    membership in that set is also the range check.)"""
    recorded = pl.col("pppasi_recorded_tenths")
    recomputed = pl.col("pppasi_recomputed_tenths")
    return pppasi.select(
        "patient_id",
        "visit",
        points_from_tenths(recorded).alias("pppasi_recorded"),
        points_from_tenths(recomputed).alias("pppasi_recomputed"),
        (recorded == recomputed).alias("agrees"),
        points_from_tenths(recorded - recomputed).alias("difference"),
        pl.when(recorded.is_not_null())
        .then(recorded.is_in(attainable_totals_tenths().implode()))
        .alias("attainable"),
    )


@dataclass(frozen=True)
class Inconsistency:
    patient_id: str
    visit: str
    message: str


def inconsistencies(check: pl.DataFrame) -> list[Inconsistency]:
    """The recorded totals the formula contradicts: one that disagrees with its components,
    or, where there are none, one no scores on the scales can give."""
    disagree = check.filter(pl.col("agrees").not_())
    unattainable = check.filter(pl.col("pppasi_recomputed").is_null() & pl.col("attainable").not_())
    found = [
        Inconsistency(
            r["patient_id"],
            r["visit"],
            f"patient {r['patient_id']} visit {r['visit']}: recorded PPPASI "
            f"{r['pppasi_recorded']:.1f} disagrees with its components, which give "
            f"{r['pppasi_recomputed']:.1f}",
        )
        for r in disagree.iter_rows(named=True)
    ]
    found += [
        Inconsistency(
            r["patient_id"],
            r["visit"],
            f"patient {r['patient_id']} visit {r['visit']}: recorded PPPASI "
            f"{r['pppasi_recorded']:.1f} is not attainable: no erythema, pustules, "
            f"desquamation ({c.SEVERITY_MIN}-{c.SEVERITY_MAX}) and area "
            f"({c.AREA_MIN}-{c.AREA_MAX}) scores give it",
        )
        for r in unattainable.iter_rows(named=True)
    ]
    return found


class PppasiDisagreement(Exception):
    def __init__(self, found: list[Inconsistency]):
        self.found = found
        lines = [f"{len(found)} recorded PPPASI total(s) contradict the formula:"]
        lines += [f"  {f.message}" for f in found]
        super().__init__("\n".join(lines))


def enforce_agreement(check: pl.DataFrame, action: str) -> list[Inconsistency]:
    """The inconsistencies, to warn about; under `error`, raise listing every one."""
    if action not in c.DISAGREEMENT_ACTIONS:
        raise ValueError(f"pppasi_disagreement {action!r} is not one of {c.DISAGREEMENT_ACTIONS}")
    found = inconsistencies(check)
    if found and action == "error":
        raise PppasiDisagreement(found)
    return found
