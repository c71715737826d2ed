"""Claims drafted from a paper's text, and the numbers no claim covers."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pppflow.claims import ClaimsInvalid, parse_claims, read_claims_file
from pppflow.draft_claims import coverage, draft_claims, not_audited, paper_numbers, prose

ROOT = Path(__file__).resolve().parents[1]
PAPER = ROOT.parent / "shared/paper/zheng2024-upadacitinib-ppp.txt"

TEXT = """Dear Editor,
PPP is rare.1 We treated 12 patients
with drug X (Table 1). Age was 41.5 ± 9.2
years and 7 (58%) were women. PPPASI 75 was reached by
Table 1. Characteristics
1 F 59 2 months
2 M 44 3 months
Figure 1: A 59-year-old woman.

50% at week 16 (P < 0.05); range: 2 to 30 weeks; IL-17 was not measured.
"""


def test_the_prose_leaves_out_tables_and_joins_a_sentence_a_legend_breaks():
    body = prose(TEXT)
    assert "1 F 59" not in body
    assert "PPPASI 75 was reached by 50% at week 16" in body
    assert body.endswith("Figure 1: A 59-year-old woman.")
    assert "rare. We" in body  # the reference marker .1 is dropped


def test_every_number_with_its_guessed_kind():
    found = [(n.text, n.kind) for n in paper_numbers(TEXT)]
    assert found == [
        ("12", "count"),
        ("41.5", "mean"),
        ("9.2", "sd"),
        ("7", "count"),
        ("58%", "percentage"),
        ("50%", "response_rate"),  # PPPASI 75 is a label, not a number
        ("16", "count"),
        ("P < 0.05", "p_value"),
        ("2", "range"),
        ("30", "range"),
        ("59", "count"),
    ]


def test_a_draft_is_a_claims_file_the_audit_refuses():
    text = draft_claims(TEXT, "demo", "demo.txt")
    document = yaml.safe_load(text)
    assert document["draft"] is True and len(document["claims"]) == 11
    first = document["claims"][0]
    assert first["quote"] == "We treated 12 patients with drug X (Table 1)."
    assert (first["reported"], first["kind"], first["refers_to"]) == ("12", "count", {})
    with pytest.raises(ClaimsInvalid) as caught:
        parse_claims(text, "draft")
    assert len(caught.value.problems) == 1
    # Without the mark, what is left to do is the refers_to of the kinds that need one.
    with pytest.raises(ClaimsInvalid) as unreviewed:
        parse_claims(text.replace("draft: true\n", ""), "draft")
    assert all("refers_to" in p for p in unreviewed.value.problems)


def test_not_audited_lists_the_numbers_no_claim_covers():
    claims = parse_claims(
        """
cohort: demo
source: demo
claims:
  - id: age_mean
    quote: "Age was 41.5 ± 9.2 years"
    reported: "41.5"
    kind: mean
    refers_to: {variable: age_years}
  - id: patients
    quote: "We treated 12 patients"
    reported: "12"
    kind: count
""",
        "demo",
    )
    left = [n.text for n in not_audited(TEXT, claims)]
    assert left == ["9.2", "7", "58%", "50%", "16", "P < 0.05", "2", "30", "59"]


def test_the_letters_drafts_find_the_numbers_of_its_claims_outside_the_tables():
    if not PAPER.is_file():
        pytest.skip(f"the paper's text copy is not at {PAPER}")
    text = PAPER.read_text(encoding="utf-8")
    claims = read_claims_file(
        (ROOT / "resources/zheng2024/claims.yaml").read_bytes(), "claims.yaml"
    )
    c = coverage(text, claims)
    # Missed: the weights 0.2 and 0.3 of Table 2's footnote (the draft leaves tables out).
    assert (c.found, c.claim_numbers) == (42, 44)
    assert (c.drafts, c.drafts_not_claims) == (53, 12)


def test_make_claims_writes_the_draft(tmp_path):
    paper = tmp_path / "paper.txt"
    paper.write_text(TEXT)
    out = tmp_path / "draft.yaml"
    subprocess.run(
        [sys.executable, str(ROOT / "tools/draft_claims.py"), "--paper", str(paper)]
        + ["--cohort", "demo", "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert yaml.safe_load(out.read_text())["cohort"] == "demo"


def test_the_comparisons_of_a_trial_are_guessed_from_the_estimate_they_name():
    text = (
        "At week 16 the difference in PPPASI 75 was 25.0% (P = 0.03). The odds ratio was 3.1 "
        "and the RR 2.5. The LS mean difference was 4.2 points. The median time to response "
        "was 8 weeks on drug. The mean difference was 1.5 points."
    )
    found = [(n.text, n.kind) for n in paper_numbers(text)]
    assert found == [
        ("16", "count"),
        ("25.0", "rate_difference"),
        ("P = 0.03", "p_value"),
        ("3.1", "odds_ratio"),
        ("2.5", "risk_ratio"),
        ("4.2", "ls_mean_difference"),
        ("8", "median_time_to_response"),
        ("1.5", "mean"),
    ]
