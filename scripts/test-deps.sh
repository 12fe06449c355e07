#!/usr/bin/env bash
# Installs (idempotently, as root) the Debian packages the integration tests drive for real.
set -euo pipefail
pkgs=(runc runsc crun sysbench fio iperf3 busybox-static gcc libc6-dev linux-libc-dev strace qemu-system-x86 cpio bubblewrap systemd-container lxc docker.io chromium
      nginx-light apache2-utils wrk redis-server mariadb-server  # servers benchmarks: nginx, redis, mysql
      postgresql)  # the team results store's tests (Debian 12: PostgreSQL 15, amcheck included)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "run-tests: missing packages ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
    exit 2
  fi
  echo "run-tests: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# PostgreSQL for the store's tests: start the cluster (no service manager here; already running is fine) and make
# the role and database the tests use (ISOBENCH_TEST_PG, see store/PgTestDatabase), with amcheck for the checks.
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
