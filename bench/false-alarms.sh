#!/usr/bin/env bash
# How often does `isobench compare` call a change where nothing changed? Runs one plan K times (the same settings,
# nothing changed between runs: every difference is noise or host drift), then compares every pair of runs (i < j)
# and prints the share of compared results called a regression and the share called a difference, and how many
# compares exited 1 (the CI gate) or 3 (inconclusive: a regression withheld because a run measured it on a busy host). With RUNS_PER_SIDE=k (>= 2) it also compares disjoint groups of k runs
# (`compare A1..Ak -- B1..Bk`: run-level tests), every split of the first 2k runs into two groups of k.
# Usage: bench/false-alarms.sh [K]   (default 6; root; jq, sqlite3; runtimes native, runc, runsc)
# Environment:
#   ISOBENCH="java -jar /path/isobench.jar"  the isobench to measure with (default: ./isobench of this checkout);
#                                            use a fixed jar when sources may change during the measurement
#   DB=/path/runs.db      reuse the runs stored there (skip measuring; e.g. to judge two compare versions on the
#                         same runs) — else a new database under /var/tmp
#   RUNTIMES=native,runc,runsc  BENCHMARKS=cpu,memory,startup  THRESHOLD=5%
#   RUNS_PER_SIDE=0       group size for the run-level compares (0 = pairs only)
#   LOAD_RUN=i            load the host during run i only (1-based): LOAD_TASKS busy shell loops (default 2 per CPU)
#                         run beside it, started before and killed after it — the issue-19 check "a host loaded during
#                         one run only": the sandboxes must not come out as regressions against it (compare withholds
#                         a regression measured on a busy host: exit 3, counted as "inconclusive", with its lines)
# Results depend on how quiet the host is: the script prints the load average at its start and end.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
k=${1:-6}
isobench=${ISOBENCH:-$here/isobench}
runtimes=${RUNTIMES:-native,runc,runsc}
benchmarks=${BENCHMARKS:-cpu,memory,startup}
threshold=${THRESHOLD:-5%}
per_side=${RUNS_PER_SIDE:-0}
for t in jq sqlite3; do
  command -v "$t" >/dev/null || { echo "needs $t" >&2; exit 2; }
done
read -r -a ib <<<"$isobench"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
if [ -z "${DB:-}" ]; then
  work=$(mktemp -d /var/tmp/isobench-false-alarms.XXXXXX)
  db=$work/runs.db
  echo "measuring $k runs into $db"
  load_run=${LOAD_RUN:-0}
  load_tasks=${LOAD_TASKS:-$((2 * $(nproc)))}
  hogs=()
  stop_hogs() { [ ${#hogs[@]} -eq 0 ] || { kill "${hogs[@]}" 2>/dev/null || true; wait "${hogs[@]}" 2>/dev/null || true; }; hogs=(); }
  trap stop_hogs EXIT
  for i in $(seq 1 "$k"); do
    if [ "$i" -eq "$load_run" ]; then
      for _ in $(seq 1 "$load_tasks"); do sh -c 'while :; do :; done' & hogs+=($!); done
      echo "  run $i under load: $load_tasks busy loops"
    fi
    # small settings: 5 repetitions of 2 s for cpu and memory (one case each), startup of 1 and 4 instances
    "${ib[@]}" run --db "$db" --runtimes "$runtimes" --benchmarks "$benchmarks" --repetitions 5 --warmups 1 \
      --cooldown 0.5s --set cpu.time=2s --set memory.time=2s --set memory.block_size=1M --set memory.access_mode=seq \
      --set startup.instances=1,4 --set startup.iterations=5 --quiet >/dev/null
    echo "  run $i of $k done ($(cut -d' ' -f1 /proc/loadavg) load)"
    stop_hogs
  done
else
  db=$DB
fi
mapfile -t ids < <(sqlite3 "$db" "SELECT id FROM runs WHERE status = 'completed' ORDER BY started_at")
n=${#ids[@]}
[ "$n" -ge 2 ] || { echo "need at least 2 completed runs in $db, found $n" >&2; exit 2; }
echo "other work before the measured trials (runnable tasks not isobench's), per run: mean, max"
for ((i = 0; i < n; i++)); do
  echo "  run $((i + 1)) ${ids[$i]}: $(sqlite3 -separator ', ' "$db" "SELECT printf('%.2f', avg(others_runnable)), \
    printf('%.1f', max(others_runnable)) FROM trials WHERE run_id = '${ids[$i]}' AND warmup = 0")"
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
total=0 regress=0 differs=0 exits=0 compares=0 inconclusive=0 withheld=0
tally() { # $1 = json file, $2 = exit code
  compares=$((compares + 1))
  [ "$2" -eq 1 ] && exits=$((exits + 1))
  [ "$2" -eq 3 ] && inconclusive=$((inconclusive + 1))
  total=$((total + $(jq '.changes | length' "$1")))
  regress=$((regress + $(jq '[.changes[] | select(.regression)] | length' "$1")))
  withheld=$((withheld + $(jq '[.changes[] | select(.withheld)] | length' "$1")))
  differs=$((differs + $(jq '[.changes[] | select(.verdict == "differs")] | length' "$1")))
}
for ((i = 0; i < n; i++)); do
  for ((j = i + 1; j < n; j++)); do
    f=$out/$i-$j.json
    rc=0
    "${ib[@]}" compare --db "$db" --threshold "$threshold" --json "${ids[$i]}" "${ids[$j]}" >"$f" 2>/dev/null || rc=$?
    [ "$rc" -le 1 ] || [ "$rc" -eq 3 ] || { echo "compare ${ids[$i]} ${ids[$j]} failed with exit $rc" >&2; exit 2; }
    tally "$f" "$rc"
    if [ "${LOAD_RUN:-0}" -gt 0 ] && { [ "$i" -eq $((LOAD_RUN - 1)) ] || [ "$j" -eq $((LOAD_RUN - 1)) ]; }; then
      # the pairs with the loaded run: which sandboxed runtimes' costs moved (and the host drift, which should)
      jq -r --arg p "runs $((i + 1)) vs $((j + 1))" '.changes[] | select(.verdict == "differs")
        | "  \($p): \(.runtime) \(.benchmark) \(.metric) \(.params | tostring) \(.method) change \(.change * 100 | round)%\(if .regression then " REGRESSION" elif .withheld then " REGRESSION? (busy host: withheld)" else "" end)"' "$f"
    fi
  done
done
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f%%", b ? 100 * a / b : 0 }'; }
echo "pairs of $n runs: $compares compares, $exits exited 1, $inconclusive exited 3 (inconclusive); of $total results: $regress regression ($(pct "$regress" "$total")), $withheld withheld as measured on a busy host, $differs differs ($(pct "$differs" "$total"))"
if [ "$per_side" -ge 2 ] && [ "$n" -ge $((2 * per_side)) ]; then
  total=0 regress=0 differs=0 exits=0 compares=0 inconclusive=0 withheld=0
  first=("${ids[@]:0:$((2 * per_side))}")
  # every split of the first 2k runs into A (containing run 0, so each split is counted once) and B
  mapfile -t splits < <(python3 -c "
import itertools, sys
k = $per_side
for a in itertools.combinations(range(1, 2 * k), k - 1):
    print(' '.join(map(str, (0,) + a)))")
  for s in "${splits[@]}"; do
    read -r -a ai <<<"$s"
    a=() b=()
    for ((x = 0; x < 2 * per_side; x++)); do
      if [[ " ${ai[*]} " == *" $x "* ]]; then a+=("${first[$x]}"); else b+=("${first[$x]}"); fi
    done
    f=$out/split.json
    rc=0
    "${ib[@]}" compare --db "$db" --threshold "$threshold" --json "${a[@]}" -- "${b[@]}" >"$f" 2>/dev/null || rc=$?
    [ "$rc" -le 1 ] || [ "$rc" -eq 3 ] || { echo "compare ${a[*]} -- ${b[*]} failed with exit $rc" >&2; exit 2; }
    tally "$f" "$rc"
  done
  echo "groups of $per_side runs: $compares compares, $exits exited 1, $inconclusive exited 3 (inconclusive); of $total results: $regress regression ($(pct "$regress" "$total")), $withheld withheld as measured on a busy host, $differs differs ($(pct "$differs" "$total"))"
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "database: $db"
