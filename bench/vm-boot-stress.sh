#!/usr/bin/env bash
# Do VM boots fail at random on a loaded host? Boots every VM runtime N times in a row (startup, 1 instance, N
# iterations, no warmup) with a CPU-bound process beside them (sha256sum /dev/zero, one per host CPU unless LOAD says
# otherwise), then prints per runtime: boots measured, failed trials with their first reason, and the boot time
# (launch to BEGIN) median and max from the samples. A failure is a defect to chase, never noise to retry.
# Usage: bench/vm-boot-stress.sh [N]   (default 20; root; sqlite3)
# Environment:
#   ISOBENCH="java -jar /path/isobench.jar"  the isobench to measure with (default: ./isobench of this checkout)
#   RUNTIMES=qemu-microvm,qemu   LOAD=<CPUs>   DB=/path/boots.db (else a new one under /var/tmp)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
n=${1:-20}
isobench=${ISOBENCH:-$here/isobench}
runtimes=${RUNTIMES:-qemu-microvm,qemu}
load=${LOAD:-$(nproc)}
command -v sqlite3 >/dev/null || { echo "needs sqlite3" >&2; exit 2; }
read -r -a ib <<<"$isobench"
db=${DB:-$(mktemp -d /var/tmp/isobench-vm-boots.XXXXXX)/boots.db}
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
for _ in $(seq 1 "$load"); do
  sha256sum /dev/zero >/dev/null &
  pids+=($!)
done
echo "load: $load x sha256sum /dev/zero; load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; database $db"
"${ib[@]}" run --db "$db" --runtimes "$runtimes" --benchmarks startup --warmups 0 --cooldown 0s \
  --set startup.instances=1 --set startup.iterations="$n" --quiet >/dev/null || true
cleanup
run=$(sqlite3 "$db" "SELECT id FROM runs ORDER BY started_at DESC LIMIT 1")
echo "run $run, load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
IFS=, read -r -a rts <<<"$runtimes"
for rt in "${rts[@]}"; do
  trials=$(sqlite3 "$db" "SELECT count(*) FROM trials WHERE run_id='$run' AND runtime='$rt' AND warmup=0")
  failed=$(sqlite3 "$db" "SELECT count(*) FROM failures WHERE run_id='$run' AND runtime='$rt'")
  boots=$(sqlite3 "$db" "SELECT value FROM samples WHERE run_id='$run' AND runtime='$rt' AND metric='booted_ms' ORDER BY value")
  count=$(printf '%s\n' "$boots" | grep -c . || true)
  median=$(printf '%s\n' "$boots" | awk 'NF{a[n++]=$1} END{if(n) print a[int((n-1)/2)]; else print "-"}')
  max=$(printf '%s\n' "$boots" | awk 'NF{m=$1} END{print (m==""?"-":m)}')
  echo "$rt: $trials trials, $failed failed, $count boots, boot ms median $median max $max"
  sqlite3 "$db" "SELECT '  failure: ' || substr(reason, 1, 200) FROM failures WHERE run_id='$run' AND runtime='$rt' LIMIT 3"
done
