#!/usr/bin/env bash
# Stop the test cluster's daemons (only the processes setup_cluster.sh started, by their
# recorded pids) and remove $SLURM_TEST_STATE. Safe to run any number of times, also when
# nothing runs. Packages stay installed.
#
# Usage: tests/slurm/teardown.sh [--quiet] [--keep-state]
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

quiet=false
keep_state=false
for arg in "$@"; do
    case "$arg" in
    --quiet) quiet=true ;;
    --keep-state) keep_state=true ;;
    *) die "unknown argument: $arg" ;;
    esac
done
note() { $quiet || say "$@"; }

if ! [ -d "$SLURM_TEST_STATE" ]; then
    if [ "$(readlink "$SYSTEM_SLURM_CONF" 2>/dev/null)" = "$SLURM_CONF" ]; then
        rm -f "$SYSTEM_SLURM_CONF"
    fi
    note "no test cluster state at $SLURM_TEST_STATE: nothing to stop"
    exit 0
fi

# Jobs first, while slurmctld still answers, so that no slurmstepd outlives the cluster.
if daemon_pid slurmctld >/dev/null && [ -f "$SLURM_CONF" ]; then
    if [ -n "$(squeue -h -o %i 2>/dev/null)" ]; then
        note "cancelling the jobs still queued or running"
        scancel --full --quiet --user root 2>/dev/null || true
        for _ in $(seq 30); do
            [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
            sleep 1
        done
    fi
fi

failed=""
for name in $SLURM_TEST_DAEMONS; do
    pid=$(daemon_pid "$name") || continue
    note "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 60); do
        [ -d "/proc/$pid" ] || break
        sleep 0.5
    done
    if [ -d "/proc/$pid" ]; then
        note "$name (pid $pid) ignored SIGTERM for 30s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null
        sleep 1
    fi
    [ -d "/proc/$pid" ] && failed="$failed $name($pid)"
done

# slurmstepd daemonises away from slurmd; ours are the ones whose spool dir is ours.
for proc in /proc/[0-9]*; do
    [ "$(readlink "$proc/exe" 2>/dev/null)" = "$(readlink -f /usr/sbin/slurmstepd)" ] || continue
    if tr '\0' '\n' <"$proc/environ" 2>/dev/null | grep -qx "SLURM_CONF=$SLURM_CONF"; then
        note "stopping leftover slurmstepd (pid ${proc#/proc/})"
        kill -KILL "${proc#/proc/}" 2>/dev/null
    fi
done

[ -z "$failed" ] || die "could not stop:$failed"

if [ "$(readlink "$SYSTEM_SLURM_CONF" 2>/dev/null)" = "$SLURM_CONF" ]; then
    rm -f "$SYSTEM_SLURM_CONF"
    note "removed the link $SYSTEM_SLURM_CONF"
fi

if $keep_state; then
    note "daemons stopped; state kept in $SLURM_TEST_STATE"
else
    rm -rf "$SLURM_TEST_STATE"
    note "daemons stopped; $SLURM_TEST_STATE removed"
fi
