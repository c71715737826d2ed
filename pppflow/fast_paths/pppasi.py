"""The fast path of PPPASI recomputation: totals by position (see pppflow.fast_paths)."""

import polars as pl

from pppflow import constants as c
from pppflow.fast_paths.blocks import terms_by_visit_block
from pppflow.pppasi import combine_pppasi, region_term_tenths, with_pppasi_used


def recomputed_by_position(visits: pl.DataFrame, components: pl.DataFrame) -> pl.Series | None:
    """Each visit's recomputed total by position, where the components are the visits' own
    rows in the visits' order, one block of four per visit (the usual export; proven by
    blocks.terms_by_visit_block); None otherwise. The totals need no grouping and no
    join on the (patient_id, visit) strings."""
    per_visit = len(c.REGIONS)
    found = terms_by_visit_block(visits, components, [region_term_tenths()])
    if found is None:
        return None
    terms = found.to_series()
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
