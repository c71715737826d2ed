"""The synthetic cohort generator: seeded, under the input contract, plausible, and its planted
errors are exactly what the validation reports."""

import importlib.util
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
import yaml

from pppflow import constants as c
from pppflow.synth import (
    PLANTED_KINDS,
    TRIAL_ARMS,
    TRIAL_REGIONS,
    TRIAL_VISITS,
    SynthSpec,
    generate_cohort,
    plant_errors,
)
from pppflow.validate import CohortFiles, CohortInvalid, validate_cohort

ROOT = Path(__file__).resolve().parents[1]
SMALL = SynthSpec(n_patients=300, seed=11)


def load_cli():
    spec = importlib.util.spec_from_file_location("synth_cli", ROOT / "tools" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write(cohort, tmp_path: Path, fmt: str, spec: SynthSpec = SMALL) -> CohortFiles:
    paths = {}
    for role in ("patients", "visits", "components"):
        path = tmp_path / f"{role}.{fmt}"
        frame = getattr(cohort, role)
        frame.write_parquet(path) if fmt == "parquet" else frame.write_csv(path)
        paths[role] = str(path)
    return CohortFiles(
        **paths,
        baseline_visit=spec.visits[0][0],
        endpoint_visit=spec.visits[-1][0],
        pga_max=spec.pga_max,
    )


def test_same_seed_same_cohort_other_seed_other_cohort():
    a, b = generate_cohort(SMALL), generate_cohort(SMALL)
    other = generate_cohort(SynthSpec(n_patients=300, seed=12))
    for role in ("patients", "visits", "components"):
        assert getattr(a, role).equals(getattr(b, role))
    assert not a.components.equals(other.components)


def test_recorded_pppasi_is_the_formula_on_the_components():
    """Recomputed here row by row in plain Python, independently of the generator's numpy."""
    cohort = generate_cohort(SMALL)
    tenths = defaultdict(int)
    for row in cohort.components.iter_rows(named=True):
        severity = row["erythema"] + row["pustules"] + row["desquamation"]
        tenths[(row["patient_id"], row["visit"])] += (
            severity * row["area"] * c.REGION_WEIGHT_TENTHS[row["region"]]
        )
    for row in cohort.visits.iter_rows(named=True):
        assert round(row["pppasi"] * 10) == tenths[(row["patient_id"], row["visit"])]
        # Written as text, a recorded total has at most one decimal.
        assert len(str(row["pppasi"]).split(".")[1]) == 1


def test_shape_of_the_cohort():
    spec = SynthSpec(n_patients=4000, seed=5)
    cohort = generate_cohort(spec)
    labels = [label for label, _ in spec.visits]
    assert cohort.patients["patient_id"].is_unique().all()
    assert set(cohort.patients["sex"].unique()) == set(c.SEXES)
    visits = cohort.visits
    # Everyone has a baseline; dropouts lose later visits only, never a middle one alone.
    assert visits.filter(pl.col("visit") == labels[0]).height == spec.n_patients
    per_patient = visits.group_by("patient_id").agg(pl.col("visit"))
    for seen in per_patient["visit"].to_list():
        assert seen == labels[: len(seen)]
    # Chance to be lost before each follow-up is 4 %: ~4 % miss week4, ~7.8 % miss week12.
    kept = visits.group_by("visit").len().sort("visit")
    share = {r["visit"]: r["len"] / spec.n_patients for r in kept.iter_rows(named=True)}
    assert 0.03 < 1 - share["week4"] < 0.05
    assert 0.065 < 1 - share["week12"] < 0.09
    components = cohort.components
    assert components.height == visits.height * len(c.REGIONS)
    regions = components.group_by("patient_id", "visit").agg(pl.col("region").sort())
    assert regions["region"].to_list() == [sorted(c.REGIONS)] * visits.height
    for item in c.SEVERITY_ITEMS:
        assert components[item].min() >= c.SEVERITY_MIN
        assert components[item].max() == c.SEVERITY_MAX
    assert components["area"].max() == c.AREA_MAX
    assert visits["pga"].drop_nulls().is_between(0, spec.pga_max).all()


def test_distributions_are_plausible():
    spec = SynthSpec(n_patients=20000, seed=2, baseline_clear_share=0.002)
    visits = generate_cohort(spec).visits
    pppasi = {label: visits.filter(pl.col("visit") == label)["pppasi"] for label, _ in spec.visits}
    # Baseline moderate, right-skewed (mean above median); clear improvement by week 12.
    assert 8 < pppasi["baseline"].median() < 25
    assert pppasi["baseline"].mean() > pppasi["baseline"].median()
    assert pppasi["week4"].median() < pppasi["baseline"].median()
    assert pppasi["week12"].median() < 0.5 * pppasi["baseline"].median()
    # Individual variation: some patients worsen by week 12.
    paired = visits.pivot(on="visit", index="patient_id", values="pppasi").drop_nulls()
    worse = (paired["week12"] > paired["baseline"]).mean()
    assert 0.02 < worse < 0.2
    # Baseline 0 is rare but occurs: 0.2 % of 20000 is about 40 (the floor makes few others).
    clear = (pppasi["baseline"] == 0).sum()
    assert 20 <= clear <= 80


def test_treatment_stops_are_seeded_with_a_reason_each_and_within_follow_up():
    cohort = generate_cohort(SynthSpec(n_patients=20000, seed=5))
    again = generate_cohort(SynthSpec(n_patients=20000, seed=5))
    patients = cohort.patients
    assert patients.select("stop_week", "stop_reason").equals(
        again.patients.select("stop_week", "stop_reason")
    )
    stopped = patients.filter(pl.col("stop_week").is_not_null())
    # about 12 % stop, each with a reason, and only they have one
    assert 0.10 < stopped.height / patients.height < 0.14
    assert stopped["stop_reason"].is_not_null().all()
    assert patients.filter(pl.col("stop_week").is_null())["stop_reason"].is_null().all()
    assert set(stopped["stop_reason"]) == set(c.STOP_REASONS)
    last = cohort.visits.group_by("patient_id").agg(pl.col("week").max().alias("last"))
    within = stopped.join(last, on="patient_id")
    assert ((within["stop_week"] >= 0) & (within["stop_week"] <= within["last"])).all()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_generated_cohort_is_valid(fmt, tmp_path):
    cohort = validate_cohort(write(generate_cohort(SMALL), tmp_path, fmt))
    assert cohort.components.height == generate_cohort(SMALL).components.height
    assert cohort.visits["pppasi_tenths"].null_count() == 0


def test_components_only_cohort_is_valid(tmp_path):
    spec = SynthSpec(n_patients=50, seed=1, record_pppasi=False)
    cohort = validate_cohort(write(generate_cohort(spec), tmp_path, "csv", spec))
    assert cohort.visits["pppasi_tenths"].null_count() == cohort.visits.height


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_validation_reports_exactly_the_planted_errors(fmt, tmp_path):
    broken, expected = plant_errors(generate_cohort(SMALL), SMALL, seed=4)
    files = write(broken, tmp_path, fmt)
    with pytest.raises(CohortInvalid) as err:
        validate_cohort(files)
    role = {path: name for name, path in vars(files).items() if name in expected["file"]}
    got = err.value.failures.with_columns(pl.col("file").replace_strict(role))
    order = ["file", "row", "column", "check"]
    assert got.sort(order, nulls_last=False).equals(expected.sort(order, nulls_last=False))
    # One of every kind, each on its own patient (the duplicate is reported on both rows).
    assert expected.height == len(PLANTED_KINDS) + 1
    assert expected["patient_id"].n_unique() == len(PLANTED_KINDS)


def test_planted_errors_have_their_exact_values():
    broken, expected = plant_errors(generate_cohort(SMALL), SMALL, seed=4)
    by_check = {r["check"]: r for r in expected.iter_rows(named=True)}
    pga = by_check["is_integer"]
    assert broken.visits.row(pga["row"] - 1, named=True)["pga"] == "2.5"
    score = by_check[f"number_in_range(low=0, high={c.SEVERITY_MAX})"]
    row = broken.components.row(score["row"] - 1, named=True)
    assert (row["patient_id"], row["erythema"]) == (score["patient_id"], c.SEVERITY_MAX + 1)
    lacking = by_check["all_regions_present"]
    group = broken.components.filter(
        (pl.col("patient_id") == lacking["patient_id"]) & (pl.col("visit") == "week4")
    )
    assert sorted(group["region"]) == sorted(set(c.REGIONS) - {"right_sole"})
    assert lacking["value"] == "visit week4 lacks right_sole"


def test_cli_writes_cohort_config_and_expected_failures(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "cohort"
    cli = load_cli()
    assert cli.main(["--patients", "60", "--out", str(out), "--plant-errors"]) == 0
    config = yaml.safe_load((out / "config.yaml").read_text())
    (entry,) = config["cohorts"].values()
    assert entry["components"] == str(out / "components.csv")  # CSV below 100k patients
    assert list(config["cohorts"]) == ["synth_n60"]
    base = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    assert {k: v for k, v in config.items() if k != "cohorts"} == {
        k: v for k, v in base.items() if k != "cohorts"
    }
    from snakemake.utils import validate as validate_config

    validate_config(config, str(ROOT / "config/schema.yaml"))
    expected = pl.read_csv(out / "expected_failures.csv")
    assert expected.height == len(PLANTED_KINDS) + 1
    files = CohortFiles(
        **{k: entry[k] for k in ("patients", "visits", "components")},
        baseline_visit=entry["baseline_visit"],
        endpoint_visit=entry["endpoint_visit"],
        pga_max=entry["pga_max"],
    )
    with pytest.raises(CohortInvalid) as err:
        validate_cohort(files)
    assert err.value.failures.height == expected.height


def test_cli_parquet_and_never_into_resources(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    cli = load_cli()
    out = tmp_path / "p"
    assert cli.main(["--patients", "30", "--out", str(out), "--format", "parquet"]) == 0
    assert pl.read_parquet(out / "components.parquet").height == pl.read_parquet(
        out / "visits.parquet"
    ).height * len(c.REGIONS)
    with pytest.raises(SystemExit):
        cli.main(["--patients", "30", "--out", str(ROOT / "resources" / "synth")])
    assert not (ROOT / "resources" / "synth").exists()


def test_synthetic_parquet_cohort_runs_end_to_end(tmp_path, monkeypatch):
    """`make synth`'s two steps on a copy of the workflow: parquet input, only this cohort."""
    from workflow import copy_workflow, snakemake

    wf = copy_workflow(tmp_path)
    monkeypatch.chdir(wf)
    cli = load_cli()
    out = Path("results/synth/n150")
    assert (
        cli.main(["--patients", "150", "--seed", "3", "--format", "parquet", "--out", str(out)])
        == 0
    )
    snakemake(wf, "--configfile", str(out / "config.yaml"), "--replace-workflow-config")
    results = wf / "results" / "synth_n150"
    assert not (wf / "results" / "zheng2024").exists()
    check = pl.read_csv(results / "pppasi_check.csv")
    assert check.height == pl.read_parquet(out / "visits.parquet").height
    assert check["agrees"].all()
    rates = pl.read_csv(results / "response_rates.csv")
    # six PPPASI/PGA endpoints and the three declared responders, at week4 and week12
    assert rates.height == (6 + 3) * 2
    assert {"dlqi:0/1", "dlqi:improvement >= 4", "itch:improvement >= 4"} <= set(rates["endpoint"])
    assert set(rates["visit"]) == {"week4", "week12"}
    events = pl.read_parquet(out / "events.parquet")
    safety = pl.read_csv(results / "safety.csv")
    assert safety.row(0, named=True)["events"] == events.height


def test_planted_errors_stop_the_workflow_with_exactly_those_failures(tmp_path, monkeypatch):
    from workflow import copy_workflow, snakemake

    wf = copy_workflow(tmp_path)
    monkeypatch.chdir(wf)
    out = Path("results/synth/n80")
    assert load_cli().main(["--patients", "80", "--out", str(out), "--plant-errors"]) == 0
    proc = snakemake(
        wf, "--configfile", str(out / "config.yaml"), "--replace-workflow-config", check=False
    )
    assert proc.returncode != 0
    expected = pl.read_csv(out / "expected_failures.csv", schema_overrides={"row": pl.Int64})
    assert f"{expected.height} validation failure(s)" in proc.stderr
    for f in expected.iter_rows(named=True):
        row = "-" if f["row"] is None else str(f["row"])
        line = (
            f"{f['file']} | row {row} | patient_id {f['patient_id']} | column {f['column']} | "
            f"check {f['check']} | value {f['value']!r}"
        )
        assert line in proc.stderr
    assert not any((wf / "results" / "synth_n80").rglob("*.parquet"))


def test_two_arm_trial_has_its_known_effect_strata_and_switch():
    """`--arms 2`: 1:1 within every region, visits to week 20, and at week 16 (patients seen)
    PPPASI 75 in about 42 % of the active arm and 8 % of the placebo arm, PPPASI 50 in about
    66 % and 29 %; after the switch (week 20) the placebo arm catches up."""
    spec = SynthSpec(n_patients=20000, seed=4, visits=TRIAL_VISITS, arms=2)
    cohort = generate_cohort(spec)
    per_stratum = cohort.patients.group_by("region", "arm").len()
    for region in TRIAL_REGIONS:
        counts = per_stratum.filter(pl.col("region") == region)["len"].to_list()
        assert len(counts) == 2 and abs(counts[0] - counts[1]) <= 1
    visits = cohort.visits.join(cohort.patients.select("patient_id", "arm"), on="patient_id")
    baseline = visits.filter(pl.col("visit") == "baseline").select(
        "patient_id", pl.col("pppasi").alias("b")
    )
    judged = visits.join(baseline, on="patient_id").filter(pl.col("b") > 0)

    def rate(threshold: int, visit: str, arm: str) -> float:
        at = judged.filter((pl.col("visit") == visit) & (pl.col("arm") == arm))
        return at.select(
            (100 * (pl.col("b") - pl.col("pppasi")) >= threshold * pl.col("b")).mean()
        ).item()

    assert 0.38 < rate(75, "week16", "active") < 0.46
    assert 0.05 < rate(75, "week16", "placebo") < 0.11
    assert 0.61 < rate(50, "week16", "active") < 0.71
    assert 0.24 < rate(50, "week16", "placebo") < 0.34
    assert rate(75, "week20", "placebo") > rate(75, "week16", "placebo") + 0.03
    # Dropouts: fewer patients at each later visit.
    seen = cohort.visits.group_by("visit").len()
    by_visit = dict(zip(seen["visit"], seen["len"], strict=True))
    assert by_visit["baseline"] > by_visit["week8"] > by_visit["week16"] > by_visit["week20"]


def test_cli_two_arm_config_declares_arms_and_validates(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "t"
    assert load_cli().main(["--patients", "60", "--arms", "2", "--out", str(out)]) == 0
    config = yaml.safe_load((out / "config.yaml").read_text())
    (entry,) = config["cohorts"].values()
    assert entry["arms"] == {"column": "arm", "reference": "placebo", "levels": list(TRIAL_ARMS)}
    assert entry["strata"] == ["region"]
    assert (entry["switch_visit"], entry["endpoint_visit"]) == ("week16", "week16")
    files = CohortFiles(
        patients=entry["patients"],
        visits=entry["visits"],
        components=entry["components"],
        baseline_visit=entry["baseline_visit"],
        endpoint_visit=entry["endpoint_visit"],
        pga_max=entry["pga_max"],
        arms=entry["arms"],
        strata=tuple(entry["strata"]),
        switch_visit=entry["switch_visit"],
    )
    validated = validate_cohort(files)
    assert set(validated.patients["arm"]) == set(TRIAL_ARMS)
