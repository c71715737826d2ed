"""The fast path of PPPASI recomputation: totals by position (see pppflow.fast_paths)."""

import polars as pl

from pppflow import constants as c
from pppflow.pppasi import KEYS, combine_pppasi, region_term_tenths, with_pppasi_used


def recomputed_by_position(visits: pl.DataFrame, components: pl.DataFrame) -> pl.Series | None:
    """Each visit's recomputed total by position, where the components are the visits' own
    rows in the visits' order, one block of four per visit (the usual export); None otherwise.

    Validation guarantees four distinct regions per scored visit and unique visits, so blocks
    whose rows share one key, and whose keys are the visits' keys in order, are those visits:
    the totals need no grouping and no join on the (patient_id, visit) strings."""
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

    # The checks and the terms are independent queries: run in parallel.
    checks, terms = pl.collect_all(
        [
            keys.select(
                pl.all_horizontal(
                    *(rows_share_block_key(key) for key in KEYS),
                    *(blocks_are_visits(key) for key in KEYS),
                )
            ),
            components.lazy().select(region_term_tenths()),
        ]
    )
    if not checks.item():
        return None
    terms = terms.to_series()
    if terms.null_count():
        return None  # the grouped sum skips a missing score; validation allows none anyway
    # Each block's four terms as one fixed-size array row: summed in place, no grouping.
    return (
        terms.reshape((-1, per_visit)).arr.sum().cast(pl.Int64).rename("pppasi_recomputed_tenths")
    )


def pppasi_table(
    visits: pl.DataFrame, components: pl.DataFrame, *, fast_paths: bool
) -> pl.DataFrame:
    """pppasi.combine_pppasi on loaded frames; by position where fast_paths allows and the
    components prove it possible."""
    recomputed = recomputed_by_position(visits, components) if fast_paths else None
    if recomputed is None:
        return combine_pppasi(visits.lazy(), components.lazy()).collect()
    return with_pppasi_used(visits.with_columns(recomputed).lazy()).collect()
