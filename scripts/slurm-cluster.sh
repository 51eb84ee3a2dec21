#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for trying `betti sweep --backend slurm` and for
# scripts/slurm-e2e.sh. Debian/Ubuntu, as root.
#
#   scripts/slurm-cluster.sh up     # install slurm-wlm and munge if missing, write the config, start
#   scripts/slurm-cluster.sh down   # stop the daemons this script started
#   scripts/slurm-cluster.sh status
#
# slurmctld and slurmd run on localhost (the node is `hostname -s` at 127.0.0.1) with
# proctrack/linuxproc, no cgroups and no accounting database (so `sacct` has no data; Betti
# works from `squeue` and the run folders). The node offers every core and most of the memory.
# BETTI_SLURM_MAX_ARRAY_SIZE sets MaxArraySize (default 1001, Slurm's own default).
# An existing /etc/slurm/slurm.conf not written by this script is left alone (the script stops).
set -euo pipefail

conf=/etc/slurm/slurm.conf
marker="# written by betti scripts/slurm-cluster.sh"
state=/var/lib/betti-slurm
logs=/var/log/betti-slurm
run=/run/betti-slurm

need_root() {
  [ "$(id -u)" = 0 ] || { echo "slurm-cluster.sh: run as root (it installs packages and starts daemons)" >&2; exit 1; }
}

install_packages() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
    && command -v sbatch >/dev/null; then
    return
  fi
  echo "installing slurm-wlm and munge with apt-get"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
}

write_config() {
  if [ -e "$conf" ] && ! grep -qF "$marker" "$conf"; then
    echo "slurm-cluster.sh: $conf exists and was not written by this script; leaving it (and the cluster) alone" >&2
    exit 1
  fi
  local host cpus memory
  host=$(hostname -s)
  cpus=$(nproc)
  memory=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 9 / 10))
  mkdir -p /etc/slurm "$state/ctld" "$state/d" "$logs" "$run"
  chown slurm:slurm "$state/ctld" "$logs" "$run" 2>/dev/null || true
  cat >"$conf" <<EOF
$marker
ClusterName=betti
SlurmctldHost=$host(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/d
SlurmctldPidFile=$run/slurmctld.pid
SlurmdPidFile=$run/slurmd.pid
SlurmctldLogFile=$logs/slurmctld.log
SlurmdLogFile=$logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MaxArraySize=${BETTI_SLURM_MAX_ARRAY_SIZE:-1001}
KillWait=30
DefMemPerCPU=1024
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_munge() {
  if pid_alive /run/munge/munged.pid; then return; fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  [ -f /etc/munge/munge.key ] || { /usr/sbin/mungekey --create >/dev/null 2>&1 || /usr/sbin/create-munge-key; }
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
  runuser -u munge -- /usr/sbin/munged
}

up() {
  need_root
  install_packages
  write_config
  start_munge
  pid_alive "$run/slurmctld.pid" || /usr/sbin/slurmctld
  pid_alive "$run/slurmd.pid" || /usr/sbin/slurmd
  for _ in $(seq 1 60); do
    if sinfo --noheader --format=%T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "slurm is up: $(sinfo --noheader --format='partition %P, %D node, %c CPUs, state %T')"
      return
    fi
    sleep 1
  done
  echo "slurm-cluster.sh: the node did not become idle; see $logs/slurmctld.log and $logs/slurmd.log" >&2
  sinfo >&2 || true
  exit 1
}

stop_pid() {
  local file=$1 name=$2
  if pid_alive "$file"; then
    local pid
    pid=$(cat "$file")
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    echo "stopped $name ($pid)"
  fi
}

down() {
  need_root
  stop_pid "$run/slurmd.pid" slurmd
  stop_pid "$run/slurmctld.pid" slurmctld
  stop_pid /run/munge/munged.pid munged
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) sinfo && squeue ;;
  *) echo "usage: scripts/slurm-cluster.sh up|down|status" >&2; exit 2 ;;
esac
