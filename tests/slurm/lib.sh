# shellcheck shell=bash disable=SC2034
# Shared settings and helpers of the single-node SLURM test cluster. Sourced, never run.
#
# Everything the cluster writes lives under $SLURM_TEST_STATE (configs, keys, spool, database,
# logs, pid files); nothing is written to /etc, so the machine's own SLURM/munge/MariaDB setup,
# if any, is untouched. Ports are not SLURM's defaults, so a real local slurmctld can coexist.

SLURM_TEST_STATE=${SLURM_TEST_STATE:-/tmp/pppflow-slurm-cluster}
SLURM_TEST_CLUSTER=pppflow
SLURM_TEST_PARTITION=debug
SLURM_TEST_NODE=localhost
SLURM_TEST_ACCOUNT=pppflow
SLURMCTLD_PORT=${SLURMCTLD_PORT:-16817}
SLURMD_PORT=${SLURMD_PORT:-16818}
SLURMDBD_PORT=${SLURMDBD_PORT:-16819}
MARIADB_PORT=${MARIADB_PORT:-16306}
SLURM_TEST_PORTS="$SLURMCTLD_PORT $SLURMD_PORT $SLURMDBD_PORT $MARIADB_PORT"

# The daemons and the SLURM commands run here find their configuration through SLURM_CONF
# (slurmdbd reads slurmdbd.conf from the same folder). Inside a job, the executor plugin's
# jobstep drops every SLURM_* variable but a few before it calls `srun`, SLURM_CONF included,
# so srun reads the default /etc/slurm/slurm.conf: setup_cluster.sh links that path to ours
# (refusing if a real one is there) and teardown.sh removes the link.
export SLURM_CONF="$SLURM_TEST_STATE/etc/slurm.conf"
SYSTEM_SLURM_CONF=/etc/slurm/slurm.conf

# Daemons in stop order: a daemon is stopped before the ones it depends on.
SLURM_TEST_DAEMONS="slurmd slurmctld slurmdbd mariadbd munged"

SLURM_TEST_PACKAGES="slurm-wlm slurm-client slurmdbd munge mariadb-server mariadb-client"

say() { printf '[slurm-test] %s\n' "$*"; }

die() {
    printf '\n[slurm-test] FAILED: %s\n' "$*" >&2
    exit 1
}

pid_file() { printf '%s/run/%s.pid' "$SLURM_TEST_STATE" "$1"; }

# The pid of one of our daemons, if it is alive and still the program we started.
daemon_pid() {
    local name=$1 file pid
    file=$(pid_file "$name")
    [ -f "$file" ] || return 1
    pid=$(cat "$file")
    [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
    # Compare resolved paths: Debian installs e.g. slurmctld as an alternative of slurmctld-wlm.
    [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "/usr/sbin/$name")" ] || return 1
    printf '%s' "$pid"
}

# Poll a command until it succeeds; die with the given message and a log tail if it never does.
wait_for() {
    local seconds=$1 what=$2 log=$3
    shift 3
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            [ -n "$log" ] && [ -f "$log" ] && {
                printf '\n--- last lines of %s ---\n' "$log" >&2
                tail -n 30 "$log" >&2
            }
            die "$what did not come up within ${seconds}s"
        fi
        sleep 1
    done
}

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
