"""Write a seeded synthetic cohort (component level) and a config file that runs it.

    .venv/bin/python tools/synth.py --patients 100000 [--seed 0] [--format parquet|csv]
        [--out results/synth/n100000] [--cohort synth_n100000] [--plant-errors] [--arms 2]

Run it from the workflow's root: the config names the files by the paths written. Then

    .venv/bin/snakemake --cores 2 --configfile results/synth/n100000/config.yaml \
        --replace-workflow-config

(`--replace-workflow-config` so that only the synthetic cohort runs; a plain --configfile merges
with config/config.yaml and would run its cohorts too). With --plant-errors the cohort is broken
in known ways and `expected_failures.csv` lists exactly what the validation must report.
With --arms 2 it is a randomised placebo/active trial (pppflow.synth.TRIAL_VISITS: weeks 0 to 16,
the endpoint and switch visit, and week 20), and the config declares its arms, the `region`
stratum and the switch visit.
"""

import argparse
import sys
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pppflow.io import write_csv, write_parquet, write_text  # noqa: E402
from pppflow.synth import (  # noqa: E402
    SYNTH_OUTCOMES,
    TRIAL_VISITS,
    SynthSpec,
    generate_cohort,
    plant_errors,
    trial_config,
)

PARQUET_FROM_PATIENTS = 100_000  # --format auto: CSV below, parquet from here on


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, required=True, help="number of patients")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--format", choices=("auto", "parquet", "csv"), default="auto")
    parser.add_argument("--out", type=Path, help="folder (default results/synth/n<patients>)")
    parser.add_argument("--cohort", help="cohort name (default synth_n<patients>)")
    parser.add_argument("--pga-max", type=int, default=4)
    parser.add_argument(
        "--no-recorded-pppasi",
        action="store_true",
        help="leave the visits' pppasi empty: components only",
    )
    parser.add_argument("--plant-errors", action="store_true")
    parser.add_argument(
        "--arms",
        type=int,
        choices=(1, 2),
        default=1,
        help="2: a randomised placebo/active trial with a region stratum and a week-16 switch",
    )
    parser.add_argument(
        "--base-config",
        type=Path,
        default=Path(__file__).resolve().parents[1] / "config" / "config.yaml",
        help="settings other than cohorts are copied from here",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    suffix = "_arms2" if args.arms == 2 else ""
    out = args.out or Path("results/synth") / f"n{args.patients}{suffix}"
    if out.resolve().is_relative_to(Path(__file__).resolve().parents[1] / "resources"):
        sys.exit("synthetic data never goes under resources/: pick another --out")
    cohort_name = args.cohort or f"synth_n{args.patients}{suffix}"
    fmt = args.format
    if fmt == "auto":
        fmt = "parquet" if args.patients >= PARQUET_FROM_PATIENTS else "csv"
    spec = SynthSpec(
        n_patients=args.patients,
        seed=args.seed,
        pga_max=args.pga_max,
        record_pppasi=not args.no_recorded_pppasi,
        arms=args.arms,
        **({"visits": TRIAL_VISITS} if args.arms == 2 else {}),
    )

    started = time.perf_counter()
    cohort = generate_cohort(spec)
    expected = None
    if args.plant_errors:
        cohort, expected = plant_errors(cohort, spec, seed=args.seed + 1)
    write = write_parquet if fmt == "parquet" else write_csv
    roles = ("patients", "visits", "components", "events")
    paths = {role: out / f"{role}.{fmt}" for role in roles if getattr(cohort, role) is not None}
    for role, path in paths.items():
        write(getattr(cohort, role), path)

    base = yaml.safe_load(args.base_config.read_text(encoding="utf-8"))
    base["cohorts"] = {
        cohort_name: {
            **{role: str(path) for role, path in paths.items()},
            "baseline_visit": spec.visits[0][0],
            "endpoint_visit": spec.visits[-1][0],
            "pga_max": spec.pga_max,
            "missing": "observed",
            "pppasi_disagreement": "warn",
            "outcomes": SYNTH_OUTCOMES,
            **(trial_config() if args.arms == 2 else {}),
        }
    }
    header = (
        f"# Synthetic cohort: tools/synth.py --patients {args.patients} --seed {args.seed}"
        f"{' --plant-errors' if args.plant_errors else ''}"
        f"{' --arms 2' if args.arms == 2 else ''}. Run with\n"
        f"# snakemake --cores 2 --configfile {out / 'config.yaml'} --replace-workflow-config\n"
    )
    write_text(header + yaml.safe_dump(base, sort_keys=False), out / "config.yaml")
    if expected is not None:
        import polars as pl

        write_csv(
            expected.with_columns(
                pl.col("file").replace_strict({r: str(p) for r, p in paths.items()})
            ),
            out / "expected_failures.csv",
        )
    print(
        f"{cohort_name}: {cohort.patients.height} patients, {cohort.visits.height} visits, "
        f"{cohort.components.height} component rows ({fmt}) in {out} "
        f"[{time.perf_counter() - started:.1f} s]"
        + (f"; {expected.height} planted failures" if expected is not None else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
