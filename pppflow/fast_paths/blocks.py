"""The proof the positional paths over components stand on: the components are the visits' own
rows in the visits' order, one block of four a visit (the usual export)."""

import polars as pl

from pppflow import constants as c
from pppflow.pppasi import KEYS


def visit_blocks_check(visits: pl.DataFrame, components: pl.DataFrame) -> pl.LazyFrame | None:
    """Whether row 4i to 4i + 3 of `components` are the regions of row i of `visits` (any table
    with one row per visit and its patient_id and visit: the validated visits, the pppasi
    table), as a query of one Boolean to collect beside the one that computes by position (in
    parallel, pl.collect_all); None where the row counts already rule it out.

    Validation guarantees four distinct regions per scored visit and unique visits, so blocks
    whose rows share one key, and whose keys are the visits' keys in order, are those visits."""
    per_visit = len(c.REGIONS)
    if visits.is_empty() or components.height != per_visit * visits.height:
        return None
    # One chunk first: a file is read as many (a row group each), and comparing a column with
    # itself shifted by one row would realign every chunk, at several times the cost.
    keys = components.select(KEYS).rechunk().lazy()

    def rows_share_block_key(key: str) -> pl.Expr:
        # differs[i]: row i + 1 has another key than row i. Allowed only where row i + 1
        # starts a block, i.e. at i = 3, 7, 11, ...
        column = pl.col(key)
        differs = column.slice(1).ne_missing(column.slice(0, pl.len() - 1))
        return differs.sum() == differs.gather_every(per_visit, offset=per_visit - 1).sum()

    def blocks_are_visits(key: str) -> pl.Expr:
        block_key = pl.col(key).gather_every(per_visit)
        return block_key.eq_missing(pl.lit(visits.get_column(key))).all()

    return keys.select(
        pl.all_horizontal(
            *(rows_share_block_key(key) for key in KEYS),
            *(blocks_are_visits(key) for key in KEYS),
        )
    )


def terms_by_visit_block(
    visits: pl.DataFrame, components: pl.DataFrame, terms: list[pl.Expr]
) -> pl.DataFrame | None:
    """The `terms` of every component row, in the components' order, where visit_blocks_check
    proves the rows are the visits' blocks of four (the proof and the terms are independent
    queries, run in parallel); None otherwise."""
    check = visit_blocks_check(visits, components)
    if check is None:
        return None
    proven, found = pl.collect_all([check, components.lazy().select(terms)])
    return found if proven.item() else None
