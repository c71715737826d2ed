"""Prove that every job of one Snakemake run went through sbatch and completed under SLURM.

    python tests/slurm/check_sbatch.py SNAKEMAKE_OUTPUT SLURMCTLD_LOG

Three independent records must agree, job for job:
- Snakemake's own output: the jobs it ran (`rule <name>:` and `checkpoint <name>:` blocks;
  `localrule` ones, such as `all`, run in the Snakemake process itself and are not submitted),
  and the executor plugin's
  `Job <n> has been submitted with SLURM jobid <id>` line for each;
- the accounting database: `sacct` rows under the run's job name (the plugin names every job
  after its run ID), each COMPLETED with exit code 0:0 on a node of the cluster;
- the controller's log: a `_slurm_rpc_submit_batch_job: JobId=<id>` line (sbatch's request) and
  a `_job_complete: JobId=<id> ... done` line for each id.
Exit status 0 and a summary when they agree and at least one job ran; 1 with the mismatch
otherwise. Needs SLURM_CONF in the environment (for sacct).
"""

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

RUN_ID = re.compile(r"^SLURM run ID: (\S+)$", re.MULTILINE)
REMOTE_RULE = re.compile(r"^(?:rule|checkpoint) (\w+):$", re.MULTILINE)
LOCAL_RULE = re.compile(r"^local(?:rule|checkpoint) (\w+):$", re.MULTILINE)
SUBMITTED = re.compile(r"^Job (\d+) has been submitted with SLURM jobid (\d+) ", re.MULTILINE)
STEPS_DONE = re.compile(r"^(\d+) of (\d+) steps \(100%\) done$", re.MULTILINE)


def sacct_rows(run_id: str) -> list[dict[str, str]]:
    fields = ["JobIDRaw", "JobName", "State", "ExitCode", "NodeList", "Account", "Comment"]
    command = [
        "sacct",
        "--allocations",
        "--noheader",
        "--parsable2",
        "--starttime",
        "now-1days",
        "--name",
        run_id,
        f"--format={','.join(fields)}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return [dict(zip(fields, line.split("|"), strict=True)) for line in output.splitlines()]


def controller_ids(log: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, log))


SacctRows = Callable[[str], list[dict[str, str]]]


def check(
    snakemake_output: str, controller_log: str, accounting: SacctRows = sacct_rows
) -> list[str]:
    """The mismatches between the three records; `accounting` gives the sacct rows of a run ID
    (a test passes its own rows instead of asking a cluster)."""
    problems: list[str] = []
    run_ids = RUN_ID.findall(snakemake_output)
    if len(run_ids) != 1:
        return [f"expected one 'SLURM run ID' line in Snakemake's output, found {len(run_ids)}"]
    run_id = run_ids[0]
    remote_jobs = REMOTE_RULE.findall(snakemake_output)
    local_jobs = LOCAL_RULE.findall(snakemake_output)
    submitted = dict(SUBMITTED.findall(snakemake_output))  # Snakemake job id -> SLURM job id
    steps = STEPS_DONE.findall(snakemake_output)
    slurm_ids = set(submitted.values())

    print(f"  SLURM run ID (sbatch --job-name): {run_id}")
    print(
        f"  Snakemake jobs: {len(remote_jobs)} submitted rule job(s) {dict(Counter(remote_jobs))}"
    )
    print(f"                  + {len(local_jobs)} local rule job(s) {dict(Counter(local_jobs))}")
    if steps:
        print(f"  Snakemake: '{steps[-1][0]} of {steps[-1][1]} steps (100%) done'")
    else:
        problems.append("Snakemake's output has no '... steps (100%) done' line")

    if not remote_jobs:
        problems.append("Snakemake ran no job that needed submission: nothing was proven")
    if len(submitted) != len(remote_jobs):
        problems.append(
            f"{len(remote_jobs)} rule job(s) ran but the plugin reported {len(submitted)} sbatch "
            "submission(s)"
        )

    rows = accounting(run_id)
    print(f"  sacct rows for job name {run_id}: {len(rows)}")
    for row in rows:
        print(
            f"    JobID={row['JobIDRaw']} State={row['State']} ExitCode={row['ExitCode']} "
            f"Node={row['NodeList']} Account={row['Account']} Comment={row['Comment']}"
        )
    sacct_ids = {row["JobIDRaw"] for row in rows}
    if sacct_ids != slurm_ids:
        problems.append(
            f"sacct job ids {sorted(sacct_ids, key=int)} != submitted {sorted(slurm_ids, key=int)}"
        )
    for row in rows:
        if row["State"] != "COMPLETED" or row["ExitCode"] != "0:0":
            problems.append(f"job {row['JobIDRaw']} is {row['State']} {row['ExitCode']} in sacct")

    submit_lines = controller_ids(controller_log, r"_slurm_rpc_submit_batch_job: JobId=(\d+) ")
    done_lines = controller_ids(controller_log, r"_job_complete: JobId=(\d+) done")
    missing_submit = slurm_ids - submit_lines
    missing_done = slurm_ids - done_lines
    print(
        f"  slurmctld log: {len(slurm_ids & submit_lines)} of {len(slurm_ids)} job(s) with "
        f"'_slurm_rpc_submit_batch_job', {len(slurm_ids & done_lines)} with '_job_complete ... done'"
    )
    if missing_submit:
        problems.append(f"no sbatch submission in slurmctld's log for {sorted(missing_submit)}")
    if missing_done:
        problems.append(f"no completion in slurmctld's log for {sorted(missing_done)}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    snakemake_output = Path(argv[0]).read_text(encoding="utf-8", errors="replace")
    controller_log = Path(argv[1]).read_text(encoding="utf-8", errors="replace")
    problems = check(snakemake_output, controller_log)
    if problems:
        for problem in problems:
            print(f"  MISMATCH {problem}", file=sys.stderr)
        return 1
    print("  every rule job went through sbatch and completed under SLURM")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
