"""The two judges of `make test-slurm` (no cluster needed): they must see real differences."""

from pathlib import Path

import check_sbatch
import compare_results
import polars as pl
import pytest


def write_tree(root: Path, pppasi_tenths: list[int], note: str) -> Path:
    results = root / "results"
    (results / "c1").mkdir(parents=True)
    frame = pl.DataFrame({"patient_id": ["P1", "P2"], "pppasi_tenths": pppasi_tenths})
    frame.write_parquet(results / "c1" / "pppasi.parquet")
    (results / "c1" / "rates.csv").write_text("endpoint,rate\nPPPASI75,0.5\n")
    (results / "c1" / "report.md").write_text(f"made in {root}\n{note}\n")
    return results


def test_identical_trees_in_different_folders_match(tmp_path):
    local = write_tree(tmp_path / "local", [123, 40], "same")
    slurm = write_tree(tmp_path / "slurm", [123, 40], "same")
    # report.md embeds each copy's own folder; only that may differ.
    assert (local / "c1/report.md").read_text() != (slurm / "c1/report.md").read_text()
    assert compare_results.compare_trees(local, slurm, []) == ([], [])


def test_one_changed_value_is_a_difference_naming_the_column(tmp_path):
    local = write_tree(tmp_path / "local", [123, 40], "same")
    slurm = write_tree(tmp_path / "slurm", [123, 41], "same")
    differences, _ = compare_results.compare_trees(local, slurm, [])
    assert differences == ["c1/pppasi.parquet: values differ in column(s) pppasi_tenths"]


def test_text_difference_reports_its_line_and_missing_files_are_listed(tmp_path):
    local = write_tree(tmp_path / "local", [123, 40], "same")
    slurm = write_tree(tmp_path / "slurm", [123, 40], "other")
    (local / "c1" / "extra.csv").write_text("a\n1\n")
    differences, _ = compare_results.compare_trees(local, slurm, [])
    assert differences == [
        "only in the local run: c1/extra.csv",
        "c1/report.md: line 2: local b'same' vs slurm b'other'",
    ]


def test_volatile_files_are_only_checked_to_exist(tmp_path):
    local = write_tree(tmp_path / "local", [123, 40], "same")
    slurm = write_tree(tmp_path / "slurm", [123, 40], "other")
    assert compare_results.compare_trees(local, slurm, ["*/report.md"]) == ([], ["c1/report.md"])


SNAKEMAKE_OUTPUT = """\
SLURM run ID: 0f6c-run
rule validate:
Job 1 has been submitted with SLURM jobid 7 (log: x/7.log).
checkpoint chart_plan:
Job 2 has been submitted with SLURM jobid 8 (log: x/8.log).
localrule all:
3 of 3 steps (100%) done
"""
CONTROLLER_LOG = """\
[t] _slurm_rpc_submit_batch_job: JobId=7 InitPrio=1 usec=3
[t] _slurm_rpc_submit_batch_job: JobId=8 InitPrio=1 usec=3
[t] _job_complete: JobId=7 done
[t] _job_complete: JobId=8 done
"""


def sacct_row(job_id: str, state: str = "COMPLETED") -> dict[str, str]:
    return {
        "JobIDRaw": job_id,
        "JobName": "0f6c-run",
        "State": state,
        "ExitCode": "0:0",
        "NodeList": "localhost",
        "Account": "pppflow",
        "Comment": "rule_x",
    }


class Accounting:
    """sacct's rows for a run ID, given by the test; records the run IDs asked for."""

    def __init__(self) -> None:
        self.rows: list[dict[str, str]] = []
        self.asked: list[str] = []

    def __call__(self, run_id: str) -> list[dict[str, str]]:
        self.asked.append(run_id)
        return self.rows


@pytest.fixture
def sacct() -> Accounting:
    return Accounting()


def test_agreeing_records_pass_and_sacct_is_asked_for_the_run_id(sacct):
    rows, asked = sacct.rows, sacct.asked
    rows += [sacct_row("7"), sacct_row("8")]
    assert check_sbatch.check(SNAKEMAKE_OUTPUT, CONTROLLER_LOG, sacct) == []
    assert asked == ["0f6c-run"]


def test_a_job_missing_from_accounting_or_failed_is_caught(sacct):
    rows = sacct.rows
    rows += [sacct_row("7", state="FAILED")]
    problems = check_sbatch.check(SNAKEMAKE_OUTPUT, CONTROLLER_LOG, sacct)
    assert problems == [
        "sacct job ids ['7'] != submitted ['7', '8']",
        "job 7 is FAILED 0:0 in sacct",
    ]


def test_a_rule_job_without_submission_is_caught(sacct):
    rows = sacct.rows
    rows += [sacct_row("7")]
    output = SNAKEMAKE_OUTPUT.replace(
        "Job 2 has been submitted with SLURM jobid 8 (log: x/8.log).\n", ""
    )
    problems = check_sbatch.check(output, CONTROLLER_LOG.replace("JobId=8", "JobId=9"), sacct)
    assert problems == ["2 rule job(s) ran but the plugin reported 1 sbatch submission(s)"]


def test_a_submission_absent_from_the_controller_log_is_caught(sacct):
    rows = sacct.rows
    rows += [sacct_row("7"), sacct_row("8")]
    log = CONTROLLER_LOG.replace("_slurm_rpc_submit_batch_job: JobId=8 ", "")
    assert check_sbatch.check(SNAKEMAKE_OUTPUT, log, sacct) == [
        "no sbatch submission in slurmctld's log for ['8']"
    ]
