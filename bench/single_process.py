"""Run every job of the workflow in ONE Python process: the engine's overhead, measured.

    .venv/bin/python bench/single_process.py [--workdir DIR] [--configfile FILE]
        [--replace-workflow-config] [--timings out.json]

Two steps, so that Snakemake's own import and DAG building do not count:
1. plan (a child process): Snakemake builds the DAG of the full run (as `--forceall` would)
   and, for each job in dependency order, the very `snakemake` object its script would get;
   they are pickled, as Snakemake's script preamble does.
2. run (this process): each rule's script from `workflow_scripts/` is executed in turn in this
   interpreter with its `snakemake` object. The stage functions, the reads and writes are the
   same as in a Snakemake run; what is missing is the engine: one interpreter start and one
   round of imports per job, and the scheduling.
Jobs behind a checkpoint are only known once it has run: planning and running repeat (later
rounds plan only the jobs still to do) until nothing is left. Run it on a fresh copy of the
workflow: records of an earlier Snakemake run would make later rounds want done jobs again.

Timings go to stderr and, with --timings, to a JSON file. Exit non-zero if a job fails.
"""

import argparse
import json
import logging
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STARTED = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
MAX_ROUNDS = 5  # one more than the checkpoints a path of the DAG goes through, at least


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path.cwd())
    parser.add_argument("--configfile", type=Path, action="append", default=[])
    parser.add_argument("--replace-workflow-config", action="store_true")
    parser.add_argument("--timings", type=Path, help="write the timings here as JSON")
    parser.add_argument("--plan", type=Path, help=argparse.SUPPRESS)  # internal: step 1
    parser.add_argument("--force", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--done", type=Path, help=argparse.SUPPRESS)  # jobs run in this session
    return parser.parse_args(argv)


def plan(args: argparse.Namespace) -> None:
    """Step 1, in a child process: the jobs of a forced full run, pickled in order."""
    from snakemake.api import SnakemakeApi
    from snakemake.io import is_flagged
    from snakemake.iocontainers import Log, Snakemake
    from snakemake.settings.types import (
        ConfigSettings,
        DAGSettings,
        OutputSettings,
        Quietness,
        ResourceSettings,
    )

    config = ConfigSettings(
        configfiles=[p.resolve() for p in args.configfile],
        replace_workflow_config=args.replace_workflow_config,
    )
    jobs = []
    with SnakemakeApi(OutputSettings(quiet={Quietness.ALL})) as api:
        workflow_api = api.workflow(
            resource_settings=ResourceSettings(cores=1),
            config_settings=config,
            snakefile=args.workdir / "Snakefile",
            workdir=args.workdir,
        )
        dag_api = workflow_api.dag(DAGSettings(forceall=args.force))
        # Internal API (Snakemake 9): the same steps as `snakemake --dry-run [--forceall]`.
        workflow = workflow_api._workflow
        workflow.dag_settings = dag_api.dag_settings
        workflow._prepare_dag(
            forceall=args.force, ignore_incomplete=True, lock_warn_only=True, nolock=True
        )
        workflow._build_dag()
        dag = workflow.dag
        waiting = set()  # behind a checkpoint that has not run: for a later round
        # Jobs this session ran already: Snakemake may still want them (its metadata is from an
        # earlier Snakemake run, if any, not from this one), but they are done.
        done = {tuple(j) for j in json.loads(args.done.read_text())} if args.done else set()
        for level in dag.toposorted():
            for job in sorted(level, key=lambda j: (j.rule.name, str(j.wildcards))):
                if any(is_flagged(f, "checkpoint_target") for f in job.input) or any(
                    dep in waiting for dep in dag.dependencies[job]
                ):
                    waiting.add(job)
                    continue
                if not job.rule.script or not dag.needrun(job):
                    continue  # `rule all` and other rules without a script do no work
                if (job.rule.name, str(sorted(job.wildcards.items()))) in done:
                    continue
                script = (
                    Path(job.rule.basedir.get_path_or_uri(secret_free=True)) / job.rule.script
                ).resolve()
                smk = Snakemake(
                    job.input,
                    job.output,
                    job.params,
                    job.wildcards,
                    job.threads,
                    job.resources,
                    job.log if job.log else Log(),
                    workflow.config,
                    job.rule.name,
                    None,
                    str(script.parent),
                )
                jobs.append({"rule": job.rule.name, "script": str(script), "snakemake": smk})
    with open(args.plan, "wb") as handle:
        pickle.dump(jobs, handle, protocol=4)


def run_job(job: dict) -> float:
    smk = job["snakemake"]
    for path in [*smk.output, *smk.log]:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    script = Path(job["script"])
    if str(script.parent) not in sys.path:
        sys.path.insert(0, str(script.parent))
    code = compile(script.read_text(encoding="utf-8"), str(script), "exec")
    started = time.perf_counter()
    try:
        exec(code, {"__name__": "__main__", "__file__": str(script), "snakemake": smk})
    except SystemExit as stop:
        if stop.code not in (None, 0):
            raise RuntimeError(f"rule {job['rule']} ({smk.wildcards}) exited {stop.code}") from None
    finally:
        # Each script attaches handlers to its rule's logger: detach them, as the end of its
        # process would.
        logger = logging.getLogger(f"pppflow.{job['rule']}")
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.workdir = args.workdir.resolve()
    if args.plan:
        plan(args)
        return 0
    records = args.workdir / ".snakemake" / "metadata"
    if records.is_dir() and any(records.iterdir()):
        sys.exit(
            f"{args.workdir} has records of an earlier Snakemake run, which would make the "
            "planning of later rounds want finished jobs again: run on a fresh copy of the "
            "workflow (as bench/run_bench.py does)."
        )
    plan_seconds = 0.0
    timings = []
    done = []  # (rule, sorted wildcards) of the jobs run
    with tempfile.TemporaryDirectory() as tmp:
        for round_number in range(MAX_ROUNDS):
            plan_file = Path(tmp) / f"plan{round_number}.pickle"
            command = [sys.executable, str(Path(__file__).resolve()), "--plan", str(plan_file)]
            command += ["--workdir", str(args.workdir)]
            for path in args.configfile:
                command += ["--configfile", str(path.resolve())]
            if args.replace_workflow_config:
                command.append("--replace-workflow-config")
            if round_number == 0:
                command.append("--force")
            else:
                done_file = Path(tmp) / "done.json"
                done_file.write_text(json.dumps(done))
                command += ["--done", str(done_file)]
            planned = time.perf_counter()
            subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": ""})
            plan_seconds += time.perf_counter() - planned
            with open(plan_file, "rb") as handle:
                jobs = pickle.load(handle)
            if not jobs:
                break
            os.chdir(args.workdir)
            for job in jobs:
                seconds = run_job(job)
                wildcards = dict(job["snakemake"].wildcards.items())
                timings.append({"rule": job["rule"], "wildcards": wildcards, "seconds": seconds})
                done.append((job["rule"], str(sorted(wildcards.items()))))
                print(f"{seconds:8.3f} s  {job['rule']} {wildcards}", file=sys.stderr)
        else:
            raise RuntimeError(f"jobs still to do after {MAX_ROUNDS} rounds")
    ended = time.perf_counter()
    # This process's own time without the planning child: interpreter start to the last job.
    own_seconds = (ended - STARTED) - plan_seconds
    summary = {
        "jobs": timings,
        "jobs_seconds": sum(t["seconds"] for t in timings),
        "process_seconds": own_seconds,
        "plan_seconds": plan_seconds,
    }
    print(
        f"{len(timings)} jobs in one process: {own_seconds:.2f} s "
        f"(jobs {summary['jobs_seconds']:.2f} s; planning, not counted, {plan_seconds:.2f} s)",
        file=sys.stderr,
    )
    if args.timings:
        args.timings.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
