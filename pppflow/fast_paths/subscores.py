"""The fast path of the outcomes derived from components: each visit's block of four region
rows summed in place (see pppflow.fast_paths), no grouping and no join on the
(patient_id, visit) strings."""

import polars as pl

from pppflow import constants as c
from pppflow.fast_paths.blocks import terms_by_visit_block
from pppflow.subscores import SUBSCORES, derived_outcomes, derived_terms, ppsi_of


def derived_by_position(scores: pl.DataFrame, components: pl.DataFrame) -> pl.DataFrame | None:
    """Every derived outcome's units per row of `scores` (the pppasi table, one row per visit),
    where the components are its rows' own in its order, four a visit; None otherwise."""
    per_visit = len(c.REGIONS)
    terms = terms_by_visit_block(scores, components, derived_terms())
    if terms is None:
        return None
    if terms.select(pl.sum_horizontal(pl.col(SUBSCORES).null_count())).item():
        return None  # the grouped sum skips a missing score; validation allows none anyway
    # A visit's four rows as one fixed-size array row: summed or maximised in place.
    blocks = terms.select(pl.all().reshape((-1, per_visit)))
    return blocks.select(
        *(pl.col(name).arr.sum().alias(name) for name in SUBSCORES),
        ppsi_of([pl.col(f"_{sign}").arr.max() for sign in c.SEVERITY_ITEMS]),
    )


def derived_table(
    components: pl.DataFrame, scores: pl.DataFrame, declared, *, fast_paths: bool
) -> tuple:
    """subscores.derived_outcomes on loaded frames; by position where fast_paths allows and
    the components prove it possible."""
    per_visit = derived_by_position(scores, components) if fast_paths else None
    return derived_outcomes(components, scores, declared, per_visit)
