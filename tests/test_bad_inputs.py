"""Every bad input of tests/bad_input_cases.py gets exactly its failure lines, or is accepted
with exactly its notes; docs/bad-inputs.md is what tools/bad_inputs_doc.py makes of them."""

import subprocess
import sys
from pathlib import Path

import pytest
from bad_input_cases import CASES, run_case

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_gets_its_message(case, tmp_path):
    outcome = run_case(case, tmp_path)
    assert outcome.failures == case.failures
    assert outcome.notes == case.notes
    if case.failures:
        assert outcome.validated is None
        # One line per failure, after the count.
        assert outcome.message.count("\n") == len(case.failures)
    elif case.check is not None:
        case.check(outcome.validated)


def test_case_names_are_unique():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


def test_docs_bad_inputs_is_current(tmp_path):
    made = tmp_path / "bad-inputs.md"
    subprocess.run(
        [sys.executable, str(ROOT / "tools/bad_inputs_doc.py"), "--out", str(made)],
        check=True,
        cwd=ROOT,
    )
    assert made.read_text() == (ROOT / "docs/bad-inputs.md").read_text(), (
        "docs/bad-inputs.md is stale: run `make bad-inputs-doc`"
    )
