#!/usr/bin/env bash
# Installs (idempotently, as root) the Debian packages the integration tests drive for real, and starts the servers
# they need (PostgreSQL for the team store).
set -euo pipefail
pkgs=(runc runsc crun containerd sysbench fio iperf3 busybox-static gcc libc6-dev linux-libc-dev strace qemu-system-x86 cpio bubblewrap systemd-container lxc docker.io chromium
      nginx-light apache2-utils wrk redis-server mariadb-server  # servers benchmarks: nginx, redis, mysql
      python3-torch python3-torchvision e2fsprogs  # benchmark ml (MlIT; MlVmIT: mke2fs -d makes the VM image disk)
      postgresql  # the team results store's tests (Debian 12: PostgreSQL 15, amcheck included)
      slurm-wlm munge socat)  # SlurmFleetIT: a two-node Slurm on this machine (scripts/slurm-test-cluster.sh starts it)
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
missing=()
for p in "${pkgs[@]}"; do
  installed "$p" || missing+=("$p")
done
# incus (IncusIT): on Debian 12 only bookworm-backports has it. Running this project's own test script (./run-tests,
# .ci/run) is the consent to add that suite, in the same file and line `isobench setup` writes (rm it to undo).
incus_suite=()
if ! installed incus; then
  . /etc/os-release
  if [ "${ID:-}" = debian ] && [ "${VERSION_CODENAME:-}" = bookworm ]; then
    incus_suite=(-t bookworm-backports)
  fi
fi
if [ "${#missing[@]}" -gt 0 ] || ! installed incus; then
  if [ "$(id -u)" -ne 0 ]; then
    installed incus || missing+=(incus)
    echo "run-tests: missing packages ${missing[*]}; run as root (this script then installs them; incus from bookworm-backports on Debian 12)" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ "${#incus_suite[@]}" -gt 0 ] && [ ! -e /etc/apt/sources.list.d/isobench-backports.list ]; then
    printf '%s\n' "# Written by isobench's scripts/test-deps.sh for the incus package; delete this file to undo" \
      "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main" \
      > /etc/apt/sources.list.d/isobench-backports.list
  fi
  apt-get update -q
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "run-tests: installing ${missing[*]}" >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
  if ! installed incus; then
    echo "run-tests: installing incus ${incus_suite[*]}" >&2
    apt-get install -y -q --no-install-recommends "${incus_suite[@]}" incus
  fi
fi

# PostgreSQL for the store's tests: start the cluster (no service manager here; already running is fine) and make
# the role and database the tests use (see src/test/java/io/isobench/store/TestStores.java), with amcheck for the checks.
if [ "$(id -u)" -eq 0 ] && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster 15 main status >/dev/null 2>&1 || pg_ctlcluster 15 main start
  psql_su() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 "$@"; }
  psql_su -d postgres -Atc "SELECT 1 FROM pg_roles WHERE rolname='isobench_test'" | grep -q 1 \
    || psql_su -d postgres -c "CREATE ROLE isobench_test LOGIN PASSWORD 'isobench_test'"
  psql_su -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname='isobench_test'" | grep -q 1 \
    || psql_su -d postgres -c "CREATE DATABASE isobench_test OWNER isobench_test"
  psql_su -d isobench_test -c "CREATE EXTENSION IF NOT EXISTS amcheck" \
    -c "GRANT EXECUTE ON FUNCTION bt_index_check(regclass) TO isobench_test"
fi
