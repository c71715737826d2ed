"""Time the recomputation + classification stages, polars (the pipeline's) or pandas (the
reference), on one cohort's validated files. One engine per process, so that each is timed
and measured (peak memory) alone:

    .venv/bin/python bench/compare_engines.py --engine polars \
        --validated results/<cohort>/validated [--baseline-visit baseline] \
        [--endpoint-visit week12] [--missing observed] [--repeat 1] [--json out.json] \
        [--without-fast-paths]

The time covers reading the two parquet files and every table both stages produce, not the
imports (timed apart) nor writing the results. --without-fast-paths times polars on the general
steps alone (the configuration's `performance: fast_paths: false`).
"""

import argparse
import functools
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
    fast_paths: bool = True,
) -> dict:
    """The calls workflow_scripts/pppasi.py and workflow_scripts/response.py make."""
    import polars as pl

    from pppflow.fast_paths.pppasi import pppasi_table
    from pppflow.fast_paths.response import responses_table
    from pppflow.pppasi import pppasi_check
    from pppflow.response import per_patient, response_rates

    pppasi = pppasi_table(
        pl.read_parquet(visits_path), pl.read_parquet(components_path), fast_paths=fast_paths
    )
    check = pppasi_check(pppasi.lazy()).collect()
    responses = responses_table(pppasi, baseline_visit, missing_rule, fast_paths=fast_paths)
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
    parser.add_argument("--without-fast-paths", action="store_true")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    if args.engine == "polars":
        run = functools.partial(run_polars_stages, fast_paths=not args.without_fast_paths)
        import pppflow.fast_paths.pppasi  # noqa: F401
        import pppflow.fast_paths.response  # noqa: F401
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
