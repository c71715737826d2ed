"""Time the recomputation + classification stages, polars (the pipeline's) or pandas (the
reference), on one cohort's validated files. One engine per process, so that each is timed
and measured (peak memory) alone:

    .venv/bin/python bench/compare_engines.py --engine polars \
        --validated results/<cohort>/validated [--baseline-visit baseline] \
        [--endpoint-visit week12] [--missing observed] [--repeat 1] [--json out.json]

The time covers reading the two parquet files and every table both stages produce, not the
imports (timed apart) nor writing the results.
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_polars_stages(
    visits_path: str,
    components_path: str,
    baseline_visit: str,
    endpoint_visit: str,
    missing_rule: str,
    confidence_level: float,
) -> dict:
    """The calls workflow_scripts/pppasi.py and workflow_scripts/response.py make."""
    import polars as pl

    from pppflow.pppasi import combine_pppasi_frames, pppasi_check
    from pppflow.response import classify_responses_frame, per_patient, response_rates

    pppasi = combine_pppasi_frames(pl.read_parquet(visits_path), pl.read_parquet(components_path))
    check = pppasi_check(pppasi.lazy()).collect()
    responses = classify_responses_frame(pppasi, baseline_visit, missing_rule)
    return {
        "pppasi": pppasi,
        "pppasi_check": check,
        "responses": responses,
        "per_patient": per_patient(responses.lazy(), endpoint_visit).collect(),
        "response_rates": response_rates(responses.lazy(), missing_rule, confidence_level),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("polars", "pandas"), required=True)
    parser.add_argument("--validated", type=Path, required=True)
    parser.add_argument("--baseline-visit", default="baseline")
    parser.add_argument("--endpoint-visit", default="week12")
    parser.add_argument("--missing", default="observed")
    parser.add_argument("--confidence-level", type=float, default=0.95)
    parser.add_argument("--repeat", type=int, default=1, help="report the fastest of n runs")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.engine == "polars":
        run = run_polars_stages
        import pppflow.pppasi  # noqa: F401
        import pppflow.response  # noqa: F401
    else:
        from bench.pandas_reference import run_stages as run
    imports = time.perf_counter() - started

    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        tables = run(
            str(args.validated / "visits.parquet"),
            str(args.validated / "components.parquet"),
            args.baseline_visit,
            args.endpoint_visit,
            args.missing,
            args.confidence_level,
        )
        times.append(time.perf_counter() - started)
        rows = {name: len(frame) for name, frame in tables.items()}
        del tables
    result = {
        "engine": args.engine,
        "seconds": min(times),
        "all_seconds": times,
        "import_seconds": imports,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rows": rows,
    }
    print(json.dumps(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
