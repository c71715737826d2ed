"""The fast path of response classification: the grid by position (see pppflow.fast_paths)."""

import numpy as np
import polars as pl

from pppflow.response import (
    check_missing_rule,
    classify_grid,
    follow_up_visits,
    patient_visit_grid,
)


def grid_by_position(pppasi: pl.DataFrame, baseline_visit: str) -> pl.LazyFrame | None:
    """response.patient_visit_grid by position, where each patient's rows are consecutive (any
    visit order) with one baseline row among them: the usual export; None otherwise.

    Patients are numbered by their run of rows and visits by their rank, so a follow-up row
    has the grid slot patient x visits + rank, and the grid is gathered from the rows by slot:
    no cross join, and no join or group-by on the (patient_id, visit) strings."""
    keys = pppasi.select("patient_id", "visit")
    if pppasi.is_empty() or keys.null_count().sum_horizontal().item() > 0:
        return None
    patient_id = pl.col("patient_id")
    starts_run = patient_id.ne_missing(patient_id.shift(1))
    heads = patient_id.filter(starts_run)
    # Independent queries, run in parallel.
    runs, run_facts, visits = pl.collect_all(
        [
            pppasi.lazy().select((starts_run.cum_sum() - 1).alias("run")),
            pppasi.lazy().select(
                heads.len().alias("n_patients"),
                # The runs are distinct patients if their first ids increase: one comparison
                # each (the usual, sorted, export); otherwise they are hashed below.
                (heads.slice(1) > heads.slice(0, heads.len() - 1)).all().alias("increasing"),
            ),
            follow_up_visits(pppasi.lazy(), baseline_visit),
        ]
    )
    n_patients = run_facts.item(0, "n_patients")
    if not run_facts.item(0, "increasing") and not pppasi.select(heads.is_unique().all()).item():
        return None
    n_visits = visits.height
    # Visit labels as codes: the baseline 0, then the follow-ups in time order, so a follow-up's
    # rank is its code - 1 (an Enum cast is about twice as fast as a string replace).
    labels = pl.Enum([baseline_visit, *visits.get_column("visit")])
    visit_rank = (
        pppasi.get_column("visit").cast(labels).to_physical().to_numpy().astype(np.int64) - 1
    )
    run = runs.get_column("run").to_numpy()
    is_baseline = visit_rank < 0
    baseline_rows = np.flatnonzero(is_baseline)
    if not np.array_equal(run[baseline_rows], np.arange(n_patients)):
        return None  # a patient without a baseline row, or with two
    follow_up_rows = np.flatnonzero(~is_baseline)
    slot = run[follow_up_rows].astype(np.int64) * n_visits + visit_rank[follow_up_rows]
    n_slots = n_patients * n_visits
    if n_slots and np.bincount(slot, minlength=n_slots).max() > 1:
        return None  # a visit twice for one patient: left to the join, as it would be
    row_at_slot = np.full(n_slots, -1, dtype=np.int64)
    row_at_slot[slot] = follow_up_rows
    observed_row = pl.Series(row_at_slot)
    observed_row = observed_row.set(observed_row < 0, None)  # a visit the patient lacks
    baseline_row = pl.Series(np.repeat(baseline_rows, n_visits))
    each_visit = pl.Series(np.tile(np.arange(n_visits, dtype=np.uint32), n_patients))
    patient_rank = np.repeat(np.arange(n_patients, dtype=np.uint32), n_visits)
    # One query, so that polars gathers the columns in parallel.
    return pppasi.lazy().select(
        pl.lit(pl.Series("patient_rank", patient_rank)),
        pl.col("patient_id").gather(baseline_row),
        pl.col("pppasi_tenths").gather(baseline_row).alias("pppasi_baseline_tenths"),
        pl.col("pga").gather(baseline_row).alias("pga_baseline"),
        *(pl.lit(visits.get_column(name)).gather(each_visit) for name in visits.columns),
        pl.col("week").gather(observed_row),
        pl.col("pppasi_tenths").gather(observed_row).alias("pppasi_visit_tenths"),
        pl.col("pga").gather(observed_row).alias("pga_visit"),
        pl.lit(observed_row.is_not_null().alias("observed")),
    )


def responses_table(
    pppasi: pl.DataFrame, baseline_visit: str, missing_rule: str, *, fast_paths: bool
) -> pl.DataFrame:
    """response.classify_responses on a loaded table; its grid by position where fast_paths
    allows and the rows prove it possible."""
    check_missing_rule(missing_rule)  # before the grid's work, not after
    grid = grid_by_position(pppasi, baseline_visit) if fast_paths else None
    if grid is None:
        grid = patient_visit_grid(pppasi.lazy(), baseline_visit)
    return classify_grid(grid, missing_rule).collect()
