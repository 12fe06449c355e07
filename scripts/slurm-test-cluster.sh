#!/usr/bin/env bash
# A small real Slurm cluster on this one machine for isobench's fleet tests (SlurmFleetIT), as root:
#   scripts/slurm-test-cluster.sh start   munged, slurmctld, and one slurmd per node, each node a network namespace
#                                         with its own hostname (isb-n1, isb-n2) on a bridge; prints the store URL
#                                         host the nodes reach PostgreSQL at
#   scripts/slurm-test-cluster.sh stop    stops what start started (jobs cancelled, daemons, namespaces, bridge)
#   scripts/slurm-test-cluster.sh status  whether it runs (exit 0) and sinfo
# The nodes see the host as 10.233.0.1; PostgreSQL listens on the host's loopback only, so a socat relay on
# 10.233.0.1:5432 forwards to 127.0.0.1:5432 (PostgreSQL sees local TCP clients; pg_hba's 127.0.0.1 line applies).
# Settings that matter on a host with hybrid cgroups (no cgroup plugins): proctrack/linuxproc, task/none. No
# accounting storage: sacct is unavailable, as on many small clusters, so isobench falls back to squeue.
# /etc/slurm/slurm.conf is written only when absent or written by this script before (its first line says so).
set -euo pipefail
NODES=(${ISOBENCH_SLURM_NODES:-isb-n1 isb-n2})
BR=isb-slurm0
NET=10.233.0
STATE=/run/isobench-slurm-test
CONF=/etc/slurm/slurm.conf
MARK="# written by isobench scripts/slurm-test-cluster.sh (delete this file to undo)"

die() { echo "slurm-test-cluster: $*" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "must run as root"
for t in slurmctld slurmd munged socat ip unshare; do
  command -v "$t" >/dev/null || die "$t not found (scripts/test-deps.sh installs slurm-wlm, munge and socat)"
done

pidfile_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

write_conf() {
  if [ -f "$CONF" ] && ! head -1 "$CONF" | grep -qF "$MARK"; then
    die "$CONF exists and was not written by this script; not touching a real Slurm configuration"
  fi
  local cpus mem host
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
  host=$(hostname -s)
  mkdir -p /etc/slurm /var/spool/slurmctld /var/log/slurm
  {
    echo "$MARK"
    echo "ClusterName=isobench-test"
    echo "SlurmctldHost=$host($NET.1)"
    echo "SlurmUser=root"
    echo "SlurmdUser=root"
    echo "AuthType=auth/munge"
    echo "ProctrackType=proctrack/linuxproc"
    echo "TaskPlugin=task/none"
    echo "JobAcctGatherType=jobacct_gather/none"
    echo "AccountingStorageType=accounting_storage/none"
    echo "JobCompType=jobcomp/none"
    echo "ReturnToService=2"
    echo "StateSaveLocation=/var/spool/slurmctld"
    echo "SlurmdSpoolDir=/var/spool/slurmd-%n"
    echo "SlurmctldPidFile=$STATE/slurmctld.pid"
    echo "SlurmdPidFile=$STATE/slurmd-%n.pid"
    echo "SlurmctldLogFile=/var/log/slurm/slurmctld.log"
    echo "SlurmdLogFile=/var/log/slurm/slurmd-%n.log"
    echo "KillWait=5"
    echo "MinJobAge=600"
    echo "SlurmdTimeout=60"
    local i=10 n
    for n in "${NODES[@]}"; do
      i=$((i + 1))
      echo "NodeName=$n NodeAddr=$NET.$i NodeHostname=$n CPUs=$cpus RealMemory=$mem State=UNKNOWN"
    done
    echo "PartitionName=isobench Nodes=$(IFS=,; echo "${NODES[*]}") Default=YES MaxTime=INFINITE State=UP"
  } > "$CONF"
}

start_munge() {
  if ! [ -s /etc/munge/munge.key ]; then
    install -d -o munge -g munge -m 0700 /etc/munge
    dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
  fi
  install -d -o munge -g munge -m 0755 /run/munge
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
    for _ in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && return; sleep 0.1; done
    die "munged did not start"
  fi
}

start_network() {
  if ! ip link show "$BR" >/dev/null 2>&1; then
    ip link add "$BR" type bridge
    ip addr add "$NET.1/24" dev "$BR"
    ip link set "$BR" up
  fi
  local i=10 n
  for n in "${NODES[@]}"; do
    i=$((i + 1))
    local ns="isb-slurm-$n"
    if ! ip netns list | grep -qw "$ns"; then
      ip netns add "$ns"
      ip link add "vb-$n" type veth peer name eth0 netns "$ns"
      ip link set "vb-$n" master "$BR" up
      ip -n "$ns" addr add "$NET.$i/24" dev eth0
      ip -n "$ns" link set eth0 up
      ip -n "$ns" link set lo up
      ip -n "$ns" route add default via "$NET.1"
    fi
  done
  if ! pidfile_alive "$STATE/socat-pg.pid"; then
    socat "TCP-LISTEN:5432,bind=$NET.1,reuseaddr,fork" TCP:127.0.0.1:5432 </dev/null >/dev/null 2>&1 &
    echo $! > "$STATE/socat-pg.pid"
    sleep 0.5
    if ! pidfile_alive "$STATE/socat-pg.pid"; then
      # PostgreSQL itself listens on every address: the nodes reach it directly, if pg_hba.conf admits $NET.0/24
      echo "slurm-test-cluster: no relay on $NET.1:5432 (taken: PostgreSQL listens there itself?)" >&2
    fi
  fi
}

start() {
  mkdir -p "$STATE"
  write_conf
  start_munge
  start_network
  if ! pidfile_alive "$STATE/slurmctld.pid"; then
    slurmctld -i
  fi
  local n
  for n in "${NODES[@]}"; do
    mkdir -p "/var/spool/slurmd-$n"
    if ! pidfile_alive "$STATE/slurmd-$n.pid"; then
      # its own network namespace and hostname: a node of its own to Slurm and to isobench (host facts, run host);
      # nsenter, not `ip netns exec`, which remounts /sys (slurmd then finds no cgroup file system)
      nsenter --net="/run/netns/isb-slurm-$n" unshare --uts sh -c 'hostname "$1" && exec slurmd -N "$1"' sh "$n"
    fi
  done
  for _ in $(seq 1 60); do
    if [ "$(sinfo -h -N -o '%N %t' 2>/dev/null | grep -cE ' (idle|mix|alloc)$')" -ge "${#NODES[@]}" ]; then
      echo "slurm-test-cluster: up: nodes ${NODES[*]}; the nodes reach the host (PostgreSQL) at $NET.1"
      sinfo -N
      return 0
    fi
    sleep 1
  done
  sinfo -N >&2 || true
  die "the nodes did not become idle within 60 s (see /var/log/slurm/)"
}

stop() {
  if pidfile_alive "$STATE/slurmctld.pid"; then
    scancel --partition=isobench >/dev/null 2>&1 || true
  fi
  local n f
  for n in "${NODES[@]}"; do
    f="$STATE/slurmd-$n.pid"
    if pidfile_alive "$f"; then kill "$(cat "$f")"; fi
  done
  for f in "$STATE/slurmctld.pid" "$STATE/socat-pg.pid"; do
    if pidfile_alive "$f"; then kill "$(cat "$f")"; fi
  done
  sleep 1
  for n in "${NODES[@]}"; do
    ip netns del "isb-slurm-$n" 2>/dev/null || true
    ip link del "vb-$n" 2>/dev/null || true
  done
  ip link del "$BR" 2>/dev/null || true
  rm -f "$STATE"/*.pid
  echo "slurm-test-cluster: stopped (munged left running; $CONF kept)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) pidfile_alive "$STATE/slurmctld.pid" && sinfo -N ;;
  *) die "usage: $0 start|stop|status" ;;
esac
