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
from pppflow.outcomes import LOWER, Outcome, outcome_wide, units_column
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


def derived_terms() -> list[pl.Expr]:
    """Each component row's part of every derived outcome: the subscores' sign x area x weight
    (tenths), and for PPSI each sign's score where the region's area is involved (null
    elsewhere); a visit's outcome is the sum, or for PPSI the maxima's sum, of its rows'."""
    # Int16 holds a term (at most 4 x 6 x 3 = 72) and a visit's sum (288): at registry scale the
    # terms of 11M rows are a quarter of the memory they would take as Int64.
    weight = region_weight_tenths()
    area = pl.col("area").cast(pl.Int16)
    return [
        *(
            (pl.col(sign).cast(pl.Int16) * area * weight).alias(name)
            for name, sign in SUBSCORES.items()
        ),
        *(
            pl.when(area > 0).then(pl.col(sign).cast(pl.Int16)).alias(f"_{sign}")
            for sign in c.SEVERITY_ITEMS
        ),
    ]


def ppsi_of(worst: Sequence[pl.Expr]) -> pl.Expr:
    """PPSI from each sign's worst involved region (null: none involved, which scores 0)."""
    return pl.sum_horizontal(w.fill_null(0) for w in worst).alias(PPSI)


def derived_per_visit(components: pl.DataFrame) -> pl.DataFrame:
    """patient_id, visit and every derived outcome's units (tenths for the subscores, points
    for PPSI) per patient-visit with components; unordered."""
    # Each row's terms first, then plain sums and maxima per patient-visit: a filter inside the
    # aggregation costs several times the whole derivation at registry scale.
    return (
        components.select("patient_id", "visit", *derived_terms())
        .group_by("patient_id", "visit")
        .agg(
            *(pl.col(name).sum() for name in SUBSCORES),
            ppsi_of([pl.col(f"_{sign}").max() for sign in c.SEVERITY_ITEMS]),
        )
    )


def derived_outcomes(
    components: pl.DataFrame,
    scores: pl.DataFrame,
    declared: Sequence[str],
    per_visit: pl.DataFrame | None = None,
) -> tuple[tuple[Outcome, ...], pl.DataFrame]:
    """The derived outcomes a cohort gets (none without components; a declared outcome of the
    same name is the cohort's own and wins) and their units per patient-visit of `scores` (the
    pppasi table), in its order, as outcomes.outcome_wide gives the declared ones': a column
    units_column(outcome) each, null for a visit without components. `per_visit`: the derived
    units already in `scores`' rows' order (pppflow.fast_paths.subscores), else computed here."""
    keys = scores.select(pl.col("patient_id").cast(pl.Utf8), pl.col("visit").cast(pl.Utf8))
    if components.is_empty():
        return (), keys
    kept = tuple(o for o in DERIVED_OUTCOMES if o.name not in declared)
    if per_visit is None:
        per_visit = keys.join(
            derived_per_visit(components).with_columns(
                pl.col("patient_id").cast(pl.Utf8), pl.col("visit").cast(pl.Utf8)
            ),
            on=["patient_id", "visit"],
            how="left",
            maintain_order="left",
        )
    return kept, keys.with_columns(
        per_visit.get_column(o.name).cast(pl.Int64).alias(units_column(o.name)) for o in kept
    )


def derived_from_table(
    subscores: pl.DataFrame, scores: pl.DataFrame, declared: Sequence[str]
) -> tuple[tuple[Outcome, ...], pl.DataFrame]:
    """The derived outcomes of subscores.parquet (derived_outcomes' table, which the pppasi job
    writes; no rows without components) a cohort gets, a declared outcome of the same name
    being the cohort's own, and their units beside `scores`' rows (outcomes.outcome_wide)."""
    kept = tuple(
        o
        for o in DERIVED_OUTCOMES
        if o.name not in declared and units_column(o.name) in subscores.columns
    )
    if subscores.is_empty():
        kept = ()
    return kept, outcome_wide(scores, subscores, kept)
