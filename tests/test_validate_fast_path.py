"""The fast acceptance of a valid cohort (fast_paths.validation.proven_valid) never accepts
what the full checks reject, and gives the same typed tables as the full checks when it
accepts. The full checks alone are validate_cohort(files, fast_paths=False)."""

from pathlib import Path

import polars as pl
import pytest

from pppflow import schemas
from pppflow.fast_paths.validation import SCORE_COLUMNS, proven_valid
from pppflow.io import read_cohort_table
from pppflow.synth import SynthSpec, generate_cohort
from pppflow.validate import CohortFiles, CohortInvalid, validate_cohort

SPEC = SynthSpec(n_patients=40, seed=3, dropout_share=0.1)
PATIENTS_CSV = "patient_id,sex,age_years,dose_mg\np1,F,40,15\np2,M,51,30\n"
VISITS_CSV = (
    "patient_id,visit,week,pppasi,pga\n"
    "p1,baseline,0,,3\np1,week12,12,,1\n"
    "p2,baseline,0,,2\np2,week12,12,,0\n"
)
HEADER = "patient_id,visit,region,erythema,pustules,desquamation,area\n"
REGIONS = ("right_palm", "left_palm", "right_sole", "left_sole")
# Component files as a CSV (text scores) or as parquet with integer scores of either width.
FORMATS = ("csv", "Int8", "Int64")


def block(patient: str, visit: str, scores: str = "1,2,1,3", regions=REGIONS) -> str:
    return "".join(f"{patient},{visit},{region},{scores}\n" for region in regions)


GOOD_COMPONENTS = HEADER + "".join(
    block(p, v) for p in ("p1", "p2") for v in ("baseline", "week12")
)


def write_components(tmp_path: Path, components: str, fmt: str) -> Path:
    """The components text as it stands (csv), or as parquet: each score column the CSV reader
    types as an integer stored as `fmt`, any other (a 1.0, an empty column) as it was read."""
    if fmt == "csv":
        path = tmp_path / "components.csv"
        path.write_text(components)
        return path
    path = tmp_path / "components.parquet"
    frame = pl.read_csv(components.encode(), schema_overrides={"region": pl.Utf8})
    integer = [n for n in SCORE_COLUMNS if frame.schema[n].is_integer()]
    frame.with_columns(pl.col(integer).cast(getattr(pl, fmt))).write_parquet(path)
    return path


def write(
    tmp_path: Path,
    components: str,
    visits: str = VISITS_CSV,
    patients=PATIENTS_CSV,
    fmt: str = "csv",
):
    (tmp_path / "patients.csv").write_text(patients)
    (tmp_path / "visits.csv").write_text(visits)
    return CohortFiles(
        patients=str(tmp_path / "patients.csv"),
        visits=str(tmp_path / "visits.csv"),
        components=str(write_components(tmp_path, components, fmt)),
        baseline_visit="baseline",
        endpoint_visit="week12",
        pga_max=4,
    )


def run(files: CohortFiles, fast_paths: bool = True):
    try:
        return validate_cohort(files, fast_paths=fast_paths)
    except CohortInvalid as err:
        return err.failures.sort(pl.all(), nulls_last=False)


def full_checks_only(files: CohortFiles):
    return run(files, fast_paths=False)


def same(a, b) -> bool:
    if isinstance(a, pl.DataFrame) or isinstance(b, pl.DataFrame):
        return isinstance(a, pl.DataFrame) and isinstance(b, pl.DataFrame) and a.equals(b)
    return all(
        getattr(a, name).equals(getattr(b, name)) for name in ("patients", "visits", "components")
    )


def proven(files: CohortFiles) -> bool:
    """proven_valid on the files read as validate_cohort reads them (scores in stored types)."""
    patients = read_cohort_table(files.patients, schemas.PATIENT_COLUMNS)
    visits = read_cohort_table(files.visits, schemas.VISIT_COLUMNS)
    components = read_cohort_table(
        files.components, schemas.COMPONENT_COLUMNS, stored_types=SCORE_COLUMNS
    )
    return proven_valid(patients, visits, components, files.baseline_visit, files.endpoint_visit)


# Each case: components text (and visits text) -> does the full check accept it?
CASES = {
    "valid": (GOOD_COMPONENTS, VISITS_CSV, True),
    # Valid, but not in blocks of four: the unsorted branch must still accept it.
    "valid_split_visit": (
        HEADER
        + block("p1", "baseline", regions=REGIONS[:2])
        + block("p1", "week12")
        + block("p1", "baseline", regions=REGIONS[2:])
        + block("p2", "baseline")
        + block("p2", "week12"),
        VISITS_CSV,
        True,
    ),
    # Blocks of four, but not in the visits' order: keys are joined instead.
    "valid_blocks_in_other_order": (
        HEADER + "".join(block(p, v) for p in ("p2", "p1") for v in ("week12", "baseline")),
        VISITS_CSV,
        True,
    ),
    "valid_leading_zero_score": (
        GOOD_COMPONENTS.replace("p1,baseline,left_palm,1,2,1,3", "p1,baseline,left_palm,01,2,1,3"),
        VISITS_CSV,
        True,
    ),
    "region_twice": (
        HEADER
        + block("p1", "baseline", regions=("right_palm", "right_palm", "right_sole", "left_sole"))
        + block("p1", "week12")
        + block("p2", "baseline")
        + block("p2", "week12"),
        VISITS_CSV,
        False,
    ),
    "region_twice_blocks_in_other_order": (
        HEADER
        + block("p2", "week12")
        + block("p2", "baseline")
        + block("p1", "week12")
        + block("p1", "baseline", regions=("right_palm", "right_palm", "right_sole", "left_sole")),
        VISITS_CSV,
        False,
    ),
    "extra_row": (GOOD_COMPONENTS + block("p2", "week12", regions=REGIONS[:1]), VISITS_CSV, False),
    "region_missing": (
        HEADER
        + block("p1", "baseline", regions=REGIONS[:3])
        + block("p1", "week12")
        + block("p2", "baseline")
        + block("p2", "week12"),
        VISITS_CSV,
        False,
    ),
    # Five rows whose region bits still sum to 15 (1 + 2 + 4 + 4 + 4): the row count tells.
    "region_thrice": (
        HEADER
        + block("p1", "baseline", regions=(*REGIONS[:3], REGIONS[2], REGIONS[2]))
        + block("p1", "week12")
        + block("p2", "baseline")
        + block("p2", "week12"),
        VISITS_CSV,
        False,
    ),
    # Blocks of four, but one visit's block twice: only the keys' uniqueness tells.
    "visit_block_twice": (GOOD_COMPONENTS + block("p1", "baseline"), VISITS_CSV, False),
    "unknown_region": (
        GOOD_COMPONENTS.replace("p2,week12,left_sole", "p2,week12,nose"),
        VISITS_CSV,
        False,
    ),
    "visit_not_in_visits": (GOOD_COMPONENTS + block("p1", "week4"), VISITS_CSV, False),
    "visit_of_other_patient": (
        GOOD_COMPONENTS,
        VISITS_CSV.replace("p2,week12,12,,0\n", "") + "p2,week24,24,3.0,0\n",
        False,
    ),
    "unknown_patient": (GOOD_COMPONENTS + block("p9", "baseline"), VISITS_CSV, False),
    "blank_patient": (GOOD_COMPONENTS + block(" ", "baseline"), VISITS_CSV, False),
    "score_out_of_range": (
        GOOD_COMPONENTS.replace("p2,week12,left_sole,1,2,1,3", "p2,week12,left_sole,1,2,1,7"),
        VISITS_CSV,
        False,
    ),
    "score_not_integer": (
        GOOD_COMPONENTS.replace("p2,week12,left_sole,1,2,1,3", "p2,week12,left_sole,1.5,2,1,3"),
        VISITS_CSV,
        False,
    ),
    "score_empty": (
        GOOD_COMPONENTS.replace("p2,week12,left_sole,1,2,1,3", "p2,week12,left_sole,1,,1,3"),
        VISITS_CSV,
        False,
    ),
    "unscored_visit": (
        HEADER + block("p1", "baseline") + block("p1", "week12") + block("p2", "baseline"),
        VISITS_CSV,
        False,
    ),
    "no_baseline": (
        HEADER + block("p1", "week12") + block("p2", "baseline") + block("p2", "week12"),
        VISITS_CSV.replace("p1,baseline,0,,3\n", ""),
        False,
    ),
    "duplicate_visit": (GOOD_COMPONENTS, VISITS_CSV + "p1,week12,12,2.0,1\n", False),
    "no_endpoint": (
        GOOD_COMPONENTS.replace("week12", "week8"),
        VISITS_CSV.replace("week12", "week8"),
        False,
    ),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", list(CASES))
def test_fast_path_agrees_with_full_checks(name, fmt, tmp_path):
    components, visits, valid = CASES[name]
    files = write(tmp_path, components, visits, fmt=fmt)
    full = full_checks_only(files)
    assert isinstance(full, pl.DataFrame) != valid, "the case is not what its name says"
    if not valid:
        assert not proven(files)
    assert same(run(files), full)


def test_duplicate_patient_without_visits_is_not_proven(tmp_path):
    files = write(tmp_path, GOOD_COMPONENTS, patients=PATIENTS_CSV + "p1,F,40,15\n")
    assert not proven(files)
    assert isinstance(full_checks_only(files), pl.DataFrame)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ["valid", "valid_split_visit", "valid_blocks_in_other_order"])
def test_valid_cohorts_in_any_row_order_take_the_fast_path(name, fmt, tmp_path):
    components, visits, _ = CASES[name]
    assert proven(write(tmp_path, components, visits, fmt=fmt))


# The PPPASI scales, written out here rather than taken from the package's constants.
SCORE_BOUNDS = {"erythema": (0, 4), "pustules": (0, 4), "desquamation": (0, 4), "area": (0, 6)}
LAST_ROW = "p2,week12,left_sole,1,2,1,3"  # data row 16 of GOOD_COMPONENTS


def with_last_score(name: str, value: int | None) -> str:
    scores = dict(zip(SCORE_COLUMNS, LAST_ROW.split(",")[3:], strict=True))
    scores[name] = "" if value is None else str(value)
    return GOOD_COMPONENTS.replace(
        LAST_ROW, ",".join(["p2", "week12", "left_sole", *scores.values()])
    )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SCORE_COLUMNS)
@pytest.mark.parametrize("edge", ["min", "max"])
def test_a_score_at_the_edge_of_its_scale_is_proven(edge, name, fmt, tmp_path):
    low, high = SCORE_BOUNDS[name]
    value = low if edge == "min" else high
    files = write(tmp_path, with_last_score(name, value), fmt=fmt)
    assert proven(files)
    fast = run(files)
    assert same(fast, full_checks_only(files))
    assert fast.components[name].to_list()[-1] == value


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", SCORE_COLUMNS)
@pytest.mark.parametrize("beyond", ["max + 1", "min - 1", "missing"])
def test_a_score_beyond_its_scale_is_refused_and_reported(beyond, name, fmt, tmp_path):
    low, high = SCORE_BOUNDS[name]
    value = {"max + 1": high + 1, "min - 1": low - 1, "missing": None}[beyond]
    files = write(tmp_path, with_last_score(name, value), fmt=fmt)
    if fmt != "csv":
        assert pl.read_parquet(files.components).schema[name] == getattr(pl, fmt)
    assert not proven(files)
    failures = run(files)
    assert same(failures, full_checks_only(files))
    check = "not_nullable" if value is None else f"number_in_range(low={low}, high={high})"
    assert failures.select("file", "row", "patient_id", "column", "check", "value").rows() == [
        (files.components, 16, "p2", name, check, None if value is None else str(value))
    ]


def _write_synthetic(tmp_path: Path, cohort, fmt: str) -> CohortFiles:
    paths = {}
    for role in ("patients", "visits", "components"):
        path = tmp_path / f"{role}.{fmt}"
        frame = getattr(cohort, role)
        frame.write_parquet(path) if fmt == "parquet" else frame.write_csv(path)
        paths[role] = str(path)
    return CohortFiles(**paths, baseline_visit="baseline", endpoint_visit="week12", pga_max=4)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("shuffled", [False, True])
def test_synthetic_cohort_same_tables_on_both_paths(fmt, shuffled, tmp_path):
    cohort = generate_cohort(SPEC)
    if shuffled:
        cohort = type(cohort)(
            cohort.patients,
            cohort.visits,
            cohort.components.sample(fraction=1.0, shuffle=True, seed=5),
        )
    files = _write_synthetic(tmp_path, cohort, fmt)
    assert proven(files)
    fast, full = run(files), full_checks_only(files)
    assert not isinstance(fast, pl.DataFrame)
    assert same(fast, full)
    assert fast.components.schema["erythema"] == pl.Int8
    assert fast.components.height == cohort.components.height
