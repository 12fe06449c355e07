#!/usr/bin/env bash
# Installs (idempotently, as root) the Debian packages the integration tests drive for real.
set -euo pipefail
pkgs=(runc runsc crun containerd sysbench fio iperf3 busybox-static gcc libc6-dev linux-libc-dev strace qemu-system-x86 cpio bubblewrap systemd-container lxc docker.io chromium
      nginx-light apache2-utils wrk redis-server mariadb-server)  # servers benchmarks: nginx, redis, mysql
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "run-tests: missing packages ${missing[*]}; run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 2
fi
echo "run-tests: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
