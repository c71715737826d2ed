#!/usr/bin/env bash
# `make test-slurm`: run the workflow through a real single-node SLURM cluster with
# `--profile profiles/slurm` and prove it (see docs/slurm.md):
#   1. set up the cluster (setup_cluster.sh: packages, munged, MariaDB, slurmdbd, slurmctld,
#      slurmd, all on loopback) and submit a smoke-test job;
#   2. snapshot the workflow once, into two copies under $SLURM_TEST_WORK: one runs locally
#      (--cores 2), the other with --profile profiles/slurm;
#   3. for each cohort config (the default one, then a seeded synthetic cohort from
#      tools/synth.py when that tool exists): run both, and check with check_sbatch.py that
#      every rule job went through sbatch and completed in SLURM's accounting and controller log;
#   4. compare every file under results/ of the two copies (compare_results.py);
#   5. stop the daemons and remove the cluster's and the copies' folders, also on failure.
# Needs root. Settings (environment): PPPFLOW_SLURM_SOURCE (`worktree`, the default: this
# checkout's files as they are; or a folder holding a copy of the workflow; or a git revision
# to export, e.g. HEAD), SLURM_TEST_SYNTH_PATIENTS (default 2000; 0 skips the synthetic cohort),
# SLURM_TEST_KEEP=1 (keep the copies and the cluster's logs for inspection; daemons still stop).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

SNAKEMAKE=$REPO/.venv/bin/snakemake
PYTHON=$REPO/.venv/bin/python
SLURM_TEST_WORK=${SLURM_TEST_WORK:-/tmp/pppflow-slurm-test}
SOURCE=${PPPFLOW_SLURM_SOURCE:-worktree}
SYNTH_PATIENTS=${SLURM_TEST_SYNTH_PATIENTS:-2000}
KEEP=${SLURM_TEST_KEEP:-0}
# Test-only settings on top of profiles/slurm: status checks 2 s after a submission and after
# a completion instead of 40 s and 10 s (the jobs here take seconds, and a real cluster's
# controller is not ours to poll that often), and the per-job SLURM logs kept as evidence.
SLURM_TEST_OVERRIDES=(--slurm-init-seconds-before-status-checks 2 --seconds-between-status-checks 2
    --slurm-keep-successful-logs)
# Outputs that legitimately differ between two runs of the same inputs: none known so far.
# Add a glob (relative to results/) with the reason, e.g. '*/report.html' for a time stamp.
VOLATILE_OUTPUTS=()

STARTED=$SECONDS
PHASE=setup # the cluster's logs are printed on a failure in the "slurm" phase only
[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts daemons)"
[ -x "$SNAKEMAKE" ] || die "$SNAKEMAKE missing: run 'make setup' first"
"$PYTHON" -c "import snakemake_executor_plugin_slurm" 2>/dev/null ||
    die "snakemake-executor-plugin-slurm is not installed in .venv (requirements.lock)"

finish() {
    local status=$?
    set +e
    if [ "$status" -ne 0 ] && [ "$PHASE" = slurm ]; then
        printf '\n[slurm-test] --- last lines of the cluster logs ---\n' >&2
        for log in "$SLURM_TEST_STATE"/log/slurmctld.log "$SLURM_TEST_STATE"/log/slurmd.log \
            "$SLURM_TEST_STATE"/log/slurmdbd.log; do
            [ -f "$log" ] && { echo "== $log" >&2; tail -n 15 "$log" >&2; }
        done
    fi
    if [ "$KEEP" = 1 ]; then
        "$HERE/teardown.sh" --keep-state
        say "kept for inspection: $SLURM_TEST_WORK and $SLURM_TEST_STATE (remove both when done)"
    else
        "$HERE/teardown.sh"
        rm -rf "$SLURM_TEST_WORK"
    fi
    if [ "$status" -eq 0 ]; then
        say "PASSED in $((SECONDS - STARTED)) s"
    else
        printf '[slurm-test] FAILED after %s s (exit status %s): see the messages above\n' \
            "$((SECONDS - STARTED))" "$status" >&2
    fi
    exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
say "1. cluster"
"$HERE/setup_cluster.sh"

# ---------------------------------------------------------------------------------------------
say "2. workflow copies in $SLURM_TEST_WORK (source: $SOURCE)"
rm -rf "$SLURM_TEST_WORK"
mkdir -p "$SLURM_TEST_WORK/src"
if [ "$SOURCE" = worktree ] || [ -d "$SOURCE" ]; then
    [ "$SOURCE" = worktree ] && from=$REPO || from=$(cd "$SOURCE" && pwd)
    rsync -a --exclude .git --exclude .venv --exclude results --exclude .snakemake \
        --exclude logs --exclude benchmarks --exclude __pycache__ \
        "$from/" "$SLURM_TEST_WORK/src/"
else
    git -C "$REPO" archive "$SOURCE" | tar -x -C "$SLURM_TEST_WORK/src" ||
        die "could not export git revision '$SOURCE'"
    # The SLURM profile under test is always the working tree's.
    mkdir -p "$SLURM_TEST_WORK/src/profiles/slurm"
    cp "$REPO/profiles/slurm/config.yaml" "$SLURM_TEST_WORK/src/profiles/slurm/"
fi
[ -f "$SLURM_TEST_WORK/src/profiles/slurm/config.yaml" ] || die "profiles/slurm/config.yaml missing"

# The configs to run, by label; run_arguments gives the Snakemake arguments of each.
RUNS=("default")
if [ "$SYNTH_PATIENTS" -gt 0 ] && [ -f "$SLURM_TEST_WORK/src/tools/synth.py" ]; then
    # Generated once, before copying, so both runs read the very same files.
    (cd "$SLURM_TEST_WORK/src" && "$PYTHON" tools/synth.py --patients "$SYNTH_PATIENTS" \
        --seed 7 --out slurm-synth --cohort slurm_synth) >"$SLURM_TEST_WORK/synth.log" 2>&1 ||
        {
            cat "$SLURM_TEST_WORK/synth.log" >&2
            die "tools/synth.py failed"
        }
    [ -f "$SLURM_TEST_WORK/src/slurm-synth/config.yaml" ] ||
        die "tools/synth.py wrote no slurm-synth/config.yaml"
    RUNS+=("synthetic")
    say "synthetic cohort: $SYNTH_PATIENTS patients (tools/synth.py --seed 7)"
elif [ "$SYNTH_PATIENTS" -gt 0 ]; then
    say "NOTE: no tools/synth.py in the workflow: the synthetic cohort is skipped"
fi
cp -a "$SLURM_TEST_WORK/src" "$SLURM_TEST_WORK/local"
cp -a "$SLURM_TEST_WORK/src" "$SLURM_TEST_WORK/slurm"

run_arguments() {
    case "$1" in
    default) ;;
    synthetic) echo "--configfile slurm-synth/config.yaml --replace-workflow-config" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
total_jobs=0
for run in "${RUNS[@]}"; do
    # shellcheck disable=SC2207
    args=($(run_arguments "$run"))
    say "3. $run cohort config: local run"
    t0=$SECONDS
    (cd "$SLURM_TEST_WORK/local" && "$SNAKEMAKE" --cores 2 "${args[@]}") \
        >"$SLURM_TEST_WORK/local-$run.log" 2>&1 || {
        tail -n 40 "$SLURM_TEST_WORK/local-$run.log" >&2
        die "the local run of the $run config failed (above: the end of its output), so there is nothing to compare the SLURM run with"
    }
    say "   local run done in $((SECONDS - t0)) s"

    say "3. $run cohort config: SLURM run (--profile profiles/slurm ${SLURM_TEST_OVERRIDES[*]})"
    t0=$SECONDS
    PHASE=slurm
    (cd "$SLURM_TEST_WORK/slurm" &&
        "$SNAKEMAKE" --profile profiles/slurm "${SLURM_TEST_OVERRIDES[@]}" "${args[@]}") \
        >"$SLURM_TEST_WORK/slurm-$run.log" 2>&1 || {
        tail -n 60 "$SLURM_TEST_WORK/slurm-$run.log" >&2
        die "the SLURM run of the $run config failed (above: the end of Snakemake's output; per-job logs in $SLURM_TEST_WORK/slurm/.snakemake/slurm_logs with SLURM_TEST_KEEP=1)"
    }
    say "   SLURM run done in $((SECONDS - t0)) s; checking that its jobs went through sbatch:"
    "$PYTHON" "$HERE/check_sbatch.py" "$SLURM_TEST_WORK/slurm-$run.log" \
        "$SLURM_TEST_STATE/log/slurmctld.log" ||
        die "the $run run's jobs do not all show up as sbatch submissions completed under SLURM"
    PHASE=local
    jobs=$(grep -c '^Job [0-9]* has been submitted with SLURM jobid' "$SLURM_TEST_WORK/slurm-$run.log")
    total_jobs=$((total_jobs + jobs))
done

# ---------------------------------------------------------------------------------------------
say "4. comparing every file under results/ (local vs SLURM)"
volatile=()
for glob in "${VOLATILE_OUTPUTS[@]}"; do volatile+=(--volatile "$glob"); done
"$PYTHON" "$HERE/compare_results.py" "$SLURM_TEST_WORK/local/results" \
    "$SLURM_TEST_WORK/slurm/results" "${volatile[@]}" ||
    die "the SLURM run's results differ from the local run's (listed above)"

say "sbatch jobs: $total_jobs over ${#RUNS[@]} config(s) (${RUNS[*]}); all COMPLETED in sacct and in slurmctld's log"
say "5. teardown"
