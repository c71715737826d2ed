"""Write docs/bad-inputs.md: every bad input the tests cover (tests/bad_input_cases.py) and
what validation says of it, made by running each case. `make bad-inputs-doc`."""

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bad_input_cases import CASES, run_case  # noqa: E402

HEADER = """# Bad inputs and what pppflow says

Every case below is a test (`tests/test_bad_inputs.py`, cases in `tests/bad_input_cases.py`);
this page is made from them by `make bad-inputs-doc`, and a test fails when it is stale.
A rejected cohort stops the run at validation with one line per failure
(`file | row | patient_id | column | check | value`; row 0 is the header, `-` a failure of no
single row); an accepted one logs what it changed or let through in
`logs/validate/<cohort>.log`.

| case | the input | outcome | what pppflow says |
|---|---|---|---|
"""


def cell(text: str) -> str:
    lines = [line.replace("|", "\\|").replace("`", "'") for line in text.splitlines()]
    return "<br>".join(f"`{line}`" if line.strip() else "" for line in lines)


def document() -> str:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            folder = Path(tmp) / case.name
            folder.mkdir()
            outcome = run_case(case, folder)
            verdict = "rejected" if outcome.failures else "accepted"
            rows.append(f"| `{case.name}` | {case.what} | {verdict} | {cell(outcome.message)} |")
    return HEADER + "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs/bad-inputs.md")
    args = parser.parse_args()
    args.out.write_text(document(), encoding="utf-8")


if __name__ == "__main__":
    main()
