#!/usr/bin/env bash
# isobench's own overhead per launch, native runtime, same workload command three ways:
#  (a) a plain bash launch loop, (b) hyperfine, (c) isobench startup at N=1 (ready = first stdout line).
# Then isobench footprint's PSS of one native instance against smem on the very same process.
# Usage: bench/startup-overhead.sh [RUNS]   (default 50; needs root for smem on other users' processes, hyperfine, smem, jq)
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
runs=${1:-50}
bb=$(command -v busybox)
db=$(mktemp -d)/overhead.db
trap 'rm -rf "$(dirname "$db")"' EXIT
for t in hyperfine smem jq; do
  command -v "$t" >/dev/null || { echo "needs $t (apt-get install $t)" >&2; exit 2; }
done
# the workload isobench launches is '$bb sh -c "echo ready; exec $bb sleep 3600"' and it is ready at its first line;
# a loop and hyperfine need a command that ends, so they run the same shell up to the same line and let it exit.
cmd="$bb sh -c 'echo ready'"

# (a) plain launch loop: bash's wall clock over the whole loop, divided by the runs
for i in 1 2 3 4 5; do $bb sh -c 'echo ready' >/dev/null; done
start=$EPOCHREALTIME
for ((i = 0; i < runs; i++)); do $bb sh -c 'echo ready' >/dev/null; done
end=$EPOCHREALTIME
loop_ms=$(echo "$start $end $runs" | awk '{printf "%.3f", ($2 - $1) * 1000 / $3}')

# (b) hyperfine, no intermediate shell (-N), warmups first
hf=$(mktemp)
hyperfine -N --warmup 5 --runs "$runs" --export-json "$hf" "$cmd" >/dev/null 2>&1
hf_mean=$(jq '.results[0].mean * 1000' "$hf")
hf_median=$(jq '.results[0].median * 1000' "$hf")
rm -f "$hf"

# (c) isobench startup, N=1, the same number of iterations, no cooldown
"$here/isobench" run --runtimes native --benchmarks startup --set startup.instances=1 --set "startup.iterations=$runs" \
  --warmups 1 --cooldown 0s --db "$db" --json > "$db.json" 2>/dev/null
iso_median=$(jq '[.results[] | select(.benchmark=="startup" and .metric=="ready_ms")][0].median' "$db.json")
iso_mean=$(jq '[.results[] | select(.benchmark=="startup" and .metric=="ready_ms")][0].mean' "$db.json")
iso_p95=$(jq '[.results[] | select(.benchmark=="startup" and .metric=="ready_ms")][0].p95' "$db.json")
harness_cpu=$(jq '.harness.cpu_seconds' "$db.json")

printf '\nstartup of one native instance (%s), %d runs each\n' "$cmd" "$runs"
printf '  (a) plain bash loop, mean per launch:      %8.3f ms\n' "$loop_ms"
printf '  (b) hyperfine -N, mean / median:           %8.3f / %.3f ms\n' "$hf_mean" "$hf_median"
printf '  (c) isobench startup N=1, mean / median:   %8.3f / %.3f ms  (p95 %.3f ms)\n' "$iso_mean" "$iso_median" "$iso_p95"
awk -v a="$loop_ms" -v h="$hf_mean" -v i="$iso_mean" 'BEGIN {
  printf "  isobench - hyperfine: %+.3f ms per launch (%+.1f%%); isobench - loop: %+.3f ms (%+.1f%%)\n", i - h, (i - h) * 100 / h, i - a, (i - a) * 100 / a }'
printf '  isobench harness CPU for the whole run (JVM start, image, %d+1 trials, store): %s s\n' "$runs" "$harness_cpu"

# PSS: isobench footprint of one native instance vs smem on the same process, read while the trial settles
"$here/isobench" run --runtimes native --benchmarks footprint --set footprint.instances=1 --set footprint.settle=6s \
  --repetitions 1 --warmups 0 --cooldown 0s --db "$db" --json > "$db.fp.json" 2>/dev/null &
iso=$!
pid=""
for _ in $(seq 1 100); do
  pid=$(pgrep -n -f "^$bb sleep 3600\$" || true)
  [ -n "$pid" ] && break
  sleep 0.1
done
[ -n "$pid" ] || { echo "footprint instance not found" >&2; wait $iso; exit 1; }
sleep 2
smem_pss=$(smem -H -c "pid pss" -P "^$bb sleep 3600\$" | awk -v p="$pid" '$1 == p {print $2}')
rollup_pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
wait $iso
iso_pss_kib=$(jq '[.results[] | select(.metric=="pss_mib_single")][0].median * 1024' "$db.fp.json")
printf '\nPSS of one native instance (pid %s): isobench footprint %.0f KiB, smem -P %s KiB, smaps_rollup %s KiB' \
  "$pid" "$iso_pss_kib" "$smem_pss" "$rollup_pss"
awk -v i="$iso_pss_kib" -v s="$smem_pss" 'BEGIN { printf " (isobench vs smem: %+.1f%%)\n", (i - s) * 100 / s }'
