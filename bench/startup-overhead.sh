#!/usr/bin/env bash
# isobench's own overhead per launch and its fidelity, against a plain bash launch loop and hyperfine, same commands:
#  1. native, N=1: busybox sh printing "ready" — bash loop, hyperfine -N, isobench startup with readiness=exit (the
#     same command to its exit, hyperfine's quantity, RUNS launches back to back: startup.runs) and
#     readiness=first-line (an idling workload's first line, one launch per iteration)
#  2. runc, N=1: 'runc run' of that command in a bundle over isobench's own image — hyperfine (before and after) vs
#     isobench readiness=exit, and first-line for reference
#  3. scale: N native instances (default 1024) and M runc containers (default 64) started at once — a bash loop of
#     background launches reading N "ready" lines from one FIFO vs isobench's all_ready_ms (first launch to last ready)
#  4. PSS of one idle native instance: isobench footprint vs smem on the same process
#  5. fidelity in interleaved rounds, in two regimes, for native and runc (readiness=exit, same command):
#     back-to-back — hyperfine's default (each run right after the previous one) vs isobench startup.runs=RUNS in one
#     iteration (each launch right after the previous one's teardown); after idle — hyperfine --prepare 'sleep IDLE'
#     vs isobench --cooldown IDLE with RUNS iterations of one launch (isobench's default cooldown is 5 s, so by
#     default every launch is one after idle). Per round the
#     ratio isobench/hyperfine of the medians; then the median of those ratios, their range, and pooled medians.
#     On a VM the two regimes differ a lot for sub-millisecond launches (a halted vCPU wakes slowly), so only
#     like-for-like regimes compare the harnesses. For native, a minimal C loop (bench/minimal-launch.c: spawn, wait,
#     and sleep in the idle regime, nothing else) gives the floor both harnesses are read against.
#     isobench runs with --warmups WARMUPS (default 0: no warm-up round of the plan; isobench warms its own launch path
#     once per run, StartupBenchmark.warmHarness). HARNESS_COMPARE=1 adds, in every round, isobench with that warm-up
#     turned off (ISOBENCH_HARNESS_WARMUP=0), i.e. the harness before it had one; COMPARE_ENV=VAR=VALUE compares
#     another variant of isobench instead, e.g. COMPARE_ENV=ISOBENCH_OWN_CGROUP=0 (native in isobench's cgroup, as
#     before instances had a cgroup of their own).
#  6. arrivals at scale, open loop: N native instances and M runc containers in every arrival pattern — staggered over
#     ~1 s and Poisson at N/s resp. M/s for 1 s (seeded), burst being section 3 — with isobench's own lateness per
#     launch (launch_lateness_ms: scheduled time to its call of the runtime; median, p95, max), time to ready (p50,
#     per-launch p99), success rate, most instances in flight, and the harness's CPU for the run. The lateness is the
#     harness's overhead per launch under arrivals: where it stays small while ready times grow, the host, not
#     isobench, is what saturates.
# Usage: bench/startup-overhead.sh [RUNS] [N_NATIVE] [N_RUNC] [ROUNDS]   (defaults 50 1024 64 6; root; hyperfine smem jq
#        sqlite3 runc busybox). Environment: SECTIONS="1 2 3 4 5 6" (which to run), IDLE=0.1 (seconds, section 5),
#        RUNC_RUNS=RUNS (launches per runc round in section 5), WARMUPS=0, HARNESS_COMPARE=0,
#        S5_RUNTIMES="native runc" and REGIMES="hot idle" (which interleavings section 5 runs).
# Results are only meaningful on a quiet host: the script prints the load average it started and ended with.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
runs=${1:-50}
n_native=${2:-1024}
n_runc=${3:-64}
rounds=${4:-6}
sections=${SECTIONS:-1 2 3 4 5 6}
idle=${IDLE:-0.1}
runc_runs=${RUNC_RUNS:-$runs}
warmups=${WARMUPS:-0}
harness_compare=${HARNESS_COMPARE:-0}
compare_env=${COMPARE_ENV:-ISOBENCH_HARNESS_WARMUP=0}
s5_runtimes=${S5_RUNTIMES:-native runc}
regimes=${REGIMES:-hot idle}
want() { [[ " $sections " == *" $1 "* ]]; }
for t in hyperfine smem jq sqlite3 runc busybox; do
  command -v "$t" >/dev/null || { echo "needs $t" >&2; exit 2; }
done
bb=$(readlink -f "$(command -v busybox)")
work=$(mktemp -d /var/tmp/isobench-overhead.XXXXXX)
db=$work/overhead.db
cleanup() {
  for c in $(runc list -q 2>/dev/null | grep "^isobench-overhead-$$-" || true); do runc delete --force "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
iso() { "$here/isobench" run --db "$db" --cooldown 0s --json "$@" 2>/dev/null; }
med() { jq -r --arg m "$2" '[.results[] | select(.benchmark=="startup" and .metric==$m)][0].median' "$1"; }
mean() { jq -r --arg m "$2" '[.results[] | select(.benchmark=="startup" and .metric==$m)][0].mean' "$1"; }
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

# ---- the runc bundle of sections 2, 3 and 5: isobench's own image (its path from a one-launch run, which also builds it)
iso --runtimes native --benchmarks startup --set startup.instances=1 --set startup.iterations=1 --set startup.readiness=exit \
  --warmups 0 > "$work/image.json"
rootfs=$(jq -r '.tools.workload_image.path' "$work/image.json")
mkdir -p "$work/bundle" && (cd "$work/bundle" && runc spec)
# the same cgroup work as isobench's bundles (a cgroup per container under /isobench with the run's CPU and memory
# limits: on a hybrid host runc creates it in every v1 hierarchy); without it hyperfine times a cheaper container
ncpu=$(nproc)
# and the rest of isobench's bundle (OciBundle): tmpfs /tmp and /run, no /sys/fs/cgroup mount, Docker's 14
# default capabilities, no rlimits, hostname
jq --arg r "$rootfs" --arg bb "$bb" --arg cg "/isobench/isobench-overhead-$$-hf" --argjson q "$((ncpu * 100000))" \
  '.root = {path: $r, readonly: true} | .process.terminal = false
  | .process.args = [$bb, "sh", "-c", "echo ready"] | .hostname = "isobench" | del(.process.rlimits)
  | .process.capabilities = ({bounding: ["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD",
      "CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT",
      "CAP_KILL","CAP_AUDIT_WRITE"]} | .effective = .bounding | .permitted = .bounding)
  | .mounts = ([.mounts[] | select(.destination != "/sys/fs/cgroup")]
      + [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid","nodev","mode=1777"]},
         {destination: "/run", type: "tmpfs", source: "tmpfs", options: ["nosuid","nodev","mode=755"]}])
  | .linux.cgroupsPath = $cg
  | .linux.resources.memory = {limit: 2147483648} | .linux.resources.cpu = {quota: $q, period: 100000}' \
  "$work/bundle/config.json" > "$work/bundle/c.json"
mv "$work/bundle/c.json" "$work/bundle/config.json"
if want 1; then
# ---- 1. native, N=1
for i in 1 2 3 4 5; do $bb sh -c 'echo ready' >/dev/null; done
start=$EPOCHREALTIME
for ((i = 0; i < runs; i++)); do $bb sh -c 'echo ready' >/dev/null; done
end=$EPOCHREALTIME
loop_ms=$(awk -v s="$start" -v e="$end" -v n="$runs" 'BEGIN {printf "%.3f", (e - s) * 1000 / n}')
hyperfine -N --warmup 10 --runs "$runs" --export-json "$work/hf-native.json" "$bb sh -c 'echo ready'" >/dev/null 2>&1
hf_mean=$(jq '.results[0].mean * 1000' "$work/hf-native.json")
hf_median=$(jq '.results[0].median * 1000' "$work/hf-native.json")
# readiness=exit runs hyperfine's very command to its exit, back to back (startup.runs); first-line is the idling
# workload's first line
iso --runtimes native --benchmarks startup --set startup.instances=1 --set startup.iterations=1 --set "startup.runs=$runs" \
  --set startup.readiness=exit --warmups "$warmups" > "$work/native1.json"
iso --runtimes native --benchmarks startup --set startup.instances=1 --set "startup.iterations=$runs" --warmups 2 > "$work/native1line.json"
printf '\n1. native, N=1 (%s), %d launches each\n' "$bb sh -c 'echo ready'" "$runs"
printf '   plain bash loop, mean per launch (to exit):           %8.3f ms\n' "$loop_ms"
printf '   hyperfine -N, median / mean (to exit):                %8.3f / %.3f ms\n' "$hf_median" "$hf_mean"
printf '   isobench readiness=exit ready_ms, median / mean:      %8.3f / %.3f ms   (spawned_ms median %.3f: process start returned)\n' \
  "$(med "$work/native1.json" ready_ms)" "$(mean "$work/native1.json" ready_ms)" "$(med "$work/native1.json" spawned_ms)"
awk -v i="$(med "$work/native1.json" ready_ms)" -v h="$hf_median" 'BEGIN {
  printf "   isobench (exit) vs hyperfine (medians): %+.3f ms (%+.1f%%)\n", i - h, (i - h) * 100 / h }'
printf '   isobench readiness=first-line ready_ms, median:       %8.3f ms (an idling workload, killed after)\n' \
  "$(med "$work/native1line.json" ready_ms)"
echo "   process launch: $(jq -r '.tools.process_launch // "?"' "$work/native1.json")"
fi

if want 2; then
# ---- 2. runc, N=1
# hyperfine before and after isobench: runc's times drift on a shared host, the mean of both brackets isobench's
hf_runc_once() {
  hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/hf-runc.json" \
    "runc run --bundle $work/bundle isobench-overhead-$$-hf" >/dev/null 2>&1
  jq '.results[0].median * 1000' "$work/hf-runc.json"
}
hf_before=$(hf_runc_once)
iso --runtimes runc --benchmarks startup --set startup.instances=1 --set startup.iterations=1 --set "startup.runs=$runs" \
  --set startup.readiness=exit --warmups 1 > "$work/runc1.json"
hf_after=$(hf_runc_once)
iso --runtimes runc --benchmarks startup --set startup.instances=1 --set "startup.iterations=$runs" --warmups 2 > "$work/runc1line.json"
hf_runc=$(awk -v a="$hf_before" -v b="$hf_after" 'BEGIN {printf "%.3f", (a + b) / 2}')
r_ready=$(med "$work/runc1.json" ready_ms)
printf '\n2. runc, N=1, %d launches each\n' "$runs"
printf '   hyperfine -N runc run (create, start, echo, exit, delete): median %.3f ms before, %.3f after isobench\n' \
  "$hf_before" "$hf_after"
printf '   isobench readiness=exit ready_ms median %.3f ms (bundle setup, setup_ms median %.3f, and runc run to its exit)\n' \
  "$r_ready" "$(med "$work/runc1.json" setup_ms)"
awk -v i="$r_ready" -v h="$hf_runc" 'BEGIN {
  printf "   isobench (exit) vs hyperfine (mean of both brackets): %+.3f ms (%+.1f%%)\n", i - h, (i - h) * 100 / h }'
printf '   isobench readiness=first-line ready_ms median %.3f ms, teardown_ms median %.3f (an idling container, killed and deleted after)\n' \
  "$(med "$work/runc1line.json" ready_ms)" "$(med "$work/runc1line.json" teardown_ms)"
fi

if want 3; then
# ---- 3. scale: everything started at once, time until every instance printed its line
scale_bash() { # $1 = count, rest = command; prints ms from the first launch to the last line read
  local n=$1; shift
  local fifo=$work/fifo-$n
  mkfifo "$fifo"
  exec 3<>"$fifo"
  local pids=() s e i
  s=$EPOCHREALTIME
  for ((i = 0; i < n; i++)); do "$@" "$i" >&3 2>/dev/null & pids+=($!); done
  for ((i = 0; i < n; i++)); do read -r -u 3 _; done
  e=$EPOCHREALTIME
  kill -9 "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  exec 3>&-
  rm -f "$fifo"
  awk -v s="$s" -v e="$e" 'BEGIN {printf "%.1f", (e - s) * 1000}'
}
native_one() { exec "$bb" sh -c "echo ready; exec $bb sleep 3600"; }
mkdir -p "$work/bundle-idle"
jq --arg bb "$bb" '.process.args = [$bb, "sh", "-c", "echo ready; exec " + $bb + " sleep 3600"]' \
  "$work/bundle/config.json" > "$work/bundle-idle/config.json"
runc_one() { exec runc run --bundle "$work/bundle-idle" "isobench-overhead-$$-$1"; }
b_native=$(scale_bash "$n_native" native_one)
b_runc=$(scale_bash "$n_runc" runc_one)
for c in $(runc list -q 2>/dev/null | grep "^isobench-overhead-$$-" || true); do runc delete --force "$c" >/dev/null 2>&1 || true; done
iso --runtimes native --benchmarks startup --set "startup.instances=$n_native" --set startup.iterations=1 --warmups 0 > "$work/nativeN.json"
iso --runtimes runc --benchmarks startup --set "startup.instances=$n_runc" --set startup.iterations=1 --warmups 0 > "$work/runcN.json"
printf '\n3. scale: all instances launched at once; time from the first launch to the last "ready" line\n'
printf '   native x%d: bash background loop %s ms, isobench all_ready_ms %.1f ms (ready_ms p50 %.1f, p95 %.1f; harness CPU %s s for the run)\n' \
  "$n_native" "$b_native" "$(med "$work/nativeN.json" all_ready_ms)" "$(med "$work/nativeN.json" ready_ms)" \
  "$(jq '[.results[] | select(.metric=="ready_ms")][0].p95' "$work/nativeN.json")" "$(jq '.harness.cpu_seconds' "$work/nativeN.json")"
printf '   runc x%d:   bash background loop %s ms, isobench all_ready_ms %.1f ms (ready_ms p50 %.1f, p95 %.1f; harness CPU %s s for the run)\n' \
  "$n_runc" "$b_runc" "$(med "$work/runcN.json" all_ready_ms)" "$(med "$work/runcN.json" ready_ms)" \
  "$(jq '[.results[] | select(.metric=="ready_ms")][0].p95' "$work/runcN.json")" "$(jq '.harness.cpu_seconds' "$work/runcN.json")"
fi

if want 4; then
# ---- 4. PSS: isobench footprint of one native instance vs smem on the same process, read while the trial settles
iso --runtimes native --benchmarks footprint --set footprint.instances=1 --set footprint.settle=6s \
  --repetitions 1 --warmups 0 > "$work/fp.json" &
isopid=$!
pid=""
for _ in $(seq 1 100); do
  pid=$(pgrep -n -f "busybox sleep 3600$" || true)
  [ -n "$pid" ] && break
  sleep 0.1
done
[ -n "$pid" ] || { echo "footprint instance not found" >&2; wait $isopid; exit 1; }
sleep 2
smem_pss=$(smem -H -c "pid pss" -P "busybox sleep 3600$" | awk -v p="$pid" '$1 == p {print $2}')
rollup_pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
wait $isopid
iso_pss_kib=$(jq '[.results[] | select(.metric=="pss_mib_single")][0].median * 1024' "$work/fp.json")
printf '\n4. PSS of one idle native instance (pid %s): isobench footprint %.0f KiB, smem %s KiB, smaps_rollup %s KiB' \
  "$pid" "$iso_pss_kib" "$smem_pss" "$rollup_pss"
awk -v i="$iso_pss_kib" -v s="$smem_pss" 'BEGIN { printf " (isobench vs smem: %+.1f%%)\n", (i - s) * 100 / s }'
fi

# ---- 5. interleaved rounds, two regimes: hyperfine and isobench (readiness=exit) on the same command, alternately
pct() { awk -v a="$1" -v b="$2" 'BEGIN {print (a - b) * 100 / b}'; } # how far a is above b, in %
median_of() { printf '%s' "$1" | grep . | median; } # of a newline-separated list
median() { sort -g | awk '{a[NR] = $1} END {if (NR == 0) {print "nan"; exit} printf "%.4f", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
interleave() { # $1 = label, $2 = runtime, $3 = launches per round, $4 = regime (hot|idle), $5 = command for hyperfine
  local label=$1 rt=$2 n=$3 regime=$4 cmd=$5 k hf_all="" hf_meds="" iso_meds="" ratios="" hf_m iso_m
  local iso_db="$work/rounds-$rt-$regime.db" cooldown=0s prep=() idle_us=0 c_meds="" c_m
  local off_db="$work/rounds-$rt-$regime-off.db" off_m off_meds="" off_ratios=""
  # hot: one iteration of n back-to-back runs (each launch right after the previous one's teardown, as hyperfine's)
  local shape=(--set startup.iterations=1 --set "startup.runs=$n")
  if [ "$regime" = idle ]; then # idle: n iterations of one launch, each after the cooldown
    cooldown=${idle}s
    prep=(--prepare "$bb sleep $idle")
    idle_us=$(awk -v s="$idle" 'BEGIN {printf "%d", s * 1e6}')
    shape=(--set "startup.iterations=$n" --set startup.runs=1)
  fi
  for ((k = 1; k <= rounds; k++)); do
    hyperfine -N --warmup 3 --runs "$n" "${prep[@]}" --export-json "$work/hf-round.json" "$cmd" >/dev/null 2>&1
    hf_all+=$(jq -r '.results[0].times[] * 1000' "$work/hf-round.json")$'\n'
    hf_m=$(jq -r '.results[0].median * 1000' "$work/hf-round.json")
    "$here/isobench" run --db "$iso_db" --cooldown "$cooldown" --quiet --runtimes "$rt" --benchmarks startup \
      --set startup.instances=1 "${shape[@]}" --set startup.readiness=exit --warmups "$warmups" >/dev/null 2>&1
    iso_m=$(sqlite3 "$iso_db" "SELECT value FROM samples WHERE metric='ready_ms' AND warmup=0 AND run_id=(SELECT max(run_id) FROM samples)" | median)
    if [ "$harness_compare" = 1 ]; then # the same run as a variant (default: without isobench's own warm-up)
      env "$compare_env" "$here/isobench" run --db "$off_db" --cooldown "$cooldown" --quiet --runtimes "$rt" \
        --benchmarks startup --set startup.instances=1 "${shape[@]}" --set startup.readiness=exit --warmups "$warmups" >/dev/null 2>&1
      off_m=$(sqlite3 "$off_db" "SELECT value FROM samples WHERE metric='ready_ms' AND warmup=0 AND run_id=(SELECT max(run_id) FROM samples)" | median)
      off_meds+="$off_m"$'\n'
      off_ratios+=$(awk -v i="$off_m" -v h="$hf_m" 'BEGIN {printf "%.4f", i / h}')$'\n'
    fi
    hf_meds+="$hf_m"$'\n'
    iso_meds+="$iso_m"$'\n'
    if [ "$rt" = native ]; then # the floor: a C loop that spawns, waits and (idle regime) sleeps, nothing else
      c_m=$("$work/minimal-launch" "$n" 3 "$idle_us" "$bb" sh -c 'echo ready' | cut -d' ' -f1)
      c_meds+="$c_m"$'\n'
    fi
    ratios+=$(awk -v i="$iso_m" -v h="$hf_m" 'BEGIN {printf "%.4f", i / h}')$'\n'
  done
  local iso_p hf_p rs
  iso_p=$(sqlite3 "$iso_db" "SELECT value FROM samples WHERE metric='ready_ms' AND warmup=0" | median)
  hf_p=$(median_of "$hf_all")
  rs=$(printf '%s' "$ratios" | grep . | sort -g)
  printf '   %-10s %-5s isobench/hyperfine per round: median %+.1f%% (range %+.1f%% .. %+.1f%%); pooled medians %.3f vs %.3f ms\n' \
    "$label" "$regime" "$(pct "$(median_of "$rs")" 1)" "$(pct "$(head -1 <<<"$rs")" 1)" "$(pct "$(tail -1 <<<"$rs")" 1)" \
    "$iso_p" "$hf_p"
  printf '     round medians, ms: isobench %s| hyperfine %s\n' "$(printf '%s' "$iso_meds" | grep . | xargs printf '%.3f ')" \
    "$(printf '%s' "$hf_meds" | grep . | xargs printf '%.3f ')"
  printf '     isobench/hyperfine per round: %s\n' "$(printf '%s' "$ratios" | grep . | xargs printf '%.2f ')"
  if [ -n "$off_ratios" ]; then
    local ors
    ors=$(printf '%s' "$off_ratios" | grep . | sort -g)
    printf '     the variant %s: median %+.1f%% (range %+.1f%% .. %+.1f%%); per round %s\n' "$compare_env" \
      "$(pct "$(median_of "$ors")" 1)" "$(pct "$(head -1 <<<"$ors")" 1)" "$(pct "$(tail -1 <<<"$ors")" 1)" \
      "$(printf '%s' "$off_ratios" | grep . | xargs printf '%.2f ')"
  fi
  if [ -n "$c_meds" ]; then
    local c
    c=$(median_of "$c_meds")
    printf '     minimal C loop (bench/minimal-launch.c), median of round medians %.3f ms: isobench %+.1f%%, hyperfine %+.1f%% above it\n' \
      "$c" "$(pct "$(median_of "$iso_meds")" "$c")" "$(pct "$(median_of "$hf_meds")" "$c")"
  fi
}
if want 5; then
  command -v gcc >/dev/null || { echo "section 5 needs gcc (for bench/minimal-launch.c)" >&2; exit 2; }
  gcc -O2 -o "$work/minimal-launch" "$here/bench/minimal-launch.c"
  printf '\n5. fidelity, %d interleaved rounds (hyperfine, then isobench readiness=exit --warmups %s, same command); back-to-back (hot):\n' "$rounds" "$warmups"
  printf '   hyperfine default vs isobench startup.runs; after idle: hyperfine --prepare "sleep %s" vs isobench --cooldown %ss\n' "$idle" "$idle"
  for regime in $regimes; do
    if [[ " $s5_runtimes " == *" native "* ]]; then
      interleave "native N=1" native "$runs" "$regime" "$bb sh -c 'echo ready'"
    fi
    if [[ " $s5_runtimes " == *" runc "* ]]; then
      interleave "runc N=1" runc "$runc_runs" "$regime" "runc run --bundle $work/bundle isobench-overhead-$$-hf"
    fi
  done
fi
if want 6; then
# ---- 6. arrivals at scale: the harness's lateness per launch, open loop
arrivals_row() { # $1 = label, $2 = json
  local j=$2
  r() { jq -r --arg m "$1" --arg f "$2" '[.results[] | select(.benchmark=="startup" and .metric==$m)][0][$f] // "nan"' "$j"; }
  printf '   %-34s late p50 %7.3f p95 %7.3f max %8.3f ms | ready p50 %8.1f, p99 %8.1f ms | success %5.1f%% | in flight max %4.0f | CPU %s s\n' \
    "$1" "$(r launch_lateness_ms median)" "$(r launch_lateness_ms p95)" "$(r launch_lateness_ms max)" "$(r ready_ms median)" \
    "$(r ready_p99_ms median)" "$(r success_rate median)" "$(r in_flight_max median)" "$(jq '.harness.cpu_seconds' "$j")"
}
stag_native=$(awk -v n="$n_native" 'BEGIN {printf "%d", 1000 / n < 1 ? 1 : 1000 / n}')
stag_runc=$(awk -v n="$n_runc" 'BEGIN {printf "%d", 1000 / n < 1 ? 1 : 1000 / n}')
iso --runtimes native --benchmarks startup --set "startup.instances=$n_native" --set "startup.arrival=staggered:${stag_native}ms" \
  --set startup.iterations=1 --warmups 0 > "$work/arr-native-stag.json"
iso --runtimes native --benchmarks startup --set "startup.arrival=poisson:$n_native/s" --set startup.duration=1s \
  --set startup.iterations=1 --warmups 0 > "$work/arr-native-poisson.json"
iso --runtimes runc --benchmarks startup --set "startup.instances=$n_runc" --set "startup.arrival=staggered:${stag_runc}ms" \
  --set startup.iterations=1 --warmups 0 > "$work/arr-runc-stag.json"
iso --runtimes runc --benchmarks startup --set "startup.arrival=poisson:$n_runc/s" --set startup.duration=1s \
  --set startup.iterations=1 --warmups 0 > "$work/arr-runc-poisson.json"
printf '\n6. arrivals at scale, open loop (burst: section 3); isobench lateness = scheduled time to its call of the runtime\n'
arrivals_row "native x$n_native staggered:${stag_native}ms" "$work/arr-native-stag.json"
arrivals_row "native poisson:$n_native/s for 1 s" "$work/arr-native-poisson.json"
arrivals_row "runc x$n_runc staggered:${stag_runc}ms" "$work/arr-runc-stag.json"
arrivals_row "runc poisson:$n_runc/s for 1 s" "$work/arr-runc-poisson.json"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
