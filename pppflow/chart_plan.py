"""Which charts a cohort gets. Apart from pppflow.charts so that the plan step, which the DAG
waits on, does not import altair."""

from collections.abc import Sequence

import polars as pl


def planned_charts(
    pppasi: pl.DataFrame, always: Sequence[str], over_time: Sequence[str]
) -> list[str]:
    """The charts a cohort gets: ``always``, plus ``over_time`` where it has more than two
    visit labels (with only baseline and endpoint, the paired chart already shows it all)."""
    visits = pppasi.get_column("visit").n_unique()
    return [*always, *over_time] if visits > 2 else list(always)
