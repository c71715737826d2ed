"""Draft a claims file from a paper's plain text: `make claims PAPER=paper.txt COHORT=name`.

Every number of the prose becomes a claim with its sentence as the quote and a guessed kind;
refers_to is left for the reviewer and the file is marked `draft: true`, which the audit refuses.
With --measure, also prints how many numbers of a reviewed claims file the draft finds.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pppflow.claims import read_claims_file  # noqa: E402
from pppflow.draft_claims import coverage, draft_claims  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paper", required=True, help="the paper as plain text")
    parser.add_argument("--cohort", required=True, help="the cohort's name, [a-z0-9_]+")
    parser.add_argument("--out", required=True, help="where to write the draft claims file")
    parser.add_argument("--measure", help="a reviewed claims file to measure the draft against")
    args = parser.parse_args()
    text = Path(args.paper).read_text(encoding="utf-8")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(draft_claims(text, args.cohort, args.paper), encoding="utf-8")
    print(f"wrote {out}: review it, then remove `draft: true`")
    if args.measure:
        reviewed = read_claims_file(Path(args.measure).read_bytes(), args.measure)
        c = coverage(text, reviewed)
        print(
            f"{args.measure}: the draft finds {c.found} of its {c.claim_numbers} reported numbers "
            f"({100 * c.found / c.claim_numbers:.0f}%); {c.drafts_not_claims} of the "
            f"{c.drafts} drafts are not claims"
        )


if __name__ == "__main__":
    main()
