"""`make bench`: time the workflow end to end and write docs/benchmarks.md.

    .venv/bin/python bench/run_bench.py [--sizes 10000,100000,1000000] [--cores 2]
        [--engine-repeat 3] [--workroot /tmp/pppflow-bench] [--out docs/benchmarks.md]

Every run happens in a fresh copy of the workflow under --workroot (never in the checkout):
1. the default config, cold (first run of a fresh copy), then a no-op rerun (three times);
2. the same jobs in one Python process (bench/single_process.py), for the engine's overhead;
3. a synthetic cohort per size, and a randomised two-arm one per --arm-sizes (tools/synth.py
   [--arms 2], then `snakemake --cores N --configfile ...
   --replace-workflow-config`), end to end;
4. the recomputation + classification stages, polars against the pandas reference
   (bench/compare_engines.py), on the validated files of the largest synthetic cohort;
5. the import cost of each job's script in a fresh interpreter, the cost Snakemake pays once
   per job.
Wall times are measured here; per-rule wall time and peak memory (max_rss) come from the
`benchmark:` files Snakemake writes; the peak memory of a whole run is the sampled sum of the
resident memory of Snakemake and all its jobs (an upper bound: shared pages count twice).
"""

import argparse
import ast
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from workflow import copy_workflow  # noqa: E402  (tests/workflow.py: what a copy needs)

from pppflow.between_arms import REPEATED_MEASURES_MAX_PATIENTS  # noqa: E402

BIN = Path(sys.executable).parent
SNAKEMAKE = BIN / "snakemake"
PYTHON = Path(sys.executable)
MB = 1024 * 1024
MIN_SAMPLED_MB = 5.0  # below this a benchmark file's max_rss caught no sample of the job

# The registry-scale targets (2 cores) docs/benchmarks.md reports on.
TARGET_1M_SECONDS = 30.0
# A randomised two-arm cohort (issue 14): six visits, the between-arm models on top.
TARGET_1M_ARMS_SECONDS = 60.0
TARGET_1M_PEAK_MB = 3 * 1024
TARGET_NOOP_SECONDS = 1.5
TARGET_ENGINE_OVERHEAD = 1.5
TARGET_POLARS_SPEEDUP = 10.0

# Imports timed alone in a fresh interpreter (the snakemake line is what Snakemake's script
# preamble imports in every job).
IMPORT_PROBES = {
    "python (nothing)": "pass",
    "snakemake script preamble": (
        "from snakemake.logging import logger; from snakemake.iocontainers import Snakemake"
    ),
    "polars": "import polars",
    "numpy": "import numpy",
    "pandera.polars": "import pandera.polars",
    "pandas": "import pandas",
    "scipy.stats": "import scipy.stats",
    "scipy.special": "import scipy.special",
    "altair": "import altair",
    "vl_convert": "import vl_convert",
}


@dataclass
class Run:
    name: str
    command: list[str]
    wall_seconds: float = 0.0
    returncode: int = 0
    peak_total_mb: float = 0.0
    peak_process_mb: float = 0.0
    load_before: float = 0.0
    rules: list[dict] = field(default_factory=list)
    log: str = ""


class MemorySampler(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants, sampled."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_total = self.peak_single = 0
        self.done = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.done.is_set():
            total = 0
            try:
                for proc in [root, *root.children(recursive=True)]:
                    try:
                        rss = proc.memory_info().rss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                    total += rss
                    self.peak_single = max(self.peak_single, rss)
            except psutil.NoSuchProcess:
                break
            self.peak_total = max(self.peak_total, total)
            self.done.wait(self.interval)


def timed(name: str, command: list[str], cwd: Path, log_file: Path) -> Run:
    run = Run(name=name, command=command, load_before=os.getloadavg()[0])
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    with open(log_file, "w") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
        sampler = MemorySampler(proc.pid)
        sampler.start()
        run.returncode = proc.wait()
        run.wall_seconds = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
    run.peak_total_mb = sampler.peak_total / MB
    run.peak_process_mb = sampler.peak_single / MB
    run.log = str(log_file)
    if run.returncode != 0:
        tail = log_file.read_text(errors="replace").splitlines()[-15:]
        print(f"!! {name} failed ({run.returncode}):\n" + "\n".join(tail), file=sys.stderr)
    return run


def rule_benchmarks(workdir: Path) -> list[dict]:
    """One row per job from benchmarks/<rule>/<name>.tsv: wall s and max_rss (MB)."""
    rows = []
    for path in sorted((workdir / "benchmarks").rglob("*.tsv")):
        with open(path, newline="") as handle:
            records = list(csv.DictReader(handle, delimiter="\t"))
        if not records:
            continue
        last = records[-1]

        def number(key: str, record=last) -> float | None:
            try:
                return float(record[key])
            except (KeyError, TypeError, ValueError):
                return None

        rows.append(
            {
                "rule": path.relative_to(workdir / "benchmarks").parts[0],
                "job": path.stem,
                "seconds": number("s"),
                "max_rss_mb": number("max_rss"),
                "cpu_seconds": number("cpu_time"),
            }
        )
    return rows


def fresh_copy(workroot: Path, name: str) -> Path:
    dest = workroot / name
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    return copy_workflow(dest)


def snakemake_command(cores: int, *extra: str) -> list[str]:
    return [str(SNAKEMAKE), "--cores", str(cores), *extra]


def count_rows(path: Path) -> int:
    import polars as pl

    scan = pl.scan_parquet(path) if path.suffix == ".parquet" else pl.scan_csv(path)
    return scan.select(pl.len()).collect().item()


def import_seconds(code: str, cwd: Path, repeat: int = 3) -> float:
    """Fastest of `repeat` fresh interpreters running `code` (start-up included)."""
    best = float("inf")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([str(PYTHON), "-c", code], cwd=cwd, check=True, env=env)
        best = min(best, time.perf_counter() - started)
    return best


def script_imports(script: Path) -> str:
    tree = ast.parse(script.read_text(encoding="utf-8"))
    lines = [ast.unparse(n) for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    return "; ".join(lines)


def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for package in ("snakemake", "polars", "pandera", "pandas", "numpy", "scipy", "pyarrow"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: BLE001 - a missing package is only not listed
            continue
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return {
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "commit": commit + (" (with uncommitted changes)" if dirty else ""),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="patients, comma-separated")
    parser.add_argument(
        "--arm-sizes", default="1000000", help="patients of two-arm cohorts, comma-separated"
    )
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--default-repeat", type=int, default=2, help="cold/single-process pairs")
    parser.add_argument(
        "--engine-repeat", type=int, default=3, help="runs per engine, in one process each"
    )
    parser.add_argument("--workroot", type=Path, default=Path("/tmp/pppflow-bench"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON here")
    parser.add_argument(
        "--skip-default", action="store_true", help="leave out the default-config runs"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    arm_sizes = [int(s) for s in args.arm_sizes.split(",") if s]
    args.workroot.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])]),
        "machine": machine_info(),
        "cores": args.cores,
    }

    # 1-2. The default config: cold, no-op reruns, and the single-process equivalent.
    cold_runs, single_runs, noops = [], [], []
    for attempt in range(0 if args.skip_default else args.default_repeat):
        work = fresh_copy(args.workroot, f"default-{attempt}")
        cold = timed("default cold", snakemake_command(args.cores), work, work / "bench.log")
        cold.rules = rule_benchmarks(work)
        cold_runs.append(cold)
        print(f"default cold: {cold.wall_seconds:.2f} s", file=sys.stderr)
        if attempt == 0:
            for i in range(3):
                noop = timed("no-op", snakemake_command(args.cores), work, work / f"noop{i}.log")
                noops.append(noop)
                print(f"no-op rerun: {noop.wall_seconds:.2f} s", file=sys.stderr)
        single_work = fresh_copy(args.workroot, f"single-{attempt}")
        timings = single_work / "single_process.json"
        single = timed(
            "single process",
            [
                str(PYTHON),
                str(ROOT / "bench" / "single_process.py"),
                "--workdir",
                str(single_work),
                "--timings",
                str(timings),
            ],
            single_work,
            single_work / "bench.log",
        )
        if single.returncode == 0:
            detail = json.loads(timings.read_text())
            single.rules = detail["jobs"]
            # Planning is Snakemake's work (import, DAG), not the stages': left out.
            single.wall_seconds -= detail["plan_seconds"]
        single_runs.append(single)
        print(f"single process: {single.wall_seconds:.2f} s", file=sys.stderr)
    results["default"] = {
        "cold": [vars(r) for r in cold_runs],
        "noop": [vars(r) for r in noops],
        "single": [vars(r) for r in single_runs],
    }

    # 3. Synthetic cohorts.
    synthetic = []
    for n, arms in [(n, 1) for n in sizes] + [(n, 2) for n in arm_sizes]:
        cohort = f"synth_n{n}" + ("_arms2" if arms == 2 else "")
        work = fresh_copy(args.workroot, f"synth-{n}-arms{arms}")
        out = Path("results") / "synth" / cohort
        started = time.perf_counter()
        generated = subprocess.run(
            [
                str(PYTHON),
                str(ROOT / "tools" / "synth.py"),
                "--patients",
                str(n),
                "--seed",
                str(args.seed),
                "--out",
                str(out),
                "--cohort",
                cohort,
                "--arms",
                str(arms),
            ],
            cwd=work,
            capture_output=True,
            text=True,
        )
        generate_seconds = time.perf_counter() - started
        if generated.returncode != 0:
            print(generated.stderr, file=sys.stderr)
            synthetic.append({"patients": n, "arms": arms, "error": generated.stderr[-2000:]})
            continue
        fmt = "parquet" if (work / out / "components.parquet").exists() else "csv"
        entry = {
            "patients": n,
            "arms": arms,
            "format": fmt,
            "visit_rows": count_rows(work / out / f"visits.{fmt}"),
            "component_rows": count_rows(work / out / f"components.{fmt}"),
            "generate_seconds": generate_seconds,
        }
        run = timed(
            f"synthetic {n}, {arms} arm(s)",
            snakemake_command(
                args.cores, "--configfile", str(out / "config.yaml"), "--replace-workflow-config"
            ),
            work,
            work / "bench.log",
        )
        run.rules = rule_benchmarks(work)
        entry["run"] = vars(run)
        entry["validated"] = str(work / "results" / cohort / "validated")
        synthetic.append(entry)
        print(f"synthetic {n}, {arms} arm(s): {run.wall_seconds:.2f} s", file=sys.stderr)
    results["synthetic"] = synthetic

    # 4. polars against pandas on the largest synthetic cohort that ran.
    done = [s for s in synthetic if "run" in s and s["run"]["returncode"] == 0 and s["arms"] == 1]
    engines = {}
    if done:
        largest = max(done, key=lambda s: s["patients"])
        for engine in ("polars", "pandas"):
            proc = subprocess.run(
                [
                    str(PYTHON),
                    str(ROOT / "bench" / "compare_engines.py"),
                    "--engine",
                    engine,
                    "--validated",
                    largest["validated"],
                    "--repeat",
                    str(args.engine_repeat),
                ],
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                engines[engine] = {"error": proc.stderr[-2000:]}
                continue
            engines[engine] = json.loads(proc.stdout.strip().splitlines()[-1])
        engines["patients"] = largest["patients"]
        engines["component_rows"] = largest["component_rows"]
    results["engines"] = engines

    # 5. What a job pays before its first line of work.
    probe_dir = fresh_copy(args.workroot, "imports")
    results["imports"] = {
        name: import_seconds(code, probe_dir) for name, code in IMPORT_PROBES.items()
    }
    script_costs = {}
    for script in sorted((probe_dir / "workflow_scripts").glob("*.py")):
        if script.name.startswith("_"):
            continue
        code = (
            "import sys; sys.path[:0] = ['workflow_scripts', '.']; "
            "from snakemake.logging import logger; from snakemake.iocontainers import Snakemake; "
            + script_imports(script)
        )
        script_costs[script.stem] = import_seconds(code, probe_dir)
    results["script_imports"] = script_costs
    results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")

    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render_markdown(results), encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


# --- the report ---------------------------------------------------------------------------


def _fmt(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _per_rule(rules: list[dict]) -> list[list]:
    by_rule: dict[str, dict] = {}
    for r in rules:
        entry = by_rule.setdefault(r["rule"], {"jobs": 0, "seconds": 0.0, "max_rss_mb": 0.0})
        entry["jobs"] += 1
        entry["seconds"] += r["seconds"] or 0.0
        entry["max_rss_mb"] = max(entry["max_rss_mb"], r["max_rss_mb"] or 0.0)
    ordered = sorted(by_rule.items(), key=lambda kv: -kv[1]["seconds"])
    return [
        [
            rule,
            v["jobs"],
            v["seconds"],
            v["max_rss_mb"] if v["max_rss_mb"] >= MIN_SAMPLED_MB else None,
        ]
        for rule, v in ordered
    ]


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "**not met**")


def render_markdown(results: dict) -> str:
    m = results["machine"]
    default = results["default"]
    ok_cold = [r for r in default["cold"] if r["returncode"] == 0]
    ok_single = [r for r in default["single"] if r["returncode"] == 0]
    cold = min((r["wall_seconds"] for r in ok_cold), default=None)
    single = min((r["wall_seconds"] for r in ok_single), default=None)
    noop_times = [r["wall_seconds"] for r in default["noop"] if r["returncode"] == 0]
    noop = min(noop_times, default=None)
    overhead = cold / single if cold and single else None
    synthetic = results["synthetic"]
    million = next(
        (
            s
            for s in synthetic
            if s["patients"] == 1_000_000 and s.get("arms", 1) == 1 and "run" in s
        ),
        None,
    )
    trial = next(
        (s for s in synthetic if s["patients"] == 1_000_000 and s.get("arms") == 2 and "run" in s),
        None,
    )
    trial_ok = trial is not None and trial["run"]["returncode"] == 0
    engines = results["engines"]
    speedup = None
    if "seconds" in engines.get("polars", {}) and "seconds" in engines.get("pandas", {}):
        speedup = engines["pandas"]["seconds"] / engines["polars"]["seconds"]

    million_ok = million is not None and million["run"]["returncode"] == 0
    targets = [
        [
            "1M patients x 3 visits x 4 regions, two declared outcomes (DLQI, itch), an events "
            "file, stop weeks: end to end",
            f"< {TARGET_1M_SECONDS:.0f} s",
            _fmt(million["run"]["wall_seconds"]) + " s" if million_ok else "did not run",
            _verdict(million["run"]["wall_seconds"] < TARGET_1M_SECONDS if million_ok else None),
        ],
        [
            "peak memory of that run (all processes)",
            f"< {TARGET_1M_PEAK_MB / 1024:.0f} GB",
            _fmt(million["run"]["peak_total_mb"] / 1024) + " GB" if million_ok else "–",
            _verdict(million["run"]["peak_total_mb"] < TARGET_1M_PEAK_MB if million_ok else None),
        ],
        [
            "1M patients, two arms (6 visits, strata, declared outcomes, events) end to end",
            f"< {TARGET_1M_ARMS_SECONDS:.0f} s",
            _fmt(trial["run"]["wall_seconds"]) + " s" if trial_ok else "did not run",
            _verdict(trial["run"]["wall_seconds"] < TARGET_1M_ARMS_SECONDS if trial_ok else None),
        ],
        [
            "no-op rerun of the default config",
            f"< {TARGET_NOOP_SECONDS} s",
            _fmt(noop) + " s" if noop is not None else "–",
            _verdict(noop < TARGET_NOOP_SECONDS if noop is not None else None),
        ],
        [
            "cold run / one process calling the same stages",
            f"<= {TARGET_ENGINE_OVERHEAD}x",
            _fmt(overhead) + "x" if overhead else "–",
            _verdict(overhead <= TARGET_ENGINE_OVERHEAD if overhead else None),
        ],
        [
            "pandas time / polars time, recomputation + classification",
            f">= {TARGET_POLARS_SPEEDUP:.0f}x",
            _fmt(speedup, 1) + "x" if speedup else "–",
            _verdict(speedup >= TARGET_POLARS_SPEEDUP if speedup else None),
        ],
    ]

    out = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`bench/run_bench.py`); do not edit by hand. Every run is in a "
        "fresh copy of the workflow under `/tmp`, with `snakemake --cores "
        f"{results['cores']}`. Figures are from one run of the harness on the machine below: "
        "wall times on a shared or loaded machine vary by tens of percent (the load average "
        "before each run is listed).",
        "",
        f"Command: `{results['command']}` — started {results['started']}, "
        f"finished {results['finished']}.",
        "",
        "## Targets",
        "",
        _table(["target", "wanted", "measured", ""], targets),
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']} ({m['logical_cpus']} logical, {m['usable_cpus']} usable)",
        f"- memory: {m['memory_gb']} GB; OS: {m['os']}; Python {m['python']}",
        "- " + ", ".join(f"{k} {v}" for k, v in m["versions"].items()),
        f"- commit: {m['commit']}",
        "",
        "## End to end",
        "",
        "Wall time of the whole `snakemake` command (start-up, DAG, every job); peak memory is "
        "the sampled sum of resident memory over Snakemake and its jobs (shared pages count "
        "twice, so it is an upper bound) and, beside it, the largest single process.",
        "",
    ]

    def measured(r: dict) -> list:
        return [r["wall_seconds"], r["peak_total_mb"], r["peak_process_mb"], r["load_before"]]

    default_runs = (
        ("cold", "default config, cold"),
        ("noop", "default config, no-op rerun"),
        ("single", "default config, one process (bench/single_process.py)"),
    )
    rows = [[label, 20, "–", *measured(r)] for key, label in default_runs for r in default[key]]
    for s in synthetic:
        if "run" not in s:
            rows.append(
                ["synthetic (generation failed)", s["patients"], "–", None, None, None, None]
            )
            continue
        r = s["run"]
        label = (
            f"synthetic, {s['format']}"
            + (", two arms" if s.get("arms") == 2 else "")
            + ("" if r["returncode"] == 0 else " (FAILED)")
        )
        rows.append([label, s["patients"], s["component_rows"], *measured(r)])
    out += [
        _table(
            [
                "run",
                "patients",
                "component rows",
                "wall s",
                "peak MB (all)",
                "peak MB (one process)",
                "load before",
            ],
            rows,
        ),
        "",
        "The single-process time leaves out its planning step (Snakemake's import and DAG, "
        "in a child process); synthetic generation time (not in the wall time): "
        + ", ".join(
            f"{s['patients']:,}: {s['generate_seconds']:.1f} s"
            for s in synthetic
            if "generate_seconds" in s
        )
        + ". In the two-arm run, the mixed model over the visits (`repeated_measures.csv`) "
        f"is fitted on a seeded random subsample of {REPEATED_MEASURES_MAX_PATIENTS:,} "
        "patients per arm (`pppflow/between_arms.py`; statsmodels' MixedLM fits patient by "
        "patient), as each of its rows says; every other between-arm result uses every patient.",
        "",
        "## Per rule",
        "",
        "From Snakemake's `benchmarks/<rule>/<cohort>.tsv`: the job's wall time (its "
        "interpreter start and imports included) and peak resident memory. Snakemake samples "
        "the memory of a job's processes now and then: a job over before the first sample shows "
        "a few MB or less, printed as –.",
        "",
    ]
    if ok_cold:
        out += [
            "### Default config, cold",
            "",
            _table(["rule", "jobs", "wall s (sum)", "max_rss MB"], _per_rule(ok_cold[0]["rules"])),
            "",
        ]
    for s in synthetic:
        if "run" in s and s["run"]["rules"]:
            out += [
                f"### Synthetic, {s['patients']:,} patients"
                + (", two arms" if s.get("arms") == 2 else ""),
                "",
                _table(
                    ["rule", "jobs", "wall s (sum)", "max_rss MB"], _per_rule(s["run"]["rules"])
                ),
                "",
            ]

    out += ["## The engine's overhead", ""]
    if ok_cold and ok_single:
        in_process = {}
        for job in ok_single[0]["rules"]:
            in_process[job["rule"]] = in_process.get(job["rule"], 0.0) + job["seconds"]
        jobs = _per_rule(ok_cold[0]["rules"])
        rows = [
            [
                rule,
                n,
                s,
                in_process.get(rule),
                s - in_process.get(rule, 0.0),
                results["script_imports"].get(rule),
            ]
            for rule, n, s, _ in jobs
        ]
        out += [
            f"Cold run {cold:.2f} s against {single:.2f} s for the same jobs in one process: "
            f"{overhead:.2f}x. Per rule, the job's wall time under Snakemake, the same work in "
            "the single process (where each library is imported once, by the first job that "
            "needs it), the difference, and the import cost of the rule's script alone in a "
            "fresh interpreter (with Snakemake's preamble).",
            "",
            _table(
                [
                    "rule",
                    "jobs",
                    "Snakemake job s",
                    "in one process s",
                    "difference s",
                    "script imports s",
                ],
                rows,
            ),
            "",
        ]
    out += [
        "Import cost of single libraries in a fresh interpreter (fastest of three, interpreter "
        "start included):",
        "",
        _table(["import", "s"], [[k, v] for k, v in results["imports"].items()]),
        "",
        "## polars against pandas",
        "",
    ]
    if speedup:
        pol, pan = engines["polars"], engines["pandas"]
        out += [
            f"Recomputation (`pppflow.pppasi`) and classification (`pppflow.response`), with "
            f"their fast paths (`pppflow.fast_paths`, as the workflow runs them), on the "
            f"validated files of the {engines['patients']:,}-patient synthetic cohort "
            f"({engines['component_rows']:,} component rows), reading included, writing and "
            "imports not; the pandas reference is `bench/pandas_reference.py` "
            "(tests/test_pandas_reference.py checks it gives the same tables). Fastest of "
            f"{len(pol['all_seconds'])} runs each.",
            "",
            _table(
                ["engine", "seconds", "peak MB", "imports s"],
                [
                    ["polars", pol["seconds"], pol["max_rss_mb"], pol["import_seconds"]],
                    ["pandas", pan["seconds"], pan["max_rss_mb"], pan["import_seconds"]],
                ],
            ),
            "",
            f"pandas / polars: **{speedup:.1f}x**.",
            "",
        ]
    else:
        out += ["Not measured: " + json.dumps(engines)[:500], ""]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
