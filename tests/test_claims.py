"""claims.yaml: the letter's file parses, quotes it verbatim and leaves no numeric sentence out;
a broken file is refused with every problem named."""

import re
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from pppflow.claims import KINDS, Claims, ClaimsInvalid, parse_claims, reported_response_rates

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = ROOT / "resources/zheng2024/claims.yaml"
# The letter's text is not redistributed with the code: a copy beside the checkout, if any.
PAPER = ROOT.parent / "shared/paper/zheng2024-upadacitinib-ppp.txt"


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def claims():
    return parse_claims(CLAIMS.read_text(encoding="utf-8"), str(CLAIMS))


@pytest.fixture(scope="module")
def running_text() -> str:
    """The letter's running text, figure legends and Table 2's PPPASI formula, without the tables
    (the text copy breaks a sentence with Tables 1-2: the two halves are joined again)."""
    if not PAPER.is_file():
        pytest.skip(f"the paper's text copy is not at {PAPER}")
    text = normalise(PAPER.read_text(encoding="utf-8"))
    start, end = text.index("Table 1. Basic clinical"), text.index("mg/day), resulting")
    legends = re.findall(r"Figure \d: [^.]*\.", text[start:end])
    assert len(legends) == 2
    footnote = re.findall(r"PPPASI Score = .*?Area × 0\.3\]\.", text[start:end])
    assert len(footnote) == 1
    return " ".join([text[:start] + text[end:], *legends, *footnote])


def test_the_letters_claims_parse(claims):
    assert claims.cohort == "zheng2024"
    ids = [c.id for c in claims.claims]
    assert len(ids) == len(set(ids)) >= 40
    assert {c.kind for c in claims.claims} <= set(KINDS)
    # Literature and unrecorded facts are marked, each with a reason.
    unchecked = {c.id for c in claims.claims if c.kind == "not_checkable"}
    assert {"ppp_prevalence", "tnf_ad_like_rash_incidence"} <= unchecked
    assert all(c.reason for c in claims.claims if c.kind == "not_checkable")


def test_every_quote_is_verbatim(claims, running_text):
    missing = [c.id for c in claims.claims if normalise(c.quote) not in running_text]
    assert missing == []


def test_printed_numbers_appear_in_their_quote(claims):
    for claim in claims.claims:
        if claim.kind in ("mean", "sd", "response_rate", "median", "range", "p_value") or (
            claim.kind == "count" and claim.reported.isdigit()
        ):
            assert claim.reported in claim.quote or claim.reported.split()[0] in claim.quote, (
                claim.id
            )


# Sentences of the running text with a number (or a counting word) that make no quantitative
# claim about the cohort, and why.
NO_COHORT_CLAIM = {
    "A 50%, 75%, and 90% improvement in PPPASI was referred to as": "a definition",
    "The patients’ characteristics are detailed in Table 1.": "a pointer to the table",
    "Upadacitinib was used as a rescue treatment for some patients": "qualitative",
    "Upadacitinib is currently approved for various pathological": "a reference mark (.3)",
    "Potential adverse events associated with the use of JAK": "a reference mark (.6)",
}


def test_no_numeric_sentence_is_left_out(claims, running_text):
    quotes = [normalise(c.quote) for c in claims.claims]
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", running_text)
    counting = re.compile(r"\d|\b(one|two|three|four|five|six|ten|no|all|these|some)\b", re.I)
    left_out = []
    for sentence in filter(counting.search, sentences):
        covered = any(q in sentence or sentence in q for q in quotes)
        if not covered and not any(sentence.startswith(s) for s in NO_COHORT_CLAIM):
            left_out.append(sentence)
    assert left_out == []
    assert len(sentences) > 30


def test_reported_response_rates(claims):
    rates = reported_response_rates(claims)
    assert rates.schema == {"endpoint": pl.Utf8, "visit": pl.Utf8, "reported_rate": pl.Float64}
    assert rates.rows() == [
        ("PPPASI50", "week12", 1.0),
        ("PPPASI75", "week12", 1.0),
        ("PPPASI90", "week12", 0.5),
        ("PPPASI100", "week12", 0.2),
    ]
    empty = reported_response_rates(parse_claims("cohort: x\nsource: y\nclaims: []\n", "t"))
    assert empty.is_empty() and empty.columns == ["endpoint", "visit", "reported_rate"]


BROKEN = """
cohort: demo
source: a paper
claims:
  - id: rate
    quote: "half responded"
    reported: "half"
    kind: response_rate
    refers_to: {endpoint: PPPASI75, visit: week12}
  - id: rate
    quote: "q"
    reported: "3"
    kind: count
    refers_to:
      where: [{column: sex, like: M}]
  - id: Bad-Id
    quote: "q"
    reported: "1"
    kind: guess
  - id: lit
    quote: "q"
    reported: "5%"
    kind: not_checkable
  - id: spread
    quote: "q"
    reported: "1.2"
    kind: sd
    refers_to: {variable: age_years, mean_claim: rate}
  - id: mean_without_variable
    quote: "q"
    reported: "about 3"
    kind: mean
    refers_to: {visit: week12, colour: red}
"""


def test_a_broken_file_names_every_problem():
    with pytest.raises(ClaimsInvalid) as caught:
        parse_claims(BROKEN, "demo/claims.yaml")
    message = str(caught.value)
    expected = [
        "demo/claims.yaml: ",
        "claim rate | field reported | a response rate is a percentage, got 'half'",
        "claim rate | where[0]: needs exactly one operator",
        "claim Bad-Id | field id | must be snake_case",
        "claim Bad-Id | field kind | 'guess' is not one of",
        "claim lit | field reason | a not_checkable claim says why",
        "claim mean_without_variable | field refers_to | kind mean needs ['variable']",
        "claim mean_without_variable | field refers_to | kind mean does not take ['colour']",
        "claim mean_without_variable | field reported | a mean is a plain decimal number",
    ]
    for line in expected:
        assert line in message
    # The sd's mean_claim names a claim that failed itself, so it is reported too.
    assert (
        "claim spread | field refers_to.mean_claim | 'rate' is not the id of a mean claim"
        in message
    )


def test_duplicate_ids_and_bad_yaml():
    text = "cohort: x\nsource: y\nclaims:\n" + "".join(
        f'  - {{id: n, quote: "q", reported: "{k}", kind: count}}\n' for k in (1, 2)
    )
    with pytest.raises(ClaimsInvalid) as caught:
        parse_claims(text, "t")
    assert "claim n | field id | used more than once" in str(caught.value)
    with pytest.raises(ClaimsInvalid, match="not valid YAML"):
        parse_claims("claims: [", "t")


# --- endpoints and outcomes a claim names -------------------------------------------------------

OUTCOMES_DEMO = ROOT / "tests/cohorts/outcomes_demo"
DEMO_DECLARED = {"dlqi": ["0/1", "improvement >= 4"], "itch": ["improvement >= 4"]}


def named(refers: list[tuple[str, str]]) -> Claims:
    lines = "".join(
        f'  - {{id: c{i}, quote: "q", reported: "{"P < 0.05" if kind == "p_value" else "50%"}", '
        f"kind: {kind}, refers_to: {refers_to}}}\n"
        for i, (kind, refers_to) in enumerate(refers)
    )
    return parse_claims(f"cohort: demo\nsource: s\nclaims:\n{lines}", "demo")


def test_a_claim_may_name_a_declared_responder_or_outcome():
    from pppflow.claims import name_problems

    claims = named(
        [
            ("response_rate", "{endpoint: 'dlqi:0/1', visit: week12}"),
            ("response_rate", "{endpoint: PPPASI75, visit: week12}"),
            ("response_rate", "{endpoint: PGA≥2, visit: week12}"),
            ("median_time_to_response", "{endpoint: 'itch:improvement >= 4'}"),
            ("p_value", "{outcome: dlqi, tests: [paired_t]}"),
            ("p_value", "{outcome: PGA, tests: [paired_t]}"),
        ]
    )
    assert name_problems(claims, DEMO_DECLARED) == []


def test_an_endpoint_or_outcome_the_cohort_lacks_is_named_in_a_failure_line():
    from pppflow.claims import name_problems

    claims = named(
        [
            ("response_rate", "{endpoint: 'dlqi:0/2', visit: week12}"),
            ("response_rate", "{endpoint: PPPASI60, visit: week12}"),
            ("rate_difference", "{endpoint: 'pain:0/1', visit: week12, arm: active}"),
            ("p_value", "{outcome: DLQI, tests: [paired_t]}"),
            ("p_value", "{outcome: ppsi, tests: [paired_t]}"),
        ]
    )
    known = (
        "PPPASI50, PPPASI75, PPPASI90, PPPASI100, PGA0/1, PGA≥2, dlqi:0/1, "
        "dlqi:improvement >= 4, itch:improvement >= 4"
    )
    assert name_problems(claims, DEMO_DECLARED) == [
        "claim c0 | field refers_to.endpoint | 'dlqi:0/2': outcome dlqi declares no responder "
        "'0/2'; its responders: '0/1', 'improvement >= 4'",
        f"claim c1 | field refers_to.endpoint | 'PPPASI60' is no endpoint of this cohort; its "
        f"endpoints: {known} (a declared outcome's as <outcome>:<responder>)",
        f"claim c2 | field refers_to.endpoint | 'pain:0/1' is no endpoint of this cohort; its "
        f"endpoints: {known} (a declared outcome's as <outcome>:<responder>)",
        "claim c3 | field refers_to.outcome | 'DLQI' is no outcome of tests.csv of this cohort; "
        "its outcomes: PPPASI, PGA, dlqi, itch",
        "claim c4 | field refers_to.outcome | 'ppsi' is no outcome of tests.csv of this cohort; "
        "its outcomes: PPPASI, PGA, dlqi, itch",
    ]
    # Without declared outcomes, a declared endpoint is no endpoint; with components, ppsi is
    # an outcome of tests.csv.
    assert (
        len(name_problems(named([("p_value", "{outcome: ppsi, tests: [t]}")]), {}, ["ppsi"])) == 0
    )
    [line] = name_problems(named([("response_rate", "{endpoint: 'dlqi:0/1', visit: w}")]), {})
    assert "'dlqi:0/1' is no endpoint of this cohort" in line and "PGA≥2 (a declared" in line


def test_validation_fails_a_claims_file_naming_an_endpoint_the_cohort_lacks(tmp_path):
    """outcomes_demo's own claims pass; one naming an undeclared responder is a claims_file
    failure line, with the cohort's other failures."""
    import yaml

    from pppflow.validate import CohortFiles, CohortInvalid, validate_cohort

    entry = yaml.safe_load((OUTCOMES_DEMO / "config.yaml").read_text(encoding="utf-8"))
    entry = entry["cohorts"]["outcomes_demo"]
    files = CohortFiles(
        patients=str(OUTCOMES_DEMO / "patients.csv"),
        visits=str(OUTCOMES_DEMO / "visits.csv"),
        components=None,
        baseline_visit="baseline",
        endpoint_visit="week12",
        pga_max=4,
        claims=str(OUTCOMES_DEMO / "claims.yaml"),
        outcomes=entry["outcomes"],
    )
    assert validate_cohort(files).claims.by_id("dlqi_01_week12").refers_to["endpoint"] == (
        "dlqi:0/1"
    )
    bad = tmp_path / "claims.yaml"
    bad.write_text(
        "cohort: outcomes_demo\nsource: s\nclaims:\n"
        '  - {id: itch01, quote: "q", reported: "10%", kind: response_rate,'
        " refers_to: {endpoint: 'itch:0/1', visit: week12}}\n",
        encoding="utf-8",
    )
    with pytest.raises(CohortInvalid) as caught:
        validate_cohort(replace(files, claims=str(bad)))
    failures = caught.value.failures.filter(pl.col("check") == "claims_file")
    assert failures.select("file", "column", "value").rows() == [
        (
            str(bad),
            "claim itch01: field refers_to.endpoint",
            "'itch:0/1': outcome itch declares no responder '0/1'; its responders: "
            "'improvement >= 4', '0/1 and improvement >= 4'",
        )
    ]
