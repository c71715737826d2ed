#!/usr/bin/env bash
# Install Debian's SLURM, munge and MariaDB (if missing) and start a single-node SLURM cluster
# on the loopback address: munged, mariadbd, slurmdbd, slurmctld and slurmd, each started here
# in the foreground of its own session with its pid recorded under $SLURM_TEST_STATE/run/,
# so that teardown.sh stops exactly these processes. Needs root (apt-get, daemons).
#
# Usage: tests/slurm/setup_cluster.sh        (then `export SLURM_CONF=...` as it prints)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and starts daemons)"

# ---------------------------------------------------------------------------------------------
# Packages. apt-get runs only if something is missing. Package maintainer scripts must not start
# the system's own munge/MariaDB services (we start our own, on our own ports and files): a
# policy-rc.d that denies every start is put in place for the install if none denies already.
# ---------------------------------------------------------------------------------------------
missing_packages() {
    local pkg
    for pkg in $SLURM_TEST_PACKAGES; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
            printf '%s ' "$pkg"
    done
}

POLICY_RC=/usr/sbin/policy-rc.d
POLICY_BACKUP=""
POLICY_OURS=false

restore_policy() {
    if [ -n "$POLICY_BACKUP" ]; then
        mv "$POLICY_BACKUP" "$POLICY_RC"
    elif $POLICY_OURS; then
        rm -f "$POLICY_RC"
    fi
    POLICY_BACKUP=""
    POLICY_OURS=false
}

install_packages() {
    local missing
    missing=$(missing_packages)
    if [ -z "$missing" ]; then
        say "packages already installed: $SLURM_TEST_PACKAGES"
        return
    fi
    say "installing: $missing"
    if ! { [ -x "$POLICY_RC" ] && { "$POLICY_RC" munge start >/dev/null 2>&1; [ $? -eq 101 ]; }; }; then
        if [ -e "$POLICY_RC" ]; then
            POLICY_BACKUP=$(mktemp /tmp/policy-rc.d.XXXXXX)
            cp -p "$POLICY_RC" "$POLICY_BACKUP"
        fi
        trap restore_policy EXIT
        POLICY_OURS=true
        printf '#!/bin/sh\n# temporary, from pppflow tests/slurm/setup_cluster.sh\nexit 101\n' \
            >"$POLICY_RC"
        chmod 755 "$POLICY_RC"
    fi
    local rc=0
    # shellcheck disable=SC2086 # $missing is a list of package names
    {
        apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                $missing
    } >"/tmp/pppflow-slurm-apt.log" 2>&1 || rc=$?
    restore_policy
    trap - EXIT
    if [ "$rc" -ne 0 ]; then
        tail -n 20 /tmp/pppflow-slurm-apt.log >&2
        die "apt-get install of '$missing' failed (full log: /tmp/pppflow-slurm-apt.log)"
    fi
    rm -f /tmp/pppflow-slurm-apt.log
    [ -z "$(missing_packages)" ] || die "still missing after apt-get: $(missing_packages)"
}

# ---------------------------------------------------------------------------------------------
# Configuration, all under $SLURM_TEST_STATE.
# ---------------------------------------------------------------------------------------------
fill_template() {
    sed -e "s|@STATE@|$SLURM_TEST_STATE|g" \
        -e "s|@CLUSTER@|$SLURM_TEST_CLUSTER|g" \
        -e "s|@PARTITION@|$SLURM_TEST_PARTITION|g" \
        -e "s|@NODE@|$SLURM_TEST_NODE|g" \
        -e "s|@SLURMCTLD_PORT@|$SLURMCTLD_PORT|g" \
        -e "s|@SLURMD_PORT@|$SLURMD_PORT|g" \
        -e "s|@SLURMDBD_PORT@|$SLURMDBD_PORT|g" \
        -e "s|@MARIADB_PORT@|$MARIADB_PORT|g" \
        -e "s|@CPUS@|$CPUS|g" \
        -e "s|@MEM_MB@|$MEM_MB|g" \
        -e "s|@DB_PASSWORD@|$DB_PASSWORD|g" \
        "$1"
}

write_configuration() {
    local dir
    for dir in etc run log munge slurmctld slurmd mysql; do
        mkdir -p "$SLURM_TEST_STATE/$dir"
    done
    chmod 755 "$SLURM_TEST_STATE"
    CPUS=$(nproc)
    # Schedule against 90 % of the memory slurmd sees, leaving room for the daemons themselves.
    MEM_MB=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
    [ -n "$MEM_MB" ] || die "could not read RealMemory from 'slurmd -C'"
    MEM_MB=$((MEM_MB * 9 / 10))
    DB_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    fill_template "$HERE/slurm.conf.in" >"$SLURM_CONF"
    fill_template "$HERE/slurmdbd.conf.in" >"$SLURM_TEST_STATE/etc/slurmdbd.conf"
    chmod 600 "$SLURM_TEST_STATE/etc/slurmdbd.conf"
    if [ -e "$SYSTEM_SLURM_CONF" ] || [ -L "$SYSTEM_SLURM_CONF" ]; then
        die "$SYSTEM_SLURM_CONF exists and is not this test's link: this machine has its own SLURM configuration, which the test will not replace"
    fi
    mkdir -p "$(dirname "$SYSTEM_SLURM_CONF")"
    ln -s "$SLURM_CONF" "$SYSTEM_SLURM_CONF"
    say "configuration in $SLURM_TEST_STATE/etc ($CPUS CPUs, ${MEM_MB} MB on node $SLURM_TEST_NODE)"
}

# Start a program in the foreground of its own session (setsid does not fork here: the shell's
# background child is no process-group leader), and record its pid for teardown.sh.
start_daemon() {
    local name=$1
    shift
    setsid "$@" </dev/null >>"$SLURM_TEST_STATE/log/$name.stdout" 2>&1 &
    echo $! >"$(pid_file "$name")"
    sleep 0.2
    daemon_pid "$name" >/dev/null || {
        tail -n 30 "$SLURM_TEST_STATE/log/$name".* >&2 || true
        die "$name exited right after start"
    }
}

start_munged() {
    local dir=$SLURM_TEST_STATE/munge
    head -c 1024 /dev/urandom >"$dir/munge.key"
    chown -R munge:munge "$dir"
    # munged wants its socket dir searchable by all, and its key readable by itself only.
    chmod 711 "$dir"
    chmod 400 "$dir/munge.key"
    start_daemon munged setpriv --reuid=munge --regid=munge --init-groups \
        /usr/sbin/munged --foreground \
        --key-file="$dir/munge.key" --socket="$dir/munge.socket" \
        --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munged.seed"
    # setpriv execs munged, so the recorded pid is munged's own.
    wait_for 20 "munged" "$dir/munged.log" \
        bash -c "munge -S '$dir/munge.socket' -n | unmunge -S '$dir/munge.socket'"
    say "munged up (pid $(daemon_pid munged))"
}

start_mariadb() {
    local datadir=$SLURM_TEST_STATE/mysql sock=$SLURM_TEST_STATE/mysql/mysqld.sock
    chown mysql:mysql "$datadir"
    mariadb-install-db --no-defaults --user=mysql --datadir="$datadir" \
        --auth-root-authentication-method=socket --skip-test-db \
        >"$SLURM_TEST_STATE/log/mariadb-install.log" 2>&1 ||
        {
            tail -n 20 "$SLURM_TEST_STATE/log/mariadb-install.log" >&2
            die "mariadb-install-db failed"
        }
    # A 1 GB buffer pool (reserved, not resident) and these InnoDB values are what slurmdbd
    # checks for at start; below them it logs an error line.
    start_daemon mariadbd /usr/sbin/mariadbd --no-defaults --user=mysql --datadir="$datadir" \
        --socket="$sock" --port="$MARIADB_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
        --pid-file="$datadir/mariadbd.pid" \
        --log-error="$datadir/mariadbd.log" \
        --innodb-buffer-pool-size=1G --innodb-log-file-size=64M --innodb-lock-wait-timeout=900
    wait_for 60 "mariadbd" "$datadir/mariadbd.log" \
        mariadb --no-defaults -S "$sock" -u root -e "SELECT 1"
    mariadb --no-defaults -S "$sock" -u root -e "
        CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
        GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';" ||
        die "could not create the slurm database user"
    say "mariadbd up on 127.0.0.1:$MARIADB_PORT (pid $(daemon_pid mariadbd))"
}

start_slurmdbd() {
    start_daemon slurmdbd /usr/sbin/slurmdbd -D
    wait_for 60 "slurmdbd" "$SLURM_TEST_STATE/log/slurmdbd.log" \
        sacctmgr -n list cluster
    # The cluster, an account and root's association: jobs are accounted under this account.
    sacctmgr -i add cluster "$SLURM_TEST_CLUSTER" >/dev/null
    sacctmgr -i add account "$SLURM_TEST_ACCOUNT" Cluster="$SLURM_TEST_CLUSTER" \
        Description="pppflow test" Organization=pppflow >/dev/null
    sacctmgr -i add user root DefaultAccount="$SLURM_TEST_ACCOUNT" \
        Cluster="$SLURM_TEST_CLUSTER" >/dev/null
    sacctmgr -n -P list associations cluster="$SLURM_TEST_CLUSTER" user=root format=account |
        grep -qx "$SLURM_TEST_ACCOUNT" || die "root has no association with account $SLURM_TEST_ACCOUNT"
    say "slurmdbd up on 127.0.0.1:$SLURMDBD_PORT (pid $(daemon_pid slurmdbd)), account $SLURM_TEST_ACCOUNT"
}

node_idle() { [ "$(sinfo -h -n "$SLURM_TEST_NODE" -o %T)" = idle ]; }

start_slurm() {
    start_daemon slurmctld /usr/sbin/slurmctld -D -i
    wait_for 60 "slurmctld" "$SLURM_TEST_STATE/log/slurmctld.log" scontrol ping
    start_daemon slurmd /usr/sbin/slurmd -D -N "$SLURM_TEST_NODE"
    wait_for 60 "node $SLURM_TEST_NODE (slurmd) to become idle" \
        "$SLURM_TEST_STATE/log/slurmd.log" node_idle
    say "slurmctld up on 127.0.0.1:$SLURMCTLD_PORT (pid $(daemon_pid slurmctld))," \
        "slurmd up on 127.0.0.1:$SLURMD_PORT (pid $(daemon_pid slurmd))"
}

# A job through sbatch, seen COMPLETED by sacct: the path the executor plugin relies on.
smoke_test() {
    local jobid state waited=0
    jobid=$(sbatch --parsable --job-name pppflow-smoke --output /dev/null \
        --wrap "env -u SLURM_CONF srun --ntasks=1 hostname") ||
        die "sbatch of the smoke-test job failed"
    until state=$(sacct -X -n -P -j "$jobid" --format=State 2>/dev/null) &&
        [ "$state" = COMPLETED ]; do
        [ "$waited" -lt 60 ] || die "smoke-test job $jobid not COMPLETED in sacct after 60s (state: '${state:-none}')"
        sleep 1
        waited=$((waited + 1))
    done
    say "smoke test: job $jobid (sbatch, then srun with the default config path) COMPLETED in sacct"
}

check_loopback_only() {
    local port listeners
    for port in $SLURM_TEST_PORTS; do
        listeners=$(ss -Hltn "sport = :$port" | awk '{print $4}')
        [ -n "$listeners" ] || die "nothing listens on port $port"
        if printf '%s\n' "$listeners" | grep -qv -E '^(127\.[0-9.]+|\[::1\]):'; then
            die "port $port listens beyond loopback: $(printf '%s' "$listeners" | tr '\n' ' ')"
        fi
    done
    say "listening on loopback only: ports $SLURM_TEST_PORTS"
}

# A failed start stops whatever did start; the state folder (logs) stays for inspection.
stop_on_failure() {
    local status=$?
    [ "$status" -eq 0 ] && return
    "$HERE/teardown.sh" --keep-state --quiet || true
    if [ -d "$SLURM_TEST_STATE/log" ]; then
        printf '[slurm-test] setup failed: daemons stopped, logs kept in %s/log\n' \
            "$SLURM_TEST_STATE" >&2
    fi
    exit "$status"
}

main() {
    install_packages
    # A cluster left by an interrupted run is stopped and removed first (idempotence).
    if [ -d "$SLURM_TEST_STATE" ]; then
        say "found $SLURM_TEST_STATE from an earlier run: stopping and removing it first"
        "$HERE/teardown.sh"
    else
        "$HERE/teardown.sh" --quiet
    fi
    trap stop_on_failure EXIT
    local port
    for port in $SLURM_TEST_PORTS; do
        port_in_use "$port" && die "port $port is in use by another program (ss -ltnp 'sport = :$port'); set SLURMCTLD_PORT/SLURMD_PORT/SLURMDBD_PORT/MARIADB_PORT to free ones"
    done
    write_configuration
    start_munged
    start_mariadb
    start_slurmdbd
    start_slurm
    check_loopback_only
    smoke_test
    say "cluster ready: export SLURM_CONF=$SLURM_CONF"
}

main "$@"
