"""End to end through validate -> pppasi -> response, on a copy of the workflow.

The demo cohort (tests/cohorts/components_demo, see its README.md) is run as given (missing:
observed) and as a second cohort over the same files with missing: nri; the default cohort
(zheng2024, totals only) runs in the same Snakemake call. Every expected value below is worked
out by hand in the comments, from the CSV files, not taken from the code's output.
"""

import csv
import shutil
from pathlib import Path

import pytest
import yaml
from workflow import ROOT, copy_workflow, snakemake

DEMO = Path("tests/cohorts/components_demo")
STAGE_FILES = ("pppasi_check.csv", "per_patient.csv", "response_rates.csv")


def copy_with_demo(dest: Path, **overrides) -> Path:
    wf = copy_workflow(dest)
    # Newer copy_workflow copies tests/cohorts itself; older ones do not.
    shutil.copytree(ROOT / DEMO, wf / DEMO, dirs_exist_ok=True)
    config = yaml.safe_load((wf / DEMO / "config.yaml").read_text())
    demo = config["cohorts"]["components_demo"]
    demo.update(overrides)
    config["cohorts"]["components_demo_nri"] = {**demo, "missing": "nri"}
    (wf / "demo.yaml").write_text(yaml.safe_dump(config))
    return wf


def targets(*cohorts: str) -> list[str]:
    return [f"results/{cohort}/{name}" for cohort in cohorts for name in STAGE_FILES]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory) -> Path:
    wf = copy_with_demo(tmp_path_factory.mktemp("demo"))
    # Targets before --configfile, which takes every following argument as a file.
    cohorts = ("components_demo", "components_demo_nri", "zheng2024")
    snakemake(wf, *targets(*cohorts), "--configfile", "demo.yaml")
    return wf


def by_patient(rows: list[dict]) -> dict[str, dict]:
    return {r["patient_id"]: r for r in rows}


def rates_of(wf: Path, cohort: str) -> dict[tuple[str, str], dict]:
    rows = read_csv(wf / f"results/{cohort}/response_rates.csv")
    return {(r["endpoint"], r["visit"]): r for r in rows}


def counts(row: dict) -> tuple[int, int, int, int]:
    return tuple(int(row[k]) for k in ("responders", "evaluable", "not_evaluable", "missing"))


def test_recorded_totals_checked_against_components(demo_run):
    check = {
        (r["patient_id"], r["visit"]): r
        for r in read_csv(demo_run / "results/components_demo/pppasi_check.csv")
    }
    # p02 baseline: right palm (4+3+3) x 3 x 0.2 = 6.0, right sole (2+2+1) x 4 x 0.3 = 6.0,
    # total 12.0; the visits file records 11.0.
    p02 = check[("p02", "baseline")]
    assert (p02["pppasi_recorded"], p02["pppasi_recomputed"], p02["agrees"]) == (
        "11.0",
        "12.0",
        "false",
    )
    # p01 baseline: right palm (3+2+2) x 2 x 0.2 = 2.8, as recorded.
    p01 = check[("p01", "baseline")]
    assert (p01["pppasi_recorded"], p01["pppasi_recomputed"], p01["agrees"]) == (
        "2.8",
        "2.8",
        "true",
    )
    # p06 baseline has components only: right sole 10 x 4 x 0.3 = 12.0, left sole at the top of
    # every scale 12 x 6 x 0.3 = 21.6; 33.6 in all.
    assert check[("p06", "baseline")]["pppasi_recomputed"] == "33.6"
    assert check[("p06", "baseline")]["pppasi_recorded"] == ""
    # p07 week4 has a recorded 0.1 and no components: 0.2 X + 0.3 Y = 0.1 has no solution.
    p07 = check[("p07", "week4")]
    assert (p07["pppasi_recomputed"], p07["attainable"]) == ("", "false")
    disagreeing = [k for k, r in check.items() if r["agrees"] == "false"]
    assert disagreeing == [("p02", "baseline")]
    assert len(check) == 20  # every row of visits.csv

    log = (demo_run / "logs/pppasi/components_demo.log").read_text()
    warnings = [line for line in log.splitlines() if line.startswith("WARNING")]
    assert len(warnings) == 2
    assert "patient p02 visit baseline: recorded PPPASI 11.0 disagrees" in warnings[0]
    assert "patient p07 visit week4: recorded PPPASI 0.1 is not attainable" in warnings[1]


def test_per_patient_at_the_endpoint(demo_run):
    table = by_patient(read_csv(demo_run / "results/components_demo/per_patient.csv"))
    assert list(table) == ["p01", "p02", "p03", "p04", "p05", "p06", "p07"]

    def responses(pid):
        r = table[pid]
        return [r[k] for k in ("pppasi50", "pppasi75", "pppasi90", "pppasi100")]

    def pga(pid):
        r = table[pid]
        keys = ("pga_baseline", "pga_endpoint", "pga_clear_or_almost_clear")
        return [r[k] for k in (*keys, "pga_improved_2_grades")]

    # p01: 2.8 -> week12 right palm (1+1) x 1 x 0.2 + right sole 1 x 1 x 0.3 = 0.7:
    # 100 x 2.1 = 210 >= 75 x 2.8 = 210, exactly PPPASI 75; 210 < 90 x 2.8 = 252.
    assert (table["p01"]["pppasi_baseline"], table["p01"]["pppasi_endpoint"]) == ("2.8", "0.7")
    assert table["p01"]["improvement_pct"] == "75.0"
    assert responses("p01") == ["true", "true", "false", "false"]
    assert pga("p01") == ["2", "1", "true", "false"]  # 2 -> 1: clear-ish, 1 grade only
    # p02: the recomputed 12.0 is used, not the recorded 11.0. week12 left palm 6 x 1 x 0.2 =
    # 1.2: 100 x 10.8 = 1080 >= 90 x 12 = 1080, exactly PPPASI 90. (With 11.0 it would be
    # 98/110 = 89.1 %, no PPPASI 90.)
    assert (table["p02"]["pppasi_baseline"], table["p02"]["improvement_pct"]) == ("12.0", "90.0")
    assert responses("p02") == ["true", "true", "true", "false"]
    assert pga("p02") == ["4", "1", "true", "true"]
    # p03: every score 0 at baseline: no defined improvement, PPPASI responses empty.
    assert table["p03"]["status"] == "baseline_zero"
    assert responses("p03") == ["", "", "", ""]
    assert pga("p03") == ["1", "0", "true", "false"]
    # p04: no week12 visit (dropout): left out under the observed rule.
    assert table["p04"]["status"] == "missing"
    assert (table["p04"]["pppasi_baseline"], table["p04"]["pppasi_endpoint"]) == ("10.0", "")
    assert responses("p04") == ["", "", "", ""]
    assert pga("p04") == ["3", "", "", ""]
    # p05: 6.0 -> 9.0 (right sole 10 x 3 x 0.3), worse by half.
    assert table["p05"]["improvement_pct"] == "-50.0"
    assert responses("p05") == ["false"] * 4
    assert pga("p05") == ["2", "3", "false", "false"]
    # p06: 33.6 -> 0.0: every response.
    assert responses("p06") == ["true"] * 4
    assert pga("p06") == ["4", "0", "true", "true"]
    # p07: 2.8 -> right palm (2+2) x 1 x 0.2 = 0.8: 20/28 = 71.43 %, PPPASI 50 only; no PGA.
    assert table["p07"]["improvement_pct"] == "71.43"
    assert responses("p07") == ["true", "false", "false", "false"]
    assert pga("p07") == ["3", "", "", ""]


def test_response_rates_observed_case(demo_run):
    rates = rates_of(demo_run, "components_demo")
    assert len(rates) == 12  # 6 endpoints x 2 follow-up visits (week4, week12)
    # week12: judged p01, p02, p05, p06, p07 (5); p03 not evaluable; p04 missing.
    # PPPASI50: p01 p02 p06 p07; 75: p01 p02 p06; 90: p02 p06; 100: p06.
    assert counts(rates[("PPPASI50", "week12")]) == (4, 5, 1, 1)
    assert counts(rates[("PPPASI75", "week12")]) == (3, 5, 1, 1)
    assert counts(rates[("PPPASI90", "week12")]) == (2, 5, 1, 1)
    assert counts(rates[("PPPASI100", "week12")]) == (1, 5, 1, 1)
    # PGA at week12: grades p01 1, p02 1, p03 0, p05 3, p06 0; p07 not graded; p04 missing.
    assert counts(rates[("PGA0/1", "week12")]) == (4, 5, 1, 1)
    # >= 2 grades better: p02 (4 -> 1), p06 (4 -> 0).
    assert counts(rates[("PGA≥2", "week12")]) == (2, 5, 1, 1)
    # week12 of p05 is at week 13: the visit's week is the median, 12.
    assert rates[("PPPASI50", "week12")]["week"] == "12.0"
    # week4, all 7 seen, p03 not evaluable. Improvements: p01 2.8 -> 1.4 (50 %), p02
    # 12.0 -> 6.0 (50 %), p04 10.0 -> 5.0 (50 %), p05 6.0 -> 6.0 (0 %), p06 33.6 -> 7.2
    # (26.4/33.6 = 78.6 %), p07 2.8 -> 0.1 (recorded, no components; 96.4 %).
    assert counts(rates[("PPPASI50", "week4")]) == (5, 6, 1, 0)
    assert counts(rates[("PPPASI75", "week4")]) == (2, 6, 1, 0)
    assert counts(rates[("PPPASI90", "week4")]) == (1, 6, 1, 0)
    assert counts(rates[("PPPASI100", "week4")]) == (0, 6, 1, 0)
    # PGA at week4: only p03 is at 1 or below; only p06 improved by 2 (4 -> 2).
    assert counts(rates[("PGA0/1", "week4")]) == (1, 7, 0, 0)
    assert counts(rates[("PGA≥2", "week4")]) == (1, 7, 0, 0)

    # Rates are counts over counts; intervals by hand for the closed-form cases:
    # 1/5: low = 1 - 0.975^(1/5) = 0.005051; 4/5: high = 0.975^(1/5) = 0.994949;
    # 0/6: high = 1 - 0.025^(1/6) = 0.459258.
    p100 = rates[("PPPASI100", "week12")]
    assert (p100["rate"], p100["ci_low"]) == ("0.2", "0.005051")
    assert rates[("PPPASI50", "week12")]["ci_high"] == "0.994949"
    none = rates[("PPPASI100", "week4")]
    assert (none["rate"], none["ci_low"], none["ci_high"]) == ("0.0", "0.0", "0.459258")
    assert {r["missing_rule"] for r in rates.values()} == {"observed"}


def test_response_rates_non_responder_imputation(demo_run):
    rates = rates_of(demo_run, "components_demo_nri")
    # p04 (no week12) now counts as a non-responder: evaluable 6, responders unchanged.
    assert counts(rates[("PPPASI50", "week12")]) == (4, 6, 1, 1)
    assert counts(rates[("PPPASI90", "week12")]) == (2, 6, 1, 1)
    assert counts(rates[("PGA0/1", "week12")]) == (4, 6, 1, 1)
    assert counts(rates[("PGA≥2", "week12")]) == (2, 6, 1, 1)
    assert rates[("PPPASI90", "week12")]["rate"] == str(2 / 6)
    # week4 has no missing patient: the same as under the observed rule.
    assert counts(rates[("PPPASI50", "week4")]) == (5, 6, 1, 0)
    table = by_patient(read_csv(demo_run / "results/components_demo_nri/per_patient.csv"))
    assert [table["p04"][f"pppasi{x}"] for x in (50, 75, 90, 100)] == ["false"] * 4
    assert table["p03"]["pppasi50"] == ""  # baseline 0 stays not evaluable


def test_default_cohort_by_hand(demo_run):
    # Week-12 improvement from resources/zheng2024/visits.csv, baseline -> week12:
    #  1 10.8->0 100 | 2 6.2->0 100 | 3 48.6->3.8 92.2 | 4 6.4->0 100 | 5 5.4->0 100
    #  6 22.2->1.1 95.0 | 7 11.2->0 100 | 8 11->0 100 | 9 10.8->1.2 88.9 | 10 8.8->1.1 87.5
    # 11 12->2 83.3 | 12 6.2->0 100 | 13 24->2.2 90.8 | 14 8.4->1.2 85.7 | 15 24->2.6 89.2
    # 16 32->5.2 83.75 | 17 25.8->1.2 95.3 | 18 21->0 100 | 19 27->1.2 95.6 | 20 32->2.6 91.9
    # PPPASI100: 1 2 4 5 7 8 12 18 = 8; PPPASI90 adds 3 6 13 17 19 20 = 14; the lowest is
    # 83.3 %, so all 20 reach PPPASI 50 and 75. (The letter reports 50 % and 20 %.)
    rates = rates_of(demo_run, "zheng2024")
    assert counts(rates[("PPPASI50", "week12")]) == (20, 20, 0, 0)
    assert counts(rates[("PPPASI75", "week12")]) == (20, 20, 0, 0)
    assert counts(rates[("PPPASI90", "week12")]) == (14, 20, 0, 0)
    assert counts(rates[("PPPASI100", "week12")]) == (8, 20, 0, 0)
    assert (rates[("PPPASI90", "week12")]["rate"], rates[("PPPASI100", "week12")]["rate"]) == (
        "0.7",
        "0.4",
    )
    # PGA at week 12: 2 (patients 15, 16) are at grade 2, the rest at 0 or 1: 18 clear-ish.
    # Only patient 11 (2 -> 1) improved by fewer than 2 grades: 19.
    assert counts(rates[("PGA0/1", "week12")]) == (18, 20, 0, 0)
    assert counts(rates[("PGA≥2", "week12")]) == (19, 20, 0, 0)
    # 20/20: low = 0.025^(1/20) = 0.831567 (closed form).
    assert rates[("PPPASI50", "week12")]["ci_low"] == "0.831567"

    table = by_patient(read_csv(demo_run / "results/zheng2024/per_patient.csv"))
    # 9: 10.8 -> 1.2 is 96/108 = 88.89 %: PPPASI 75, not 90. 13: 24 -> 2.2 is 90.83 %.
    assert (table["9"]["improvement_pct"], table["9"]["pppasi90"]) == ("88.89", "false")
    assert (table["13"]["improvement_pct"], table["13"]["pppasi90"]) == ("90.83", "true")

    # Totals only: nothing recomputed, and every total attainable. The letter's totals lie in
    # 0.0..48.6 and none is 0.1, the only unattainable total below 61.9 (see
    # test_pppasi.test_attainable_totals_on_the_real_scales for the brute force).
    check = read_csv(demo_run / "results/zheng2024/pppasi_check.csv")
    assert len(check) == 40
    assert {r["pppasi_recomputed"] for r in check} == {""}
    assert {r["attainable"] for r in check} == {"true"}
    assert "WARNING" not in (demo_run / "logs/pppasi/zheng2024.log").read_text()


def test_disagreement_as_error_stops_with_every_patient_and_visit(tmp_path):
    wf = copy_with_demo(tmp_path, pppasi_disagreement="error")
    proc = snakemake(
        wf, "results/components_demo/response_rates.csv", "--configfile", "demo.yaml", check=False
    )
    assert proc.returncode != 0
    assert "2 recorded PPPASI total(s) contradict the formula:" in proc.stderr
    assert "patient p02 visit baseline: recorded PPPASI 11.0 disagrees" in proc.stderr
    assert "patient p07 visit week4: recorded PPPASI 0.1 is not attainable" in proc.stderr
    assert "Traceback" not in proc.stderr
    results = wf / "results/components_demo"
    assert not (results / "pppasi.parquet").exists()
    assert not (results / "pppasi_check.csv").exists()
    assert not (results / "response_rates.csv").exists()
    log = (wf / "logs/pppasi/components_demo.log").read_text()
    assert "patient p02 visit baseline" in log and "patient p07 visit week4" in log
