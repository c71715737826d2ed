"""The audit: each kind on fixture frames (match, mismatch, decisive, not checkable), the
letter's verdicts against hand-worked ones, and the stage run end to end on a workflow copy."""

import csv
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest
from workflow import copy_workflow, snakemake

from pppflow import audit
from pppflow.claims import parse_claims
from pppflow.derive import derive_patient_columns, with_prior_biologic
from pppflow.response import classify_responses, response_rates
from pppflow.stats import outcome_tests, paired_outcomes

ROOT = Path(__file__).resolve().parents[1]


# --- fixture cohort -----------------------------------------------------------------------------


@pytest.fixture
def inputs() -> audit.AuditInputs:
    patients = pl.DataFrame(
        {
            "patient_id": ["1", "2", "3", "4", "5"],
            "sex": ["F", "M", "F", "F", "M"],
            "age_years": [30.0, 41.0, 52.0, 60.0, 44.0],
            "dose_mg": [15.0, 15.0, 30.0, 15.0, 30.0],
            "joint_pain": [True, False, True, False, False],
            "previous_treatments": ["Adalimumab", "TCM", None, "Untreated", "secukinumab, MTX"],
            "adverse_events": [None, None, "Headache", None, None],
        }
    )
    scores = pl.DataFrame(
        {
            "patient_id": ["1", "2", "3", "4", "5"] * 2,
            "visit": ["baseline"] * 5 + ["week12"] * 5,
            "week": [0.0] * 5 + [12.0] * 5,
            "pppasi_tenths": [100, 200, 300, 50, 124, 0, 20, 30, 5, None],
            "pga": [2, 3, 4, 2, 3, 0, 1, 1, 0, None],
        },
        schema_overrides={"pppasi_tenths": pl.Int64, "pga": pl.Int64},
    )
    rates = pl.DataFrame(
        {
            "endpoint": ["PPPASI90", "PPPASI100"],
            "visit": ["week12", "week12"],
            "responders": [3, 1],
            "evaluable": [4, 4],
        }
    )
    tests = pl.DataFrame(
        {
            "outcome": ["PPPASI", "PPPASI", "PGA", "PGA"],
            "test": ["paired_t", "independent_t", "paired_t", "independent_t"],
            "p_value": [0.03, 0.2, 0.001, 0.004],
        }
    )
    return audit.AuditInputs(with_prior_biologic(patients), scores, rates, tests, 0.05)


def run(inputs: audit.AuditInputs, claims_yaml: str) -> dict[str, dict]:
    text = "cohort: demo\nsource: a paper\nclaims:\n" + claims_yaml
    claims = parse_claims(text, "demo")
    return {r["claim_id"]: r for r in audit.audit_claims(claims, inputs).iter_rows(named=True)}


def claim(cid: str, kind: str, reported: str, refers_to: str = "{}", extra: str = "") -> str:
    return (
        f'  - {{id: {cid}, quote: "q", reported: "{reported}", kind: {kind}, '
        f"refers_to: {refers_to}{extra}}}\n"
    )


def test_counts(inputs):
    rows = run(
        inputs,
        claim("all", "count", "5")
        + claim("men", "count", "two", "{where: [{column: sex, equals: M}]}")
        + claim("women", "count", "4", "{where: [{column: sex, equals: F}]}")
        + claim(
            "treated",
            "count",
            "all",
            "{where: [{column: previous_treatments, not_empty: true},"
            " {column: previous_treatments, contains_none: [untreated]}]}",
        )
        + claim("no_ae", "count", "no", "{where: [{column: adverse_events, not_empty: true}]}"),
    )
    assert rows["all"]["verdict"] == "match"
    assert (rows["men"]["verdict"], rows["men"]["recomputed"]) == ("match", "2 (patients 2, 5)")
    assert (rows["women"]["verdict"], rows["women"]["recomputed"]) == (
        "mismatch",
        "3 (patients 1, 3, 4)",
    )
    assert rows["treated"]["verdict"] == "mismatch"
    assert "not so for patient(s) 3, 4" in rows["treated"]["note"]
    assert rows["no_ae"]["verdict"] == "mismatch" and rows["no_ae"]["recomputed"] == "1 (patient 3)"
    assert not any(r["decisive"] for r in rows.values())


def test_exists_mentions_values(inputs):
    rows = run(
        inputs,
        claim("fig", "exists", "a 52-year-old woman", "{where: [{column: age_years, equals: 52}]}")
        + claim("nobody", "exists", "a 99-year-old", "{where: [{column: age_years, equals: 99}]}")
        + claim(
            "agents",
            "mentions",
            "adalimumab, secukinumab, TCM",
            "{column: previous_treatments, terms: [adalimumab, secukinumab, [traditional Chinese medicine, TCM]]}",
        )
        + claim(
            "absent",
            "mentions",
            "infliximab",
            "{column: previous_treatments, terms: [infliximab], where: [{column: joint_pain, equals: true}]}",
        )
        + claim(
            "dose",
            "patient_value",
            "30 mg",
            "{column: dose_mg, where: [{column: adverse_events, contains_any: [headache]}]}",
        )
        + claim("doses", "value_set", "15 or 30 mg", "{column: dose_mg}")
        + claim("doses3", "value_set", "15, 30 or 45 mg", "{column: dose_mg}"),
    )
    assert (rows["fig"]["verdict"], rows["fig"]["recomputed"]) == ("match", "patient 3")
    assert (rows["nobody"]["verdict"], rows["nobody"]["recomputed"]) == ("mismatch", "no patient")
    assert rows["agents"]["verdict"] == "match"
    assert rows["agents"]["recomputed"] == (
        "adalimumab: 1; secukinumab: 5; traditional Chinese medicine/TCM: 2"
    )
    assert rows["absent"]["verdict"] == "mismatch"
    assert "previous_treatments of patient(s) 1: 'Adalimumab'; 3: None" in rows["absent"]["note"]
    assert (rows["dose"]["verdict"], rows["dose"]["recomputed"]) == ("match", "patient 3: 30")
    assert rows["doses"]["verdict"] == "match" and rows["doses3"]["verdict"] == "mismatch"


def test_means_and_sds_with_grim_and_grimmer(inputs):
    # Ages 30, 41, 52, 60, 44: total 227, mean 45.4; squared deviations
    # (-15.4)^2 + (-4.4)^2 + 6.6^2 + 14.6^2 + (-1.4)^2 = 237.16 + 19.36 + 43.56 + 213.16 +
    # 1.96 = 515.2 -> SD(n-1) = sqrt(128.8) = 11.349, SD(n) = sqrt(103.04) = 10.151.
    rows = run(
        inputs,
        claim("age", "mean", "45.40", "{variable: age_years}")
        + claim("age_sd_n1", "sd", "11.35", "{variable: age_years, mean_claim: age}")
        + claim("age_sd_n", "sd", "10.15", "{variable: age_years, mean_claim: age}")
        + claim("age_sd_bad", "sd", "12.00", "{variable: age_years, mean_claim: age}")
        + claim("age_wrong", "mean", "45.50", "{variable: age_years}")
        + claim("pppasi", "mean", "15.48", "{variable: pppasi, visit: baseline}")
        + claim("no_visit", "mean", "1.0", "{variable: pppasi}")
        + claim("no_column", "mean", "1.0", "{variable: weight_kg}")
        + claim("jp", "mean", "0.40", "{variable: joint_pain}")
        + claim("jp_sd", "sd", "0.55", "{variable: joint_pain, mean_claim: jp}"),
    )
    assert (rows["age"]["verdict"], rows["age"]["recomputed"]) == ("match", "45.40")
    assert "GRIM-consistent: 5 integers summing to 227 give 45.40" in rows["age"]["note"]
    assert rows["age_sd_n1"]["recomputed"] == "11.35 (n-1); 10.15 (n)"
    assert rows["age_sd_n1"]["verdict"] == "match"
    assert "reproduced with the n-1 denominator" in rows["age_sd_n1"]["note"]
    assert rows["age_sd_n"]["verdict"] == "match"
    assert "reproduced with the n denominator (population SD)" in rows["age_sd_n"]["note"]
    assert rows["age_sd_bad"]["verdict"] == "mismatch"
    assert "neither" in rows["age_sd_bad"]["note"] and "GRIMMER" in rows["age_sd_bad"]["note"]
    # 45.50 * 5 = 227.5: no 5 integers give it.
    assert rows["age_wrong"]["verdict"] == "mismatch"
    assert "GRIM-inconsistent" in rows["age_wrong"]["note"]
    # PPPASI baseline 10, 20, 30, 5, 12.4: 77.4 / 5 = 15.48.
    assert rows["pppasi"]["verdict"] == "match"
    assert rows["no_visit"]["verdict"] == "not_checkable"
    assert rows["no_column"]["verdict"] == "not_checkable"
    assert "'weight_kg' is not in the cohort's patient data" in rows["no_column"]["note"]
    # 2 of 5 with joint pain: SD(n-1) = sqrt(2 * 3 / 20) = 0.5477 -> DEBIT for a proportion.
    assert rows["jp"]["verdict"] == "match" and rows["jp_sd"]["verdict"] == "match"
    assert "DEBIT" in rows["jp_sd"]["note"] and "n-1: consistent" in rows["jp_sd"]["note"]


def test_response_rates_and_the_decisive_tier(inputs):
    rows = run(
        inputs,
        claim("p90", "response_rate", "75%", "{endpoint: PPPASI90, visit: week12}")
        + claim("p90_off", "response_rate", "50%", "{endpoint: PPPASI90, visit: week12}")
        + claim("p100_near", "response_rate", "27%", "{endpoint: PPPASI100, visit: week12}")
        + claim("p50", "response_rate", "100%", "{endpoint: PPPASI50, visit: week12}"),
    )
    assert (rows["p90"]["verdict"], rows["p90"]["recomputed"]) == ("match", "75% (3/4)")
    # 50 % of 4 is 2 responders, the data have 3: off by one patient.
    assert rows["p90_off"]["verdict"] == "mismatch" and rows["p90_off"]["decisive"]
    # 27 % of 4 is 1.08 patients: no count gives it (GRIM), 1 is 0.08 of a patient away.
    near = rows["p100_near"]
    assert near["verdict"] == "mismatch" and not near["decisive"]
    assert "GRIM-inconsistent" in near["note"]
    assert rows["p50"]["verdict"] == "not_checkable"


def test_p_value_claims(inputs):
    rows = run(
        inputs,
        claim("pga", "p_value", "P < 0.05", "{outcome: PGA, tests: [paired_t, independent_t]}")
        + claim(
            "pppasi", "p_value", "P < 0.05", "{outcome: PPPASI, tests: [paired_t, independent_t]}"
        )
        + claim("strict", "p_value", "P < 0.01", "{outcome: PPPASI, tests: [paired_t]}")
        + claim("exact", "p_value", "P = 0.03", "{outcome: PPPASI, tests: [paired_t]}")
        + claim("exact_off", "p_value", "P = 0.06", "{outcome: PPPASI, tests: [paired_t]}")
        + claim(
            "missing", "p_value", "P < 0.05", "{outcome: PPPASI, tests: [wilcoxon_signed_rank]}"
        ),
    )
    assert rows["pga"]["verdict"] == "match" and not rows["pga"]["decisive"]
    # The paired P (0.03) satisfies it; the two-sample one (0.2) does not, but a two-sample
    # test of paired data is only shown, never the verdict.
    assert rows["pppasi"]["verdict"] == "match" and not rows["pppasi"]["decisive"]
    assert rows["pppasi"]["recomputed"] == "P = 0.03 (paired_t); P = 0.2 (independent_t)"
    assert rows["pppasi"]["note"] == (
        "PPPASI, baseline vs endpoint; the verdict is paired_t's; "
        "for information only, independent_t: P < 0.05 does not hold"
    )
    # P < 0.01 is not met, but 0.03 is still below alpha: not decisive.
    assert rows["strict"]["verdict"] == "mismatch" and not rows["strict"]["decisive"]
    assert rows["exact"]["verdict"] == "match"
    # Printed 0.06 (not significant) against 0.03 (significant): decisive.
    assert rows["exact_off"]["verdict"] == "mismatch" and rows["exact_off"]["decisive"]
    assert rows["missing"]["verdict"] == "not_checkable"


def test_a_p_equal_to_alpha_is_not_significant(inputs):
    """Significant means P < alpha, for a recomputed P and for a printed one. The alpha is exact
    in binary (1/16), so that a recomputed P (a double) can equal it exactly."""
    alpha, printed = 0.0625, "0.0625"
    at_alpha = replace(
        inputs,
        alpha=alpha,
        tests=pl.DataFrame(
            {
                "outcome": ["PPPASI", "PPPASI"],
                "test": ["paired_t", "independent_t"],
                "p_value": [alpha, 0.01],
            }
        ),
    )

    def p_claim(cid: str, operator: str, test: str) -> str:
        refers_to = f"{{outcome: PPPASI, tests: [{test}]}}"
        return claim(cid, "p_value", f"P {operator} {printed}", refers_to)

    rows = run(
        at_alpha,
        p_claim("below", "<", "paired_t")
        + p_claim("at_most", "<=", "paired_t")
        + p_claim("above", ">", "paired_t")
        + p_claim("equal", "=", "paired_t")
        + p_claim("above_but_significant", ">", "independent_t")
        + p_claim("equal_but_significant", "=", "independent_t"),
    )
    verdicts = {cid: (row["verdict"], row["decisive"]) for cid, row in rows.items()}
    assert verdicts == {
        # Printed as significant; recomputed exactly at alpha, so not significant.
        "below": ("mismatch", True),
        # The number meets P <= alpha; the claim of significance is not judged on a match.
        "at_most": ("match", False),
        # Not met, but both sides say "not significant".
        "above": ("mismatch", False),
        "equal": ("match", False),
        # A printed P at alpha says "not significant"; the recomputed 0.01 is significant.
        "above_but_significant": ("mismatch", True),
        "equal_but_significant": ("mismatch", True),
    }


def test_median_range_and_follow_up(inputs):
    rows = run(
        inputs,
        claim("fu_median", "median", "12 weeks", "{variable: follow_up_weeks}")
        + claim("fu_range", "range", "0 to 24 weeks", "{variable: follow_up_weeks}")
        + claim("fu_range_ok", "range", "12 to 12 weeks", "{variable: follow_up_weeks}")
        + claim("age_median", "median", "44", "{variable: age_years}")
        + claim("lit", "not_checkable", "0.01%", "{}", ", reason: from the literature"),
    )
    # Patient 5 has no week-12 score: the last scored week is 0 for them.
    assert rows["fu_median"]["verdict"] == "match"
    # No visit after week 12 is tabulated: an upper bound of 24 is neither confirmed nor
    # contradicted, and the lower bound (patient 5, last scored at week 0) holds.
    assert rows["fu_range"]["recomputed"] == "0 to 12"
    assert rows["fu_range"]["verdict"] == "match"
    assert (
        "the upper bound (24) cannot be checked: no visit after week 12" in rows["fu_range"]["note"]
    )
    assert rows["fu_range_ok"]["verdict"] == "mismatch"
    assert "the lower bound differs" in rows["fu_range_ok"]["note"]
    assert rows["age_median"]["verdict"] == "match"
    assert (rows["lit"]["verdict"], rows["lit"]["note"]) == (
        "not_checkable",
        "not checkable: from the literature",
    )


def test_markdown_summary(inputs):
    text = "cohort: demo\nsource: a paper\nclaims:\n" + (
        claim("men", "count", "2", "{where: [{column: sex, equals: M}]}")
        + claim("p90_off", "response_rate", "50%", "{endpoint: PPPASI90, visit: week12}")
        + claim("lit", "not_checkable", "1%", "{}", ", reason: literature")
    )
    table = audit.audit_claims(parse_claims(text, "demo"), inputs)
    md = audit.audit_markdown(table, "demo", "a paper")
    assert "3 claims: 1 of 2 checkable claims match, 1 mismatch (1 decisive" in md
    assert "- `p90_off` **decisive**: reported 50%, recomputed 75% (3/4)" in md
    assert "- `lit` (1%): literature" in md
    assert "No claims" in audit.audit_markdown(table.clear(), "demo", None)


# --- the letter ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def letter_audit(letter_cohort) -> pl.DataFrame:
    cohort = letter_cohort
    scores = cohort.visits
    rates = response_rates(
        classify_responses(scores.lazy(), "baseline", "observed"), "observed", 0.95
    )
    tests = outcome_tests(paired_outcomes(scores, "baseline", "week12"), 0.95)
    claims = parse_claims((ROOT / "resources/zheng2024/claims.yaml").read_text(), "claims.yaml")
    inputs = audit.AuditInputs(derive_patient_columns(cohort.patients), scores, rates, tests, 0.05)
    return audit.audit_claims(claims, inputs)


def test_the_letters_mismatches_are_the_hand_worked_ones(letter_audit):
    verdicts = dict(letter_audit.select("claim_id", "verdict").rows())
    mismatches = {k for k, v in verdicts.items() if v == "mismatch"}
    # Worked by hand from Tables 1 and 2:
    # - ages sum to 994: mean 49.70 (printed 49.50); SD 11.05 (n-1) / 10.77 (n), not 10.96;
    # - PPPASI-90: improvement >= 90 % for cases 1-8 (100, 100, 92.2, 100, 100, 95.0, 100,
    #   100)... 14 of 20 (70 %), not 50 %; PPPASI-100: cases 1, 2, 4, 5, 7, 8, 12, 18 = 40 %;
    # - PGA at week 12: five 1s and two 2s, SD 0.69 (n-1) / 0.67 (n), not 0.60;
    # - cases 18 and 19 had no previous treatment; cases 17 (angina, hypertension) and 20
    #   (hypertension) have cardiovascular conditions; every case has a week-12 score, so no
    #   follow-up was 0 weeks;
    # - Table 1 gives adverse effects, not an inadequate response, as why cases 1 (liver
    #   function) and 20 (blood lipids) stopped; 12 cases have a week-12 PPPASI above 0.
    assert mismatches == {
        "all_previously_treated",
        "excluded_cardiovascular",
        "follow_up_range",
        "age_mean",
        "age_sd",
        "discontinued_for_inadequate_response",
        "lesions_subsided",
        "pppasi90_rate_week12",
        "pppasi100_rate_week12",
        "pga_sd_week12",
    }
    decisive = set(letter_audit.filter(pl.col("decisive"))["claim_id"])
    assert decisive == {"pppasi90_rate_week12", "pppasi100_rate_week12"}
    unchecked = {k for k, v in verdicts.items() if v == "not_checkable"}
    assert {"follow_up_median", "uc_patient_prior_biologics", "response_rates_p_value"} <= unchecked
    assert len(unchecked) == 11
    notes = dict(letter_audit.select("claim_id", "note").rows())
    assert notes["lesions_subsided"].startswith(
        "pppasi at most 0 at week12: 8 of 20 patients; not so for patient(s) 3: 3.8; 6: 1.1;"
    )
    assert notes["follow_up_range"].startswith(
        "over 20 values (last scored week per patient); the upper bound (24) cannot be checked"
    )
    assert "the lower bound differs" in notes["follow_up_range"]
    assert notes["discontinued_for_inadequate_response"].startswith(
        "not found: inadequate response/not significant/no significant/relapsed; "
        "previous_treatments of patient(s) 1: "
    )
    # Patient 18: PPPASI 21 to 0; every patient with joint pain reached PPPASI 75.
    assert verdicts["uc_patient_improvement"] == verdicts["psa_similar_findings"] == "match"
    assert (
        dict(letter_audit.select("claim_id", "recomputed").rows())["psa_similar_findings"]
        == "10 of 10 patients"
    )
    # The printed SDs the letter does reproduce are population SDs (n denominator).
    for sd in ("pppasi_sd_baseline", "pppasi_sd_week12", "pga_sd_baseline"):
        assert verdicts[sd] == "match"
        assert notes[sd].startswith("reproduced with the n denominator (population SD)")
    assert "n-1: inconsistent (test 1); n: consistent" in notes["pga_sd_baseline"]
    recomputed = dict(letter_audit.select("claim_id", "recomputed").rows())
    assert recomputed["pppasi90_rate_week12"] == "70% (14/20)"
    assert recomputed["pppasi100_rate_week12"] == "40% (8/20)"
    assert recomputed["age_mean"] == "49.70"


# --- end to end ---------------------------------------------------------------------------------


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def workflow_run(tmp_path_factory) -> Path:
    wf = copy_workflow(tmp_path_factory.mktemp("audit_wf"))
    targets = [
        f"results/zheng2024/{name}"
        for name in (
            "tests.csv",
            "descriptives.csv",
            "subgroup_rates.csv",
            "table1.csv",
            "table1.md",
            "audit.csv",
            "audit.md",
        )
    ]
    snakemake(wf, *targets)
    return wf


def test_the_stages_write_what_they_promise(workflow_run):
    results = workflow_run / "results/zheng2024"
    tests = read_csv(results / "tests.csv")
    assert list(tests[0]) == [
        "outcome",
        "test",
        "arm",
        "n",
        "statistic",
        "df",
        "p_value",
        "estimate",
        "ci_low",
        "ci_high",
        "method",
    ]
    paired = next(r for r in tests if r["outcome"] == "PPPASI" and r["test"] == "paired_t")
    assert float(paired["statistic"]) == pytest.approx(6.98334, abs=1e-5)
    audit_rows = read_csv(results / "audit.csv")
    assert list(audit_rows[0]) == list(audit.AUDIT_SCHEMA)
    assert len(audit_rows) == len(
        parse_claims((ROOT / "resources/zheng2024/claims.yaml").read_text(), "c").claims
    )
    md = (results / "audit.md").read_text()
    assert "10 mismatch (2 decisive)" in md
    assert "## Matches" in md
    subgroups = read_csv(results / "subgroup_rates.csv")
    assert {r["grouping"] for r in subgroups} == {"dose_mg", "joint_pain", "prior_biologic"}
    # By hand from Table 2: PPPASI-90 (improvement >= 90 %) among the biologic-exposed cases
    # 3, 4, 11, 13, 15 is met by 3 (92.2 %), 4 (100 %) and 13 (90.8 %), not 11 (83.3 %) or
    # 15 (89.2 %); among the 10 with joint pain by all but 11 and 15.
    by_key = {(r["grouping"], r["group"], r["endpoint"]): r for r in subgroups}
    for key, counts in {
        ("prior_biologic", "true", "PPPASI90"): ("3", "5"),
        ("joint_pain", "true", "PPPASI90"): ("8", "10"),
        ("dose_mg", "30", "PPPASI90"): ("2", "3"),
        ("dose_mg", "45", "PPPASI100"): ("1", "1"),
    }.items():
        assert (by_key[key]["responders"], by_key[key]["evaluable"]) == counts, key
    assert (results / "table1.md").read_text().startswith("# Table 1: baseline characteristics")
    for rule in ("stats", "table1", "audit"):
        assert (workflow_run / f"logs/{rule}/zheng2024.log").exists()
        assert (workflow_run / f"benchmarks/{rule}/zheng2024.tsv").exists()


def test_a_broken_claims_file_stops_the_run_at_validation(workflow_run):
    claims = workflow_run / "resources/zheng2024/claims.yaml"
    original = claims.read_text()
    try:
        claims.write_text(original.replace("kind: response_rate", "kind: rate", 1))
        proc = snakemake(workflow_run, "results/zheng2024/audit.csv", check=False)
        assert proc.returncode != 0
        assert (
            "resources/zheng2024/claims.yaml | row - | patient_id - | "
            "column claim pppasi50_rate_week12: field kind | check claims_file | "
            "value \"'rate' is not one of" in proc.stderr
        )
        assert "Traceback" not in proc.stderr
        # Checked with the cohort's files, before any step downstream of validation runs.
        assert not (workflow_run / "results/zheng2024/pppasi.parquet").exists()
    finally:
        claims.write_text(original)


def test_a_cohort_without_claims_gets_an_empty_audit(workflow_run):
    config_path = workflow_run / "config/config.yaml"
    config = config_path.read_text()
    line = "    claims: resources/zheng2024/claims.yaml\n"
    assert line in config
    try:
        config_path.write_text(config.replace(line, ""))
        snakemake(workflow_run, "results/zheng2024/audit.md")
        results = workflow_run / "results/zheng2024"
        assert read_csv(results / "audit.csv") == []
        assert "No claims were given for this cohort." in (results / "audit.md").read_text()
    finally:
        config_path.write_text(config)


# --- claims about declared outcomes ----------------------------------------------------------


@pytest.fixture
def declared_inputs(inputs) -> audit.AuditInputs:
    """The fixture cohort with a declared DLQI (step 1) and an NRS kept in half points (step
    1/2): their values in whole steps, their responder rates and their tests, as the results
    files have them under the outcome's name."""
    from fractions import Fraction

    values = pl.DataFrame(
        {
            "outcome": ["dlqi"] * 9 + ["nrs"] * 3,
            "patient_id": ["1", "2", "3", "4", "5", "1", "2", "3", "4", "1", "2", "3"],
            "visit": ["baseline"] * 5 + ["week12"] * 4 + ["week12"] * 3,
            # DLQI 14, 22, 9, 25, 6 at baseline; 2, 15, 0, 1 at week 12; NRS 6.5, 3, 0.5.
            "units": [14, 22, 9, 25, 6, 2, 15, 0, 1, 13, 6, 1],
        }
    )
    # ... as validation writes them: a column per outcome beside each patient-visit
    values = values.pivot(on="outcome", index=["patient_id", "visit"], values="units").rename(
        {"dlqi": "dlqi:units", "nrs": "nrs:units"}
    )
    rates = pl.concat(
        [
            inputs.response_rates,
            pl.DataFrame(
                {
                    "endpoint": ["dlqi:0/1", "dlqi:improvement >= 4"],
                    "visit": ["week12", "week12"],
                    "responders": [2, 3],
                    "evaluable": [4, 4],
                }
            ),
        ]
    )
    tests = pl.concat(
        [
            inputs.tests,
            pl.DataFrame(
                {
                    "outcome": ["dlqi", "dlqi"],
                    "test": ["paired_t", "wilcoxon_signed_rank"],
                    "p_value": [0.04, 0.125],
                }
            ),
        ]
    )
    return replace(
        inputs,
        response_rates=rates,
        tests=tests,
        outcome_values=values,
        outcome_steps={"dlqi": Fraction(1), "nrs": Fraction(1, 2)},
    )


def test_response_rates_of_declared_responders(declared_inputs):
    rows = run(
        declared_inputs,
        claim("dlqi01", "response_rate", "50%", "{endpoint: 'dlqi:0/1', visit: week12}")
        + claim("dlqi01_near", "response_rate", "49%", "{endpoint: 'dlqi:0/1', visit: week12}")
        + claim(
            "improved_off",
            "response_rate",
            "50%",
            "{endpoint: 'dlqi:improvement >= 4', visit: week12}",
        )
        + claim("week4", "response_rate", "50%", "{endpoint: 'dlqi:0/1', visit: week4}"),
    )
    assert (rows["dlqi01"]["verdict"], rows["dlqi01"]["recomputed"]) == ("match", "50% (2/4)")
    # 49 % of 4 is 1.96 patients: 0.04 of a patient from the data's 2, not decisive.
    near = rows["dlqi01_near"]
    assert (near["verdict"], near["decisive"]) == ("mismatch", False)
    assert "off by 0.04 patient(s)" in near["note"]
    # 50 % of 4 is 2 responders, the data have 3: off by one patient, decisive.
    off = rows["improved_off"]
    assert (off["verdict"], off["decisive"], off["recomputed"]) == ("mismatch", True, "75% (3/4)")
    assert rows["week4"]["verdict"] == "not_checkable"
    assert "no dlqi:0/1 rate at visit 'week4'" in rows["week4"]["note"]


def test_mean_sd_median_of_a_declared_outcome(declared_inputs):
    rows = run(
        declared_inputs,
        claim("base", "mean", "15.2", "{variable: dlqi, visit: baseline}")
        + claim("base_sd", "sd", "8.2", "{variable: dlqi, visit: baseline, mean_claim: base}")
        + claim("base_off", "mean", "15.3", "{variable: dlqi, visit: baseline}")
        + claim("median12", "median", "1.5", "{variable: dlqi, visit: week12}")
        + claim("nrs", "mean", "3.33", "{variable: nrs, visit: week12}")
        + claim("nrs_off", "mean", "3.4", "{variable: nrs, visit: week12}")
        + claim("no_visit", "mean", "15.2", "{variable: dlqi}")
        + claim("no_values", "mean", "15.2", "{variable: dlqi, visit: week4}"),
    )
    # DLQI at baseline: 14 + 22 + 9 + 25 + 6 = 76 over 5 = 15.2; SD (n - 1) = sqrt(266.8 / 4) = 8.17,
    # SD (n) = sqrt(266.8 / 5) = 7.30.
    assert (rows["base"]["verdict"], rows["base"]["recomputed"]) == ("match", "15.2")
    assert "mean of 5 values = 76 / 5 = 15.2" in rows["base"]["note"]
    assert "GRIM" in rows["base"]["note"]
    assert rows["base_sd"]["verdict"] == "match"
    assert rows["base_sd"]["recomputed"] == "8.2 (n-1); 7.3 (n)"
    # 15.3 is a mismatch a reader would not misread: never decisive.
    assert (rows["base_off"]["verdict"], rows["base_off"]["decisive"]) == ("mismatch", False)
    # At week 12: 0, 1, 2, 15: the median is (1 + 2) / 2.
    assert (rows["median12"]["verdict"], rows["median12"]["recomputed"]) == ("match", "1.5")
    assert "median of 4 values (dlqi at week12)" in rows["median12"]["note"]
    # NRS 6.5, 3, 0.5 in half points: 10 / 3 = 3.333..., GRIM on multiples of 0.5.
    assert (rows["nrs"]["verdict"], rows["nrs"]["recomputed"]) == ("match", "3.33")
    assert rows["nrs_off"]["verdict"] == "mismatch"
    assert "multiples of 0.5" in rows["nrs_off"]["note"]
    assert "dlqi needs a visit in refers_to" in rows["no_visit"]["note"]
    assert "no dlqi values at visit 'week4'" in rows["no_values"]["note"]
    assert rows["no_visit"]["verdict"] == rows["no_values"]["verdict"] == "not_checkable"


def test_p_value_of_a_declared_outcome(declared_inputs):
    rows = run(
        declared_inputs,
        claim("p", "p_value", "P < 0.05", "{outcome: dlqi, tests: [paired_t]}")
        + claim("p_strict", "p_value", "P < 0.01", "{outcome: dlqi, tests: [paired_t]}")
        + claim("p_off", "p_value", "P = 0.04", "{outcome: dlqi, tests: [wilcoxon_signed_rank]}")
        + claim("p_none", "p_value", "P < 0.05", "{outcome: itch, tests: [paired_t]}"),
    )
    assert (rows["p"]["verdict"], rows["p"]["recomputed"]) == ("match", "P = 0.04 (paired_t)")
    assert rows["p"]["note"].startswith("dlqi, baseline vs endpoint")
    # 0.04 is not below 0.01, but still below alpha: not decisive.
    assert (rows["p_strict"]["verdict"], rows["p_strict"]["decisive"]) == ("mismatch", False)
    # Printed 0.04 (significant) where the signed-rank P is 0.125: decisive.
    assert (rows["p_off"]["verdict"], rows["p_off"]["decisive"]) == ("mismatch", True)
    assert rows["p_none"]["verdict"] == "not_checkable"
