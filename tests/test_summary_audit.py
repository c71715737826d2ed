"""Cohorts without patient data: the claims' summary keys are checked, each kind is audited from
its printed numbers, a draft is refused, and the workflow runs such a cohort end to end."""

from fractions import Fraction
from pathlib import Path

import jsonschema
import polars as pl
import pytest
import yaml
from workflow import copy_workflow, snakemake

from pppflow.audit import AUDIT_SCHEMA, audit_summary_claims
from pppflow.claims import ClaimsInvalid, parse_claims, read_summary_claims_file
from pppflow.summary_audit import check_summary_claim

ROOT = Path(__file__).resolve().parents[1]
SUMMARY_CLAIMS = ROOT / "tests/cohorts/zheng2024_summary/claims.yaml"
PAPER = ROOT.parent / "shared/paper/zheng2024-upadacitinib-ppp.txt"
ALPHA = Fraction(1, 20)

SMALL = """
cohort: demo
source: constructed
claims:
  - id: dlqi_mean
    quote: "DLQI 3.49"
    reported: "3.49"
    kind: mean
    refers_to: {variable: dlqi, visit: baseline, n: 25, scale: {min: 0, max: 30, step: 1}}
  - id: dlqi_sd
    quote: "SD 2.12"
    reported: "2.12"
    kind: sd
    refers_to: {variable: dlqi, visit: baseline, mean_claim: dlqi_mean}
  - id: before_mean
    quote: "5.0 ± 4.0"
    reported: "5.0"
    kind: mean
    refers_to: {variable: score, visit: baseline, n: 5, scale: {min: 0, max: 10, step: 0.1}}
  - id: before_sd
    quote: "5.0 ± 4.0"
    reported: "4.0"
    kind: sd
    refers_to: {variable: score, visit: baseline, mean_claim: before_mean}
  - id: after_mean
    quote: "4.5 ± 0.5"
    reported: "4.5"
    kind: mean
    refers_to: {variable: score, visit: week12, n: 5, scale: {min: 0, max: 10, step: 0.1}}
  - id: after_sd
    quote: "4.5 ± 0.5"
    reported: "0.5"
    kind: sd
    refers_to: {variable: score, visit: week12, mean_claim: after_mean}
  - id: improved
    quote: "improved (P < 0.05)"
    reported: "P < 0.05"
    kind: p_from_summaries
    refers_to: {sd_claims: [before_sd, after_sd], tests: [paired_t, independent_t]}
  - id: rate
    quote: "7 (50%)"
    reported: "50%"
    kind: percentage
    refers_to: {n: 20, count: 14}
  - id: t_stat
    quote: "t(19) = 2.31, P = 0.06"
    reported: "P = 0.06"
    kind: statistic
    refers_to: {test: t, statistic: "2.31", df: [19]}
  - id: mean_ci
    quote: "95% CI 7.5 to 12.5"
    reported: "7.5 to 12.5"
    kind: confidence_interval
    refers_to: {of: mean, sd_claim: ten_sd}
  - id: ten_mean
    quote: "10.0 ± 2.0"
    reported: "10.0"
    kind: mean
    refers_to: {variable: x, n: 5, scale: {min: 0, max: 20, step: 0.1}}
  - id: ten_sd
    quote: "10.0 ± 2.0"
    reported: "2.0"
    kind: sd
    refers_to: {variable: x, mean_claim: ten_mean}
  - id: count_only
    quote: "6 males"
    reported: "6"
    kind: count
    refers_to: {}
"""


@pytest.fixture(scope="module")
def small():
    return read_summary_claims_file(SMALL.encode(), "small")


def verdicts(claims) -> dict[str, tuple[str, bool]]:
    audit = audit_summary_claims(claims, 0.05)
    assert audit.schema == pl.Schema(AUDIT_SCHEMA)
    return {r["claim_id"]: (r["verdict"], r["decisive"]) for r in audit.iter_rows(named=True)}


def test_each_summary_kind_gets_its_verdict(small):
    assert verdicts(small) == {
        "dlqi_mean": ("mismatch", True),  # 3.49 x 25 = 87.25: no integer total
        "dlqi_sd": ("mismatch", True),  # its mean is impossible, so is every SD with it
        "before_mean": ("match", False),
        "before_sd": ("match", False),
        "after_mean": ("match", False),
        "after_sd": ("match", False),
        "improved": ("mismatch", True),  # paired P >= 0.71 for every correlation
        "rate": ("mismatch", True),  # 14/20 is 70%, 4 patients from 50%
        "t_stat": ("mismatch", True),  # P of t(19) = 2.31 is 0.032-0.033, across alpha
        "mean_ci": ("match", False),  # the t(4) interval of 10.0 ± 2.0, n = 5
        "ten_mean": ("match", False),
        "ten_sd": ("match", False),
        "count_only": ("not_checkable", False),
    }


def test_a_two_sample_reading_of_paired_data_is_for_information_only(small):
    check = check_summary_claim(small.by_id("improved"), small, ALPHA)
    main, informational = check.note.split("; for information only, ")
    assert main.startswith("paired t from 5.0 ± 4.0 to 4.5 ± 0.5")
    assert informational.startswith("Student's two-sample t")
    assert check.recomputed.startswith("P in [0.713")


def test_an_sd_takes_n_and_scale_from_its_mean_claim(small):
    note = check_summary_claim(small.by_id("before_sd"), small, ALPHA).note
    assert note.startswith("mean 5.0, SD 4.0, n = 5 on 0 to 10 by 0.1")


def test_a_summary_only_cohort_needs_n_and_scale_for_means_and_sds():
    text = SMALL.replace(", n: 25, scale: {min: 0, max: 30, step: 1}", "")
    with pytest.raises(ClaimsInvalid) as caught:
        read_summary_claims_file(text.encode(), "small")
    assert caught.value.problems == [
        f"claim {cid} | field refers_to.{key} | a cohort without patient data needs the {key} "
        "of every mean and SD"
        for cid in ("dlqi_mean", "dlqi_sd")
        for key in ("n", "scale")
    ]
    parse_claims(text, "a cohort with data takes it")


def test_summary_kinds_are_checked_when_parsed():
    text = SMALL.replace("df: [19]", "df: [19, 3]").replace(
        "sd_claim: ten_sd", "sd_claim: ten_mean"
    )
    text = text.replace("step: 0.1}}\n  - id: before_sd", "step: 0.3}}\n  - id: before_sd")
    with pytest.raises(ClaimsInvalid) as caught:
        parse_claims(text, "broken")
    problems = "\n".join(caught.value.problems)
    assert "claim t_stat | field refers_to.df | a t takes 1 df, got [19, 3]" in problems
    assert "claim mean_ci | field refers_to | 'ten_mean' is not the id of an sd claim" in problems
    assert "claim before_mean | field refers_to.scale | " in problems


def test_a_draft_is_refused_until_reviewed():
    with pytest.raises(ClaimsInvalid) as caught:
        parse_claims(SMALL + "draft: true\n", "draft")
    assert caught.value.problems[0].startswith("field draft | a draft written by `make claims`")


def test_the_letters_summary_claims_audit_as_the_golden_says():
    claims = read_summary_claims_file(SUMMARY_CLAIMS.read_bytes(), str(SUMMARY_CLAIMS))
    audit = audit_summary_claims(claims, 0.05)
    rows = {r["claim_id"]: r for r in audit.iter_rows(named=True)}
    # PGA at week 12: 0.45 ± 0.60 of 20 grades is impossible under the n denominator.
    assert rows["pga_sd_week12"]["recomputed"] == "n-1: possible; n: impossible"
    assert rows["pga_sd_baseline"]["recomputed"] == "n-1: impossible; n: possible"
    # A paper computes its SDs one way: the two PGA SDs cannot both be right.
    assert rows["pga_sd_week12"]["note"].endswith(
        "possible only with n-1, unlike pga_sd_baseline (only n): no one SD convention gives both"
    )
    assert rows["pppasi_mean_baseline"]["recomputed"] == "total 353.7, 353.8, 353.9"
    assert set(audit["verdict"]) == {"match", "not_checkable"}


def test_the_config_schema_takes_an_entry_with_only_claims():
    schema = yaml.safe_load((ROOT / "config/schema.yaml").read_text())
    cohorts = schema["properties"]["cohorts"]
    jsonschema.validate({"du2024": {"claims": "path/claims.yaml"}}, cohorts)
    for entry in ({"claims": "c.yaml", "patients": "p.csv"}, {"baseline_visit": "b"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"x": entry}, cohorts)


def test_a_summary_only_cohort_runs_alone_and_lists_the_papers_numbers_not_audited(tmp_path):
    if not PAPER.is_file():
        pytest.skip(f"the paper's text copy is not at {PAPER}")
    copy_workflow(tmp_path)
    config = {
        "cohorts": {
            "du2024": {
                "claims": "tests/cohorts/zheng2024_summary/claims.yaml",
                "paper": str(PAPER),
            }
        }
    }
    (tmp_path / "only.yaml").write_text(yaml.safe_dump(config))
    plan = snakemake(
        tmp_path, "--dry-run", "--quiet", "rules", "--configfile", "only.yaml",
        "--replace-workflow-config",
    )  # fmt: skip
    assert set(plan.stdout.split()) >= {"validate_claims", "audit_from_claims", "all"}
    assert "pppasi" not in plan.stdout.split()
    run = snakemake(tmp_path, "--configfile", "only.yaml", "--replace-workflow-config")
    results = tmp_path / "results/du2024"
    assert sorted(p.name for p in results.iterdir()) == [
        "audit.csv",
        "audit.md",
        "report",
        "summary.txt",
        "validated",
    ]
    markdown = (results / "audit.md").read_text()
    assert "## Not audited" in markdown
    assert '- 8: "Figure 2: A 38-year-old women in 8 months postpartum' in markdown
    assert "## Matches" in markdown and "`pga_sd_week12`" in markdown
    assert "<td" in (results / "report/audit.html").read_text()
    # The run ends with the cohort's lines: the counts and the numbers no claim covers.
    printed = (results / "summary.txt").read_text()
    assert printed.startswith("── du2024 (no patient data")
    assert printed in run.stdout + run.stderr
    assert "statement(s) of the paper with numbers no claim covers" in printed


def test_summary_kinds_in_a_cohort_with_data():
    """The data-free kinds are checked from their numbers in any cohort; a summary check whose
    claim gives no n there is not checkable."""
    from pppflow.audit import AuditInputs, check_claim

    claims = parse_claims(
        SMALL.replace(", n: 5, scale: {min: 0, max: 10, step: 0.1}}", "}"), "with data"
    )
    empty = pl.DataFrame()
    inputs = AuditInputs(empty, empty, empty, empty, 0.05)
    rows = {
        cid: check_claim(claims.by_id(cid), inputs, claims)
        for cid in ("improved", "rate", "t_stat", "mean_ci")
    }
    assert (rows["improved"].verdict, rows["improved"].decisive) == ("not_checkable", False)
    assert "claim before_sd gives no n" in rows["improved"].note
    assert (rows["rate"].verdict, rows["rate"].decisive) == ("mismatch", True)
    assert (rows["t_stat"].verdict, rows["t_stat"].decisive) == ("mismatch", True)
    assert (rows["mean_ci"].verdict, rows["mean_ci"].decisive) == ("match", False)


def test_a_summary_only_cohort_without_its_claims_file_fails_with_a_line_naming_the_file(
    tmp_path,
):
    copy_workflow(tmp_path)
    config = {"cohorts": {"du2024": {"claims": "nowhere/claims.yaml"}}}
    (tmp_path / "only.yaml").write_text(yaml.safe_dump(config))
    proc = snakemake(
        tmp_path, "--configfile", "only.yaml", "--replace-workflow-config", check=False
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "MissingInputException" not in output
    assert "file_exists: no such file: nowhere/claims.yaml" in output
    assert not (tmp_path / "results/du2024/validated/claims.json").exists()
