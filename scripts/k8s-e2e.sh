#!/usr/bin/env bash
# The end-to-end check of isobench's Kubernetes parts on a real cluster (kind, k3s or a managed one), which the
# mock-server unit tests cannot replace (docs/kubernetes.md#the-end-to-end-check-on-a-real-cluster). It uses your
# kubeconfig and namespace ($ISOBENCH_K8S_NAMESPACE, else the configuration's), and needs kubectl and:
#   ISOBENCH_K8S_IMAGE        the workload image's repository (or full reference) in a registry the cluster pulls from
#   ISOBENCH_K8S_AGENT_IMAGE  optional: isobench's own image (scripts/build-image.sh); enables the fleet part
#   ISOBENCH_E2E_DB           optional with the agent image: the team store (postgresql://…) the nodes write to
#   ISOBENCH_K8S_DB_SECRET    optional: the Secret holding that store's password
#   ISOBENCH_E2E_RUNTIMES     optional: k8s runtimes to measure (default: k8s:default and every k8s:* doctor finds)
# Each step prints what it checked; the first failed check stops the script with exit 1.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
isobench=("$here/isobench")
ns_args=()
[ -n "${ISOBENCH_K8S_NAMESPACE:-}" ] && ns_args=(-n "$ISOBENCH_K8S_NAMESPACE")
work=$(mktemp -d /tmp/isobench-k8s-e2e-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "k8s-e2e: FAILED: $*" >&2; exit 1; }
ok() { echo "k8s-e2e: ok: $*"; }

command -v kubectl >/dev/null || fail "kubectl not found"
[ -n "${ISOBENCH_K8S_IMAGE:-}" ] || fail "set ISOBENCH_K8S_IMAGE to the workload image in a registry the cluster pulls from"

# 1. the API answers; nodes and RuntimeClasses
kubectl version -o json >"$work/version.json" || fail "the API server does not answer"
kubectl get nodes -o name >"$work/nodes" || fail "cannot list nodes"
[ -s "$work/nodes" ] || fail "the cluster has no nodes"
kubectl get runtimeclasses -o name >"$work/rcs" 2>/dev/null || true
ok "API answers; $(wc -l <"$work/nodes") node(s); RuntimeClasses: $(tr '\n' ' ' <"$work/rcs")"

# 2. doctor: every k8s runtime available, with its declared overhead
"${isobench[@]}" doctor --json >"$work/doctor.json" || fail "isobench doctor failed"
python3 - "$work/doctor.json" <<'PY' || fail "doctor: a k8s runtime is unavailable (reason above)"
import json, sys
d = json.load(open(sys.argv[1]))
rts = d.get("runtimes", d) if isinstance(d, dict) else d
bad = 0
for r in rts:
    if str(r.get("id", "")).startswith("k8s:"):
        det = r.get("details") or {}
        print(f"  {r['id']}: available={r.get('available')} overhead={det.get('pod_overhead')} reason={r.get('reason')}")
        bad += 0 if r.get("available") else 1
sys.exit(1 if bad else 0)
PY
ok "doctor lists every k8s runtime as available"

# 3. a small study through the pods: startup phases in order, cpu samples
runtimes=${ISOBENCH_E2E_RUNTIMES:-$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); rts=d.get("runtimes", d) if isinstance(d, dict) else d
print(",".join(r["id"] for r in rts if str(r.get("id","")).startswith("k8s:") and r.get("available")))' "$work/doctor.json")}
db="$work/e2e.db"
"${isobench[@]}" run --db "$db" --runtimes "native,$runtimes" --benchmarks startup,cpu --set startup.instances=1,4 \
  --set startup.iterations=2 --set startup.readiness=first-line --set cpu.time=5s --repetitions 2 --cooldown 1s \
  >"$work/run.out" 2>&1 || { tail -n 30 "$work/run.out" >&2; fail "isobench run failed"; }
"${isobench[@]}" export latest --db "$db" --format csv >"$work/samples.csv" || fail "export failed"
python3 - "$work/samples.csv" "$runtimes" <<'PY' || fail "samples missing or phases out of order (above)"
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
bad = 0
for rt in sys.argv[2].split(","):
    m = collections.defaultdict(list)
    for r in rows:
        if r.get("runtime") == rt:
            m[r["metric"]].append(float(r["value"]))
    med = {k: sorted(v)[len(v) // 2] for k, v in m.items()}
    order = [k for k in ("created_ms", "scheduled_ms", "initialized_ms", "containers_ready_ms", "ready_ms") if k in med]
    print(f"  {rt}: " + ", ".join(f"{k} {med[k]:.0f}" for k in order) + f"; cpu metrics: {[k for k in med if k.startswith('events')]}")
    if not {"created_ms", "scheduled_ms", "containers_ready_ms", "ready_ms"} <= set(med):
        bad += 1
    elif any(med[a] > med[b] for a, b in zip(order, order[1:])):
        bad += 1
    if not any(k for k in med if not k.endswith("_ms")):
        bad += 1
sys.exit(1 if bad else 0)
PY
ok "startup phases created <= scheduled <= initialized <= containers_ready <= ready, and cpu samples, for $runtimes"

# 3b. a server through the pods: nginx with ab on this host, by the path the driver chose and labelled
first_rt=${runtimes%%,*}
"${isobench[@]}" run --db "$db" --runtimes "$first_rt" --benchmarks nginx --set nginx.requests=5000 \
  --set nginx.concurrency=10 --set nginx.warmup=0s --repetitions 1 --warmups 0 --cooldown 0s \
  >"$work/nginx.out" 2>&1 || { tail -n 30 "$work/nginx.out" >&2; fail "isobench run --benchmarks nginx failed"; }
python3 - "$db" "$first_rt" <<'PY' || fail "nginx through $first_rt: no sample or no labelled network path (above)"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
raw = [r[0] for r in c.execute("select t.raw_output from trials t where t.runtime = ? and t.benchmark = 'nginx'", (sys.argv[2],))]
fails = [r[0] for r in c.execute("select reason from failures where runtime = ? and benchmark = 'nginx'", (sys.argv[2],))]
paths = [l for r in raw for l in r.splitlines() if l.startswith("isobench: network path: ")]
print("  " + "\n  ".join(paths or ["no trial"]) + ("\n  failures: " + "; ".join(fails) if fails else ""))
sys.exit(0 if paths and all("k8s pod IP" in p or "k8s port-forward (API server tunnel)" in p for p in paths) and not fails else 1)
PY
ok "nginx ran in a $first_rt pod, reached by the labelled path above"

# 4. nothing left behind
left=$(kubectl get pods "${ns_args[@]}" -l app.kubernetes.io/managed-by=isobench -o name)
[ -z "$left" ] || fail "pods left behind: $left"
ok "no isobench pod left"

# 5. the fleet engine, with isobench's own image
if [ -n "${ISOBENCH_K8S_AGENT_IMAGE:-}" ] && [ -n "${ISOBENCH_E2E_DB:-}" ]; then
  node=$(head -n 1 "$work/nodes"); node=${node#node/}
  "${isobench[@]}" fleet run --engine kubernetes --nodes "$node" --db "$ISOBENCH_E2E_DB" --quick --dry-run >"$work/fleet.yaml" \
    || fail "fleet run --dry-run failed"
  sed -n '/^---$/,$p;/^apiVersion:/,$p' "$work/fleet.yaml" | kubectl apply --dry-run=server -f - "${ns_args[@]}" \
    || fail "the API server rejects the rendered Job"
  ok "the rendered Job passes the API server's admission (server-side dry run)"
  "${isobench[@]}" fleet run --engine kubernetes --nodes "$node" --db "$ISOBENCH_E2E_DB" --quick >"$work/fleet.out" 2>&1 &
  fleet_pid=$!
  for _ in $(seq 60); do
    kubectl get jobs "${ns_args[@]}" -l app.kubernetes.io/managed-by=isobench -o name | grep -q . && break
    sleep 2
  done
  fleet_id=$(kubectl get jobs "${ns_args[@]}" -l app.kubernetes.io/managed-by=isobench -o jsonpath='{.items[0].metadata.labels.isobench\.io/fleet}')
  [ -n "$fleet_id" ] || fail "no fleet Job appeared"
  "${isobench[@]}" fleet status --engine kubernetes "$fleet_id" || fail "fleet status failed"
  "${isobench[@]}" fleet cancel --engine kubernetes "$fleet_id" || fail "fleet cancel failed"
  kill "$fleet_pid" 2>/dev/null || true
  wait "$fleet_pid" 2>/dev/null || true
  left=$(kubectl get jobs,pods,configmaps "${ns_args[@]}" -l "isobench.io/fleet=$fleet_id" -o name)
  [ -z "$left" ] || fail "fleet objects left after cancel: $left"
  ok "fleet run on $node, status, cancel: nothing of fleet $fleet_id left"
else
  echo "k8s-e2e: skipped the fleet part (set ISOBENCH_K8S_AGENT_IMAGE and ISOBENCH_E2E_DB)"
fi
echo "k8s-e2e: all checks passed"
