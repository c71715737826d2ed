"""Outcomes derived from the region components, for cohorts that have them: the PPPASI's three
sign subscores and a PPSI-style severity sum. They are declared outcomes the cohort did not
have to declare (pppflow.outcomes.Outcome), so descriptives.csv and tests.csv treat them as
the declared ones: same machinery, same exactness.

- `erythema_subscore`, `pustule_subscore`, `desquamation_subscore`: the PPPASI formula applied to
  one sign, sum over the four regions of sign x area x region weight (0.2 per palm, 0.3 per
  sole), in exact integer tenths (0-24 each); the three add up to the PPPASI recomputed from the
  same components, to the tenth.
- `ppsi`: the Palmoplantar Pustulosis Severity Index (Bhushan et al., Br J Dermatol 2001) scores
  erythema, pustules and desquamation 0-4 each over the palms and soles as a whole and sums them
  (0-12). From region components each sign's whole-body score is taken as its worst region
  among the involved ones (area above 0: a region with no involved area has no sign to score),
  and the three are summed; a visit without any involved region scores 0.
"""

from collections.abc import Sequence
from fractions import Fraction

import polars as pl

from pppflow import constants as c
from pppflow.outcomes import LONG_SCHEMA, LOWER, Outcome
from pppflow.pppasi import region_weight_tenths

# derived outcome -> the components' sign it is made of
SUBSCORES = {
    "erythema_subscore": "erythema",
    "pustule_subscore": "pustules",
    "desquamation_subscore": "desquamation",
}
PPSI = "ppsi"
TENTH = Fraction(1, c.TENTHS_PER_POINT)
SUBSCORE_MAX = Fraction(
    c.SEVERITY_MAX * c.AREA_MAX * sum(c.REGION_WEIGHT_TENTHS.values()), c.TENTHS_PER_POINT
)
PPSI_MAX = len(c.SEVERITY_ITEMS) * c.SEVERITY_MAX
DERIVED_OUTCOMES = (
    *(
        Outcome(name, sign, Fraction(0), SUBSCORE_MAX, TENTH, LOWER)
        for name, sign in SUBSCORES.items()
    ),
    Outcome(PPSI, "+".join(c.SEVERITY_ITEMS), Fraction(0), Fraction(PPSI_MAX), Fraction(1), LOWER),
)


def derived_long(components: pl.DataFrame, scores: pl.DataFrame) -> pl.DataFrame:
    """The derived outcomes in outcome_long's form (outcome, patient_id, visit, week, units:
    tenths for the subscores, points for ppsi) per patient-visit with components; the week is
    the visit's week in `scores` (the pppasi table)."""
    if components.is_empty():
        return pl.DataFrame(schema=LONG_SCHEMA)
    weight = region_weight_tenths().cast(pl.Int64)
    area = pl.col("area").cast(pl.Int64)
    # Each row's terms first, then plain sums and maxima per patient-visit: a filter inside the
    # aggregation costs several times the whole derivation at registry scale.
    terms = components.select(
        "patient_id",
        "visit",
        *(
            (pl.col(sign).cast(pl.Int64) * area * weight).alias(name)
            for name, sign in SUBSCORES.items()
        ),
        *(
            pl.when(area > 0).then(pl.col(sign).cast(pl.Int64)).alias(f"_{sign}")
            for sign in c.SEVERITY_ITEMS
        ),
    )
    per_visit = terms.group_by("patient_id", "visit").agg(
        *(pl.col(name).sum() for name in SUBSCORES),
        pl.sum_horizontal(pl.col(f"_{sign}").max().fill_null(0) for sign in c.SEVERITY_ITEMS).alias(
            PPSI
        ),
    )
    weeks = scores.select(
        pl.col("patient_id").cast(pl.Utf8),
        pl.col("visit").cast(pl.Utf8),
        pl.col("week").cast(pl.Float64),
    )
    return (
        per_visit.join(weeks, on=["patient_id", "visit"], how="left")
        .unpivot(
            index=["patient_id", "visit", "week"],
            on=[o.name for o in DERIVED_OUTCOMES],
            variable_name="outcome",
            value_name="units",
        )
        .select(list(LONG_SCHEMA))
        .cast(LONG_SCHEMA)
    )  # unsorted: every table made from it orders its own rows (sorting costs seconds at 1M)


def derived_outcomes(
    components: pl.DataFrame, scores: pl.DataFrame, declared: Sequence[str]
) -> tuple[tuple[Outcome, ...], pl.DataFrame]:
    """The derived outcomes a cohort gets (none without components; a declared outcome of the
    same name is the cohort's own and wins) and their long table."""
    if components.is_empty():
        return (), pl.DataFrame(schema=LONG_SCHEMA)
    kept = tuple(o for o in DERIVED_OUTCOMES if o.name not in declared)
    long = derived_long(components, scores).filter(pl.col("outcome").is_in([o.name for o in kept]))
    return kept, long
