"""The pandas reference of the recomputation and classification stages gives the polars
stages' tables exactly, on synthetic cohorts with every case the stages handle: dropouts,
baseline 0, missing PGA, disagreeing and components-only totals, a visits-only cohort, and
both missing-data rules."""

from pathlib import Path

import pandas as pd
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bench.compare_engines import run_polars_stages
from bench.pandas_reference import attainable_totals_tenths, run_stages
from pppflow.synth import SynthSpec, generate_cohort
from pppflow.validate import CohortFiles, validate_cohort

TABLES = ("pppasi", "pppasi_check", "responses", "per_patient", "response_rates")


def validated(tmp_path: Path, spec: SynthSpec, *, components: bool = True, disagree: int = 0):
    cohort = generate_cohort(spec)
    visits = cohort.visits
    if disagree:
        # A few recorded totals off by a tenth: the check must say they disagree.
        visits = visits.with_columns(
            pl.when(pl.int_range(pl.len()) % (visits.height // disagree) == 1)
            .then(pl.col("pppasi") + 0.1)
            .otherwise(pl.col("pppasi"))
            .round(1)
            .alias("pppasi")
        )
    paths = {}
    for role, frame in (("patients", cohort.patients), ("visits", visits)):
        paths[role] = tmp_path / f"{role}.parquet"
        frame.write_parquet(paths[role])
    if components:
        paths["components"] = tmp_path / "components.parquet"
        cohort.components.write_parquet(paths["components"])
    files = CohortFiles(
        patients=str(paths["patients"]),
        visits=str(paths["visits"]),
        components=str(paths["components"]) if components else None,
        baseline_visit="baseline",
        endpoint_visit="week12",
        pga_max=spec.pga_max,
    )
    result = validate_cohort(files)
    out = tmp_path / "validated"
    out.mkdir()
    result.visits.write_parquet(out / "visits.parquet")
    result.components.write_parquet(out / "components.parquet")
    return out


def both(out: Path, missing: str):
    args = (
        str(out / "visits.parquet"),
        str(out / "components.parquet"),
        "baseline",
        "week12",
        missing,
        0.95,
    )
    return run_polars_stages(*args), run_stages(*args)


def as_polars(frame: pd.DataFrame) -> pl.DataFrame:
    return pl.from_pandas(frame, nan_to_null=True)


def assert_same(polars_tables: dict, pandas_tables: dict) -> None:
    for name in TABLES:
        expected = polars_tables[name]
        got = as_polars(pandas_tables[name])
        assert got.columns == expected.columns, name
        assert_frame_equal(got, expected, check_dtypes=False, check_exact=True)


SPEC = SynthSpec(n_patients=400, seed=8, dropout_share=0.15, baseline_clear_share=0.03)


@pytest.mark.parametrize("missing", ["observed", "nri"])
def test_reference_equals_polars_stages(tmp_path, missing):
    polars_tables, pandas_tables = both(validated(tmp_path, SPEC, disagree=10), missing)
    assert_same(polars_tables, pandas_tables)
    # The cohort has what the stages must handle, so the comparison covers it.
    responses = polars_tables["responses"]
    assert set(responses["status"]) == {"observed", "missing", "baseline_zero"}
    assert polars_tables["pppasi_check"]["agrees"].value_counts().height == 2
    assert responses["pga_visit"].null_count() > responses["observed"].not_().sum()


def test_reference_equals_polars_without_recorded_totals(tmp_path):
    spec = SynthSpec(n_patients=200, seed=9, record_pppasi=False)
    assert_same(*both(validated(tmp_path, spec), "nri"))


def test_reference_equals_polars_without_components(tmp_path):
    polars_tables, pandas_tables = both(validated(tmp_path, SPEC, components=False), "observed")
    pppasi = polars_tables["pppasi"]
    assert pppasi["pppasi_recomputed_tenths"].null_count() == pppasi.height
    assert_same(polars_tables, pandas_tables)


def test_attainable_totals_by_hand():
    totals = attainable_totals_tenths()
    # 0, the maximum 72.0, and 0.2 (1 x 1 x 0.2 on a palm) are attainable; 0.1 is not (the
    # smallest weight is 0.2), nor 71.9 (the maximum less a tenth).
    assert {0, 2, 3, 720} <= totals
    assert not {1, 719} & totals
    assert max(totals) == 720
